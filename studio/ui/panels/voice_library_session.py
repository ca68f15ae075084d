"""The Voice panel's link to the voice library: speakers, imported voice models, the microphone.

Everything goes to the engine's VoiceHub (``runtime.voices``) on the engine loop through
:meth:`EngineBridge.call`; file copies, imports, folder scans and microphone recordings
(:class:`MicRecorder`) run in the engine loop's worker threads, never on the GUI thread; import
progress comes back as queued Qt signals.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import shiboken6
from PySide6.QtCore import QObject, Signal

from studio.core.errors import ConfigError, EngineError, ProviderError, StudioError, ValidationError
from studio.core.events import ConfigChangedEvent

if TYPE_CHECKING:
    from studio.app.container import Container
    from studio.app.runtime import EngineRuntime
    from studio.app.voices import VoiceHub
    from studio.config.settings import AreaSettings
    from studio.speech.library.speakers import Speaker
    from studio.ui.bridge import EngineBridge

T = TypeVar("T")
Work = Callable[["EngineRuntime"], Coroutine[Any, Any, None]]

RECORD_RATE = 48000
RECORD_MAX_S = 30.0
RECORD_MIN_S = 1.0


def save_area(container: Container, bridge: EngineBridge, area: AreaSettings) -> None:
    """Save one settings area and announce it (GUI thread); a failed write keeps it in memory."""
    try:
        container.config = container.config_store.save_area(container.config, area)
    except ConfigError as exc:
        container.config = container.config.model_copy(update={area.area: area})
        bridge.report_error("settings", exc.user_message)
    container.bus.publish_threadsafe(ConfigChangedEvent(area=area.area))


@dataclass(frozen=True, slots=True)
class ModelsSnapshot:
    """What the Models page shows: GPT-SoVITS groups, VoxCPM models and where they run."""

    groups: list[Any] = field(default_factory=list)  # GptSovitsGroup
    references: list[tuple[str, str, str]] = field(default_factory=list)
    voxcpm: list[Any] = field(default_factory=list)  # VoxCpmModelInfo
    server: str | None = None
    status: dict[str, object] = field(default_factory=dict)


# ---- engine loop / worker threads ---------------------------------------------------------------


def hub_of(runtime: EngineRuntime) -> VoiceHub:
    """The runtime's voice hub (``runtime.voices``, else ``api_services["voices"]``)."""
    hub = getattr(runtime, "voices", None) or runtime.api_services.get("voices")
    if hub is None:
        raise EngineError("The voice library is not available in this engine.")
    return hub  # type: ignore[no-any-return]


async def _with_hub(runtime: EngineRuntime, make: Callable[[VoiceHub], Awaitable[T]]) -> T:
    return await make(hub_of(runtime))


async def _models(runtime: EngineRuntime) -> ModelsSnapshot:
    hub = hub_of(runtime)

    def scan() -> tuple[list[Any], list[tuple[str, str, str]], list[Any]]:
        return hub.models.gpt_sovits_groups(), hub.models.reference_audios(), hub.models.voxcpm_models()

    groups, references, voxcpm = await asyncio.to_thread(scan)
    return ModelsSnapshot(groups, references, voxcpm, hub.gpt_sovits_server(), dict(hub.voxcpm_status()))


def probe_microphone(device: str) -> tuple[str, str]:
    """``(state, detail)``: ``ok`` (device label), ``no-portaudio`` (why), ``none``, ``not-found`` (name)."""
    from studio.audio.capture import find_input_device
    from studio.audio.devices import why_unavailable

    reason = why_unavailable()
    if reason:
        return "no-portaudio", reason
    info = find_input_device(device)
    if info is None:
        return ("not-found", device) if device else ("none", "")
    return "ok", info.label


