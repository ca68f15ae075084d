"""The broadcast session: one encode of the avatar + stream mix, any number of RTMP outputs and a recording.

:class:`BroadcastSession` is what "Go live", "Record", ``studio demo``, ``studio bench stream`` and
the streaming API routes drive. It starts the video feed (the headless stage, or the GUI's
readback) and the :class:`~studio.broadcast.encoder.Encoder` when the first output starts, and
stops them when the last one stops. Going live and recording are independent: recording keeps
running while the stream reconnects, and either can start or stop while the other runs.

Stream keys come from the secrets store (``stream.key``, ``stream.key.<id>``) at the moment of
going live and are never kept, logged or shown.

Threads: every method blocks (codec opening, thread joins) — call them from a worker thread
(``asyncio.to_thread`` on the engine loop); they are serialised by a lock. :meth:`stats` is
any-thread. State changes go to the bus from output threads with ``publish_threadsafe``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from studio.broadcast.codecs import EncoderConfig
from studio.broadcast.encoder import Encoder
from studio.broadcast.mux import FILE_FORMATS, MuxOutput, RetryPolicy, file_output, rtmp_output
from studio.broadcast.packets import AudioSource
from studio.broadcast.presets import join_rtmp_url, redact_url, validate_server
from studio.broadcast.stats import OutputState, StreamStats, StreamStatsEvent
from studio.core.errors import ValidationError
from studio.core.events import StreamStateEvent

StreamEventState = Literal["offline", "connecting", "live", "reconnecting", "failed"]

if TYPE_CHECKING:
    from studio.audio.ring import Frames
    from studio.config.settings import StreamSettings
    from studio.core.bus import EventBus

__all__ = ["BroadcastSession", "OutputTarget", "VideoFeed", "encoder_config", "main_key_name"]

log = logging.getLogger(__name__)

FrameSink = Callable[[float, "Frames"], object]
"""(MediaClock pts, ``(h, w, 4)`` RGBA frame) -> ignored; must not block."""

_EVENT_STATE: dict[OutputState, StreamEventState] = {
    "idle": "offline",
    "connecting": "connecting",
    "live": "live",
    "reconnecting": "reconnecting",
    "stopped": "offline",
    "failed": "failed",
}


class VideoFeed(Protocol):
    """Where frames come from: the headless stage, or the GUI's avatar readback."""

    def start(self, sink: FrameSink) -> None:
        """Start delivering frames to ``sink`` (blocks until the first frame can come)."""
        ...

    def stop(self) -> None:
        """Stop delivering frames."""
        ...


@dataclass(frozen=True, slots=True)
class OutputTarget:
    """One RTMP destination to go live to.

    Attributes:
        name: Output id (``main`` or an extra output id).
        server: ``rtmp://`` or ``rtmps://`` ingest URL (no key).
        key: The stream key (kept only as long as the output runs).
    """

    name: str
    server: str
    key: str = ""

    def __repr__(self) -> str:  # the key never appears in a repr, log line or traceback
        return f"OutputTarget(name={self.name!r}, server={self.server!r}, key=***)"


def main_key_name(output: str = "main") -> str:
    """The secret's name holding ``output``'s stream key."""
    return "stream.key" if output == "main" else f"stream.key.{output}"


def encoder_config(settings: StreamSettings) -> EncoderConfig:
    """Encoder parameters from the stream settings."""
    return EncoderConfig(
        width=settings.width,
        height=settings.height,
        fps=settings.fps,
        video_bitrate_kbps=settings.video_bitrate_kbps,
        audio_bitrate_kbps=settings.audio_bitrate_kbps,
        keyframe_s=settings.keyframe_s,
        video_encoder=settings.video_encoder,
        x264_preset=settings.x264_preset,
    )


