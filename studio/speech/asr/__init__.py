"""Speech recognition engines and helpers."""
