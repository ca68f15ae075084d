"""The relay's input side: its settings, its error, and the bounded buffer the WebSocket feeds.

:class:`ChunkBuffer` is the file-like object PyAV demuxes from: the socket side appends chunks
(waiting for room when the demuxer falls behind, so memory stays bounded), the relay thread reads
(blocking until data comes). Thread-safe; Qt-free.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from studio.core.errors import StudioError

__all__ = ["ChunkBuffer", "RelayConfig", "RelayError"]


class RelayError(StudioError):
    """The relay cannot go on (bad input, output unreachable, too much unread data)."""

    code = "relay_error"


@dataclass(frozen=True, slots=True)
class RelayConfig:
    """How the relay encodes and how much it buffers.

    Attributes:
        fps: Output frame rate (the browser's frames are placed on this grid).
        video_bitrate_kbps: H.264 bitrate.
        audio_bitrate_kbps: AAC bitrate.
        keyframe_s: Seconds of media between keyframes.
        max_width: Larger input is scaled down (aspect kept).
        max_height: Larger input is scaled down (aspect kept).
        x264_preset: libx264 speed preset.
        buffer_bytes: Unread WebM bytes held at most; :meth:`StreamRelay.feed` waits for room.
        feed_timeout_s: How long :meth:`StreamRelay.feed` waits for room before giving up.
        connect_retries: Reconnection attempts after the RTMP connection fails (0: fail at once).
    """

    fps: int = 30
    video_bitrate_kbps: int = 2500
    audio_bitrate_kbps: int = 128
    keyframe_s: float = 2.0
    max_width: int = 1920
    max_height: int = 1080
    x264_preset: str = "veryfast"
    buffer_bytes: int = 16 * 1024 * 1024
    feed_timeout_s: float = 10.0
    connect_retries: int = 0


class ChunkBuffer:
    """A growing byte stream: the socket side appends, the demuxer reads (blocking), memory bounded.

    Only ``read``/``readable``: PyAV treats it as a non-seekable stream. Thread-safe.

    Args:
        max_bytes: Unread bytes held at most.
    """

    def __init__(self, max_bytes: int) -> None:
        self._max = max_bytes
        self._data = bytearray()
        self._pos = 0
        self._eof = False
        self._aborted = False
        self._cond = threading.Condition()
        self.total = 0

    @property
    def unread(self) -> int:
        """Bytes waiting for the demuxer."""
        with self._cond:
            return len(self._data) - self._pos

    def put(self, data: bytes, timeout: float) -> None:
        """Append ``data``, waiting up to ``timeout`` s for room (owner thread).

        Raises:
            RelayError: no room in time (the relay cannot keep up), or the buffer was closed.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self._data) - self._pos + len(data) > self._max and self._pos < len(self._data):
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._eof or self._aborted:
                    break
                self._cond.wait(min(remaining, 0.25))
            if self._eof or self._aborted:
                raise RelayError("The relay has stopped.")
            if len(self._data) - self._pos + len(data) > self._max and self._pos < len(self._data):
                raise RelayError("The relay cannot keep up with the incoming stream.")
            if self._pos > 1024 * 1024 and self._pos * 2 > len(self._data):
                del self._data[: self._pos]
                self._pos = 0
            self._data += data
            self.total += len(data)
            self._cond.notify_all()

    def offer(self, data: bytes) -> bool:
        """Append ``data`` if it fits now; False if not (never blocks).

        Raises:
            RelayError: the buffer was closed.
        """
        with self._cond:
            if self._eof or self._aborted:
                raise RelayError("The relay has stopped.")
            if len(self._data) - self._pos + len(data) > self._max and self._pos < len(self._data):
                return False
        self.put(data, 0.0)
        return True

    def close(self) -> None:
        """No more data: the reader gets what is left, then end of stream."""
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def abort(self) -> None:
        """End the stream now; unread data is thrown away."""
        with self._cond:
            self._aborted = True
            self._data = bytearray()
            self._pos = 0
            self._cond.notify_all()

    def readable(self) -> bool:
        """Always true (PyAV checks it)."""
        return True

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes, waiting for at least one; ``b""`` at the end (relay thread)."""
        with self._cond:
            while self._pos >= len(self._data) and not self._eof and not self._aborted:
                self._cond.wait(0.5)
            if self._aborted:
                return b""
            end = len(self._data) if size is None or size < 0 else min(len(self._data), self._pos + size)
            chunk = bytes(self._data[self._pos : end])
            self._pos = end
            self._cond.notify_all()
            return chunk