class BroadcastSession:
    """Go live, record, stop; stats.

    Args:
        settings: The ``[stream]`` settings (read at each start, so changes apply next time).
        audio: The stream mix.
        video: The frame feed.
        recordings_dir: Where recordings are written (created when needed).
        bus: Where state and stats events go (optional).
        secret: Reads a secret by name (the secrets store's ``get``); ``None`` -> no stored keys.
    """

    def __init__(
        self,
        settings: StreamSettings,
        audio: AudioSource,
        video: VideoFeed,
        recordings_dir: Path,
        *,
        bus: EventBus | None = None,
        secret: Callable[[str], str | None] | None = None,
    ) -> None:
        self.settings = settings
        self._audio = audio
        self._video = video
        self._recordings = recordings_dir
        self._bus = bus
        self._secret = secret
        self._lock = threading.RLock()
        self._encoder: Encoder | None = None
        self._started_at: float | None = None
        self._recording_path: Path | None = None

    # ---- queries (any thread) ----

    @property
    def live(self) -> bool:
        """At least one RTMP output runs."""
        enc = self._encoder
        return enc is not None and any(o.stats.kind == "rtmp" for o in enc.outputs)

    @property
    def recording(self) -> Path | None:
        """The file being recorded, if any."""
        return self._recording_path

    def stats(self) -> StreamStats:
        """A snapshot of everything."""
        enc = self._encoder
        if enc is None:
            return StreamStats()
        outputs = tuple(o.stats for o in enc.outputs)
        return StreamStats(
            live=any(o.kind == "rtmp" for o in outputs),
            recording=any(o.kind == "file" for o in outputs),
            started_at=self._started_at,
            encoder=enc.stats,
            outputs=outputs,
        )

    def publish_stats(self) -> None:
        """Publish one :class:`StreamStatsEvent` (call once per second while running)."""
        if self._bus is not None and self._encoder is not None:
            self._bus.publish_threadsafe(StreamStatsEvent(stats=self.stats()))

    # ---- control (blocking; one at a time) ----

    def targets_from_settings(self) -> list[OutputTarget]:
        """The main output and the enabled extra outputs, keys read from the secrets store.

        Raises:
            ValidationError: no server configured, or a server URL is not rtmp(s)://.
        """
        s = self.settings
        if not s.server.strip():
            raise ValidationError("Choose a platform or enter the RTMP server URL before going live.")
        targets = [OutputTarget("main", validate_server(s.server), self._read_key("main"))]
        for extra in s.extra_outputs:
            if extra.enabled:
                targets.append(
                    OutputTarget(extra.id, validate_server(extra.server), self._read_key(extra.id))
                )
        return targets

    def go_live(self, targets: list[OutputTarget] | None = None) -> None:
        """Start streaming to ``targets`` (default: from the settings). Outputs already live stay.

        Connecting happens in the background: watch :class:`StreamStateEvent` / :meth:`stats`.

        Raises:
            ValidationError: bad server URL or key.
            EncoderError: the encoder could not be opened.
        """
        targets = self.targets_from_settings() if targets is None else targets
        if not targets:
            raise ValidationError("No stream destination is configured.")
        outputs = []
        for target in targets:
            url = join_rtmp_url(target.server, target.key)
            outputs.append(
                rtmp_output(
                    target.name,
                    url,
                    redact_url(url, target.key) if target.key else redact_url(url),
                    key=target.key,
                    retry=RetryPolicy(
                        self.settings.reconnect_retries,
                        self.settings.reconnect_delay_s,
                        self.settings.reconnect_max_delay_s,
                    ),
                    on_state=self._state_changed,
                )
            )
        with self._lock:
            encoder = self._ensure_running()
            running = {o.name for o in encoder.outputs}
            for output in outputs:
                if output.name not in running:
                    encoder.add_output(output)
            log.info("going live", extra={"outputs": [o.name for o in outputs]})
            if self.settings.record_with_stream and self._recording_path is None:
                self.start_recording()

    def stop_live(self, timeout: float = 5.0) -> None:
        """Stop every RTMP output (each flushes and tells its server); keep recording if it runs."""
        with self._lock:
            enc = self._encoder
            if enc is None:
                return
            for output in list(enc.outputs):
                if output.stats.kind == "rtmp":
                    removed = enc.remove_output(output.name)
                    if removed is not None:
                        removed.stop(timeout)
            self._stop_if_idle()

    def start_recording(self, fmt: str | None = None, path: Path | None = None) -> Path:
        """Record to a new file in the recordings folder (or ``path``, which must be inside it)."""
        fmt = fmt or self.settings.record_format
        if fmt not in FILE_FORMATS:
            raise ValidationError(f"Recording format must be one of {', '.join(FILE_FORMATS)}.")
        with self._lock:
            if self._recording_path is not None:
                return self._recording_path
            self._recordings.mkdir(parents=True, exist_ok=True)
            if path is None:
                stamp = datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
                path = self._recordings / f"cream-{stamp}.{fmt}"
                n = 1
                while path.exists():
                    path = self._recordings / f"cream-{stamp}-{n}.{fmt}"
                    n += 1
            output: MuxOutput = file_output("recording", path, fmt, on_state=self._state_changed)
            encoder = self._ensure_running()
            encoder.add_output(output)
            self._recording_path = path
            log.info("recording", extra={"path": str(path)})
            return path

    def stop_recording(self, timeout: float = 10.0) -> Path | None:
        """Finish the recording file (valid and complete when this returns)."""
        with self._lock:
            path, self._recording_path = self._recording_path, None
            enc = self._encoder
            if enc is not None:
                removed = enc.remove_output("recording")
                if removed is not None:
                    removed.stop(timeout)
            self._stop_if_idle()
            return path

    def stop(self, timeout: float = 10.0) -> None:
        """Stop everything: encoder flushed into every output, files finished, servers told."""
        with self._lock:
            enc, self._encoder = self._encoder, None
            if enc is None:
                return
            self._video.stop()
            enc.stop(timeout)
            for output in list(enc.outputs):
                enc.remove_output(output.name)
                output.stop(timeout)
            self._recording_path = None
            self._started_at = None
            log.info("broadcast stopped")

    # ---- internals ----

    def _read_key(self, output: str) -> str:
        if self._secret is None:
            return ""
        return (self._secret(main_key_name(output)) or "").strip()

    def _ensure_running(self) -> Encoder:
        if self._encoder is not None and self._encoder.running:
            return self._encoder
        encoder = Encoder(encoder_config(self.settings), self._audio)
        encoder.start()
        try:
            self._video.start(encoder.push_frame)
        except BaseException:
            encoder.stop()
            raise
        self._encoder = encoder
        self._started_at = time.time()
        return encoder

    def _stop_if_idle(self) -> None:
        enc = self._encoder
        if enc is not None and not enc.outputs:
            self.stop()

    def _state_changed(self, name: str, state: OutputState, detail: str) -> None:
        if self._bus is not None:
            self._bus.publish_threadsafe(
                StreamStateEvent(state=_EVENT_STATE[state], detail=detail, output=name)
            )
