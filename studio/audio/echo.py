"""Echo safety: WebRTC echo cancellation fed with what the studio plays, and an echo-relative gate.

Three parts, wired by :class:`~studio.speech.listener.Listener`:

* :class:`ReferenceTap` is installed as :attr:`Mixer.speaker_tap <studio.audio.mixer.Mixer>`: the
  render thread copies every speaker block (mono, mixer rate) into a preallocated overwrite ring at
  its media position. :meth:`ReferenceTap.reader` gives a :class:`ReferenceReader` that returns,
  at 16 kHz, the reference up to the position the MediaClock says is being heard *now*. Fed before
  the microphone frames captured up to now, the far end leads its echo, but both come in blocks.
* :class:`EchoCanceller` wraps livekit's ``rtc.AudioProcessingModule`` (WebRTC AEC3 + noise
  suppression + high-pass) on 10 ms int16 frames at 16 kHz, with the microphone held back a little
  so the far end always arrives first. Its delay estimator absorbs the remaining offset.
* :class:`EchoGate` is the barge-in threshold: a frame of cleaned audio counts as user speech only
  if it is not much louder than the part of the raw microphone the reference cannot explain (else
  it is echo the canceller let through, e.g. while it re-converges after the echo delay jumped)
  and is ``margin_db`` above the echo estimate (a coupling learned continuously). The studio's own
  voice never starts an utterance, even where the canceller leaks; a second voice, which the
  reference does not explain, does at once.

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
        capture_delay_ms: The microphone is held back this long before the canceller, so the far
            end it echoes has always been fed first: the reference and the microphone arrive in
            blocks of ~30 ms, and AEC3 cannot cancel echo that reaches it before its far end
            (measured on a speaker -> microphone loop: 1-4 dB echo reduction without the hold,
            80+ dB with 50 ms). Every decision on the microphone comes this much later.

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
        capture_delay_ms: int = 0,
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
        self._hold = round(capture_delay_ms * RATE / 1000) if echo_cancellation else 0
        self._near = rtc.AudioFrame.create(RATE, 1, FRAME)
        self._far = rtc.AudioFrame.create(RATE, 1, FRAME)
        self._near_i16 = np.asarray(self._near.data)
        self._far_i16 = np.asarray(self._far.data)
        self._near_rest: Frames = np.zeros(0, dtype=np.float32)
        self._far_rest: Frames = np.zeros(0, dtype=np.float32)
        self.far_frames = 0
        self.near_frames = 0
        self.last_input: Frames = np.zeros(0, dtype=np.float32)  # raw audio of the last output

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
        """Process microphone audio (16 kHz mono); returns the cleaned whole 10 ms frames.

        The output lags the input by ``capture_delay_ms`` and a partial frame;
        :attr:`last_input` holds the raw samples the output was made from (same length).
        """
        data = np.concatenate((self._near_rest, pcm.astype(np.float32, copy=False)))
        usable = max(0, len(data) - self._hold)
        usable -= usable % FRAME
        out: Frames = np.empty(usable, dtype=np.float32)
        for i in range(0, usable, FRAME):
            self._to_i16(data[i : i + FRAME], self._near_i16)
            if self.echo_cancellation:
                self._apm.set_stream_delay_ms(self.stream_delay_ms)  # required before every frame
            self._apm.process_stream(self._near)
            np.multiply(self._near_i16, 1.0 / 32768.0, out=out[i : i + FRAME])
            self.near_frames += 1
        self.last_input = data[:usable]
        self._near_rest = data[usable:].copy()
        return out


def _rms(pcm: Frames) -> float:
    if len(pcm) == 0:
        return 0.0
    return math.sqrt(float(np.dot(pcm, pcm)) / len(pcm))


def _push(buf: Frames, pcm: Frames) -> None:
    """Shift ``pcm`` into the end of the history ``buf`` (oldest samples drop out)."""
    n = min(len(pcm), len(buf))
    if n:
        buf[:-n] = buf[n:]
        buf[-n:] = pcm[len(pcm) - n :]


def _emphasis(a: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    out = a.copy()
    out[1:] -= 0.9 * a[:-1]
    return out


class EchoGate:
    """Barge-in threshold relative to the echo estimate (see the module docstring).

    While the studio plays, a frame (32 ms of cleaned microphone audio) counts as user speech only
    if it passes two tests:

    * *Leak test* (needs :meth:`observe_microphone`): in each half of the frame, the best-matching
      stretch of the recent reference (normalised cross-correlation, then a least-squares filter
      of ``2 * taps + 1`` taps around it) is subtracted from the raw microphone; the rest is what
      the studio's voice cannot explain (the user, model error). A cleaned frame ``leak_db``
      louder than that rest is echo the canceller let through (it re-converges for a few hundred
      ms after every jump of the echo delay) and is vetoed; a second voice passes at once. The lag
      is tracked; the full search runs when the tracked one explains a half badly.
    * *Level test*: the cleaned frame must be ``margin_db`` above the echo estimate (coupling x
      loudest recent reference level). It is learned from frames that are certainly echo alone
      (microphone explained to ``explained_db``: fast release; in such a loop nothing else
      teaches it), else from frames Silero calls clearly not speech (slow release: in a room the
      residual of a pause is quieter than that of a word). :attr:`echo_lag` is the lag found.

    Args:
        margin_db: How far above the echo estimate a frame must be to count as user speech.
        initial_coupling: Residual/reference level ratio assumed before any is measured (about
            -20 dB after echo cancellation; use 1.0 without it).
        hold_ms: The reference level is the loudest 10 ms of this window (echo delay and tail).
        floor: Reference RMS below which the studio counts as silent (gate open).
        block_while_playing: Reject every frame while the studio plays (barge-in disabled).
        leak_db: How far the cleaned frame may exceed the unexplained microphone before it counts
            as echo let through.
        explained_db: Unexplained/raw microphone level at or below which a frame is echo alone.
        max_delay_ms: Longest echo delay searched (rounded up to a power of two samples).
        taps: Half-length of the least-squares filter (fractional delay, resampling, short room).
    """

    def __init__(
        self,
        *,
        margin_db: float = 6.0,
        initial_coupling: float = 0.1,
        hold_ms: float = 400.0,
        floor: float = 1e-3,
        block_while_playing: bool = False,
        leak_db: float = 12.0,
        explained_db: float = -30.0,
        max_delay_ms: float = 1000.0,
        taps: int = 8,
    ) -> None:
        self.margin = 10.0 ** (margin_db / 20.0)
        self.coupling = initial_coupling
        self.floor = floor
        self.block_while_playing = block_while_playing
        self.leak = 10.0 ** (leak_db / 20.0)
        self.explained = 10.0 ** (explained_db / 20.0)
        self.taps = taps
        self._levels: deque[float] = deque([0.0], maxlen=max(1, round(hold_ms / 10.0)))
        self._rest: Frames = np.zeros(0, dtype=np.float32)
        size = 1 << max(10, math.ceil(math.log2(max_delay_ms * RATE / 1000)))  # a fast FFT length
        self._ref: Frames = np.zeros(size + 2 * taps, dtype=np.float32)
        self._ref_n = 0  # reference samples observed (absolute index of the end of _ref)
        self._mic: Frames = np.zeros(RATE, dtype=np.float32)
        self._mic_n = 0  # raw microphone samples observed
        self._pos = 0  # absolute microphone index of the next frame given to allows()
        self.echo_lag: int | None = None  # reference index - microphone index of the echo, measured
        self._explained_at = -(1 << 62)  # where a frame was last explained by the reference
        self.rejected = 0  # speech-like frames vetoed as echo
        self.leaks = 0  # of those, vetoed by the leak test

    def observe_reference(self, pcm: Frames | None, frames_10ms: int = 0) -> None:
        """Feed the reference (16 kHz) in step with the microphone; ``None`` = silence for ``frames_10ms``."""
        silent = pcm is None
        if pcm is None:
            self._levels.extend([0.0] * frames_10ms)
            pcm = np.zeros(frames_10ms * FRAME, dtype=np.float32)
        _push(self._ref, pcm)
        self._ref_n += len(pcm)
        if silent:
            return
        data = np.concatenate((self._rest, pcm))
        usable = len(data) - len(data) % FRAME
        for i in range(0, usable, FRAME):
            self._levels.append(_rms(data[i : i + FRAME]))
        self._rest = data[usable:].copy()

    def observe_microphone(self, pcm: Frames) -> None:
        """Feed the raw microphone audio the cleaned audio is made of (same samples, same order)."""
        _push(self._mic, pcm)
        self._mic_n += len(pcm)

    def sync(self, position: int) -> None:
        """The next frame given to :meth:`allows` starts at sample ``position`` of the microphone."""
        self._pos = position

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

    def _fit(self, mic: npt.NDArray[np.float64], j: int) -> float:
        """Residual energy of ``mic`` after the least-squares filter around reference index ``j``."""
        k, n, ref = self.taps, len(mic), self._ref
        cols = np.stack([ref[j + d : j + d + n] for d in range(-k, k + 1)], axis=1).astype(np.float64)
        h = np.linalg.lstsq(cols, mic, rcond=None)[0]
        res = mic - cols @ h
        return float(np.dot(res, res))

    def _best_lag(self, mic: npt.NDArray[np.float64], lo: int, hi: int) -> int | None:
        """Reference index in ``[lo, hi]`` whose stretch correlates best with ``mic`` (pre-emphasised)."""
        n = len(mic)
        if hi < lo:
            return None
        seg = _emphasis(self._ref[lo : hi + n].astype(np.float64))
        y = _emphasis(mic)
        m = len(seg)
        if hi - lo > 512:  # long search: correlate in the frequency domain
            c = np.fft.irfft(np.fft.rfft(seg, m) * np.conj(np.fft.rfft(y, m)), m)[: hi - lo + 1]
        else:
            c = np.correlate(seg, y, "valid")
        energy = np.cumsum(np.concatenate(([0.0], seg * seg)))
        window = energy[n:] - energy[:-n]
        score = np.abs(c) / np.sqrt(np.maximum(window, 1e-12))
        score[window < 1e-8 * n] = 0.0
        best = int(np.argmax(score))
        return lo + best if score[best] > 0.0 else None

    def _unexplained(self, start: int, n: int) -> tuple[float, float] | None:
        """(raw RMS, unexplained RMS) of microphone samples ``[start, start + n)``, or ``None``."""
        back = self._mic_n - start
        if back > len(self._mic) or back < n:
            return None
        mic = self._mic[len(self._mic) - back : len(self._mic) - back + n].astype(np.float64)
        total = float(np.dot(mic, mic))
        base = self._ref_n - len(self._ref)  # absolute index of _ref[0]
        lo, hi = self.taps, len(self._ref) - n - self.taps
        if total < 1e-10 * n or hi < lo:
            return math.sqrt(total / n), math.sqrt(total / n)
        best = total
        if self.echo_lag is not None:  # around the tracked lag first (+-10 ms)
            j0 = start + self.echo_lag - base
            j = self._best_lag(mic, max(lo, j0 - 160), min(hi, j0 + 160))
            if j is not None:
                best = min(best, self._fit(mic, j))
        if best > 0.01 * total:  # explained worse than 20 dB: search the whole reference
            j = self._best_lag(mic, lo, hi)
            if j is not None:
                residual = self._fit(mic, j)
                if residual < best:
                    best = residual
                    if residual <= 0.01 * total:
                        self.echo_lag = j + base - start
        return math.sqrt(total / n), math.sqrt(best / n)

    def allows(self, frame: Frames, prob: float) -> bool:
        """True if ``frame`` (processed microphone, VAD ``prob``) may count as user speech."""
        start = self._pos
        self._pos += len(frame)
        ref = self.reference_level
        if ref < self.floor:
            return True
        if self.block_while_playing:
            return False
        level = _rms(frame)
        ratio = level / ref
        leak = certain = False
        half = len(frame) // 2
        found = [self._unexplained(start + part * half, half) for part in (0, 1)]
        parts = [p for p in found if p is not None]
        if len(parts) == 2:
            rests = [rest for _raw, rest in parts]
            leak = any(_rms(frame[i * half : (i + 1) * half]) > self.leak * rests[i] for i in (0, 1))
            certain = all(raw >= 1e-4 and rest <= self.explained * raw for raw, rest in parts)
            if certain:  # echo alone: no user's voice louder than the unexplained rest is there
                ratio = min(level, math.hypot(*rests) / math.sqrt(2.0)) / ref
        if certain:
            self._explained_at = start
        # Learn the residual from echo alone; where the reference explains the echo (a loop),
        # Silero's "clearly not speech" is no proof of that: it misses a second voice's onset.
        if certain or (prob < 0.1 and start - self._explained_at > 2 * RATE):
            if ratio > self.coupling:
                self.coupling += 0.3 * (ratio - self.coupling)
            else:
                self.coupling = max(ratio, self.coupling * (0.7 if certain else 0.97))
        ok = not leak and level >= self.echo_estimate * self.margin
        if not ok and prob >= 0.5:
            self.rejected += 1
            self.leaks += leak
        return ok
