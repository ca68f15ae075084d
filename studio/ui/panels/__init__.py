"""ui.panels package."""
