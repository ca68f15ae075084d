"""Integration tests of studio.audio (real PortAudio on virtual devices, real-time null sink)."""
