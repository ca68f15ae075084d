"""ui.i18n package."""
