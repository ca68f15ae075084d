"""PyOpenGL for the renderers, set up in one place.

PyOpenGL picks its platform (GLX, EGL, WGL ...) once, when ``OpenGL`` is first imported, from
``PYOPENGL_PLATFORM`` or the environment. Every module of :mod:`studio.avatar.render` imports GL
from here, so the choice below is made before any of them touches OpenGL:

- ``PYOPENGL_PLATFORM`` already set: respected.
- Linux (or BSD) with no ``DISPLAY`` and no ``WAYLAND_DISPLAY`` (``studio serve``, CI): set to
  ``egl``, matching the headless :class:`~studio.avatar.render.egl.EglContext`.
- A display is present (the GUI, Xvfb tests): left alone, so PyOpenGL matches the context Qt's
  QOpenGLWidget creates (GLX on X11, EGL on Wayland). A headless EglContext in such a process
  still works: with libglvnd GL calls dispatch to whatever context is current on the thread, and
  the renderers only use plain GL entry points (no PyOpenGL per-context caches).
- ``OpenGL`` was imported before this module (by other code): nothing can change any more; the
  platform in use is logged.

Importing this module loads no GL driver and needs no context. Thread: any.
"""

from __future__ import annotations

import logging
import os
import sys

log = logging.getLogger(__name__)


def _headless() -> bool:
    if not (sys.platform.startswith("linux") or "bsd" in sys.platform):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _configure() -> None:
    if "OpenGL" in sys.modules:
        # Already chosen by whoever imported PyOpenGL first.
        log.debug("PyOpenGL imported before studio.avatar.render.gl; platform left as chosen")
        return
    if "PYOPENGL_PLATFORM" not in os.environ and _headless():
        os.environ["PYOPENGL_PLATFORM"] = "egl"


_configure()

from OpenGL import GL  # noqa: E402
from OpenGL import platform as _platform  # noqa: E402
from OpenGL.raw.GL.VERSION import GL_1_0 as _RAW_GL_1_0  # noqa: E402

raw_read_pixels = _RAW_GL_1_0.glReadPixels
"""glReadPixels without PyOpenGL's array handling: the last argument is a pointer or, with a
pixel-pack buffer bound, a byte offset (``ctypes.c_void_p(0)``)."""

PLATFORM_NAME: str = type(_platform.PLATFORM).__name__
"""PyOpenGL's platform class in use, e.g. ``EGLPlatform`` or ``GLXPlatform``."""

__all__ = ["GL", "PLATFORM_NAME", "current_context_handle", "gl_info", "raw_read_pixels"]


def gl_info() -> dict[str, str]:
    """Vendor, renderer and version strings of the current context (context current)."""

    def text(name: int) -> str:
        value = GL.glGetString(name)
        return value.decode(errors="replace") if isinstance(value, bytes) else "?"

    return {
        "vendor": text(GL.GL_VENDOR),
        "renderer": text(GL.GL_RENDERER),
        "version": text(GL.GL_VERSION),
        "pyopengl_platform": PLATFORM_NAME,
    }


def current_context_handle() -> int:
    """The context current on this thread as PyOpenGL's platform sees it (GLX, EGL, WGL ...).

    0 when none is current or the platform cannot tell (e.g. an EGL context under PyOpenGL's
    GLX platform: ask :func:`studio.avatar.render.egl.current_egl_context` as well).
    """
    try:
        value = _platform.PLATFORM.GetCurrentContext()
    except Exception:  # platforms without the query, or no library: unknown
        return 0
    value = getattr(value, "value", value)
    return int(value or 0)
