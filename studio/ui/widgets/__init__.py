"""ui.widgets package."""
