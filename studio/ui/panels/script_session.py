"""The Script tab's link to the engine: outline, chapter writing, storage and the read-aloud queue.

The :class:`~studio.app.script_service.ScriptService` is built on the engine loop (through
:meth:`EngineBridge.call`, i.e. ``runtime.submit``) on first use. Scripts cross threads only as
copies: the GUI edits its own :class:`~studio.brain.script.Script`, the engine gets a copy to
write into or read aloud. Streamed chapter text and read-aloud progress come back as Qt signals.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, Signal

from studio.brain.script import Script
from studio.core.errors import StudioError
from studio.core.events import Event

if TYPE_CHECKING:
    from studio.app.script_service import ScriptService
    from studio.ui.bridge import EngineBridge

log = logging.getLogger(__name__)


def copy_script(script: Script) -> Script:
    """A deep copy with the same id (what crosses to the engine thread). Any thread."""
    return Script.from_dict(script.to_dict())


class ScriptSession(QObject):
    """Script writing and reading for the Script tab. GUI thread; needs the qasync loop.

    Signals:
        outline_ready(script): a new script with the outline's chapters (no text yet).
        chapter_delta(index, text): more text of chapter ``index`` being written.
        chapter_written(index, chapter): chapter ``index`` is written (a ``Chapter``).
        listed(summaries): stored scripts (``ScriptSummary``, newest first).
        loaded(script): a stored script was loaded.
        saved(summary): the script was stored.
        progress(event): a ``ScriptProgressEvent`` of the read-aloud queue.
        busy_changed(busy): writing started or ended.
    """

    outline_ready = Signal(object)
    chapter_delta = Signal(int, str)
    chapter_written = Signal(int, object)
    listed = Signal(list)
    loaded = Signal(object)
    saved = Signal(object)
    progress = Signal(object)
    busy_changed = Signal(bool)

    def __init__(self, bridge: EngineBridge, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.service: ScriptService | None = None
        self._build: asyncio.Task[ScriptService | None] | None = None
        self._progress_event: type[Event] | None = None
        self._writing: asyncio.Task[Any] | None = None
        bridge.bus_event.connect(self._on_bus_event)

    @property
    def busy(self) -> bool:
        """True while an outline or chapters are being written."""
        return self._writing is not None and not self._writing.done()

    def _service_task(self) -> asyncio.Task[ScriptService | None] | None:
        if self._build is None or (self._build.done() and self.service is None):
            self._build = self.bridge.spawn(self._make(), "script:build")
        return self._build

    async def _make(self) -> ScriptService | None:
        runtime = self.bridge.runtime
        if runtime is None or not self.bridge.engine_running:
            self.bridge.report_error("script", self.tr("The engine is not running."))
            return None
        from studio.app.script_service import build_script_service
        from studio.pipeline.script_reader import ScriptProgressEvent  # the engine imports it too

        self._progress_event = ScriptProgressEvent
        self.bridge.forward(ScriptProgressEvent)
        self.service = await self.bridge.call(build_script_service(runtime))
        return self.service

    async def _get(self) -> ScriptService | None:
        task = self._service_task()
        return await asyncio.shield(task) if task is not None else None

    def _run(
        self, work: Callable[[ScriptService], Coroutine[Any, Any, Any]], name: str, *, writing: bool = False
    ) -> asyncio.Task[Any] | None:
        async def run() -> Any:
            try:
                service = await self._get()
                if service is not None:
                    return await work(service)
            except StudioError as exc:
                self.bridge.report_error("script", exc.user_message)
            except IndexError as exc:
                self.bridge.report_error("script", str(exc))
            finally:
                if writing and shiboken6.isValid(self):
                    self._writing = None
                    self.busy_changed.emit(False)
            return None

        task = self.bridge.spawn(run(), name)
        if writing and task is not None:
            self._writing = task
            self.busy_changed.emit(True)
        return task

    # ---- writing ------------------------------------------------------------------------------

    def write_outline(self, topic: str, language: str) -> None:
        """Topic -> outline (5-8 chapters) through the chat model; see :attr:`outline_ready`."""

        async def work(service: ScriptService) -> None:
            script = await self.bridge.call(service.outline(topic, language))
            self.outline_ready.emit(script)

        self._run(work, "script:outline", writing=True)

    def write_chapters(self, script: Script, indexes: list[int]) -> None:
        """Write chapters ``indexes`` of (a copy of) ``script`` in order, streamed."""
        copy = copy_script(script)

        def on_delta(index: int, delta: str) -> None:  # engine loop: only emit (queued to the GUI)
            self.chapter_delta.emit(index, delta)

        async def work(service: ScriptService) -> None:
            for index in indexes:
                chapter = await self.bridge.call(service.write_chapter(copy, index, on_delta))
                self.chapter_written.emit(index, chapter)

        self._run(work, "script:write", writing=True)

    def cancel_writing(self) -> None:
        """Stop writing (the request to the model is closed)."""
        if self._writing is not None:
            self._writing.cancel()

    # ---- storage ------------------------------------------------------------------------------

    def refresh(self) -> None:
        """List the stored scripts; see :attr:`listed`."""

        async def work(service: ScriptService) -> None:
            self.listed.emit(await self.bridge.call(service.list()))

        self._run(work, "script:list")

    def save(self, script: Script) -> None:
        """Store (a copy of) ``script``; see :attr:`saved`."""
        copy = copy_script(script)

        async def work(service: ScriptService) -> None:
            self.saved.emit(await self.bridge.call(service.save(copy)))
            self.listed.emit(await self.bridge.call(service.list()))

        self._run(work, "script:save")

    def load(self, script_id: str) -> None:
        """Load a stored script; see :attr:`loaded`."""

        async def work(service: ScriptService) -> None:
            self.loaded.emit(await self.bridge.call(service.load(script_id)))

        self._run(work, "script:load")

    # ---- read-aloud ---------------------------------------------------------------------------

    def play(self, script: Script, chapter: int = 0) -> None:
        """Read (a copy of) ``script`` aloud from ``chapter``; see :attr:`progress`."""
        copy = copy_script(script)
        self._run(lambda s: self.bridge.call(s.play(copy, chapter)), "script:play")

    def control(self, action: str, chapter: int = 0) -> None:
        """``pause``, ``resume``, ``skip``, ``jump`` (to ``chapter``) or ``stop`` the reading."""
        if self.service is None:
            return
        calls: dict[str, Callable[[ScriptService], Coroutine[Any, Any, None]]] = {
            "pause": lambda s: s.pause(),
            "resume": lambda s: s.resume(),
            "skip": lambda s: s.skip(),
            "jump": lambda s: s.jump(chapter),
            "stop": lambda s: s.stop(),
        }
        call = calls[action]
        self._run(lambda s: self.bridge.call(call(s)), f"script:{action}")

    def close(self) -> None:
        """Stop reading (panel closing)."""
        service = self.service
        if service is not None and self.bridge.engine_running:

            async def run() -> None:
                await self.bridge.call(service.close())

            self.bridge.spawn(run(), "script:close")

    def _on_bus_event(self, event: Event) -> None:
        if self._progress_event is not None and isinstance(event, self._progress_event):
            self.progress.emit(event)
