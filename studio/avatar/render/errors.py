"""Errors of the avatar renderers and their GL plumbing.

Pure Python (no GL import): safe to import anywhere.
"""

from __future__ import annotations

from studio.core.errors import StudioError


class RenderError(StudioError):
    """Avatar rendering failed (GL context, framebuffer or model)."""

    code = "render_error"


class GLUnavailableError(RenderError):
    """No OpenGL context can be made here (no EGL library, no display, no driver)."""

    code = "gl_unavailable"


class AvatarModelError(RenderError):
    """An avatar model file is missing, malformed or cannot be loaded."""

    code = "avatar_model_invalid"
