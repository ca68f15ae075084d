"""ui.dialogs package."""
