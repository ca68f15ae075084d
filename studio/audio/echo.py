"""Echo safety: WebRTC echo cancellation fed with what the studio plays, and an echo-relative gate.

Three parts, wired by :class:`~studio.speech.listener.Listener`:

* :class:`ReferenceTap` is installed as :attr:`Mixer.speaker_tap <studio.audio.mixer.Mixer>`: the
  render thread copies every speaker block (mono, mixer rate) into a preallocated overwrite ring at
  its media position. :meth:`ReferenceTap.reader` gives a :class:`ReferenceReader` that returns,
  at 16 kHz, the reference up to the position the MediaClock says is being heard *now*. Fed before
  the microphone frames captured up to now, the far end always leads its echo (causal for AEC).
* :class:`EchoCanceller` wraps livekit's ``rtc.AudioProcessingModule`` (WebRTC AEC3 + noise
  suppression + high-pass) on 10 ms int16 frames at 16 kHz. Its delay estimator absorbs the
  remaining offset (device latencies, room).
* :class:`EchoGate` is the barge-in threshold: it tracks the echo coupling (residual level over
  reference level on frames that are clearly not speech) and, while the studio plays, lets a frame
  count as user speech only if it is ``margin_db`` above the echo estimate. With the gate the
  studio's own voice never starts an utterance, even where the canceller leaks (non-linear
  speakers, AEC disabled); a second voice over it still does.

Thread affinity: :meth:`ReferenceTap.__call__` on the render thread (copies only); everything else
on the listener's DSP thread.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np
import numpy.typing as npt

from studio.audio.resample import StreamResampler
from studio.audio.ring import Frames, OverwriteRing
from studio.core.clock import MediaClock
from studio.core.errors import ProviderError

RATE = 16000
FRAME = RATE // 100  # 10 ms, what the WebRTC module processes


class ReferenceTap:
    """Keeps the last seconds of the speaker bus (mono) at their media positions.

    Args:
        sample_rate: The mixer's rate.
        max_frames: Largest render block (the mixer's ``max_frames``).
        capacity_s: Seconds kept for a slow reader.
    """

    def __init__(self, sample_rate: int = 48000, max_frames: int = 8192, capacity_s: float = 2.0) -> None:
        self.sample_rate = sample_rate
        self.ring = OverwriteRing(max(max_frames, round(capacity_s * sample_rate)), 1)
        self._mono: Frames = np.zeros((max_frames, 1), dtype=np.float32)

    def __call__(self, speaker: Frames, media_pos: int) -> None:
        """Render thread: copy the ``(n, 2)`` speaker block heard from ``media_pos`` on."""
        n = len(speaker)
        mono = self._mono[:n]
        np.add(speaker[:, 0], speaker[:, 1], out=mono[:, 0])
        mono *= 0.5
        self.ring.write_at(media_pos, mono)

    def reader(self, clock: MediaClock | None) -> ReferenceReader:
        """A reader on the DSP thread (one per listener)."""
        return ReferenceReader(self, clock)


class ReferenceReader:
    """Returns the speaker reference heard so far, resampled to 16 kHz (one consumer thread)."""

    def __init__(self, tap: ReferenceTap, clock: MediaClock | None) -> None:
        self._tap = tap
        self._clock = clock
        self._pos: int | None = None
        self._resampler = StreamResampler(tap.sample_rate, RATE, quality="MQ")

    def _heard_pos(self) -> int:
        ring = self._tap.ring
        if self._clock is not None and self._clock.running:
            return min(ring.write_pos, round(self._clock.now() * self._tap.sample_rate))
        return ring.write_pos

    def read(self) -> Frames:
        """The reference from the last read up to what is heard now (16 kHz mono float32)."""
        target = self._heard_pos()
        if self._pos is None or target - self._pos > self._tap.ring.capacity:
            self._pos = target
        start, pcm = self._tap.ring.read(self._pos, max(0, target - self._pos))
        self._pos = start + len(pcm)
        if len(pcm) == 0:
            return np.zeros(0, dtype=np.float32)
        return self._resampler.process(np.ascontiguousarray(pcm[:, 0]))


class EchoCanceller:
    """WebRTC audio processing (AEC3, noise suppression, high-pass) on 16 kHz mono.

    Args:
        echo_cancellation: Remove the far end (the studio's voice) from the microphone.
        noise_suppression: Suppress stationary noise.
        high_pass_filter: Remove rumble below ~80 Hz.
        stream_delay_ms: Hint for the delay between far end and echo; AEC3 estimates the rest.

    Raises:
        ProviderError: livekit (``livekit`` package) is missing.
    """

    def __init__(
        self,
        *,
        echo_cancellation: bool = True,
        noise_suppression: bool = True,
        high_pass_filter: bool = True,
        stream_delay_ms: int = 0,
    ) -> None:
        try:
            from livekit import rtc
        except ImportError as exc:
            raise ProviderError(
                "livekit is not installed (echo cancellation).", provider="webrtc_apm"
            ) from exc
        self._apm = rtc.AudioProcessingModule(
            echo_cancellation=echo_cancellation,
            noise_suppression=noise_suppression,
            high_pass_filter=high_pass_filter,
        )
        self.echo_cancellation = echo_cancellation
        self.stream_delay_ms = stream_delay_ms
        self._near = rtc.AudioFrame.create(RATE, 1, FRAME)
        self._far = rtc.AudioFrame.create(RATE, 1, FRAME)
        self._near_i16 = np.asarray(self._near.data)
        self._far_i16 = np.asarray(self._far.data)
        self._near_rest: Frames = np.zeros(0, dtype=np.float32)
        self._far_rest: Frames = np.zeros(0, dtype=np.float32)
        self.far_frames = 0
        self.near_frames = 0

    @staticmethod
    def _to_i16(src: Frames, dst: npt.NDArray[np.int16]) -> None:
        dst[:] = np.clip(src, -1.0, 1.0) * 32767.0

    def far_end(self, pcm: Frames) -> None:
        """Feed what the speaker played (16 kHz mono); whole 10 ms frames go in, the rest waits."""
        if not self.echo_cancellation or len(pcm) == 0:
            return
        data = np.concatenate((self._far_rest, pcm.astype(np.float32, copy=False)))
        usable = len(data) - len(data) % FRAME
        for i in range(0, usable, FRAME):
            self._to_i16(data[i : i + FRAME], self._far_i16)
            self._apm.process_reverse_stream(self._far)
            self.far_frames += 1
        self._far_rest = data[usable:].copy()

    def near_end(self, pcm: Frames) -> Frames:
        """Process microphone audio (16 kHz mono); returns the cleaned whole 10 ms frames."""
        data = np.concatenate((self._near_rest, pcm.astype(np.float32, copy=False)))
        usable = len(data) - len(data) % FRAME
        out: Frames = np.empty(usable, dtype=np.float32)
        for i in range(0, usable, FRAME):
            self._to_i16(data[i : i + FRAME], self._near_i16)
            if self.echo_cancellation:
                self._apm.set_stream_delay_ms(self.stream_delay_ms)  # required before every frame
            self._apm.process_stream(self._near)
            np.multiply(self._near_i16, 1.0 / 32768.0, out=out[i : i + FRAME])
            self.near_frames += 1
        self._near_rest = data[usable:].copy()
        return out


def _rms(pcm: Frames) -> float:
    if len(pcm) == 0:
        return 0.0
    return math.sqrt(float(np.dot(pcm, pcm)) / len(pcm))


class EchoGate:
    """Barge-in threshold relative to the echo estimate (see the module docstring).

    Args:
        margin_db: How far above the echo estimate a frame must be to count as user speech.
        initial_coupling: Residual/reference level ratio assumed before any is measured (about
            -20 dB after echo cancellation; use 1.0 without it).
        hold_ms: The reference level is the loudest 10 ms of this window (echo delay and tail).
        floor: Reference RMS below which the studio counts as silent (gate open).
        block_while_playing: Reject every frame while the studio plays (barge-in disabled).
    """

    def __init__(
        self,
        *,
        margin_db: float = 6.0,
        initial_coupling: float = 0.1,
        hold_ms: float = 400.0,
        floor: float = 1e-3,
        block_while_playing: bool = False,
    ) -> None:
        self.margin = 10.0 ** (margin_db / 20.0)
        self.coupling = initial_coupling
        self.floor = floor
        self.block_while_playing = block_while_playing
        self._levels: deque[float] = deque([0.0], maxlen=max(1, round(hold_ms / 10.0)))
        self._rest: Frames = np.zeros(0, dtype=np.float32)
        self.rejected = 0  # speech-like frames vetoed as echo

    def observe_reference(self, pcm: Frames | None, frames_10ms: int = 0) -> None:
        """Feed the reference (16 kHz) in step with the microphone; ``None`` = silence for ``frames_10ms``."""
        if pcm is None:
            for _ in range(frames_10ms):
                self._levels.append(0.0)
            return
        data = np.concatenate((self._rest, pcm))
        usable = len(data) - len(data) % FRAME
        for i in range(0, usable, FRAME):
            self._levels.append(_rms(data[i : i + FRAME]))
        self._rest = data[usable:].copy()

    @property
    def reference_level(self) -> float:
        """Loudest recent reference RMS (the studio's voice as played)."""
        return max(self._levels)

    @property
    def playing(self) -> bool:
        """True while the studio's output is above the floor."""
        return self.reference_level >= self.floor

    @property
    def echo_estimate(self) -> float:
        """Expected RMS of the studio's voice in the processed microphone signal."""
        return self.coupling * self.reference_level

    def allows(self, frame: Frames, prob: float) -> bool:
        """True if ``frame`` (processed microphone, VAD ``prob``) may count as user speech."""
        ref = self.reference_level
        if ref < self.floor:
            return True
        if self.block_while_playing:
            return False
        level = _rms(frame)
        if prob < 0.1:  # clearly not speech: what remains is echo and noise; learn the coupling
            ratio = level / ref
            if ratio > self.coupling:
                self.coupling += 0.3 * (ratio - self.coupling)
            else:
                self.coupling = max(ratio, self.coupling * 0.97)
        ok = bool(level >= self.echo_estimate * self.margin)
        if not ok and prob >= 0.5:
            self.rejected += 1
        return ok
