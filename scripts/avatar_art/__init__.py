"""Drawing code for the default avatar (used by scripts/make_default_avatar.py only)."""
