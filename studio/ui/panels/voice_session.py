"""The Voice panel's link to the engine's speech stack: build it, speak, barge in, switch device.

Every engine call runs on the engine loop through :meth:`EngineBridge.call`; only the thread-safe
snapshots ``playout.levels()`` and ``playout.status`` are read from the GUI thread. Speech and
audio device events arrive as :attr:`EngineBridge.bus_event` signals (queued to the GUI thread).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, Signal

from studio.audio.status import AudioDeviceEvent
from studio.core.errors import StudioError
from studio.core.events import Event

if TYPE_CHECKING:
    from studio.app.runtime import EngineRuntime
    from studio.app.speech import SpeechStack
    from studio.audio.devices import DeviceInfo
    from studio.speech.tts.base import VoiceInfo
    from studio.ui.bridge import EngineBridge

log = logging.getLogger(__name__)

Prosody = tuple[float, float, float]
"""Speed (0.5-2), pitch (semitones, -12..12), volume (0-2)."""


# ---- engine loop --------------------------------------------------------------------------------


async def _load_speech(runtime: EngineRuntime) -> tuple[SpeechStack, list[VoiceInfo], list[DeviceInfo]]:
    from studio.audio.devices import list_output_devices

    stack = await runtime.speech()
    devices = await asyncio.to_thread(list_output_devices)  # first call initialises PortAudio
    return stack, stack.tts.service.catalogue(), devices


async def _say(stack: SpeechStack, text: str, voice: str, prosody: Prosody) -> None:
    from studio.speech.tts.base import TtsOptions

    speed, pitch, volume = prosody
    await stack.speaker.say(text, voice or None, TtsOptions(speed=speed, pitch=pitch, volume=volume))


async def _stop(stack: SpeechStack) -> None:
    stack.speaker.stop()


async def _set_device(stack: SpeechStack, device: str) -> None:
    stack.playout.set_device(device or None)


# ---- GUI thread ---------------------------------------------------------------------------------


class VoiceSession(QObject):
    """Speech for the Voice panel. GUI thread; needs the qasync loop running for engine work.

    Args:
        bridge: The GUI's only link to the engine.
        parent: Qt parent (the panel).

    Signals:
        loaded(): the stack is built; :attr:`voices`, :attr:`devices`, :attr:`unavailable` are set.
        speech_state(state, detail): ``loading``, ``started``, ``finished``, ``interrupted``,
            ``failed`` (detail says why), ``no-engine`` or ``idle``.
        audio_state(state, device, detail): the speaker output changed (``AudioDeviceEvent``).
        busy_changed(busy): an utterance from this panel started or ended (or the stack is loading).
    """

    loaded = Signal()
    speech_state = Signal(str, str)
    audio_state = Signal(str, str, str)
    busy_changed = Signal(bool)

    def __init__(self, bridge: EngineBridge, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.stack: SpeechStack | None = None
        self.voices: list[VoiceInfo] = []
        self.devices: list[DeviceInfo] = []
        self.unavailable: dict[str, str] = {}
        self._load_task: asyncio.Task[SpeechStack | None] | None = None
        self._speak_task: asyncio.Task[Any] | None = None
        self._loading = False
        self._speech_event: type[Event] | None = None
        bridge.bus_event.connect(self._on_bus_event)
        bridge.forward(AudioDeviceEvent)

    @property
    def busy(self) -> bool:
        """True while the stack is being built or this panel's utterance is being spoken."""
        return self._loading or (self._speak_task is not None and not self._speak_task.done())

    def load(self) -> asyncio.Task[SpeechStack | None] | None:
        """Build (or fetch) the engine's speech stack in the background; the task yields it."""
        if self._load_task is None or (self._load_task.done() and self.stack is None):
            self._load_task = self.bridge.spawn(self._load(), "voice:load")
        return self._load_task

    async def _load(self) -> SpeechStack | None:
        runtime = self.bridge.runtime
        if runtime is None or not self.bridge.engine_running:
            self._emit_state("no-engine")
            return None
        self._set_loading(True)
        self._emit_state("loading")
        try:
            stack, voices, devices = await self.bridge.call(_load_speech(runtime))
        except StudioError as exc:
            self._emit_state("failed", exc.user_message)
            self.bridge.report_error("voice", exc.user_message)
            return None
        finally:
            self._set_loading(False)
        from studio.pipeline.speaker import SpeechEvent  # imported by the engine already: no cost

        self._speech_event = SpeechEvent
        self.bridge.forward(SpeechEvent)
        self.stack, self.voices, self.devices = stack, voices, devices
        self.unavailable = dict(stack.tts.unavailable)
        if shiboken6.isValid(self):
            self.loaded.emit()
            status = stack.playout.status
            self.audio_state.emit(status.state, status.device, status.message)
        self._emit_state("idle")
        return stack

    def speak(self, text: str, voice: str, prosody: Prosody) -> bool:
        """Speak ``text`` (building the stack first if needed). False if it cannot start now."""
        if self.busy:
            return False
        if not self.bridge.engine_running:
            self._emit_state("no-engine")
            self.bridge.report_error("voice", self.tr("The engine is not running, so nothing can be spoken."))
            return False
        self._speak_task = self.bridge.spawn(self._speak(text, voice, prosody), "voice:speak")
        self.busy_changed.emit(self.busy)
        return self._speak_task is not None

    async def _speak(self, text: str, voice: str, prosody: Prosody) -> None:
        try:
            load = self.load()
            stack = await asyncio.shield(load) if load is not None else None
            if stack is not None:
                await self.bridge.call(_say(stack, text, voice, prosody))
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise
            # Stop cancelled the utterance on the engine loop: its SpeechEvent says "interrupted".
        except StudioError as exc:  # unknown voice, synthesis failed with no fallback
            self.bridge.report_error("voice", exc.user_message)
        except Exception as exc:
            log.exception("speaking failed")
            self.bridge.report_error("voice", str(exc) or type(exc).__name__)
        finally:
            self._speak_task = None
            if shiboken6.isValid(self):
                self.busy_changed.emit(self.busy)

    def stop(self) -> None:
        """Barge-in: stop synthesis and drop queued audio at once (engine loop)."""
        if self.stack is None:
            if self._speak_task is not None:
                self._speak_task.cancel()  # still building the stack: nothing is heard yet
            return
        self._on_engine(_stop, self.stack, "voice:stop")

    def set_device(self, device: str) -> None:
        """Play on ``device`` (a name; ``""`` = system default) from now on, if the stack is built."""
        if self.stack is not None:
            self._on_engine(_set_device, self.stack, "voice:set-device", device)

    def _on_engine(
        self, fn: Callable[..., Coroutine[Any, Any, None]], stack: SpeechStack, name: str, *args: str
    ) -> None:
        async def run() -> None:  # the engine coroutine is made only when it runs (no stray ones)
            await self.bridge.call(fn(stack, *args))

        self.bridge.spawn(run(), name)

    def _set_loading(self, loading: bool) -> None:
        self._loading = loading
        if shiboken6.isValid(self):
            self.busy_changed.emit(self.busy)

    def _emit_state(self, state: str, detail: str = "") -> None:
        if shiboken6.isValid(self):
            self.speech_state.emit(state, detail)

    def _on_bus_event(self, event: Event) -> None:
        if isinstance(event, AudioDeviceEvent):
            self.audio_state.emit(event.state, event.device, event.detail)
        elif self._speech_event is not None and isinstance(event, self._speech_event):
            self._emit_state(getattr(event, "state", ""), getattr(event, "detail", ""))
