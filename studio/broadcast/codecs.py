"""Opening the shared encoders: H.264 (hardware when it opens, else libx264) and AAC 48 kHz stereo.

The encoders live as streams of a *template* container written into memory: opening it once
fills the codec parameters and extradata (SPS/PPS, AudioSpecificConfig) that every output copies
with ``add_stream_from_template``. Nothing is ever muxed into the template.

Hardware encoders (nvenc, qsv, amf, videotoolbox) are listed by FFmpeg builds even where no such
hardware exists; they fail when opened, so each is tried once per process and remembered.
"""

from __future__ import annotations

import io
import logging
import sys
import threading
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Final

import av
from av.audio.stream import AudioStream
from av.video.stream import VideoStream

from studio.core.errors import StudioError

if TYPE_CHECKING:
    from av.container import OutputContainer

__all__ = ["EncoderConfig", "EncoderError", "OpenedEncoders", "hardware_candidates", "open_encoders"]

log = logging.getLogger(__name__)

AUDIO_RATE: Final = 48000
_HARDWARE: Final = ("h264_nvenc", "h264_qsv", "h264_amf")
_failed: set[str] = set()  # encoders that did not open in this process
_failed_lock = threading.Lock()


class EncoderError(StudioError):
    """The stream encoder could not be set up or stopped working."""

    code = "encoder_error"


@dataclass(frozen=True, slots=True)
class EncoderConfig:
    """What to encode.

    Attributes:
        width: Frame width (even).
        height: Frame height (even).
        fps: Frames per second.
        video_bitrate_kbps: Constant video bitrate.
        audio_bitrate_kbps: AAC bitrate.
        keyframe_s: Seconds between keyframes (platforms want 2).
        video_encoder: ``auto`` or an FFmpeg encoder name.
        x264_preset: libx264 speed preset.
    """

    width: int = 1280
    height: int = 720
    fps: int = 30
    video_bitrate_kbps: int = 2500
    audio_bitrate_kbps: int = 160
    keyframe_s: float = 2.0
    video_encoder: str = "auto"
    x264_preset: str = "veryfast"

    def __post_init__(self) -> None:
        if self.width <= 0 or self.height <= 0 or self.width % 2 or self.height % 2:
            raise EncoderError(f"The stream size must be even and positive, not {self.width}x{self.height}.")
        if not 1 <= self.fps <= 120:
            raise EncoderError(f"The frame rate must be 1-120, not {self.fps}.")

    @property
    def gop(self) -> int:
        """Frames between keyframes."""
        return max(1, round(self.keyframe_s * self.fps))


@dataclass(slots=True)
class OpenedEncoders:
    """The template container and its two opened encoder streams (encoder thread after opening)."""

    container: OutputContainer
    video: VideoStream
    audio: AudioStream
    video_encoder: str

    def close(self) -> None:
        """Release the template and the codecs."""
        try:
            self.container.close()
        except (av.FFmpegError, OSError, ValueError) as exc:  # nothing was muxed; only freeing
            log.debug("template close: %s", exc)


def hardware_candidates() -> tuple[str, ...]:
    """Hardware H.264 encoders worth trying on this OS, best first."""
    if sys.platform == "darwin":
        return ("h264_videotoolbox",)
    return _HARDWARE


def _video_options(name: str, config: EncoderConfig) -> dict[str, str]:
    kbps = config.video_bitrate_kbps
    common = {"g": str(config.gop), "bf": "0", "maxrate": f"{kbps}k", "bufsize": f"{kbps}k"}
    if name == "libx264":
        return {
            **common,
            "preset": config.x264_preset,
            "tune": "zerolatency",
            "keyint_min": str(config.gop),
            "sc_threshold": "0",  # keyframes exactly every keyframe_s: platforms check it
            "nal-hrd": "cbr",
        }
    if name == "h264_nvenc":
        return {**common, "preset": "p4", "tune": "ll", "rc": "cbr", "zerolatency": "1"}
    if name == "h264_qsv":
        return {**common, "preset": "veryfast", "look_ahead": "0"}
    if name == "h264_amf":
        return {**common, "usage": "lowlatency", "rc": "cbr"}
    if name == "h264_videotoolbox":
        return {**common, "realtime": "1"}
    return common


def _open(name: str, config: EncoderConfig) -> OpenedEncoders:
    container = av.open(io.BytesIO(), mode="w", format="mp4")
    try:
        video = container.add_stream(name, rate=config.fps)
        if not isinstance(video, VideoStream):
            raise ValueError(f"{name} is not a video encoder")
        video.width = config.width
        video.height = config.height
        video.pix_fmt = "nv12" if name in ("h264_qsv", "h264_videotoolbox") else "yuv420p"
        video.time_base = Fraction(1, config.fps)
        video.codec_context.time_base = Fraction(1, config.fps)
        video.codec_context.framerate = Fraction(config.fps, 1)
        video.bit_rate = config.video_bitrate_kbps * 1000
        video.codec_context.options = _video_options(name, config)
        audio = container.add_stream("aac", rate=AUDIO_RATE)
        assert isinstance(audio, AudioStream)
        audio.layout = "stereo"
        audio.bit_rate = config.audio_bitrate_kbps * 1000
        audio.time_base = Fraction(1, AUDIO_RATE)
        audio.codec_context.time_base = Fraction(1, AUDIO_RATE)
        container.start_encoding()  # opens both codecs and fills codecpar + extradata
    except BaseException:
        try:
            container.close()
        except Exception as exc:  # a half-opened template; the original error matters
            log.debug("closing a failed template: %s", exc)
        raise
    return OpenedEncoders(container, video, audio, name)


def open_encoders(config: EncoderConfig) -> OpenedEncoders:
    """Open H.264 + AAC for ``config``: the configured encoder, or with ``auto`` the first hardware
    encoder that opens, else libx264.

    Raises:
        EncoderError: nothing could be opened (the message says what was tried and why).
    """
    if config.video_encoder == "auto":
        candidates = [*hardware_candidates(), "libx264"]
    else:
        candidates = [config.video_encoder]
        if config.video_encoder != "libx264":
            candidates.append("libx264")
    reasons: list[str] = []
    for name in candidates:
        with _failed_lock:
            if name in _failed and name != "libx264":
                continue
        try:
            opened = _open(name, config)
        except (av.FFmpegError, ValueError, OSError, NotImplementedError) as exc:
            reasons.append(f"{name}: {exc}")
            with _failed_lock:
                _failed.add(name)
            log.info("video encoder %s unavailable: %s", name, exc)
            continue
        if name != candidates[0] and config.video_encoder != "auto":
            log.warning("video encoder %s did not open; using %s", config.video_encoder, name)
        log.info(
            "encoders open",
            extra={"video": name, "size": f"{config.width}x{config.height}", "fps": config.fps},
        )
        return opened
    raise EncoderError("No H.264 encoder could be opened: " + "; ".join(reasons))
