"""The stream relay: a browser's WebM (VP8/VP9/H.264 + Opus) in chunks -> H.264 + AAC FLV -> RTMP.

StreamCream's front end records the screen with ``MediaRecorder`` and sends a WebM chunk every
100 ms over a WebSocket; the original server piped them into an ``ffmpeg`` process. Here the
chunks go into a :class:`ChunkBuffer` (a bounded, growing file-like object), PyAV demuxes and
decodes it on the relay thread, the shared encoders of :mod:`studio.broadcast.codecs` re-encode
(libx264 veryfast zerolatency, a keyframe every ``keyframe_s`` of media time; AAC 48 kHz stereo)
and a :class:`~studio.broadcast.mux.MuxOutput` sends FLV to ``rtmp_url/stream_key`` (joined
without a double slash). Stopping flushes the encoders, writes the trailer and tells the server.

Timing: output timestamps are the WebM timestamps (the browser's recording clock) minus the first
one, so sound and picture keep the pairing the browser recorded. Video frames are placed on the
``1/fps`` grid; a second frame for an occupied slot is dropped (counted).

Threads: :meth:`StreamRelay.start`, :meth:`feed`, :meth:`pause`, :meth:`finish` and
:meth:`abort` from one owner thread (the API runs them with ``asyncio.to_thread``); demuxing,
decoding and encoding on the relay thread; muxing on the output's own thread. Qt-free.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Final, Literal

import av
import numpy as np

from studio.broadcast.codecs import AUDIO_RATE, EncoderConfig, OpenedEncoders, open_encoders
from studio.broadcast.mux import MuxOutput, RetryPolicy
from studio.broadcast.packets import EncodedPacket, PacketKind, StreamTemplates
from studio.broadcast.presets import join_rtmp_url, redact_url
from studio.broadcast.relay_input import ChunkBuffer, RelayConfig, RelayError
from studio.core.errors import StudioError
from studio.core.logging import redactor

if TYPE_CHECKING:
    from av.audio.frame import AudioFrame
    from av.packet import Packet
    from av.video.frame import VideoFrame

    from studio.broadcast.stats import OutputState, OutputStats

__all__ = ["ChunkBuffer", "RelayConfig", "RelayError", "RelayState", "StreamRelay"]

log = logging.getLogger(__name__)

RelayState = Literal["idle", "starting", "live", "paused", "stopped", "failed"]
_AAC_FRAME: Final = 1024
_INPUT_OPTIONS: Final = {"probesize": "262144", "analyzeduration": "1000000"}


EventCallback = Callable[[str, str], None]
"""(``started`` | ``error`` | ``stopped``, detail) — called on the relay or output thread."""


class StreamRelay:
    """One relayed stream: WebM chunks in, RTMP out.

    Args:
        rtmp_url: ``rtmp://`` or ``rtmps://`` ingest URL.
        stream_key: The stream key (may be empty when the URL carries it); never logged.
        config: Encoding and buffering.
        on_event: Told when the output is open, when an error ends the relay, and when it stopped.

    Raises:
        ValidationError: bad URL or key (from :func:`join_rtmp_url`).
    """

    def __init__(
        self,
        rtmp_url: str,
        stream_key: str,
        config: RelayConfig | None = None,
        *,
        on_event: EventCallback | None = None,
    ) -> None:
        redactor.register(stream_key.strip())
        self._url = join_rtmp_url(rtmp_url, stream_key)
        self._key = stream_key.strip()
        self.shown_url = redact_url(self._url, self._key) if self._key else redact_url(self._url)
        self.config = config or RelayConfig()
        self._on_event = on_event
        self.buffer = ChunkBuffer(self.config.buffer_bytes)
        self._thread: threading.Thread | None = None
        self._output: MuxOutput | None = None
        self._final_stats: OutputStats | None = None
        self._paused = threading.Event()
        self._aborted = threading.Event()
        self._force_key = False
        self.state: RelayState = "idle"
        self.error: str | None = None
        self.frames_in = 0
        self.frames_encoded = 0
        self.frames_dropped = 0
        self.decode_errors = 0
        # relay-thread state
        self._enc: OpenedEncoders | None = None
        self._t0: float | None = None
        self._last_index = -1
        self._next_key_index = 0
        self._resampler: av.AudioResampler | None = None
        self._next_sample: int | None = None
        self._has_audio = False

    # ---- owner thread ----

    @property
    def output_stats(self) -> OutputStats | None:
        """The RTMP output's snapshot (the last one after it stopped), once it exists (any thread)."""
        output = self._output
        return self._final_stats if output is None else output.stats

    def start(self) -> None:
        """Start the relay thread; it opens the output once the first frames are decoded."""
        if self._thread is not None:
            return
        self.state = "starting"
        self._thread = threading.Thread(target=self._run, name="studio-relay", daemon=True)
        self._thread.start()

    def offer(self, chunk: bytes) -> bool:
        """Hand one chunk over if there is room now (never blocks; any thread).

        Returns:
            False when the buffer is full: call :meth:`feed` (which waits) from a worker thread.

        Raises:
            RelayError: the relay stopped.
        """
        if self.error is not None:
            raise RelayError(self.error)
        return self.buffer.offer(chunk)

    def feed(self, chunk: bytes) -> None:
        """Hand one WebM chunk to the demuxer (blocks while the buffer is full).

        Raises:
            RelayError: the relay stopped or cannot keep up.
        """
        if self.error is not None:
            raise RelayError(self.error)
        self.buffer.put(chunk, self.config.feed_timeout_s)

    def pause(self) -> None:
        """Keep reading the WebM but send nothing until :meth:`resume`."""
        if not self._paused.is_set():
            self._paused.set()
            if self.state == "live":
                self.state = "paused"

    def resume(self) -> None:
        """Send again, starting with a keyframe."""
        if self._paused.is_set():
            self._force_key = True
            self._paused.clear()
            if self.state == "paused":
                self.state = "live"

    def finish(self, timeout: float = 10.0) -> None:
        """End of input: decode what is buffered, flush, write the trailer, close (blocking)."""
        self.buffer.close()
        self._join(timeout)

    def abort(self, timeout: float = 5.0) -> None:
        """Stop now: unread input is dropped; what was encoded is still sent and the stream closed."""
        self._aborted.set()
        self.buffer.abort()
        self._join(timeout)

    def _join(self, timeout: float) -> None:
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                log.warning("relay thread did not stop in %.0f s", timeout)
                self._aborted.set()
                self.buffer.abort()
                thread.join(5.0)

    # ---- relay thread ----

    def _emit_event(self, kind: str, detail: str = "") -> None:
        if self._on_event is not None:
            try:
                self._on_event(kind, detail)
            except Exception:
                log.exception("relay event callback failed")

    def _mask(self, text: str) -> str:
        if self._key:
            text = text.replace(self._key, "***")
        return redactor.redact(text)

    def _run(self) -> None:
        try:
            self._relay()
        except Exception as exc:
            message = exc.user_message if isinstance(exc, StudioError) else f"{type(exc).__name__}: {exc}"
            self._fail(self._mask(message))
        finally:
            self._stop_output()
            if self._enc is not None:
                self._enc.close()
                self._enc = None
            if self.state != "failed":
                self.state = "stopped"
            log.info(
                "relay stopped",
                extra={
                    "target": self.shown_url,
                    "frames": self.frames_encoded,
                    "bytes_in": self.buffer.total,
                },
            )
            self._emit_event("stopped", self.error or "")

    def _fail(self, message: str) -> None:
        if self.error is None:
            self.error = message
            self.state = "failed"
            log.warning("relay failed: %s", message)
            self.buffer.abort()
            self._emit_event("error", message)

    def _relay(self) -> None:
        try:
            container = av.open(self.buffer, mode="r", format="matroska", options=dict(_INPUT_OPTIONS))
        except (av.FFmpegError, ValueError) as exc:
            if self._aborted.is_set() or self.buffer.total == 0:
                return
            raise RelayError(f"The stream is not WebM/Matroska: {exc}") from exc
        try:
            video = container.streams.video[0] if container.streams.video else None
            audio = container.streams.audio[0] if container.streams.audio else None
            if video is None:
                raise RelayError("The WebM stream has no video track.")
            self._has_audio = audio is not None
            streams = [s for s in (video, audio) if s is not None]
            for packet in container.demux(streams):
                if self._aborted.is_set() or self.error is not None:
                    return
                try:
                    frames = packet.decode()
                except av.FFmpegError:
                    self.decode_errors += 1
                    continue
                for frame in frames:
                    if packet.stream is video:
                        self._on_video(frame)  # type: ignore[arg-type]
                    else:
                        self._on_audio(frame)  # type: ignore[arg-type]
            if self._enc is not None and not self._aborted.is_set():
                self._flush()
        finally:
            container.close()

    def _open_output(self, width: int, height: int) -> None:
        c = self.config
        scale = min(1.0, c.max_width / width, c.max_height / height)
        w = max(2, int(width * scale) // 2 * 2)
        h = max(2, int(height * scale) // 2 * 2)
        self._enc = open_encoders(
            EncoderConfig(
                width=w,
                height=h,
                fps=c.fps,
                video_bitrate_kbps=c.video_bitrate_kbps,
                audio_bitrate_kbps=c.audio_bitrate_kbps,
                keyframe_s=c.keyframe_s,
                video_encoder="libx264",
                x264_preset=c.x264_preset,
            )
        )
        output = MuxOutput(
            "relay",
            "rtmp",
            self._url,
            self.shown_url,
            "flv",
            options={"flvflags": "no_duration_filesize"},
            retry=RetryPolicy(c.connect_retries, 1.0, 8.0) if c.connect_retries > 0 else None,
            on_state=self._output_state,
            secret=self._key,
        )
        self._output = output
        output.start(StreamTemplates(self._enc.video, self._enc.audio))
        log.info("relay output opening", extra={"target": self.shown_url, "size": f"{w}x{h}", "fps": c.fps})

    def _output_state(self, name: str, state: OutputState, detail: str) -> None:
        if state == "live" and self.state == "starting":
            self.state = "paused" if self._paused.is_set() else "live"
            self._emit_event("started", self.shown_url)
        elif state == "failed":
            self._fail(f"The RTMP server cannot be reached: {detail}")

    def _stop_output(self) -> None:
        output, self._output = self._output, None
        if output is not None:
            output.stop(5.0)
            self._final_stats = output.stats

    def _on_video(self, frame: VideoFrame) -> None:
        self.frames_in += 1
        if frame.time is None:
            return
        if self._t0 is None:
            self._t0 = frame.time
        if self._enc is None:
            self._open_output(frame.width, frame.height)
        enc = self._enc
        assert enc is not None
        index = round((frame.time - self._t0) * self.config.fps)
        if index <= self._last_index or self._paused.is_set():
            self.frames_dropped += 1
            return
        self._last_index = index
        out = frame.reformat(width=enc.video.width, height=enc.video.height, format=enc.video.pix_fmt)
        out.pts = index
        out.time_base = Fraction(1, self.config.fps)
        # Keyframes by media time (the browser's frame rate varies); the input's own keyframes
        # must not leak through (reformat copies pict_type).
        if index >= self._next_key_index or self._force_key:
            out.pict_type = av.video.frame.PictureType.I
            self._next_key_index = index + enc.video.codec_context.gop_size
            self._force_key = False
        else:
            out.pict_type = av.video.frame.PictureType.NONE
        for packet in enc.video.codec_context.encode(out):
            self._send("video", packet)
        self.frames_encoded += 1
        if not self._has_audio:  # no audio track: AAC silence along the picture (players expect audio)
            self._silence_until(index / self.config.fps)

    def _on_audio(self, frame: AudioFrame) -> None:
        if frame.time is None or self._enc is None or self._t0 is None:
            return  # audio before the first picture: the stream starts with the picture
        if self._paused.is_set():
            self._next_sample = None
            return
        if self._resampler is None:
            self._resampler = av.AudioResampler(
                format="fltp", layout="stereo", rate=AUDIO_RATE, frame_size=_AAC_FRAME
            )
        start = round((frame.time - self._t0) * AUDIO_RATE)
        if self._next_sample is None or abs(start - self._next_sample) > AUDIO_RATE // 5:
            self._next_sample = max(0, start)  # first frame, after a pause, or a jump: re-anchor
        for out in self._resampler.resample(frame):
            self._encode_audio(out)

    def _encode_audio(self, frame: AudioFrame | None) -> None:
        enc = self._enc
        assert enc is not None
        if frame is not None:
            assert self._next_sample is not None
            frame.pts = self._next_sample
            frame.time_base = Fraction(1, AUDIO_RATE)
            self._next_sample += frame.samples
        for packet in enc.audio.codec_context.encode(frame):
            self._send("audio", packet)

    def _flush(self) -> None:
        enc = self._enc
        assert enc is not None
        for packet in enc.video.codec_context.encode(None):
            self._send("video", packet)
        if not self._has_audio:
            self._silence_until((self._last_index + 1) / self.config.fps)
        elif self._resampler is not None:
            for out in self._resampler.resample(None):
                self._encode_audio(out)
        self._encode_audio(None)

    def _silence_until(self, seconds: float) -> None:
        self._next_sample = self._next_sample or 0
        while self._next_sample + _AAC_FRAME <= seconds * AUDIO_RATE:
            frame = av.AudioFrame.from_ndarray(
                np.zeros((2, _AAC_FRAME), dtype=np.float32), format="fltp", layout="stereo"
            )
            frame.sample_rate = AUDIO_RATE
            self._encode_audio(frame)

    def _send(self, kind: PacketKind, packet: Packet[Any]) -> None:
        output = self._output
        if output is None or packet.pts is None or packet.time_base is None:
            return
        output.put(
            EncodedPacket(
                kind=kind,
                data=bytes(packet),
                pts=packet.pts,
                dts=packet.dts if packet.dts is not None else packet.pts,
                time_base=packet.time_base,
                keyframe=bool(packet.is_keyframe),
            )
        )
