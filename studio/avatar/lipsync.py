"""Lip-sync: a timeline of mouth values keyed to presentation time (MediaClock seconds).

Playout enqueues a synthesized :class:`~studio.core.frames.AudioChunk` and learns the pts at
which it will be heard; it hands both to :meth:`LipSyncTimeline.add`. The chunk is analysed once
(see :mod:`studio.avatar.mouth_track`: loudness envelope, formant vowels, and for Mandarin the
pinyin finals of its text aligned to the voiced syllables) into 100 Hz frames. The renderer calls
:meth:`LipSyncTimeline.value_at` with ``MediaClock.now()`` every frame and gets a
:class:`MouthFrame` interpolated between analysis frames.

Threads: one writer (the engine loop: ``add``/``add_async``/``clear``/``prune``) and any number
of readers (the renderer thread: ``value_at``, ``end_pts``). The writer builds a new immutable
snapshot (sorted segment starts + read-only segment arrays) and swaps it in with one attribute
store; readers take the snapshot once per call, never lock and never see a half-built state.

``text_to_mouth_timeline`` and ``pinyin_vowel_shape`` (the StreamCream mouth-timeline and
mouth-param endpoints) are re-exported here.
"""

from __future__ import annotations

import asyncio
import math
from bisect import bisect_right
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from studio.avatar.mouth_analysis import HOP, SPECTRUM_WINDOW, voiced_levels
from studio.avatar.mouth_timeline import MouthTimelineItem, text_to_mouth_timeline
from studio.avatar.mouth_track import NEUTRAL_ROW, RELEASE, RELEASE_TAIL, MouthTrack, build_track
from studio.avatar.visemes import PARAM_IDS, pinyin_vowel_shape
from studio.core.frames import AudioChunk

__all__ = [
    "CLOSED_MOUTH",
    "LipSyncTimeline",
    "MouthFrame",
    "MouthTimelineItem",
    "pinyin_vowel_shape",
    "text_to_mouth_timeline",
]

F64 = npt.NDArray[np.float64]

_CONTIGUOUS: Final = 0.005  # a chunk starting this close to the previous end continues it
_LEAD: Final = SPECTRUM_WINDOW / 2  # audio of the previous chunk kept as analysis context
_MAX_UTTERANCE_FRAMES: Final = 6000  # voiced levels kept for the per-utterance reference (60 s)


@dataclass(frozen=True, slots=True)
class MouthFrame:
    """The mouth at one instant. Field order matches the track columns.

    Attributes:
        mouth_open: ParamMouthOpenY, 0 (closed) .. 1.
        mouth_width: ParamMouthOpenWidth, 0.1 .. 1 (0.5 at rest).
        mouth_form: ParamMouthForm, -1 .. 1 (0 at rest; the vowel table uses 0 .. 0.8).
        mouth_smile: ParamMouthSmile, 0 .. 0.3.
        mouth_frown: ParamMouthFrown, 0 .. 0.3.
        a: Weight of the A viseme, 0 .. 1 (``a+i+u+e+o <= 1``; all 0 when closed).
        i: Weight of I.
        u: Weight of U.
        e: Weight of E.
        o: Weight of O.
    """

    mouth_open: float = 0.0
    mouth_width: float = 0.5
    mouth_form: float = 0.0
    mouth_smile: float = 0.0
    mouth_frown: float = 0.0
    a: float = 0.0
    i: float = 0.0
    u: float = 0.0
    e: float = 0.0
    o: float = 0.0

    def as_params(self) -> dict[str, float]:
        """Cubism parameter id -> value: the five StreamCream mouth parameters, plus
        ``ParamA``..``ParamO`` for models whose LipSync group uses vowel parameters."""
        return {
            PARAM_IDS[0]: self.mouth_open,
            PARAM_IDS[1]: self.mouth_width,
            PARAM_IDS[2]: self.mouth_form,
            PARAM_IDS[3]: self.mouth_smile,
            PARAM_IDS[4]: self.mouth_frown,
            "ParamA": self.a,
            "ParamI": self.i,
            "ParamU": self.u,
            "ParamE": self.e,
            "ParamO": self.o,
        }


CLOSED_MOUTH: Final = MouthFrame()
"""The closed, neutral mouth (silence, nothing queued)."""