class MicRecorder:
    """Records the microphone in a worker thread until :meth:`stop` or :data:`RECORD_MAX_S`.

    ``level`` (RMS 0..1) and ``elapsed`` (seconds) may be read from any thread.

    Args:
        device: Input device name (``""`` = the system default).
        max_s: Longest recording.
    """

    def __init__(self, device: str, max_s: float = RECORD_MAX_S) -> None:
        self.device = device
        self.max_s = max_s
        self.level = 0.0
        self.elapsed = 0.0
        self._stop = threading.Event()

    def stop(self) -> None:
        """Finish the recording (any thread)."""
        self._stop.set()

    def record(self) -> bytes:
        """Record (blocking, worker thread) and return a mono 16-bit WAV.

        Raises:
            ProviderError: the microphone cannot be opened or was lost.
            ValidationError: shorter than :data:`RECORD_MIN_S`.
        """
        from studio.audio.capture import MicCapture

        capture = MicCapture(self.device, target_rate=RECORD_RATE, capacity_s=2.0)
        status = capture.open()
        if status.state != "capturing":
            raise ProviderError(status.message, provider="microphone")
        parts: list[np.ndarray] = []
        started = time.monotonic()
        try:
            while not self._stop.wait(0.05):
                block = capture.read()
                if block.size:
                    parts.append(block.copy())
                    self.level = float(np.sqrt(np.mean(np.square(block))))
                self.elapsed = time.monotonic() - started
                if self.elapsed >= self.max_s:
                    break
                if not capture.healthy():
                    raise ProviderError(f"microphone lost: {status.device}", provider="microphone")
            parts.append(capture.read().copy())
        finally:
            capture.close()
            self.level = 0.0
        audio = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
        if audio.size < RECORD_MIN_S * RECORD_RATE:
            raise ValidationError(f"The recording is too short (at least {RECORD_MIN_S:.0f} s are needed).")
        from studio.speech.tts.wav import wav_bytes

        return wav_bytes(audio, RECORD_RATE)


# ---- GUI thread ---------------------------------------------------------------------------------


