"""The Listener: microphone -> echo cancellation -> VAD -> ASR, in one place.

Threads: the PortAudio callback fills the capture ring; a DSP thread (``studio-listen-dsp``) every
10 ms drains it at 16 kHz, reads the speaker reference heard so far, runs the
:class:`~studio.speech.vad.frontend.SpeechFrontEnd` (AEC, echo gate, Silero VAD, publishing
:class:`~studio.core.events.UserSpeechEvent`) and hands utterance audio to the engine loop with
``call_soon_threadsafe``; on the engine loop an :class:`~studio.speech.asr.stream.UtteranceTranscriber`
publishes partial and final :class:`~studio.core.events.TranscriptEvent` (owned tasks).

Modes: ``hands_free`` (VAD decides), ``push_to_talk`` (:meth:`Listener.push_to_talk` from the
GUI/API), ``off`` (microphone closed). With barge-in on, ``on_barge_in`` (e.g.
``AudioPlayout.clear``) is called on the DSP thread the moment the user starts speaking.

Thread affinity: :meth:`start`, :meth:`stop`, :meth:`set_mode`, :meth:`push_to_talk` on the engine
loop; :attr:`status` and :attr:`level` from any thread.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from studio.audio.capture import CaptureStatus, MicCapture, MicDeviceEvent
from studio.audio.echo import ReferenceReader
from studio.audio.ring import Frames
from studio.config.listen_settings import ListenMode, ListenSettings
from studio.core.bus import EventBus
from studio.core.events import UserSpeechEvent
from studio.core.tasks import TaskOwner
from studio.speech.asr.stream import UtteranceTranscriber, WhisperAsr
from studio.speech.vad.frontend import SpeechFrontEnd
from studio.speech.vad.silero import SileroVad, VadModel, VadParams

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ListenerStatus:
    """Mode and microphone state for the status bar."""

    mode: ListenMode
    mic: CaptureStatus
    speaking: bool


def vad_params(settings: ListenSettings) -> VadParams:
    """The VAD hysteresis of the ``[listen]`` settings."""
    return VadParams(
        threshold=settings.vad_threshold,
        release_threshold=settings.vad_release_threshold,
        start_ms=settings.start_ms,
        hangover_ms=settings.hangover_ms,
        max_utterance_s=settings.max_utterance_s,
    )


class Listener:
    """Hears the user: capture, echo safety, voice activity and transcription.

    Args:
        settings: The ``[listen]`` area.
        bus: Where speech and transcript events go.
        asr: The recogniser (shared model thread).
        input_device: ``[audio] input_device``.
        reference: Reader of the speaker reference (``ReferenceTap.reader(clock)``); ``None``
            when nothing is played.
        on_barge_in: Called on the DSP thread when the user starts speaking (barge-in on).
        capture: A capture to use instead of opening ``input_device`` (tests).
        vad_model: A VAD model instead of Silero (tests).
        retry_interval: Seconds between attempts to reopen a missing or lost microphone.
    """

    def __init__(
        self,
        settings: ListenSettings,
        bus: EventBus,
        asr: WhisperAsr,
        *,
        input_device: str = "",
        reference: ReferenceReader | None = None,
        on_barge_in: Callable[[], None] | None = None,
        capture: MicCapture | None = None,
        vad_model: VadModel | None = None,
        retry_interval: float = 2.0,
    ) -> None:
        self.settings = settings
        self.bus = bus
        self.asr = asr
        self.capture = capture or MicCapture(input_device)
        self._reference = reference
        self._on_barge_in = on_barge_in
        self._vad_model = vad_model
        self._retry = retry_interval
        self.mode: ListenMode = settings.mode
        self.front: SpeechFrontEnd | None = None
        self.transcriber = UtteranceTranscriber(
            asr,
            bus,
            language=settings.language,
            partial_interval=settings.partial_interval_s,
            wake_word=settings.wake_word,
        )
        self._tasks = TaskOwner("listener")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._ptt = False
        self._ptt_utterance = 0
        self.errors: list[BaseException] = []

    # ------------------------------------------------------------------ engine loop

    @property
    def status(self) -> ListenerStatus:
        """Mode, microphone state and whether the user is speaking now."""
        front = self.front
        speaking = self._ptt or (front is not None and front.vad.speaking)
        return ListenerStatus(self.mode, self.capture.status, speaking)

    @property
    def level(self) -> float:
        """RMS of the last processed microphone block (after echo removal), for the level meter."""
        return self.front.level if self.front is not None else 0.0

    async def start(self) -> None:
        """Open the microphone (unless ``off``) and start the DSP thread. Never raises for audio."""
        if self._thread is not None:
            return
        self._loop = asyncio.get_running_loop()
        model: VadModel = (
            self._vad_model if self._vad_model is not None else await asyncio.to_thread(SileroVad)
        )
        s = self.settings
        self.front = SpeechFrontEnd(
            model,
            vad_params(s),
            self.bus,
            echo_cancellation=s.echo_cancellation,
            margin_db=s.echo_margin_db,
            barge_in=s.barge_in,
        )
        self.front.vad.enabled = self.mode == "hands_free"
        if self.mode != "off":
            await self._open_mic()
        self._stop.clear()
        self._thread = threading.Thread(target=self._dsp, name="studio-listen-dsp", daemon=True)
        self._thread.start()

    async def _open_mic(self) -> None:
        status = await asyncio.to_thread(self.capture.open)
        self.bus.publish(MicDeviceEvent(state=status.state, device=status.device, detail=status.message))

    async def stop(self) -> None:
        """Stop listening: end the DSP thread, close the microphone, cancel transcription."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            await asyncio.to_thread(thread.join, 5.0)
        if self.front is not None:
            self.front.vad.force_end()
        await asyncio.to_thread(self.capture.close)
        await self.transcriber.close()
        await self._tasks.close()

    async def set_mode(self, mode: ListenMode) -> None:
        """Switch between ``hands_free``, ``push_to_talk`` and ``off`` (an open utterance ends)."""
        if mode == self.mode:
            return
        previous, self.mode = self.mode, mode
        self._ptt = False
        if self.front is not None:
            self.front.reset()
            self.front.vad.enabled = mode == "hands_free"
        self.transcriber.cancel()
        if mode == "off":
            await asyncio.to_thread(self.capture.close)
        elif previous == "off" and self._thread is not None:
            await self._open_mic()

    async def push_to_talk(self, pressed: bool) -> None:
        """Push-to-talk: ``True`` starts an utterance, ``False`` ends and transcribes it."""
        if self.mode != "push_to_talk" or pressed == self._ptt:
            return
        self._ptt = pressed
        if pressed:
            self._ptt_utterance += 1
            self.transcriber.begin(self._ptt_utterance)
            self.bus.publish(UserSpeechEvent(state="started", utterance=self._ptt_utterance, source="ptt"))
            if self.settings.barge_in and self._on_barge_in is not None:
                self._on_barge_in()
        else:
            self.bus.publish(UserSpeechEvent(state="ended", utterance=self._ptt_utterance, source="ptt"))
            self._tasks.spawn(self._finish(), f"final-{self._ptt_utterance}")

    def _on_started(self, utterance: int) -> None:
        self.transcriber.begin(utterance)

    def _on_audio(self, pcm: Frames) -> None:
        self.transcriber.append(pcm)

    def _on_ended(self) -> None:
        self._tasks.spawn(self._finish(), f"final-{self.transcriber.utterance}")

    async def _finish(self) -> None:
        try:
            await self.transcriber.finish()
        except Exception as exc:
            self.errors.append(exc)
            log.warning("transcription failed", extra={"error": str(exc)})

    # ------------------------------------------------------------------ DSP thread

    def _dsp(self) -> None:
        next_retry = time.monotonic() + self._retry
        while not self._stop.wait(0.01):
            try:
                if self.mode != "off" and not self.capture.running and time.monotonic() >= next_retry:
                    next_retry = time.monotonic() + self._retry
                    self._reopen()
                elif self.capture.running and not self.capture.healthy():
                    status = self.capture.mark_lost()
                    self.bus.publish_threadsafe(
                        MicDeviceEvent(state=status.state, device=status.device, detail=status.message)
                    )
                self._step()
            except Exception as exc:  # keep listening; report once per kind
                self.errors.append(exc)
                log.exception("listener DSP error")

    def _reopen(self) -> None:
        status = self.capture.open()
        if status.state == "capturing":
            self.bus.publish_threadsafe(
                MicDeviceEvent(state=status.state, device=status.device, detail=status.message)
            )

    def _step(self) -> None:
        front, loop = self.front, self._loop
        if front is None or loop is None:
            return
        reference = self._reference.read() if self._reference is not None else None
        mic = self.capture.read()
        if len(mic) == 0 and (reference is None or len(reference) == 0):
            return
        result = front.process(mic, reference)
        if self.mode == "push_to_talk":
            if self._ptt and len(result.cleaned):
                loop.call_soon_threadsafe(self._on_audio, result.cleaned)
            return
        update = result.vad
        states = [state for state, _pos in update.transitions]
        if "started" in states:
            if self.settings.barge_in and self._on_barge_in is not None:
                self._on_barge_in()
            loop.call_soon_threadsafe(self._on_started, front.vad.utterance)
        if len(update.audio):
            loop.call_soon_threadsafe(self._on_audio, update.audio)
        if "ended" in states:
            loop.call_soon_threadsafe(self._on_ended)
