"""Sample-rate conversion with soxr, one-shot or streaming (state kept across chunks).

A streaming resampler keeps soxr's filter state between chunks, so an utterance that arrives in
pieces is converted as if it were one signal (no clicks at chunk edges). soxr holds back a few
milliseconds of output (its filter delay, :attr:`StreamResampler.pending`) until more input
arrives or :meth:`StreamResampler.flush` is called; the output stays aligned with the input
timeline (output frame ``k`` is input time ``k / out_rate``).

Thread affinity: none; a :class:`StreamResampler` belongs to one producer at a time. Never call
from an audio callback (soxr allocates).
"""

from __future__ import annotations

import numpy as np
import soxr

from studio.audio.ring import Frames

QUALITY = "HQ"


def resample(pcm: Frames, in_rate: int, out_rate: int, quality: str = QUALITY) -> Frames:
    """Convert a whole signal (``(n,)`` or ``(n, channels)`` float32) from ``in_rate`` to ``out_rate``."""
    data = np.ascontiguousarray(pcm, dtype=np.float32)
    if in_rate == out_rate or len(data) == 0:
        return data.copy()
    out = soxr.resample(data, in_rate, out_rate, quality=quality)
    return np.asarray(out, dtype=np.float32)


class StreamResampler:
    """Chunked conversion from ``in_rate`` to ``out_rate`` keeping filter state between chunks.

    Args:
        in_rate: Input frames per second.
        out_rate: Output frames per second.
        channels: ``0`` for 1-D mono input/output, else ``(n, channels)`` arrays.
        quality: soxr quality preset (``"QQ"``, ``"LQ"``, ``"MQ"``, ``"HQ"``, ``"VHQ"``).
    """

    def __init__(self, in_rate: int, out_rate: int, channels: int = 0, quality: str = QUALITY) -> None:
        if in_rate <= 0 or out_rate <= 0:
            raise ValueError("sample rates must be positive")
        self.in_rate = in_rate
        self.out_rate = out_rate
        self.channels = channels
        self._quality = quality
        self._passthrough = in_rate == out_rate
        self._stream: soxr.ResampleStream | None = None
        self.frames_in = 0  # input frames accepted since the last reset
        self.frames_out = 0  # output frames produced since the last reset
        self._new_stream()

    def _new_stream(self) -> None:
        self._stream = (
            None
            if self._passthrough
            else soxr.ResampleStream(
                self.in_rate, self.out_rate, max(1, self.channels), dtype="float32", quality=self._quality
            )
        )
        self.frames_in = 0
        self.frames_out = 0

    @property
    def ratio(self) -> float:
        """Output frames per input frame."""
        return self.out_rate / self.in_rate

    @property
    def pending(self) -> int:
        """Output frames owed for input already given (released by later input or :meth:`flush`)."""
        return max(0, round(self.frames_in * self.ratio) - self.frames_out)

    def output_position(self, input_frames: int) -> int:
        """Output frame index (since the last reset) that corresponds to input frame ``input_frames``."""
        return round(input_frames * self.ratio)

    def process(self, pcm: Frames) -> Frames:
        """Convert the next chunk; returns whatever output is ready (possibly fewer frames)."""
        data = np.ascontiguousarray(pcm, dtype=np.float32)
        self.frames_in += len(data)
        out = data.copy() if self._stream is None else self._run(data, last=False)
        self.frames_out += len(out)
        return out

    def flush(self) -> Frames:
        """Release the held-back tail and start a fresh stream (the next chunk begins a new signal)."""
        if self._stream is None:
            self._new_stream()
            return np.zeros((0,) if self.channels == 0 else (0, self.channels), dtype=np.float32)
        empty = np.zeros((0,) if self.channels == 0 else (0, self.channels), dtype=np.float32)
        tail = self._run(empty, last=True)
        self._new_stream()
        return tail

    def reset(self) -> None:
        """Drop all state and held-back output (e.g. on barge-in)."""
        self._new_stream()

    def _run(self, data: Frames, *, last: bool) -> Frames:
        assert self._stream is not None
        out = self._stream.resample_chunk(data, last=last)
        return np.asarray(out, dtype=np.float32)
