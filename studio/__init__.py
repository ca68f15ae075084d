"""Cream Studio: an AI VTuber studio for a streamer's PC."""

__version__ = "0.1.0"
