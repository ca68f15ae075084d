"""``services["control"]``: engine status and restarts for ``/control/*`` (engine loop)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from studio.api.routes.control import EngineName, EngineStatus
from studio.core.errors import StudioError

if TYPE_CHECKING:
    from studio.app.runtime import EngineRuntime

__all__ = ["RuntimeControl"]

log = logging.getLogger(__name__)


class RuntimeControl:
    """:class:`~studio.api.routes.control.ControlApi` over :class:`EngineRuntime`."""

    def __init__(self, runtime: EngineRuntime) -> None:
        self._runtime = runtime

    def status(self) -> tuple[str, list[EngineStatus]]:
        """The runtime state and the parts built on first use."""
        rt = self._runtime
        speech = rt.current_speech
        avatar = rt.current_avatar
        broadcast = rt.current_broadcast
        conversation = rt.current_conversation
        engines = [
            EngineStatus(
                name="speech",
                running=speech is not None,
                detail=speech.playout.status.message if speech is not None else "starts on first use",
            ),
            EngineStatus(
                name="avatar",
                running=avatar is not None,
                detail=avatar.avatar.id if avatar is not None else "",
            ),
            EngineStatus(
                name="broadcast",
                running=broadcast is not None,
                detail=_broadcast_detail(broadcast) if broadcast is not None else "",
            ),
            EngineStatus(
                name="conversation",
                running=conversation is not None,
                detail=conversation.llm.name if conversation is not None else "",
            ),
        ]
        return rt.state, engines

    async def restart(self, engine: EngineName) -> tuple[list[str], list[str]]:
        """Close ``engine`` and its dependents; start speech, avatar and conversation again if they ran.

        A broadcast is not restarted by itself: going live again is the streamer's decision.
        """
        rt = self._runtime
        closed = await rt.release(engine)
        started: list[str] = []
        for name in ("speech", "avatar", "conversation"):
            if name not in closed:
                continue
            try:
                if name == "speech":
                    await rt.speech()
                elif name == "avatar":
                    await rt.avatar()
                else:
                    await rt.conversation()
                started.append(name)
            except StudioError as exc:  # e.g. no language model configured: starts on next use
                log.warning("%s did not start again: %s", name, exc)
        log.info("engine restarted", extra={"engine": engine, "closed": closed, "started": started})
        return list(closed), started


def _broadcast_detail(session: object) -> str:
    live = bool(getattr(session, "live", False))
    recording = getattr(session, "recording", None) is not None
    return ", ".join(p for p, on in (("live", live), ("recording", recording)) if on) or "idle"
