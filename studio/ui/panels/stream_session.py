"""The Stream panel's link to the engine's broadcast session: go live, record, stop, stats.

Every :class:`~studio.broadcast.session.BroadcastSession` method blocks (codec opening, thread
joins), so each runs in a worker thread of the engine loop (``asyncio.to_thread`` inside a
coroutine submitted through :meth:`EngineBridge.call`); the GUI thread only awaits the result.
State and stats arrive as :class:`StreamStateEvent` / :class:`StreamStatsEvent` on the bus,
forwarded by the bridge as queued Qt signals. While something runs, a one-second timer also reads
the session's any-thread :meth:`~BroadcastSession.stats` snapshot if no stats event came, so the
panel stays current even when nobody publishes stats.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal

from studio.broadcast.stats import StreamStats, StreamStatsEvent
from studio.core.errors import EngineError, StudioError
from studio.core.events import Event, StreamStateEvent

if TYPE_CHECKING:
    from studio.app.runtime import EngineRuntime
    from studio.broadcast.session import BroadcastSession
    from studio.config.settings import StreamSettings
    from studio.ui.bridge import EngineBridge

log = logging.getLogger(__name__)

POLL_MS = 1000
ACTIVE_STATES = ("connecting", "live", "reconnecting")


# ---- engine loop --------------------------------------------------------------------------------


async def _session(runtime: EngineRuntime) -> BroadcastSession:
    broadcast = getattr(runtime, "broadcast", None)
    if broadcast is None:
        raise EngineError("This engine cannot broadcast (no broadcast session).")
    session: BroadcastSession = await broadcast()
    return session


async def _go_live(session: BroadcastSession, settings: StreamSettings) -> None:
    session.settings = settings  # the panel's latest values, even if the config event is late
    await asyncio.to_thread(session.go_live)


async def _start_recording(session: BroadcastSession, settings: StreamSettings) -> Path:
    session.settings = settings
    return await asyncio.to_thread(session.start_recording, settings.record_format)


async def _stop_live(session: BroadcastSession) -> None:
    await asyncio.to_thread(session.stop_live)


async def _stop_recording(session: BroadcastSession) -> Path | None:
    return await asyncio.to_thread(session.stop_recording)


async def _stop_all(session: BroadcastSession) -> None:
    await asyncio.to_thread(session.stop)


# ---- GUI thread ---------------------------------------------------------------------------------


class StreamSession(QObject):
    """Broadcast control for the Stream panel. GUI thread; engine work needs the qasync loop.

    Args:
        bridge: The GUI's only link to the engine.
        parent: Qt parent (the panel).

    Signals:
        output_state(output, state, detail): an output (``main``, an extra id, ``recording``)
            changed state: ``offline``, ``connecting``, ``live``, ``reconnecting`` or ``failed``.
        stats_changed(stats): a new :class:`StreamStats` snapshot.
        busy_changed(busy): a start/stop request started or finished.
        recording_changed(path): the recording file now written (``""``: none).
        failed(message): a request failed (already reported through the bridge's error path).
    """

    output_state = Signal(str, str, str)
    stats_changed = Signal(object)
    busy_changed = Signal(bool)
    recording_changed = Signal(str)
    failed = Signal(str)

    def __init__(self, bridge: EngineBridge, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.session: BroadcastSession | None = None
        self.stats = StreamStats()
        self.states: dict[str, tuple[str, str]] = {}
        """Last state and detail of each output, from the bus."""
        self.recording_path: Path | None = None
        self._task: asyncio.Task[Any] | None = None
        self._last_stats_event = 0.0
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._poll_stats)
        bridge.bus_event.connect(self._on_bus_event)
        bridge.forward(StreamStateEvent)
        bridge.forward(StreamStatsEvent)

    # ---- queries ----

    @property
    def busy(self) -> bool:
        """A start or stop request is running."""
        return self._task is not None and not self._task.done()

    @property
    def live(self) -> bool:
        """An RTMP output runs (or is connecting / reconnecting / failed but not yet stopped)."""
        if self.stats.live:
            return True
        return any(state in ACTIVE_STATES for name, (state, _) in self.states.items() if name != "recording")

    @property
    def recording(self) -> bool:
        """A recording file is being written."""
        return self.recording_path is not None

    @property
    def active(self) -> bool:
        """Anything runs (live or recording)."""
        return self.live or self.recording or self.stats.encoder.running

    # ---- requests ----

    def go_live(self, settings: StreamSettings, before: Callable[[], None] | None = None) -> bool:
        """Start streaming with ``settings`` (keys come from the secrets store). False if busy."""
        return self._run("stream:go-live", self._go_live(settings, before))

    def start_recording(self, settings: StreamSettings, before: Callable[[], None] | None = None) -> bool:
        """Record to a new file in ``settings.record_format``. False if busy."""
        return self._run("stream:record", self._record(settings, before))

    def stop_live(self) -> bool:
        """Stop every RTMP output (recording continues). False if busy."""
        return self._run("stream:stop-live", self._simple(_stop_live))

    def stop_recording(self) -> bool:
        """Finish the recording file. False if busy."""
        return self._run("stream:stop-recording", self._stop_recording())

    def stop(self) -> bool:
        """Stop everything. False if busy."""
        return self._run("stream:stop", self._simple(_stop_all))

    # ---- internals ----

    def _run(self, name: str, coro: Any) -> bool:
        if self.busy:
            coro.close()
            return False
        self._task = self.bridge.spawn(coro, name)
        self.busy_changed.emit(self.busy)
        return self._task is not None

    async def _ensure(self) -> BroadcastSession:
        if self.session is None:
            runtime = self.bridge.runtime
            if runtime is None or not self.bridge.engine_running:
                raise EngineError("The engine is not running.")
            self.session = await self.bridge.call(_session(runtime))
        return self.session

    async def _go_live(self, settings: StreamSettings, before: Callable[[], None] | None) -> None:
        async def work() -> None:
            session = await self._ensure()
            if before is not None:
                before()
            await self.bridge.call(_go_live(session, settings))
            self._after_start(session)

        await self._guard(work())

    async def _record(self, settings: StreamSettings, before: Callable[[], None] | None) -> None:
        async def work() -> None:
            session = await self._ensure()
            if before is not None:
                before()
            path = await self.bridge.call(_start_recording(session, settings))
            self._set_recording(path)
            self._after_start(session)

        await self._guard(work())

    async def _stop_recording(self) -> None:
        async def work() -> None:
            if self.session is not None:
                await self.bridge.call(_stop_recording(self.session))
            self._set_recording(None)
            self._refresh()

        await self._guard(work())

    async def _simple(self, fn: Callable[[BroadcastSession], Any]) -> None:
        async def work() -> None:
            if self.session is not None:
                await self.bridge.call(fn(self.session))
            if self.session is not None and self.session.recording is None:
                self._set_recording(None)
            self._refresh()

        await self._guard(work())

    async def _guard(self, work: Any) -> None:
        try:
            await work
        except StudioError as exc:
            self._fail(exc.user_message)
        except Exception as exc:
            log.exception("stream request failed")
            self._fail(str(exc) or type(exc).__name__)
        finally:
            self._task = None
            if shiboken6.isValid(self):
                self._refresh()
                self.busy_changed.emit(False)

    def _fail(self, message: str) -> None:
        self.bridge.report_error("stream", message)
        if shiboken6.isValid(self):
            self.failed.emit(message)

    def _after_start(self, session: BroadcastSession) -> None:
        if shiboken6.isValid(self):
            self._poll.start()
            self._publish(session.stats())

    def _set_recording(self, path: Path | None) -> None:
        self.recording_path = path
        if shiboken6.isValid(self):
            self.recording_changed.emit(str(path) if path is not None else "")

    def _refresh(self) -> None:
        """Read the session's snapshot now (after a request, or when no stats event came)."""
        if not shiboken6.isValid(self):
            return
        session = self.session
        if session is not None:
            self._publish(session.stats())
            if session.recording is None and self.recording_path is not None:
                self._set_recording(None)
        if not self.active:
            self._poll.stop()

    def _poll_stats(self) -> None:
        if time.monotonic() - self._last_stats_event > POLL_MS / 1000 * 1.5:
            self._refresh()
        elif not self.active:
            self._poll.stop()

    def _publish(self, stats: StreamStats) -> None:
        self.stats = stats
        self.stats_changed.emit(stats)

    def _on_bus_event(self, event: Event) -> None:
        if isinstance(event, StreamStatsEvent):
            self._last_stats_event = time.monotonic()
            self._publish(event.stats)
            if event.stats.encoder.running and not self._poll.isActive():
                self._poll.start()
        elif isinstance(event, StreamStateEvent):
            output = event.output or "main"
            self.states[output] = (event.state, event.detail)
            self.output_state.emit(output, event.state, event.detail)
            if event.state == "failed" and event.detail:
                self.bridge.report_error("stream", f"{output}: {event.detail}")
            if event.state in ("offline", "failed"):
                QTimer.singleShot(0, self, self._refresh)
