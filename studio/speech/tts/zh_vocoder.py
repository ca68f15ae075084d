"""Streaming MB-MelGAN vocoding of one Mandarin clause: pieces with mel context, trim, pause, gain.

FastSpeech2 makes a clause's whole mel spectrogram in one run (~85 ms for 19 characters on 2 cores;
it is not causal, so it cannot stream); the vocoder took about as long again for the whole clause,
so it runs in pieces: a small first piece (:data:`FIRST_PIECE_FRAMES`, ~15 ms) so audio starts
early, then larger ones (:data:`PIECE_FRAMES`, then :data:`LARGEST_PIECE_FRAMES`: fewer context
frames recomputed), each computed while the audio before it plays. Each piece is vocoded with
:data:`CONTEXT_FRAMES` extra mel frames on either side (where the clause has them) and only its own
samples are kept, so the stitched audio is whole-clause vocoding: the vocoder is convolutional
(dilated residual stacks, transposed convolutions, PQMF synthesis), its receptive field was
measured by perturbing single mel frames and by stitching at every offset: an output frame depends
on about 19 mel frames before it and 17 after it (the kernels' outermost taps reach ~21 frames but
round away in float32). With 22 frames of context the stitched audio is bit-identical to
whole-clause vocoding almost everywhere; the converted model quantises one activation
(``QuantizeLinear``), so a float rounding difference between the two runs can, rarely, flip one
quantisation step, which changes ~60 samples (one PQMF filter span) by at most ~0.01: band-limited,
inaudible, no click.

:class:`ClauseTrim` keeps the old whole-clause trimming exact while streaming: audio before the
first loud sample is dropped except a short lead-in, audio after the last loud sample seen so far is
held back (it may be the clause's trailing silence), and at the clause's end exactly the
punctuation pause follows its last loud sample. The gain is the same as whole-clause rendering
whenever the peak limiter stays out (raw speech peaks at ~0.4-0.6, so up to about volume 1.3); when
a loud request would clip, the limiter can only pull down audio not yet played, so it ramps the gain
down over 10 ms from the next piece on (earlier pieces stay as played; nothing ever exceeds
:data:`PEAK_LIMIT`).

Thread affinity: everything here runs on the model host's worker thread.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from studio.core.frames import PcmArray

MelArray = npt.NDArray[np.float32]
Vocoder = Callable[[MelArray], PcmArray]

HOP = 300  # samples per mel frame at 24 kHz
CONTEXT_FRAMES = 22  # mel frames of context on each side of a piece (receptive field ~19/17)
FIRST_PIECE_FRAMES = 20  # ~0.25 s: the model's ~0.15 s lead silence plus the first syllable
PIECE_FRAMES = 100  # ~1.25 s for the second piece (computed while the first one plays) ...
LARGEST_PIECE_FRAMES = 200  # ... then 2.5 s pieces: less context recomputed per second of audio
PEAK_LIMIT = 0.98
LIMITER_RAMP = 240  # samples (10 ms) over which a limiter gain change is spread


def plan_pieces(
    frames: int,
    first: int = FIRST_PIECE_FRAMES,
    size: int = PIECE_FRAMES,
    largest: int = LARGEST_PIECE_FRAMES,
) -> list[tuple[int, int]]:
    """Frame ranges ``[start, end)`` covering ``0..frames``: ``first``, ``size``, doubling to ``largest``.

    A last remainder shorter than ``size // 2`` joins the piece before it, unless that is the first
    piece (every piece costs its context too; the first is kept small).
    """
    if frames <= 0:
        return []
    bounds = [0, min(first, frames)]
    step = size
    while bounds[-1] < frames:
        if len(bounds) > 2 and frames - bounds[-1] < size // 2:
            bounds[-1] = frames
            break
        bounds.append(min(frames, bounds[-1] + step))
        step = min(largest, step * 2)
    return list(itertools.pairwise(bounds))


def vocode_piece(
    vocoder: Vocoder, mel: MelArray, start: int, end: int, context: int = CONTEXT_FRAMES
) -> PcmArray:
    """Audio of mel frames ``[start, end)`` of ``mel`` (shape ``(1, frames, 80)``), vocoded with context."""
    lo = max(0, start - context)
    hi = min(mel.shape[1], end + context)
    audio = vocoder(np.ascontiguousarray(mel[:, lo:hi]))
    return audio[(start - lo) * HOP : (end - lo) * HOP]


@dataclass(slots=True)
class ClauseTrim:
    """Streaming trim, pause and gain of one clause's raw vocoder audio.

    Feeding the clause's audio in pieces (:meth:`push`) gives, concatenated, exactly what trimming
    the whole clause at once gives: from ``lead_keep`` samples before its first sample louder than
    ``level`` to ``pause`` samples after its last one (zero-padded if the audio ends sooner), times
    ``gain`` (see the module notes for the peak limiter).

    Attributes:
        level: Samples with a magnitude above this count as sound.
        lead_keep: Samples kept before the first sound.
        pause: Samples after the last sound at the clause's end.
        gain: Linear gain.
    """

    level: float
    lead_keep: int
    pause: int
    gain: float
    _pending: PcmArray = field(default_factory=lambda: np.zeros(0, np.float32))
    _pending_at: int = 0  # clause sample index of _pending[0]
    _received: int = 0  # samples pushed so far
    _emitted: int = 0  # clause sample index of the next sample to return
    _first_loud: int | None = None
    _last_loud: int = -1
    _peak: float = 0.0
    _scale: float = 1.0

    def push(self, audio: PcmArray, *, last: bool) -> PcmArray:
        """Take the next piece of raw audio; return the audio now ready to play (may be empty).

        With ``last=True`` the clause ends here: everything held back up to the pause is returned.
        """
        at = self._received
        self._received += len(audio)
        self._pending = np.concatenate((self._pending, audio)) if self._pending.size else audio
        loud = np.flatnonzero(np.abs(audio) > self.level)
        if loud.size:
            if self._first_loud is None:
                self._first_loud = at + int(loud[0])
                self._emitted = max(0, self._first_loud - self.lead_keep)
            self._last_loud = at + int(loud[-1])
        if self._first_loud is None:
            # Still in the leading silence: keep only what the lead-in may need.
            self._drop_before(max(0, self._received - self.lead_keep))
            return np.zeros(0, np.float32)
        stop = self._last_loud + 1 + (self.pause if last else 0)
        raw = self._pending[self._emitted - self._pending_at : min(stop, self._received) - self._pending_at]
        if stop > self._received:
            raw = np.concatenate((raw, np.zeros(stop - self._received, np.float32)))
        self._emitted = max(self._emitted, min(stop, self._received))
        self._drop_before(self._emitted)
        return self._level(raw)

    @property
    def played(self) -> int:
        """Raw clause sample up to which audio has been returned (0 before the first sound)."""
        return self._emitted

    def _drop_before(self, index: int) -> None:
        if index > self._pending_at:
            self._pending = self._pending[index - self._pending_at :]
            self._pending_at = index

    def _level(self, raw: PcmArray) -> PcmArray:
        """Gain, then the peak limiter as it can work on audio already partly played."""
        out = raw * np.float32(self.gain)
        if out.size:
            self._peak = max(self._peak, float(np.max(np.abs(out))))
        scale = PEAK_LIMIT / self._peak if self._peak > PEAK_LIMIT else 1.0
        if scale < 1.0 and out.size:
            # Ramp from the gain already played to the new one (no step), and hold the limit in
            # the ramp should a peak fall inside it.
            gains = np.full(len(out), scale, np.float32)
            n = min(len(out), LIMITER_RAMP)
            gains[:n] = np.linspace(self._scale, scale, n, endpoint=False, dtype=np.float32)
            out = np.clip(out * gains, -PEAK_LIMIT, PEAK_LIMIT)
        if out.size:
            self._scale = scale
        return out.astype(np.float32, copy=False)


@dataclass(slots=True)
class ClauseRender:
    """One clause on its way through the vocoder: its mel, its pieces, and its trimming.

    Attributes:
        mel: The clause's mel spectrogram, shape ``(1, frames, 80)``.
        trim: Trimming, pause and gain for the clause's audio.
    """

    mel: MelArray
    trim: ClauseTrim
    pieces: list[tuple[int, int]] = field(init=False)
    index: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.pieces = plan_pieces(int(self.mel.shape[1]))

    @property
    def done(self) -> bool:
        """True once every piece has been vocoded."""
        return self.index >= len(self.pieces)

    def step(self, vocoder: Vocoder) -> PcmArray:
        """Vocode the next piece; return the clause's audio that is ready to play (may be empty)."""
        if self.done:
            return np.zeros(0, np.float32)
        start, end = self.pieces[self.index]
        self.index += 1
        audio = vocode_piece(vocoder, self.mel, start, end)
        return self.trim.push(audio, last=self.done)
