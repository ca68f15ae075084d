"""Avatar renderers (Live2D, the built-in PNGTuber) and their GL plumbing.

The only engine package besides ``studio.ui`` that may import OpenGL and live2d (import-linter).
"""
