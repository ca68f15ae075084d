"""api.compat package."""