class VoiceLibrarySession(QObject):
    """Speakers, voice models and microphone recording for the Voice panel's pages. GUI thread.

    Args:
        container: Config (the input device).
        bridge: The GUI's only link to the engine.
        parent: Qt parent (the panel).

    Signals:
        speakers_changed(speakers): the speaker list (``Speaker``, as the library lists them).
        models_changed(snapshot): a :class:`ModelsSnapshot`.
        unavailable(message): the engine or its voice library cannot be reached (shown on the pages).
        microphone(state, detail): see :func:`probe_microphone`, plus ``no-engine`` / ``checking``.
        speaker_job(state, detail): ``adding``, ``recording``, ``added``, ``updated`` (a name),
            ``added-note`` (added, but no transcript: why), ``removed`` (id), ``failed`` (why).
        model_job(state, detail): ``importing`` (kind), ``imported`` (what), ``removed`` (what),
            ``failed`` (why).
        progress(fraction): import progress, 0..1.
        busy_changed(): ``speaker_busy`` (recording, adding, transcribing) or ``model_busy``
            (importing) changed.
    """

    speakers_changed = Signal(list)
    models_changed = Signal(object)
    unavailable = Signal(str)
    microphone = Signal(str, str)
    speaker_job = Signal(str, str)
    model_job = Signal(str, str)
    progress = Signal(float)
    busy_changed = Signal()

    def __init__(self, container: Container, bridge: EngineBridge, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.container, self.bridge = container, bridge
        self.speakers: list[Speaker] = []
        self.models: ModelsSnapshot | None = None
        self.recorder: MicRecorder | None = None
        self.speaker_busy = self.model_busy = False
        bridge.config_changed.connect(self._on_config_changed)

    def load(self) -> None:
        """Fetch speakers and models and check the microphone (quietly: problems go to the pages)."""
        self.refresh_speakers()
        self.refresh_models()
        self.check_microphone()

    def refresh_speakers(self) -> None:
        """Fetch the speaker list; :attr:`speakers_changed` follows."""
        self._spawn(self._refresh_speakers, "voices:speakers", quiet=True)

    async def _refresh_speakers(self, runtime: EngineRuntime) -> None:
        speakers = await self.bridge.call(_with_hub(runtime, lambda hub: hub.speakers.list()))
        self.speakers = list(speakers)
        self._emit(self.speakers_changed, self.speakers)

    def refresh_models(self) -> None:
        """Scan the imported models; :attr:`models_changed` follows."""
        self._spawn(self._refresh_models, "voices:models", quiet=True)

    async def _refresh_models(self, runtime: EngineRuntime) -> None:
        self.models = await self.bridge.call(_models(runtime))
        self._emit(self.models_changed, self.models)

    def check_microphone(self) -> None:
        """Find the input device of ``[audio] input_device``; :attr:`microphone` follows."""
        runtime = self.bridge.runtime
        if runtime is None or not self.bridge.engine_running:
            self._emit(self.microphone, "no-engine", "")
            return
        self._emit(self.microphone, "checking", "")
        device = self.container.config.audio.input_device

        async def run() -> None:
            state, detail = await self.bridge.call(asyncio.to_thread(probe_microphone, device))
            self._emit(self.microphone, state, detail)

        self.bridge.spawn(run(), "voices:microphone")

    # ---- speakers ----

    def add_speaker(self, name: str, audio: Path | bytes) -> None:
        """Register ``audio`` (a file or WAV bytes) as speaker ``name``; transcribed automatically."""
        if not self.speaker_busy:
            self._speaker_task(lambda runtime: self._register(runtime, name, audio), "voices:add-speaker")

    async def _register(self, runtime: EngineRuntime, name: str, audio: Path | bytes) -> None:
        self._emit(self.speaker_job, "adding", name)
        speaker = await self.bridge.call(_with_hub(runtime, lambda hub: hub.speakers.register(name, audio)))
        await self._refresh_speakers(runtime)
        note = getattr(speaker, "note", "")  # e.g. Whisper heard no words: type the transcript in
        self._emit(self.speaker_job, "added-note" if note else "added", note or speaker.name)

    def start_recording(self, name: str) -> None:
        """Record from ``[audio] input_device`` until :meth:`stop_recording`, then register it."""
        if self.speaker_busy:
            return
        recorder = MicRecorder(self.container.config.audio.input_device)

        async def work(runtime: EngineRuntime) -> None:
            self.recorder = recorder
            self._emit(self.speaker_job, "recording", name)
            try:
                data = await self.bridge.call(asyncio.to_thread(recorder.record))
            finally:
                self.recorder = None
            await self._register(runtime, name, data)

        self._speaker_task(work, "voices:record", on_cancel=recorder.stop)

    def stop_recording(self) -> None:
        """Finish the recording; the speaker is registered from it."""
        if self.recorder is not None:
            self.recorder.stop()

    def update_speaker(self, speaker_id: str, **changes: str) -> None:
        """Change a speaker's ``name``, ``transcript`` or ``language`` (saved at once)."""

        async def work(runtime: EngineRuntime) -> None:
            update = _with_hub(runtime, lambda hub: hub.speakers.update(speaker_id, **changes))
            speaker = await self.bridge.call(update)
            self.speakers = [speaker if s.id == speaker.id else s for s in self.speakers]
            self._emit(self.speakers_changed, self.speakers)
            self._emit(self.speaker_job, "updated", speaker.name)

        self._spawn(work, "voices:update-speaker", job=self.speaker_job)

    def remove_speaker(self, speaker_id: str) -> None:
        """Delete a speaker and its recording."""

        async def work(runtime: EngineRuntime) -> None:
            await self.bridge.call(_with_hub(runtime, lambda hub: hub.speakers.remove(speaker_id)))
            await self._refresh_speakers(runtime)
            self._emit(self.speaker_job, "removed", speaker_id)

        self._spawn(work, "voices:remove-speaker", job=self.speaker_job)

    def _speaker_task(self, work: Work, name: str, on_cancel: Callable[[], None] | None = None) -> None:
        async def guarded(runtime: EngineRuntime) -> None:
            self._set_busy("speaker", True)
            try:
                await work(runtime)
            except asyncio.CancelledError:
                if on_cancel is not None:
                    on_cancel()
                raise
            finally:
                self._set_busy("speaker", False)

        self._spawn(guarded, name, job=self.speaker_job)

    # ---- models ----

    def import_gpt_sovits(self, folder: Path) -> None:
        """Copy a GPT-SoVITS weights folder into the studio (progress, then :attr:`model_job`)."""
        self._import("gpt_sovits", lambda hub, progress: hub.models.import_gpt_sovits(folder, progress))

    def import_voxcpm(self, folder: Path) -> None:
        """Copy a VoxCPM model folder into the studio (named after the folder)."""
        self._import("voxcpm", lambda hub, progress: hub.models.import_voxcpm(folder, None, progress))

    def _import(self, kind: str, run: Callable[[VoiceHub, Callable[[float], None]], Any]) -> None:
        if self.model_busy:
            return

        def progress(fraction: float) -> None:  # worker thread: a queued signal
            self._emit(self.progress, float(fraction))

        async def work(runtime: EngineRuntime) -> None:
            self._set_busy("model", True)
            self._emit(self.model_job, "importing", kind)
            try:
                result = await self.bridge.call(
                    _with_hub(runtime, lambda hub: asyncio.to_thread(run, hub, progress))
                )
            finally:
                self._set_busy("model", False)
            await self._refresh_models(runtime)
            names = [g.name for g in result] if isinstance(result, list) else [getattr(result, "name", kind)]
            self._emit(self.model_job, "imported", ", ".join(names))

        self._spawn(work, f"voices:import-{kind}", job=self.model_job)

    def remove_gpt_sovits_pair(self, base: str) -> None:
        """Delete one GPT-SoVITS weight pair."""
        self._remove_model(base, lambda hub: hub.models.remove_gpt_sovits_pair(base))

    def remove_voxcpm(self, name: str) -> None:
        """Delete an imported VoxCPM model."""
        self._remove_model(name, lambda hub: hub.models.remove_voxcpm(name))

    def _remove_model(self, what: str, run: Callable[[VoiceHub], None]) -> None:
        async def work(runtime: EngineRuntime) -> None:
            await self.bridge.call(_with_hub(runtime, lambda hub: asyncio.to_thread(run, hub)))
            await self._refresh_models(runtime)
            self._emit(self.model_job, "removed", what)

        self._spawn(work, "voices:remove-model", job=self.model_job)

    # ---- plumbing ----

    def _spawn(self, work: Work, name: str, *, job: Any = None, quiet: bool = False) -> None:
        runtime = self.bridge.runtime
        if runtime is None or not self.bridge.engine_running:
            message = self.tr("The engine is not running.")
            self._emit(self.unavailable, message)
            if not quiet:
                self.bridge.report_error("voice", message)
            return

        async def run() -> None:  # the work coroutine is made only when it runs (no stray ones)
            try:
                await work(runtime)
            except (StudioError, OSError) as exc:  # OSError: a file that vanished, a full disk
                self._failed(exc.user_message if isinstance(exc, StudioError) else str(exc), job, quiet)

        self.bridge.spawn(run(), name)

    def _failed(self, message: str, job: Any, quiet: bool) -> None:
        if shiboken6.isValid(self):
            job.emit("failed", message) if job is not None else self.unavailable.emit(message)
        if not quiet:
            self.bridge.report_error("voice", message)

    def _set_busy(self, kind: str, busy: bool) -> None:
        setattr(self, f"{kind}_busy", busy)
        self._emit(self.busy_changed)

    def _emit(self, signal: Any, *args: Any) -> None:
        if shiboken6.isValid(self):
            signal.emit(*args)

    def _on_config_changed(self, area: str) -> None:
        if area == "tts" and self.models is not None:
            self.refresh_models()  # the server line, the VoxCPM model in use
        elif area == "audio":
            self.check_microphone()
