"""The one door between the GUI and the engine.

Widgets never touch the engine loop, the bus or the runtime directly: they connect to the Qt
signals of :class:`EngineBridge` and ``await bridge.call(...)`` for engine work. Bus handlers and
log listeners run on the engine (or logging) thread; they only emit Qt signals, which Qt delivers
to GUI-thread receivers as queued calls, so no widget is ever touched off the GUI thread.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Signal

from studio.core.errors import EngineError, PortInUseError, StudioError
from studio.core.events import (
    ApiServerEvent,
    ConfigChangedEvent,
    EngineStateEvent,
    ErrorEvent,
    Event,
    StreamStateEvent,
)
from studio.core.logging import LogEntry
from studio.core.tasks import TaskOwner

if TYPE_CHECKING:
    from studio.app.container import Container
    from studio.app.runtime import EngineRuntime
    from studio.core.bus import Subscription

log = logging.getLogger(__name__)

T = TypeVar("T")


class EngineBridge(QObject):
    """Turns engine events into Qt signals and runs engine coroutines for the GUI.

    Create and use it on the GUI thread. Signal handlers may be invoked from any thread; receivers
    living on the GUI thread get the calls queued.

    Args:
        container: The built composition root (bus, log tail, config).
        runtime: The engine runtime, or ``None`` when the engine could not start.
        parent: Qt parent.

    Signals:
        engine_state(state, detail): the engine runtime changed state.
        api_state(state, url, detail): the API server is ``listening``, ``stopped`` or ``failed``.
        stream_state(state, detail): broadcast output state.
        error(source, message): something failed that a person should see (the one error path).
        log_entry(entry): a new :class:`~studio.core.logging.LogEntry` of the log tail.
        config_changed(area): a settings area was saved.
        api_port_conflict(port, suggestion): restarting the API found the port taken
            (``suggestion`` is a free port, or 0 when none was found).
        bus_event(event): a bus event of a type some widget asked for with :meth:`forward`.
    """

    engine_state = Signal(str, str)
    api_state = Signal(str, str, str)
    stream_state = Signal(str, str)
    error = Signal(str, str)
    log_entry = Signal(object)
    config_changed = Signal(str)
    api_port_conflict = Signal(int, int)
    bus_event = Signal(object)

    def __init__(
        self, container: Container, runtime: EngineRuntime | None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._container = container
        self._runtime = runtime
        self._tasks = TaskOwner("gui", on_error=self._task_failed)
        bus = container.bus
        self._subscriptions: list[Subscription] = [
            bus.subscribe(EngineStateEvent, self._on_engine_state),
            bus.subscribe(ApiServerEvent, self._on_api),
            bus.subscribe(StreamStateEvent, self._on_stream),
            bus.subscribe(ErrorEvent, self._on_error),
            bus.subscribe(ConfigChangedEvent, self._on_config_changed),
        ]
        self._remove_log_listener: Callable[[], None] | None = container.logs.tail.add_listener(
            self._on_log_entry
        )
        self._forwarded: set[type[Event]] = set()
        self._stream_outputs: dict[str, tuple[str, str]] = {}  # bus thread -> GUI via queued signal
        self._closed = False

    # ---- state, any thread ------------------------------------------------------------------

    @property
    def runtime(self) -> EngineRuntime | None:
        """The engine runtime this bridge talks to (``None`` without an engine)."""
        return self._runtime

    @property
    def engine_running(self) -> bool:
        """True while the engine loop runs and accepts work."""
        return self._runtime is not None and self._runtime.state == "running"

    def engine_status(self) -> str:
        """The engine's state now (``stopped`` without a runtime)."""
        return self._runtime.state if self._runtime is not None else "stopped"

    def api_url(self) -> str | None:
        """Base URL of the API while it serves."""
        return self._runtime.api_url if self._runtime is not None else None

    def log_snapshot(self) -> list[LogEntry]:
        """The log tail as it is now, oldest first."""
        return self._container.logs.tail.entries()

    # ---- GUI thread -------------------------------------------------------------------------

    async def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the engine loop and await its result from the GUI (qasync) loop.

        Raises:
            EngineError: the engine is not running.
            Exception: whatever ``coro`` raised.
        """
        if self._runtime is None:
            coro.close()
            raise EngineError("The engine is not running.")
        try:
            future = self._runtime.submit(coro)
        except BaseException:
            coro.close()
            raise
        return await asyncio.wrap_future(future)

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any] | None:
        """Run ``coro`` as an owned task on the GUI (qasync) loop; failures go to :attr:`error`.

        Returns:
            The task, or ``None`` (and an error is reported) when no asyncio loop runs on the GUI
            thread.
        """
        try:
            return self._tasks.spawn(coro, name)
        except RuntimeError as exc:
            coro.close()
            self.report_error("gui", f"Cannot run {name}: {exc}")
            return None

    def forward(self, event_type: type[Event]) -> None:
        """Re-emit every bus event of ``event_type`` as :attr:`bus_event` (idempotent). GUI thread.

        For panel-specific events: receivers filter with ``isinstance``.
        """
        if self._closed or event_type in self._forwarded:
            return
        self._forwarded.add(event_type)
        self._subscriptions.append(self._container.bus.subscribe(event_type, self.bus_event.emit))

    def restart_api(self, port: int | None = None) -> asyncio.Task[Any] | None:
        """Restart the API with the saved settings (after a settings change). GUI thread.

        The status bar follows through :attr:`api_state`; a taken port emits
        :attr:`api_port_conflict`; any other failure goes to :attr:`error`.
        """
        if self._runtime is None or not self.engine_running:
            self.report_error("api", "The engine is not running; the API cannot be restarted.")
            return None
        return self.spawn(self._restart_api(self._runtime, port), "restart-api")

    async def _restart_api(self, runtime: EngineRuntime, port: int | None) -> None:
        try:
            url = await self.call(runtime.restart_api(port))
        except PortInUseError as exc:
            self.api_port_conflict.emit(exc.port, exc.suggestion or 0)
            return
        except StudioError as exc:
            self.report_error("api", exc.user_message)
            return
        log.info("api restarted", extra={"url": url})

    def stop_api(self) -> asyncio.Task[Any] | None:
        """Stop serving the API while the engine keeps running. GUI thread."""
        if self._runtime is None or not self.engine_running:
            return None
        return self.spawn(self.call(self._runtime.stop_api()), "stop-api")

    def report_error(self, source: str, message: str) -> None:
        """Show an error that happened on the GUI side through the same path as engine errors."""
        log.error("%s: %s", source, message, extra={"source": source})
        self.error.emit(source, message)

    def close(self) -> None:
        """Unsubscribe from the bus and the log tail and cancel GUI tasks (idempotent). GUI thread."""
        if self._closed:
            return
        self._closed = True
        for sub in self._subscriptions:
            sub.close()
        self._subscriptions.clear()
        if self._remove_log_listener is not None:
            self._remove_log_listener()
            self._remove_log_listener = None
        for task in self._tasks.tasks:
            task.cancel()

    # ---- engine / logging thread ------------------------------------------------------------

    def _task_failed(self, name: str, exc: BaseException) -> None:
        message = exc.user_message if isinstance(exc, StudioError) else (str(exc) or type(exc).__name__)
        self.error.emit(name, message)

    def _on_engine_state(self, event: EngineStateEvent) -> None:
        self.engine_state.emit(event.state, event.detail)

    def _on_api(self, event: ApiServerEvent) -> None:
        self.api_state.emit(event.state, event.url, event.detail)

    def _on_stream(self, event: StreamStateEvent) -> None:
        # One state for the status bar from every RTMP output (a recording is not "live"): live if
        # any output is live, else the most urgent of reconnecting / connecting / failed.
        if event.output == "recording":
            return
        if event.state == "offline":
            self._stream_outputs.pop(event.output, None)
        else:
            self._stream_outputs[event.output] = (event.state, event.detail)
        states = self._stream_outputs.values()
        for wanted in ("live", "reconnecting", "connecting", "failed"):
            found = next((s for s in states if s[0] == wanted), None)
            if found is not None:
                self.stream_state.emit(*found)
                return
        self.stream_state.emit("offline", event.detail if event.state == "offline" else "")

    def _on_error(self, event: ErrorEvent) -> None:
        self.error.emit(event.source, event.message)

    def _on_config_changed(self, event: ConfigChangedEvent) -> None:
        self.config_changed.emit(event.area)

    def _on_log_entry(self, entry: LogEntry) -> None:
        if not self._closed:
            self.log_entry.emit(entry)
