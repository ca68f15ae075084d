"""Preallocated lock-free ring buffers for audio frames.

Two flavours, both indexed by *absolute* frame positions (monotonic counters that never wrap;
slot = position % capacity):

* :class:`SpscRing` - single producer, single consumer, nothing is ever overwritten. The voice
  jitter buffer: the producer (engine loop or the playout supervisor, serialised by the playout's
  producer lock) writes, the audio render thread (PortAudio callback or the null sink) reads.
* :class:`OverwriteRing` - one writer that never waits and overwrites the oldest frames, read by one
  reader that may fall behind (it then skips forward and counts the skipped frames). The broadcast
  stream tap: the render thread writes, the encoder thread reads.

Why no locks: each position counter is written by exactly one side and read by the other. Under
CPython's GIL a store of an ``int`` attribute is atomic and ordered with the frame copy that precedes
it in program order, so a reader that sees the new write position also sees the frames. The render
thread only copies into preallocated arrays (``numpy`` slices make tiny view objects, never frame
buffers).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Frames = npt.NDArray[np.float32]


class SpscRing:
    """Single-producer single-consumer frame ring that never overwrites unread frames.

    Args:
        capacity: Frames the ring holds.
        channels: ``0`` for a 1-D mono ring, else frames are ``(n, channels)``.

    Thread affinity: :meth:`write` from the producer only; :meth:`read_into`, :meth:`peek_into`,
    :meth:`skip_to` from the consumer only; the counters and :meth:`available` from any thread.
    """

    def __init__(self, capacity: int, channels: int = 0) -> None:
        if capacity <= 0:
            raise ValueError("capacity must be positive")
        shape: tuple[int, ...] = (capacity,) if channels == 0 else (capacity, channels)
        self._buf: Frames = np.zeros(shape, dtype=np.float32)
        self.capacity = capacity
        self._write = 0  # written by the producer only
        self._read = 0  # written by the consumer only
        self.overruns = 0  # writes that did not fit whole (producer side)
        self.underruns = 0  # reads that got fewer frames than asked (consumer side)

    @property
    def write_pos(self) -> int:
        """Absolute position of the next frame the producer writes."""
        return self._write

    @property
    def read_pos(self) -> int:
        """Absolute position of the next frame the consumer reads."""
        return self._read

    def available(self) -> int:
        """Frames written and not yet read."""
        return self._write - self._read

    def free(self) -> int:
        """Frames the producer can write now."""
        return self.capacity - (self._write - self._read)

    def write(self, data: Frames) -> int:
        """Copy as many frames of ``data`` as fit; return how many. Producer only.

        A partial write counts one overrun; the caller keeps the rest.
        """
        n = min(len(data), self.capacity - (self._write - self._read))
        if n < len(data):
            self.overruns += 1
        if n <= 0:
            return 0
        w = self._write
        start = w % self.capacity
        first = min(n, self.capacity - start)
        self._buf[start : start + first] = data[:first]
        if first < n:
            self._buf[: n - first] = data[first:n]
        self._write = w + n  # publish after the copy
        return n

    def peek_into(self, out: Frames) -> int:
        """Copy up to ``len(out)`` unread frames into ``out`` without consuming them. Consumer only."""
        r = self._read
        n = min(len(out), self._write - r)
        if n <= 0:
            return 0
        start = r % self.capacity
        first = min(n, self.capacity - start)
        out[:first] = self._buf[start : start + first]
        if first < n:
            out[first:n] = self._buf[: n - first]
        return n

    def read_into(self, out: Frames) -> int:
        """Move up to ``len(out)`` frames into ``out``; return how many. Consumer only.

        Frames of ``out`` past the returned count are left untouched. A short read counts one
        underrun (a read of an empty ring for an empty ``out`` does not).
        """
        n = self.peek_into(out)
        if n < len(out):
            self.underruns += 1
        self._read += n
        return n

    def skip_to(self, pos: int) -> int:
        """Drop unread frames up to absolute ``pos`` (clamped to the write position). Consumer only.

        Returns the number of frames dropped.
        """
        target = min(pos, self._write)
        dropped = max(0, target - self._read)
        self._read += dropped
        return dropped


class OverwriteRing:
    """One writer that never waits, one reader that may lag; the oldest frames are overwritten.

    Frames live at absolute positions, so a reader always knows which position (and therefore which
    presentation time) it holds. The writer announces the span it is about to overwrite
    (``_writing``) before copying and publishes it (``_write``) after, so a reader can tell after its
    copy whether the writer lapped it meanwhile (a seqlock without a lock).

    Args:
        capacity: Frames kept.
        channels: Channels per frame (frames are ``(n, channels)``).

    Thread affinity: :meth:`write_at` from the writer only; :meth:`read` from the reader only.
    """

    def __init__(self, capacity: int, channels: int) -> None:
        if capacity <= 0 or channels <= 0:
            raise ValueError("capacity and channels must be positive")
        self._buf: Frames = np.zeros((capacity, channels), dtype=np.float32)
        self.capacity = capacity
        self.channels = channels
        self._write = 0
        self._writing = 0
        self.skipped = 0  # frames the reader lost because it fell behind (reader side)

    @property
    def write_pos(self) -> int:
        """Absolute position one past the newest frame."""
        return self._write

    def write_at(self, pos: int, data: Frames) -> None:
        """Write ``data`` at absolute position ``pos`` (>= :attr:`write_pos`). Writer only.

        A gap between :attr:`write_pos` and ``pos`` is filled with silence (the last
        ``capacity`` frames of it at most).
        """
        w = self._write
        if pos > w:
            gap_start = max(w, pos - self.capacity)
            self._copy_in(gap_start, None, pos - gap_start)
        elif pos < w:
            raise ValueError("OverwriteRing positions only move forward")
        self._copy_in(pos, data, len(data))

    def _copy_in(self, pos: int, data: Frames | None, n: int) -> None:
        if n <= 0:
            return
        if n > self.capacity:  # only the newest capacity frames can be kept
            if data is not None:
                data = data[n - self.capacity :]
            pos += n - self.capacity
            n = self.capacity
        self._writing = pos + n  # announce before overwriting
        start = pos % self.capacity
        first = min(n, self.capacity - start)
        if data is None:
            self._buf[start : start + first] = 0.0
            if first < n:
                self._buf[: n - first] = 0.0
        else:
            self._buf[start : start + first] = data[:first]
            if first < n:
                self._buf[: n - first] = data[first:n]
        self._write = pos + n

    def read(self, pos: int, max_frames: int) -> tuple[int, Frames]:
        """Copy up to ``max_frames`` frames starting at absolute ``pos``. Reader only.

        Returns ``(start, frames)``: ``start`` is ``pos`` unless the writer had already overwritten
        it, in which case reading resumes at the oldest intact frame and the lost frames are added
        to :attr:`skipped`. ``frames`` is a new array (possibly empty).
        """
        for _ in range(4):
            w = self._write
            oldest = w - self.capacity
            if pos < oldest:
                self.skipped += oldest - pos
                pos = oldest
            n = max(0, min(max_frames, w - pos))
            out: Frames = np.empty((n, self.channels), dtype=np.float32)
            start = pos % self.capacity
            first = min(n, self.capacity - start)
            out[:first] = self._buf[start : start + first]
            if first < n:
                out[first:] = self._buf[: n - first]
            # Frames below (_writing - capacity) may have been overwritten during the copy.
            clobbered = self._writing - self.capacity
            if pos >= clobbered:
                return pos, out
            # Lapped mid-copy: retry from the oldest frame the writer is not touching.
            self.skipped += clobbered - pos
            pos = clobbered
        return pos, np.empty((0, self.channels), dtype=np.float32)
