"""One still frame of an avatar, rendered headless: thumbnails, previews, tests.

:func:`render_snapshot` makes its own EGL context current on the calling thread, loads the
renderer, advances it a few frames with one :class:`~studio.avatar.state.AvatarState`, reads the
frame back synchronously and frees everything. Blocking (model loading takes 0.1-1 s): call it
from a worker thread, never the engine loop or the GUI thread.

Live2D draws in one GL context at a time (see :mod:`.live2d_loader`): while the GUI shows a
Live2D model, a Live2D snapshot raises :class:`~studio.avatar.render.errors.RenderError`; take
it from the GUI's own context instead.
"""

from __future__ import annotations

from studio.avatar.render.base import AvatarRenderer
from studio.avatar.render.egl import EglContext
from studio.avatar.render.target import TRANSPARENT, Color, Frame, OffscreenTarget
from studio.avatar.state import AvatarState

__all__ = ["render_snapshot"]


def render_snapshot(
    renderer: AvatarRenderer,
    width: int,
    height: int,
    *,
    state: AvatarState | None = None,
    frames: int = 2,
    clear_color: Color = TRANSPARENT,
) -> Frame:
    """Render ``renderer`` (not loaded yet; released afterwards) and return the last frame.

    Args:
        renderer: Any avatar renderer; it is loaded and released here.
        width: Frame width in pixels.
        height: Frame height in pixels.
        state: What to show (default: neutral).
        frames: Frames of 1/30 s to advance before the one returned (expressions fade in).
        clear_color: Background, transparent by default.

    Returns:
        ``(height, width, 4)`` RGBA ``uint8``, top row first, premultiplied alpha.

    Raises:
        GLUnavailableError: no headless OpenGL here.
        RenderError: the frame could not be made (Live2D busy in another context, bad size ...).
        AvatarModelError: the model could not be loaded.

    Thread: a worker thread with no GL context current.
    """
    shown = state or AvatarState()
    with EglContext():
        target = OffscreenTarget(width, height, clear_color=clear_color)
        try:
            target.bind()
            renderer.load(width, height)
            try:
                for _ in range(max(1, frames)):
                    renderer.update(1 / 30, shown)
                    target.clear()
                    renderer.draw()
                return target.read()
            finally:
                renderer.release()
        finally:
            target.release()
