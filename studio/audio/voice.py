"""The voice jitter buffer: TTS chunks in (any rate), mono frames out to the render thread.

Positions: *voice positions* count frames in the ring (absolute, see :mod:`studio.audio.ring`);
*media positions* count frames the render thread has output since playout started, silence
included, so ``media_pos / sample_rate`` is the presentation time (pts) on the
:class:`~studio.core.clock.MediaClock`.

Scheduling: while the queue has data, voice position ``v`` plays at a fixed offset from the last
frame handed out. When a chunk arrives at an idle (or nearly drained) queue the producer sets a
*gate*: "voice frame ``v`` starts at media position ``m``", a little ahead of where the render
thread is (``margin``), and the render thread outputs zeros until ``m``. So :meth:`enqueue` knows
the exact pts at which every chunk will be heard, whether the queue was busy or idle.

Barge-in: :meth:`clear` publishes ``(generation, ring position)``; the render thread sees the new
generation on its next block, fades out over ``fade`` frames (no click) and skips the ring to that
position. Frames queued after the clear are kept.

Thread affinity: :meth:`enqueue`, :meth:`clear`, :meth:`pump` from any thread (they share a
producer lock the render thread never takes); :meth:`pull` from the render thread only (no locks,
no allocation beyond scalars and array views).
"""

from __future__ import annotations

import threading
from collections import deque

import numpy as np

from studio.audio.resample import StreamResampler
from studio.audio.ring import Frames, SpscRing
from studio.core.frames import AudioChunk


