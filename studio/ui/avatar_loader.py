"""Gets the engine's avatar session for the scene, and a new one when ``[avatar] current`` changes.

The session is built on the engine loop (:meth:`EngineRuntime.avatar`); its future comes back to
the GUI thread through :attr:`AvatarScene.session_ready` (a queued signal), where the scene
switches to it and the views reload. "Use this avatar" in the library dialog saves ``[avatar]
current``; the config change makes the engine close the old session and build the new one
(:meth:`EngineRuntime.reload_avatar`). GUI thread.
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

if TYPE_CHECKING:
    from studio.app.container import Container
    from studio.ui.avatar_view import AvatarScene
    from studio.ui.bridge import EngineBridge

__all__ = ["AvatarLoader"]

log = logging.getLogger(__name__)


class AvatarLoader(QObject):
    """Feeds ``scene`` the engine's avatar session.

    Args:
        scene: The scene all avatar views show.
        container: Its config says which avatar (``[avatar] current``).
        bridge: The engine link (runtime, config changes).
        on_error: ``(source, message)`` when the session cannot be built.
        shut_down: True once the window is closing (late answers are ignored).
    """

    def __init__(
        self,
        scene: AvatarScene,
        container: Container,
        bridge: EngineBridge,
        on_error: Callable[[str, str], None],
        shut_down: Callable[[], bool],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.scene = scene
        self.container = container
        self.bridge = bridge
        self._on_error = on_error
        self._shut_down = shut_down
        self.wanted = container.config.avatar.current
        scene.session_ready.connect(self._on_session)
        bridge.config_changed.connect(self._on_config_changed)

    def request(self, *, reload: bool = False) -> None:
        """Ask the engine for the avatar session (``reload``: a new one for the current config)."""
        runtime = self.bridge.runtime
        self.wanted = self.container.config.avatar.current
        if runtime is None or not self.bridge.engine_running:
            return
        try:
            future = runtime.submit(runtime.reload_avatar() if reload else runtime.avatar())
        except Exception as exc:  # the engine stopped meanwhile
            log.debug("avatar not requested: %r", exc)
            return
        future.add_done_callback(self.scene.session_ready.emit)  # queued to the GUI thread

    def _on_config_changed(self, area: str) -> None:
        if area == "avatar" and self.container.config.avatar.current != self.wanted:
            self.request(reload=True)  # "Use this avatar": the stage shows it now

    def _on_session(self, future: object) -> None:
        runtime = self.bridge.runtime
        if self._shut_down() or runtime is None or not isinstance(future, concurrent.futures.Future):
            return
        if future.cancelled():
            return
        exc = future.exception()
        if exc is not None:
            self._on_error("avatar", str(exc) or type(exc).__name__)
            return
        loop = runtime.loop

        def engine_call(fn: Callable[[], None]) -> None:
            loop.call_soon_threadsafe(fn)

        self.scene.set_session(future.result(), engine_call)