@dataclass(frozen=True, slots=True)
class _Segment:
    """Frames of one chunk: frame ``k`` is at ``start + k * HOP``; the last row is neutral."""

    start: float
    values: F64
    audio_end: float

    @property
    def end(self) -> float:
        return self.start + (len(self.values) - 1) * HOP


_Snapshot = tuple[tuple[float, ...], tuple[_Segment, ...]]
_EMPTY: Final[_Snapshot] = ((), ())


@dataclass(slots=True)
class _Carry:
    """Writer state that lets the next contiguous chunk continue this one."""

    end_pts: float
    sample_rate: int
    lead: npt.NDArray[np.float32]
    last_row: F64


@dataclass(slots=True)
class _Job:
    """Inputs of one chunk's analysis, taken from the writer state at enqueue time."""

    chunk: AudioChunk
    start_pts: float
    generation: int
    lead: npt.NDArray[np.float32]
    initial: F64 | None
    prior_levels: F64
    prior_ref: float | None

    def run(self) -> MouthTrack:
        """Heavy part (~ms per second of audio): safe on a worker thread."""
        chunk = self.chunk
        zh = chunk.language.startswith("zh") or not chunk.language
        text = chunk.voiced_text if zh else ""
        pcm = np.concatenate((self.lead, chunk.pcm)) if self.lead.size else chunk.pcm
        return build_track(
            pcm,
            chunk.sample_rate,
            text=text,
            language=chunk.language,
            prior_levels=self.prior_levels,
            prior_ref=self.prior_ref,
            lead=len(self.lead),
            initial=self.initial,
        )


def _release_from(row: F64) -> F64:
    """Rows that close the mouth from ``row`` within :data:`RELEASE_TAIL`, ending neutral."""
    n = max(2, round(RELEASE_TAIL / HOP) + 1)
    gain = np.exp(-np.arange(n) * HOP / RELEASE)
    gain[-1] = 0.0
    return np.asarray(NEUTRAL_ROW + gain[:, None] * (row - NEUTRAL_ROW))


