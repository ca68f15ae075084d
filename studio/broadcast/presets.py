"""Platform presets: where each platform's ingest lives and what it recommends.

The numbers are the platforms' published recommendations for a 30 fps talking-avatar stream,
capped at what a streaming PC without a GPU sustains (platform-notes: 720p30 on 2 cores). The
streamer can change every value; the preset only fills the form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from studio.core.errors import ValidationError

__all__ = ["PRESETS", "PlatformPreset", "join_rtmp_url", "preset", "redact_url", "validate_server"]


@dataclass(frozen=True, slots=True)
class PlatformPreset:
    """Recommended settings of one platform.

    Attributes:
        id: Preset id (``StreamSettings.preset``).
        name: Display name.
        server: Default ingest URL ("" when the platform hands out a URL per broadcast).
        width: Recommended width.
        height: Recommended height.
        fps: Recommended frames per second.
        video_bitrate_kbps: Recommended video bitrate.
        audio_bitrate_kbps: Recommended AAC bitrate.
        max_video_bitrate_kbps: The platform's ceiling (ingest refuses or throttles above it).
        key_hint: Where the streamer finds the stream key.
    """

    id: str
    name: str
    server: str
    width: int
    height: int
    fps: int
    video_bitrate_kbps: int
    audio_bitrate_kbps: int
    max_video_bitrate_kbps: int
    key_hint: str


PRESETS: Final[dict[str, PlatformPreset]] = {
    p.id: p
    for p in (
        PlatformPreset(
            "bilibili", "Bilibili 哔哩哔哩", "rtmp://live-push.bilivideo.com/live-bvc/",
            1920, 1080, 30, 6000, 192, 8000, "link.bilibili.com -> 我的直播间 -> 开播设置 (串流密钥)",
        ),
        PlatformPreset(
            "douyin", "Douyin 抖音", "",
            1920, 1080, 30, 6000, 192, 8000, "抖音直播伴侣 -> 推流地址 (per broadcast)",
        ),
        PlatformPreset(
            "kuaishou", "Kuaishou 快手", "",
            1280, 720, 30, 4000, 160, 6000, "快手直播伴侣 -> 推流设置 (per broadcast)",
        ),
        PlatformPreset(
            "twitch", "Twitch", "rtmp://live.twitch.tv/app/",
            1280, 720, 30, 4500, 160, 6000, "dashboard.twitch.tv -> Settings -> Stream -> Primary stream key",
        ),
        PlatformPreset(
            "youtube", "YouTube", "rtmp://a.rtmp.youtube.com/live2/",
            1920, 1080, 30, 9000, 128, 12000, "studio.youtube.com -> Go live -> Stream key",
        ),
        PlatformPreset(
            "xiaohongshu", "Xiaohongshu 小红书", "",
            1280, 720, 30, 3000, 128, 6000, "小红书 -> 电脑直播 -> 推流地址 (per broadcast)",
        ),
        PlatformPreset(
            "custom", "Custom RTMP server", "",
            1280, 720, 30, 2500, 160, 50000, "your server documentation",
        ),
    )
}  # fmt: skip


def preset(preset_id: str) -> PlatformPreset:
    """The preset ``preset_id`` (``custom`` for an unknown id)."""
    return PRESETS.get(preset_id, PRESETS["custom"])


def validate_server(server: str) -> str:
    """Check an ingest URL: ``rtmp://`` or ``rtmps://`` with a host, no credentials, no spaces.

    Returns:
        The URL stripped of surrounding whitespace.

    Raises:
        ValidationError: with a message a streamer can act on.
    """
    url = server.strip()
    if not url:
        raise ValidationError("Enter the RTMP server URL of your platform (rtmp://... or rtmps://...).")
    parts = urlsplit(url)
    if parts.scheme not in ("rtmp", "rtmps") or not parts.hostname:
        raise ValidationError(f"The server must be an rtmp:// or rtmps:// URL with a host, not {url!r}.")
    if parts.username or parts.password:
        raise ValidationError("Put the stream key in the key field, not user:password in the server URL.")
    if any(ch.isspace() for ch in url):
        raise ValidationError("The server URL must not contain spaces.")
    return url


def join_rtmp_url(server: str, key: str) -> str:
    """``server`` + ``/`` + ``key`` without a double slash (the key may be empty: then the server)."""
    base = validate_server(server)
    key = key.strip()
    if any(ch.isspace() for ch in key):
        raise ValidationError("The stream key must not contain spaces.")
    if not key:
        return base
    return base.rstrip("/") + "/" + key.lstrip("/")


def redact_url(url: str, key: str | None = None) -> str:
    """A URL safe to show or log: the key (or, without one, the last path segment) masked."""
    if key:
        return url.replace(key, "***")
    parts = urlsplit(url)
    if parts.scheme in ("rtmp", "rtmps") and parts.path.count("/") >= 2:
        head, _, tail = url.rpartition("/")
        return f"{head}/***" if tail else url
    return url
