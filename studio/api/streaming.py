"""The seams and shapes of the streaming routes: StreamConfig, StreamStatus, the broadcast service.

The composition root registers ``ApiContext.services["broadcast"]`` (a :class:`BroadcastApi`: the
engine's :class:`~studio.broadcast.session.BroadcastSession`, built on first use) and, optionally,
``services["config"]`` (a :class:`ConfigService`: the live settings and how to save an area the way
the settings dialog does). Without a config service, ``PUT /api/streaming/config`` changes the
settings held by the API context for this run only and says so.

Stream keys are never in config, the database or a response: they go to the secrets store under
:func:`studio.broadcast.session.main_key_name` and read back as ``"***"``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, Field

from studio.core.errors import StudioError, ValidationError

if TYPE_CHECKING:
    from studio.broadcast.session import BroadcastSession
    from studio.broadcast.stats import StreamStats
    from studio.config.settings import AreaSettings, StudioConfig

__all__ = [
    "MASK",
    "BroadcastApi",
    "BroadcastUnavailableError",
    "ConfigService",
    "StreamConfig",
    "StreamConfigUpdate",
    "StreamStatus",
    "parse_resolution",
    "status_from_stats",
]

MASK = "***"
_NAMED = {
    "360p": (640, 360),
    "480p": (854, 480),
    "540p": (960, 540),
    "720p": (1280, 720),
    "1080p": (1920, 1080),
    "1440p": (2560, 1440),
    "2160p": (3840, 2160),
    "4k": (3840, 2160),
}
_WXH = re.compile(r"^\s*(\d{2,5})\s*[xX*×]\s*(\d{2,5})\s*$")


class BroadcastUnavailableError(StudioError):
    """No broadcast engine is registered with the API (answered with 503)."""

    code = "broadcast_unavailable"


@runtime_checkable
class BroadcastApi(Protocol):
    """What the streaming routes need from the engine (engine loop)."""

    async def session(self) -> BroadcastSession:
        """The broadcast session (built on first use; its methods block: call them in a thread)."""
        ...


@runtime_checkable
class ConfigService(Protocol):
    """The live settings and saving one area (as the settings dialog does: file + change event)."""

    def current(self) -> StudioConfig:
        """The settings in force now."""
        ...

    async def save_area(self, area: AreaSettings) -> None:
        """Replace one area, write config.toml atomically and announce the change (engine loop)."""
        ...


class StreamConfig(BaseModel):
    """``GET/PUT /api/streaming/config`` (seed StreamConfig). ``stream_key`` reads back masked."""

    rtmp_url: str = Field("", description="RTMP(S) ingest URL without the key.")
    stream_key: str = Field("", description='The stream key: "***" when one is stored, "" when none.')
    resolution: str = Field("1280x720", description="WIDTHxHEIGHT of the stream.")
    fps: int = Field(30, description="Frames per second.")
    bitrate: int = Field(2500, description="Video bitrate, kbit/s.")
    audio_codec: Literal["aac"] = "aac"
    video_codec: Literal["h264"] = "h264"


class StreamConfigUpdate(BaseModel):
    """``PUT /api/streaming/config`` body: fields left out stay as they are.

    ``stream_key``: a new key is stored in the secrets store; ``"***"`` (what GET shows) keeps the
    stored key; ``""`` removes it.
    """

    rtmp_url: str | None = Field(None, description="rtmp:// or rtmps:// URL; empty clears it.")
    stream_key: str | None = Field(None, max_length=512)
    resolution: str | None = Field(None, description="WIDTHxHEIGHT or 360p/480p/720p/1080p/1440p/2160p.")
    fps: int | None = Field(None, ge=10, le=60)
    bitrate: int | None = Field(None, ge=200, le=20000, description="Video bitrate, kbit/s.")
    audio_codec: Literal["aac"] | None = None
    video_codec: Literal["h264"] | None = None


class StreamStatus(BaseModel):
    """``GET /api/streaming/status`` (seed StreamStatus)."""

    is_connected: bool = Field(description="An RTMP server accepted the stream and is receiving it.")
    is_streaming: bool = Field(description="Going live was started (connecting, live or reconnecting).")
    start_time: str | None = Field(description="When the broadcast started (ISO 8601 UTC).")
    duration: float = Field(description="Seconds since the start.")
    bytes_sent: int = Field(description="Bytes sent to the RTMP servers.")
    frames_sent: int = Field(description="Video frames sent (the best RTMP output).")
    errors: list[str] = Field(description="Current problems (stream keys masked).")


def parse_resolution(text: str) -> tuple[int, int]:
    """``"1280x720"`` / ``"720p"`` -> (1280, 720).

    Raises:
        ValidationError: not a size the stream settings accept.
    """
    named = _NAMED.get(text.strip().lower())
    if named is not None:
        return named
    match = _WXH.match(text)
    if not match:
        raise ValidationError(f"Resolution must look like 1280x720 or 720p, not {text!r}.")
    width, height = int(match.group(1)), int(match.group(2))
    if not (160 <= width <= 3840 and 120 <= height <= 2160):
        raise ValidationError("Resolution must be between 160x120 and 3840x2160.")
    return width - width % 2, height - height % 2


def status_from_stats(stats: StreamStats) -> StreamStatus:
    """The seed's StreamStatus from the session's snapshot."""
    rtmp = [o for o in stats.outputs if o.kind == "rtmp"]
    errors = [o.last_error for o in rtmp if o.last_error and o.state in ("reconnecting", "failed")]
    if stats.encoder.error:
        errors.append(stats.encoder.error)
    started = None
    if stats.started_at is not None and (stats.live or stats.recording):
        started = datetime.fromtimestamp(stats.started_at, UTC).isoformat().replace("+00:00", "Z")
    return StreamStatus(
        is_connected=any(o.state == "live" for o in rtmp),
        is_streaming=stats.live,
        start_time=started,
        duration=round(stats.duration_s, 3) if started else 0.0,
        bytes_sent=stats.bytes_sent,
        frames_sent=max((o.frames_sent for o in rtmp), default=0),
        errors=errors,
    )