class LipSyncTimeline:
    """Mouth values over presentation time, built from the audio actually played.

    Args:
        history: Seconds of past kept automatically: :meth:`add` prunes segments that ended
            this long before the new chunk starts. Call :meth:`prune` for tighter bounds.
    """

    def __init__(self, *, history: float = 30.0) -> None:
        self._history = history
        self._snap: _Snapshot = _EMPTY
        self._generation = 0
        self._carry: _Carry | None = None
        self._utt_levels: F64 = np.zeros(0)
        self._prev_ref: float | None = None
        self._lock = asyncio.Lock()

    # ---- readers (any thread) ----

    def value_at(self, pts: float) -> MouthFrame:
        """The mouth at presentation time ``pts`` (s). Lock-free, a few microseconds.

        Returns :data:`CLOSED_MOUTH` outside any audio (after its release tail) and when
        nothing is queued. Thread: any (the renderer calls it every frame).
        """
        starts, segments = self._snap
        idx = bisect_right(starts, pts) - 1
        if idx < 0:
            return CLOSED_MOUTH
        seg = segments[idx]
        x = (pts - seg.start) / HOP
        last = len(seg.values) - 1
        if x >= last:
            return CLOSED_MOUTH
        k = int(x)
        lo = seg.values[k]
        row = lo + (x - k) * (seg.values[k + 1] - lo)
        if row[0] == 0.0:
            return CLOSED_MOUTH  # closed rows are exactly neutral (the shape fades with OpenY)
        return MouthFrame(*row.tolist())

    @property
    def end_pts(self) -> float:
        """Pts after which the mouth stays closed (``-inf`` when empty). Thread: any."""
        segments = self._snap[1]
        return max((s.end for s in segments), default=-math.inf)

    @property
    def frame_count(self) -> int:
        """Analysis frames held (memory is ~80 bytes per frame). Thread: any."""
        return sum(len(s.values) for s in self._snap[1])

    def __len__(self) -> int:
        """Number of segments (one per added chunk, until pruned)."""
        return len(self._snap[1])

    # ---- writer (engine loop) ----

    def add(self, chunk: AudioChunk, start_pts: float) -> None:
        """Analyse ``chunk`` (heard from ``start_pts`` on) and publish its mouth frames.

        Runs the analysis inline (a few ms per second of audio); on the engine loop prefer
        :meth:`add_async`. A chunk that starts where the previous one ended continues it (same
        utterance level, no dip at the seam); ``chunk.final`` ends the utterance.
        Thread: the writer (engine loop).
        """
        job = self._prepare(chunk, start_pts)
        self._commit(job, job.run())

    async def add_async(self, chunk: AudioChunk, start_pts: float) -> None:
        """:meth:`add` with the analysis on a worker thread. Calls are applied in order; a
        chunk whose analysis was overtaken by :meth:`clear` is dropped. Do not mix with
        concurrent :meth:`add` calls. Thread: engine loop."""
        async with self._lock:
            job = self._prepare(chunk, start_pts)
            track = await asyncio.to_thread(job.run)
            self._commit(job, track)

    def clear(self, from_pts: float) -> None:
        """Barge-in: drop every mouth value from ``from_pts`` on; the past stays as it was.

        A segment playing at ``from_pts`` closes over :data:`RELEASE_TAIL` starting from its
        first frame at or after ``from_pts``. The next chunk starts a new utterance.
        Thread: the writer (engine loop).
        """
        self._generation += 1
        self._carry = None
        self._end_utterance()
        kept: list[_Segment] = []
        for seg in self._snap[1]:
            if seg.start >= from_pts:
                continue
            if seg.end <= from_pts:
                kept.append(seg)
                continue
            k = min(math.ceil((from_pts - seg.start) / HOP - 1e-9), len(seg.values) - 1)
            values = np.concatenate((seg.values[:k], _release_from(seg.values[k])))
            values.setflags(write=False)
            kept.append(_Segment(seg.start, values, min(seg.audio_end, from_pts)))
        self._publish(kept)

    def prune(self, before_pts: float) -> None:
        """Forget mouth values before ``before_pts`` (they read as closed afterwards).

        Thread: the writer (engine loop).
        """
        kept: list[_Segment] = []
        for seg in self._snap[1]:
            if seg.end < before_pts:
                continue
            k = int((before_pts - seg.start) / HOP)
            if k > 0:
                values = seg.values[k:].copy()  # a copy, so the old array can be freed
                values.setflags(write=False)
                kept.append(_Segment(seg.start + k * HOP, values, seg.audio_end))
            else:
                kept.append(seg)
        self._publish(kept)

    def _publish(self, segments: list[_Segment]) -> None:
        segments.sort(key=lambda s: s.start)
        self._snap = (tuple(s.start for s in segments), tuple(segments))

    def _end_utterance(self) -> None:
        self._utt_levels = np.zeros(0)

    def _prepare(self, chunk: AudioChunk, start_pts: float) -> _Job:
        carry = self._carry
        lead = np.zeros(0, np.float32)
        initial: F64 | None = None
        if (
            carry is not None
            and carry.sample_rate == chunk.sample_rate
            and abs(start_pts - carry.end_pts) <= _CONTIGUOUS
        ):
            lead, initial = carry.lead, carry.last_row
        elif carry is not None:
            self._end_utterance()  # a gap: playout went silent, the next words are a new breath
        return _Job(
            chunk,
            start_pts,
            self._generation,
            lead,
            initial,
            self._utt_levels,
            self._prev_ref,
        )

    def _commit(self, job: _Job, track: MouthTrack) -> None:
        if job.generation != self._generation:
            return  # cleared while it was being analysed
        chunk = job.chunk
        levels = np.concatenate((self._utt_levels, voiced_levels(track.levels_db)))
        self._utt_levels = levels[-_MAX_UTTERANCE_FRAMES:]
        if track.ref_db is not None:
            self._prev_ref = track.ref_db
        end_pts = job.start_pts + chunk.duration
        n_lead = min(len(chunk.pcm), round(_LEAD * chunk.sample_rate))
        last_row = track.values[track.audio_frames - 1] if track.audio_frames else NEUTRAL_ROW
        lead = chunk.pcm[len(chunk.pcm) - n_lead :].copy()  # the producer may reuse its buffer
        self._carry = _Carry(end_pts, chunk.sample_rate, lead, last_row)
        if chunk.final:
            self._carry = None
            self._end_utterance()
        horizon = job.start_pts - self._history
        kept = [s for s in self._snap[1] if s.end >= horizon and s.start != job.start_pts]
        if track.audio_frames:
            kept.append(_Segment(job.start_pts, track.values, end_pts))
        self._publish(kept)
