"""What the broadcast reports, like OBS: fps, bitrate, skipped/missed/dropped frames, congestion.

Three kinds of lost frames, named as OBS names them so streamers recognise them:

* **missed** (render): the renderer delivered no frame for a frame slot (render lag);
* **skipped** (encoder): a rendered frame was thrown away because the encoder's queue was full;
* **dropped** (network): an encoded frame was thrown away by an output that could not send it
  (congestion or a lost connection).

Snapshots are immutable and cheap; the session publishes one :class:`StreamStatsEvent` per second.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Literal

from studio.core.events import Event

__all__ = [
    "BitrateMeter",
    "EncoderStats",
    "OutputKind",
    "OutputState",
    "OutputStats",
    "StreamStats",
    "StreamStatsEvent",
]

OutputState = Literal["idle", "connecting", "live", "reconnecting", "stopped", "failed"]
OutputKind = Literal["rtmp", "file"]


@dataclass(frozen=True, slots=True)
class OutputStats:
    """One destination (an RTMP server or a recording file).

    Attributes:
        name: Output id (``main``, an extra output's id, or ``recording``).
        kind: ``rtmp`` or ``file``.
        target: Where it goes, safe to show: the stream key is masked.
        state: Connection state.
        bytes_sent: Payload bytes handed to the server/file.
        frames_sent: Video frames handed to the server/file.
        dropped_frames: Video frames thrown away (congestion or no connection).
        congestion: Send-queue fill, 0 (idle) .. 1 (full: dropping).
        bitrate_kbps: Payload rate over the last seconds.
        reconnects: Successful reconnections.
        outage_s: Total seconds spent reconnecting.
        duration_s: Seconds since the output started.
        last_error: The last connection error (key masked), if any.
    """

    name: str
    kind: OutputKind
    target: str
    state: OutputState = "idle"
    bytes_sent: int = 0
    frames_sent: int = 0
    dropped_frames: int = 0
    congestion: float = 0.0
    bitrate_kbps: float = 0.0
    reconnects: int = 0
    outage_s: float = 0.0
    duration_s: float = 0.0
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class EncoderStats:
    """The shared encode.

    Attributes:
        running: The encoder thread runs.
        video_encoder: Codec in use (``libx264``, ``h264_nvenc`` ...).
        width: Frame width.
        height: Frame height.
        fps_target: Configured frame rate.
        fps: Frames encoded per second over the last second.
        frames_encoded: Video frames encoded.
        skipped_frames: Frames thrown away because the encoder queue was full.
        missed_frames: Frame slots the renderer delivered nothing for.
        audio_gap_s: Audio the encoder lost because it read the mix too late (filled with silence).
        bitrate_kbps: Encoded audio + video rate over the last seconds.
        encode_ms_mean: Mean encode time per video frame.
        duration_s: Media time encoded (video timeline).
        av_skew_ms: Audio encoded ahead of the video right now (buffering, not an offset: both are
            muxed by timestamp).
        av_drift_ms: Largest A/V offset of any frame so far: the frame shown at ``n / fps`` was
            rendered for the sound heard at its MediaClock pts; at most half a frame when the
            renderer keeps time.
        error: Why the encoder stopped on its own, if it did.
    """

    running: bool = False
    video_encoder: str = ""
    width: int = 0
    height: int = 0
    fps_target: float = 0.0
    fps: float = 0.0
    frames_encoded: int = 0
    skipped_frames: int = 0
    missed_frames: int = 0
    audio_gap_s: float = 0.0
    bitrate_kbps: float = 0.0
    encode_ms_mean: float = 0.0
    duration_s: float = 0.0
    av_skew_ms: float = 0.0
    av_drift_ms: float = 0.0
    error: str | None = None


@dataclass(frozen=True, slots=True)
class StreamStats:
    """Everything the Stream panel and ``/api/streaming/status`` show.

    Attributes:
        live: At least one RTMP output is running.
        recording: A recording file is being written.
        started_at: Wall-clock start (seconds since the epoch), ``None`` when idle.
        encoder: The shared encode.
        outputs: Each destination.
    """

    live: bool = False
    recording: bool = False
    started_at: float | None = None
    encoder: EncoderStats = field(default_factory=EncoderStats)
    outputs: tuple[OutputStats, ...] = ()

    @property
    def dropped_frames(self) -> int:
        """Network drops of the worst output."""
        return max((o.dropped_frames for o in self.outputs), default=0)

    @property
    def bytes_sent(self) -> int:
        """Bytes sent to all RTMP outputs."""
        return sum(o.bytes_sent for o in self.outputs if o.kind == "rtmp")

    @property
    def congestion(self) -> float:
        """Worst congestion of the RTMP outputs (0..1)."""
        return max((o.congestion for o in self.outputs if o.kind == "rtmp"), default=0.0)

    @property
    def duration_s(self) -> float:
        """Seconds since going live / starting to record."""
        return 0.0 if self.started_at is None else max(0.0, time.time() - self.started_at)


@dataclass(frozen=True, slots=True, kw_only=True)
class StreamStatsEvent(Event):
    """Published once per second while the encoder runs (engine loop)."""

    stats: StreamStats


class BitrateMeter:
    """Bytes over a sliding window -> kbit/s. Single-thread use (the owner's thread)."""

    def __init__(self, window_s: float = 2.0) -> None:
        self._window = window_s
        self._samples: deque[tuple[float, int]] = deque()
        self._total = 0

    def add(self, nbytes: int, now: float | None = None) -> None:
        """Count ``nbytes`` sent at ``now`` (monotonic seconds)."""
        t = time.monotonic() if now is None else now
        self._samples.append((t, nbytes))
        self._total += nbytes
        self._trim(t)

    def kbps(self, now: float | None = None) -> float:
        """The rate over the window ending at ``now``."""
        t = time.monotonic() if now is None else now
        self._trim(t)
        if not self._samples:
            return 0.0
        span = max(t - self._samples[0][0], self._window / 2)
        return self._total * 8 / 1000 / span

    def _trim(self, now: float) -> None:
        while self._samples and now - self._samples[0][0] > self._window:
            self._total -= self._samples.popleft()[1]
