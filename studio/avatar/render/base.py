"""The renderer protocol: every avatar (Live2D, PNGTuber) draws the same way.

A renderer draws into the framebuffer that is bound when :meth:`AvatarRenderer.draw` is called,
inside a current OpenGL (compatibility profile) context: the headless EGL one
(``studio.avatar.render.egl``) for ``studio serve``/``demo``/tests/the encoder, or Qt's
QOpenGLWidget context in the GUI. All methods run on the thread that owns that context.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from studio.avatar.state import AvatarState


@runtime_checkable
class AvatarRenderer(Protocol):
    """An avatar that can be updated and drawn. GL thread only."""

    def load(self, width: int, height: int) -> None:
        """Create GL resources and load the model for a ``width`` x ``height`` viewport (context current)."""
        ...

    def resize(self, width: int, height: int) -> None:
        """The viewport size changed."""
        ...

    def update(self, dt: float, state: AvatarState) -> None:
        """Advance animation by ``dt`` seconds and apply ``state`` (mouth last, so lip-sync wins)."""
        ...

    def draw(self) -> None:
        """Draw into the bound framebuffer (does not clear the background: the caller does)."""
        ...

    def expressions(self) -> list[str]:
        """Names of the expressions the model has."""
        ...

    def motion_groups(self) -> dict[str, int]:
        """Motion group name -> number of motions."""
        ...

    def hit_test(self, x: float, y: float) -> list[str]:
        """Hit areas under the point (frame pixels, origin top-left)."""
        ...

    def release(self) -> None:
        """Free GL resources (context current)."""
        ...
