"""Integration tests of the local API with the real engine."""