class VoiceQueue:
    """Jitter buffer for the TTS voice with exact start pts and barge-in.

    Args:
        sample_rate: The render rate; chunks are resampled to it on the producer side.
        capacity_s: Seconds the preallocated ring holds; more is kept in a producer-side backlog.
        margin_frames: How far ahead of the render position an idle start is scheduled (covers the
            render thread advancing while the producer computes; ~2 blocks).
        fade_frames: Length of the fade-out applied on :meth:`clear`.
    """

    def __init__(
        self, sample_rate: int, *, capacity_s: float = 30.0, margin_frames: int = 960, fade_frames: int = 240
    ) -> None:
        self.sample_rate = sample_rate
        self.ring = SpscRing(max(1, round(capacity_s * sample_rate)))
        self.margin = margin_frames
        self._fade = np.linspace(1.0, 0.0, max(1, fade_frames) + 2, dtype=np.float32)[1:-1].copy()
        self._lock = threading.Lock()
        # producer side (under _lock)
        self._backlog: deque[Frames] = deque()
        self._accepted = 0  # voice position of the next frame handed to the ring/backlog
        self._rs: StreamResampler | None = None
        self._rs_v0 = 0  # voice position where the resampler's current output began
        self._gen = 0
        # shared, each replaced atomically by one side
        self._gate: tuple[int, int] = (-1, 0)  # (voice pos, media pos); producer writes
        self._clear_mark: tuple[int, int] = (0, 0)  # (generation, voice pos); producer writes
        self._snap: tuple[int, int, int, int] = (0, 0, 0, 0)  # (gen seen, r, media of r, next media)
        self.open_utterance = False  # producer writes: last chunk was not final
        # render side
        self._seen_gen = 0
        self._voicing = False
        self.voice_end = 0  # media position one past the last voice frame handed out
        self.underruns = 0  # the ring ran dry in the middle of an utterance
        self.late_starts = 0  # a gated start was reached after its media position
        self.dropped = 0  # voice frames dropped because the sink stalled past them

    # ----------------------------------------------------------------- producer side

    def enqueue(self, chunk: AudioChunk) -> int:
        """Queue ``chunk``; return the media position at which its first sample will be heard.

        Resamples on the calling thread (soxr; ~1 ms per second of audio).
        """
        pcm = np.asarray(chunk.pcm, dtype=np.float32).reshape(-1)
        with self._lock:
            rs = self._rs
            if rs is None or rs.in_rate != chunk.sample_rate:
                if rs is not None:
                    self._push(rs.flush())
                rs = self._rs = StreamResampler(chunk.sample_rate, self.sample_rate)
                self._rs_v0 = self._accepted
            v_start = self._rs_v0 + rs.output_position(rs.frames_in)
            out = rs.process(pcm)
            if chunk.final:
                tail = rs.flush()
                out = np.concatenate([out, tail]) if len(tail) else out
            start = self._place(v_start)
            self._push(np.nan_to_num(out, copy=False))
            if chunk.final:
                self._rs_v0 = self._accepted
            self.open_utterance = not chunk.final
            return start

    def _place(self, v_start: int) -> int:
        """Media position of voice frame ``v_start``; sets a gate if the queue is (nearly) dry."""
        seen, r, _media_r, m_next = self._snap
        queued = self._accepted - r
        if seen != self._gen or queued <= 0:
            gate_m = m_next + self.margin
        elif queued < self.margin:
            gate_m = max(self._media_of(self._accepted), m_next + self.margin)
        else:
            return self._media_of(v_start)
        self._gate = (self._accepted, gate_m)  # published before the frames it gates
        return gate_m + (v_start - self._accepted)

    def _media_of(self, v: int) -> int:
        """Media position of queued voice frame ``v`` if everything before it plays without gaps."""
        _seen, r, media_r, _m_next = self._snap
        gv, gm = self._gate
        if r <= gv <= v:  # a gated start lies between: frames from gv on wait for gm
            return max(media_r + (gv - r), gm) + (v - gv)
        return media_r + (v - r)

    def _push(self, data: Frames) -> None:
        if len(data) == 0:
            return
        if self._backlog:
            self._backlog.append(data)
        else:
            n = self.ring.write(data)
            if n < len(data):
                self._backlog.append(data[n:])
        self._accepted += len(data)

    def clear(self) -> None:
        """Drop everything queued (barge-in); the render thread fades out on its next block."""
        with self._lock:
            self._backlog.clear()
            if self._rs is not None:
                self._rs.reset()
            self._rs = None
            self._accepted = self.ring.write_pos
            self._rs_v0 = self._accepted
            self.open_utterance = False
            self._gen += 1
            self._clear_mark = (self._gen, self._accepted)

    def pump(self, flush_below: int) -> None:
        """Move backlog into the ring; flush a held resampler tail if the ring is nearly dry.

        Called periodically by the playout supervisor.
        """
        with self._lock:
            while self._backlog and self.ring.free() > 0:
                head = self._backlog[0]
                n = self.ring.write(head)
                if n < len(head):
                    self._backlog[0] = head[n:]
                    break
                self._backlog.popleft()
            rs = self._rs
            dry_soon = not self._backlog and self.ring.available() < flush_below
            if rs is not None and rs.pending > 0 and dry_soon:
                # The next chunk is late: play what soxr holds back rather than run dry on it.
                self._push(np.nan_to_num(rs.flush(), copy=False))
                self._rs_v0 = self._accepted

    @property
    def queued_frames(self) -> int:
        """Frames accepted and not yet handed to the render thread (approximate; any thread)."""
        return max(0, self._accepted - self._snap[1])

    @property
    def holding_tail(self) -> bool:
        """True while the resampler holds back output of the current utterance."""
        rs = self._rs
        return rs is not None and rs.pending > 0

    @property
    def end_position(self) -> int:
        """Media position where the queued voice ends if it plays without gaps (any thread)."""
        with self._lock:
            r = self._snap[1]
            return self._media_of(self._accepted) if self._accepted > r else self.voice_end

    # ----------------------------------------------------------------- render side

    def _drop_overdue(self, media_pos: int) -> None:
        """The render position skipped ahead (a stalled sink): drop voice that was due meanwhile.

        Nobody heard it, and playing it late would put every later chunk behind the pts
        :meth:`enqueue` promised (lip-sync would lead the sound for the rest of the utterance).
        """
        ring = self.ring
        _seen, r_prev, media_r, _m_next = self._snap
        r = ring.read_pos
        gv, gm = self._gate
        if gv == r:
            due = gm  # a scheduled start
        elif r == r_prev:
            due = media_r  # continuing where the last block stopped
        else:
            return  # just skipped by clear(): nothing of it is due yet
        avail = ring.available()
        if due >= media_pos or avail <= 0:
            return
        limit = avail if gv <= r else min(avail, gv - r)
        k = min(media_pos - due, limit)
        ring.skip_to(r + k)
        self.dropped += k

    def pull(self, out: Frames, media_pos: int) -> int:
        """Fill ``out`` (1-D) with the voice for media positions ``media_pos ...``; zeros where silent.

        Returns the number of voice frames written (for ducking). Render thread only.
        """
        n = len(out)
        ring = self.ring
        pos = 0
        voiced = 0
        gen, mark = self._clear_mark
        if gen != self._seen_gen:
            self._seen_gen = gen
            gv, gm = self._gate
            r = ring.read_pos
            if r < mark and not (gv == r and media_pos < gm) and self._voicing:
                k = min(len(self._fade), n, mark - r)
                ring.peek_into(out[:k])
                out[:k] *= self._fade[:k]
                pos = k
                self.voice_end = media_pos + k
            ring.skip_to(mark)
            self._voicing = False
        if media_pos > self._snap[3]:
            self._drop_overdue(media_pos)
        while pos < n:
            avail = ring.available()  # read the write position before the gate (see _place)
            if avail <= 0:
                break
            gv, gm = self._gate
            r = ring.read_pos
            m = media_pos + pos
            if gv == r:
                if m < gm:
                    wait = min(gm - m, n - pos)
                    out[pos : pos + wait] = 0.0
                    pos += wait
                    continue
                if m > gm and not self._voicing:
                    self.late_starts += 1
            limit = min(avail, n - pos) if gv <= r else min(avail, gv - r, n - pos)
            got = ring.read_into(out[pos : pos + limit])
            pos += got
            voiced += got
            self._voicing = True
            self.voice_end = media_pos + pos
        if pos < n:
            out[pos:] = 0.0
            if self._voicing and self.open_utterance:
                self.underruns += 1
            self._voicing = False
        r = ring.read_pos
        m_next = media_pos + n
        gv, gm = self._gate
        media_r = gm if gv == r and gm > m_next else m_next
        self._snap = (self._seen_gen, r, media_r, m_next)
        return voiced
