"""Native API routes."""
