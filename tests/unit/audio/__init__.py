"""Unit tests of studio.audio."""
