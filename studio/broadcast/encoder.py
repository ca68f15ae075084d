"""The encoder: rendered frames + the stream mix -> H.264 + AAC packets for every output, on its own thread.

Timing: frames arrive stamped with the MediaClock pts they were rendered for; the stream mix is
stamped from the same clock (the mixer writes it at ``media_pos / 48000``). The first frame's pts
is the session's zero: video frame ``n`` is the frame slot ``round((pts - t0) * fps)`` and audio
sample ``k`` is the mix at ``t0 + k / 48000``. Both timelines come from one clock, so sound and
mouth stay together however long the session runs; :attr:`EncoderStats.av_drift_ms` shows it.

Never blocking the producers: :meth:`Encoder.push_frame` (render thread) puts into a bounded
queue and returns at once; a full queue throws the *oldest* frame away and counts it as skipped.
The audio is pulled from the mixer's stream ring, which keeps two seconds for a slow reader; audio
lost anyway is replaced by silence (timestamps stay continuous) and counted.

Threads: construct, :meth:`start`, :meth:`stop`, :meth:`add_output`, :meth:`remove_output` from an
owner thread; :meth:`push_frame` from any thread; everything PyAV from the encoder thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import replace
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Final

import av
import numpy as np
from av.video.frame import PictureType

from studio.broadcast.codecs import AUDIO_RATE, EncoderConfig, EncoderError, OpenedEncoders, open_encoders
from studio.broadcast.packets import AudioSource, EncodedPacket, PacketKind, PacketSink, StreamTemplates
from studio.broadcast.stats import BitrateMeter, EncoderStats

if TYPE_CHECKING:
    from av.packet import Packet

    from studio.audio.ring import Frames

__all__ = ["Encoder", "EncoderConfig", "EncoderError"]

log = logging.getLogger(__name__)

_AAC_FRAME: Final = 1024
_MAX_SILENCE_FILL_S: Final = 5.0  # longer audio holes jump instead of being filled
_AUDIO_LEAD_S: Final = 0.1  # audio encoded at most this far ahead of the last frame ...
_MAX_AUDIO_HOLD_S: Final = 2.0  # ... unless this much sound waits (the picture stalled)
_AUDIO_LAG_FILL_S: Final = 0.5  # audio this far behind the video (nothing arriving): fill silence


class Encoder:
    """Encodes once, fans out to many outputs.

    Args:
        config: Size, rate, bitrates, codec choice.
        audio: The stream mix (the studio's :class:`~studio.audio.mixer.Mixer`).
        queue_frames: Frames waiting for the encoder before the oldest is skipped.
        monotonic: Clock for rates (tests).
    """

    def __init__(
        self,
        config: EncoderConfig,
        audio: AudioSource,
        *,
        queue_frames: int = 6,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if audio.sample_rate != AUDIO_RATE:
            raise EncoderError(f"The stream mix must be {AUDIO_RATE} Hz, not {audio.sample_rate}.")
        self.config = config
        self._audio = audio
        self._mono = monotonic
        self._queue: deque[tuple[float, Frames]] = deque()
        self._queue_max = max(1, queue_frames)
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._outputs: tuple[PacketSink, ...] = ()
        self._outputs_lock = threading.Lock()
        self._encoders: OpenedEncoders | None = None
        self._stats = EncoderStats()
        self._skipped = 0
        self._skipped_seen = 0  # encoder thread: skips already accounted for in missed_frames
        self._want_keyframe = False  # an output was added: start it with a keyframe now
        # encoder-thread state
        self._t0: float | None = None
        self._last_index = -1
        self._next_sample = 0
        self._pcm = np.zeros((0, 2), dtype=np.float32)
        self._pcm_start = 0
        self._meter = BitrateMeter()
        self._encode_s = 0.0
        self._fps_history: deque[tuple[float, int]] = deque()
        self._sync_err = 0.0

    # ---- owner thread ----

    @property
    def templates(self) -> StreamTemplates:
        """The opened encoders' streams (after :meth:`start`)."""
        if self._encoders is None:
            raise EncoderError("The encoder is not running.")
        return StreamTemplates(self._encoders.video, self._encoders.audio)

    @property
    def running(self) -> bool:
        """True between :meth:`start` and :meth:`stop`, unless the thread died."""
        return self._thread is not None and self._stats.running

    def start(self) -> None:
        """Open the codecs (raises :class:`EncoderError`) and start the encoder thread."""
        if self._thread is not None:
            return
        self._encoders = open_encoders(self.config)
        self._stop.clear()
        self._t0 = None
        self._last_index = -1
        self._skipped = 0
        self._skipped_seen = 0
        with self._cond:
            self._queue.clear()
        c = self.config
        self._stats = EncoderStats(
            running=True,
            video_encoder=self._encoders.video_encoder,
            width=c.width,
            height=c.height,
            fps_target=float(c.fps),
        )
        self._thread = threading.Thread(target=self._run, name="studio-encoder", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Encode what is queued, flush the codecs into the outputs, end the thread; idempotent.

        Outputs are not stopped here (the session stops them after the tail reached them).
        """
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        thread.join(timeout)
        if thread.is_alive():
            log.warning("encoder thread did not stop", extra={"timeout_s": timeout})
            return
        if self._encoders is not None:
            self._encoders.close()
            self._encoders = None

    def add_output(self, output: PacketSink) -> None:
        """Start ``output`` and feed it from the next packet on (it waits for a keyframe)."""
        output.start(self.templates)
        with self._outputs_lock:
            self._outputs = (*self._outputs, output)
        # Without this, a new output (a recording started while live, or an output added just
        # after the first frame) would wait up to keyframe_s for the next keyframe.
        self._want_keyframe = True

    def remove_output(self, name: str) -> PacketSink | None:
        """Stop feeding the output ``name`` and return it (the caller stops it)."""
        with self._outputs_lock:
            found = next((o for o in self._outputs if o.name == name), None)
            self._outputs = tuple(o for o in self._outputs if o is not found)
        return found

    @property
    def outputs(self) -> tuple[PacketSink, ...]:
        """The outputs fed now."""
        return self._outputs

    @property
    def stats(self) -> EncoderStats:
        """A snapshot (any thread)."""
        return replace(self._stats, skipped_frames=self._skipped)

    # ---- any thread ----

    def push_frame(self, pts: float, image: Frames) -> bool:
        """Queue one rendered frame (``(h, w, 4)`` RGBA uint8, premultiplied) for ``pts``.

        Never blocks. Returns False when the queue was full and the oldest frame was skipped.
        """
        with self._cond:
            kept = True
            if len(self._queue) >= self._queue_max:
                self._queue.popleft()
                self._skipped += 1
                kept = False
            self._queue.append((pts, image))
            self._cond.notify()
        return kept

    # ---- encoder thread ----

    def _run(self) -> None:
        error: str | None = None
        try:
            self._loop()
        except BaseException as exc:
            error = f"{type(exc).__name__}: {exc}"
            log.exception("encoder stopped by an error")
        finally:
            self._stats = replace(self._stats, running=False, error=error)

    def _loop(self) -> None:
        enc = self._encoders
        assert enc is not None
        period = 1.0 / self.config.fps
        last_stats = self._mono()
        while True:
            with self._cond:
                if not self._queue and not self._stop.is_set():
                    self._cond.wait(period / 2)
                item = self._queue.popleft() if self._queue else None
                stopping = self._stop.is_set() and not self._queue
            if item is not None:
                self._encode_video(enc, *item)
            self._pump_audio(enc, final=False)
            now = self._mono()
            if now - last_stats >= 0.5:
                self._update_stats(now)
                last_stats = now
            if stopping and item is None:
                break
        self._pump_audio(enc, final=True)
        for packet in enc.video.codec_context.encode(None):
            self._emit("video", packet)
        for packet in enc.audio.codec_context.encode(None):
            self._emit("audio", packet)
        self._update_stats(self._mono())

    def _encode_video(self, enc: OpenedEncoders, pts: float, image: Frames) -> None:
        fps = self.config.fps
        if self._t0 is None:
            self._t0 = pts
            self._next_sample = 0
            self._pcm = np.zeros((0, 2), dtype=np.float32)
            self._pcm_start = 0
            self._audio.seek_stream(pts)  # audio sample 0 is what was heard at the first frame
        index = round((pts - self._t0) * fps)
        if index <= self._last_index:
            return  # the clock held (audio stalled): nothing new to show at this pts
        # What the frame shows was rendered for ``pts``; it is shown at index / fps: the difference
        # is this frame's A/V offset (the audio sample at index / fps is the one heard at pts).
        self._sync_err = max(self._sync_err, abs((pts - self._t0) - index / fps))
        # Slots left empty because their frame was skipped (queue full) are counted as skipped only.
        skips, self._skipped_seen = self._skipped - self._skipped_seen, self._skipped
        missed = index - self._last_index - 1 - skips
        if missed > 0:
            self._stats = replace(self._stats, missed_frames=self._stats.missed_frames + missed)
        self._last_index = index
        began = time.perf_counter()
        h, w = image.shape[:2]
        c = self.config
        frame = _rgba_frame(image)
        if (w, h) != (c.width, c.height) or enc.video.pix_fmt != "rgba":
            frame = frame.reformat(width=c.width, height=c.height, format=enc.video.pix_fmt)
        frame.pts = index
        frame.time_base = Fraction(1, fps)
        if self._want_keyframe:
            self._want_keyframe = False
            frame.pict_type = PictureType.I  # libx264 makes it an IDR; the GOP cadence restarts here
        for packet in enc.video.codec_context.encode(frame):
            self._emit("video", packet)
        self._encode_s += time.perf_counter() - began
        self._stats = replace(self._stats, frames_encoded=self._stats.frames_encoded + 1)

    def _pump_audio(self, enc: OpenedEncoders, *, final: bool) -> None:
        if self._t0 is None:
            return
        while True:
            block = self._audio.read_stream(AUDIO_RATE // 2)
            if len(block.pcm) == 0:
                break
            start = round((block.pts - self._t0) * AUDIO_RATE)
            self._append_audio(start, block.pcm)
        video_end = (self._last_index + 1) * AUDIO_RATE // self.config.fps
        if final:
            end = self._pcm_start + len(self._pcm)
            if end < video_end:  # end together with the video
                pad = np.zeros((video_end - end, 2), dtype=np.float32)
                self._pcm = np.concatenate([self._pcm, pad])
            else:  # sound read while the last frames waited in the queue: not past the last frame
                self._pcm = self._pcm[: max(0, video_end - self._pcm_start)]
        elif self._pcm_start + len(self._pcm) < video_end - _AUDIO_LAG_FILL_S * AUDIO_RATE:
            # No audio is arriving (device stalled): keep the audio timeline moving with silence.
            self._append_audio(video_end - int(0.25 * AUDIO_RATE), np.zeros((0, 2), dtype=np.float32))
        # Encode audio only a little ahead of the video (a lagging encode must not leave seconds of
        # picture-less sound at the end), unless the picture stalled for good: then sound goes on.
        end = self._pcm_start + len(self._pcm)
        limit = max(video_end + _AUDIO_LEAD_S * AUDIO_RATE, end - _MAX_AUDIO_HOLD_S * AUDIO_RATE)
        self._encode_audio(enc, flush=final, limit=None if final else int(limit))

    def _append_audio(self, start: int, pcm: Frames) -> None:
        end = self._pcm_start + len(self._pcm)
        if start > end:  # a hole: the reader fell behind, or no audio came for a while
            gap = start - end
            if gap <= _MAX_SILENCE_FILL_S * AUDIO_RATE:
                pcm = np.concatenate([np.zeros((gap, 2), dtype=np.float32), pcm])
                start = end
            else:  # too long to fill: restart the buffer at ``start`` (pts jump in the output)
                self._encode_audio_tail_drop()
                self._pcm_start = start
                self._next_sample = start
            self._stats = replace(self._stats, audio_gap_s=self._stats.audio_gap_s + gap / AUDIO_RATE)
        elif start < end:  # overlap (silence was filled meanwhile): keep only the new part
            pcm = pcm[end - start :]
            start = end
        if len(pcm):
            self._pcm = np.concatenate([self._pcm, pcm]) if len(self._pcm) else np.asarray(pcm)

    def _encode_audio_tail_drop(self) -> None:
        self._pcm = np.zeros((0, 2), dtype=np.float32)

    def _encode_audio(self, enc: OpenedEncoders, *, flush: bool, limit: int | None = None) -> None:
        pcm = self._pcm
        used = 0
        while len(pcm) - used >= _AAC_FRAME or (flush and len(pcm) - used > 0):
            if limit is not None and self._pcm_start + used + _AAC_FRAME > limit:
                break
            chunk = pcm[used : used + _AAC_FRAME]
            if len(chunk) < _AAC_FRAME:
                chunk = np.concatenate([chunk, np.zeros((_AAC_FRAME - len(chunk), 2), dtype=np.float32)])
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(chunk.T, dtype=np.float32), format="fltp", layout="stereo"
            )
            frame.sample_rate = AUDIO_RATE
            frame.pts = self._pcm_start + used
            frame.time_base = Fraction(1, AUDIO_RATE)
            for packet in enc.audio.codec_context.encode(frame):
                self._emit("audio", packet)
            used += _AAC_FRAME
        if used:
            self._pcm = pcm[used:]
            self._pcm_start += used
            self._next_sample = self._pcm_start

    def _emit(self, kind: PacketKind, packet: Packet[Any]) -> None:
        if packet.pts is None or packet.time_base is None:
            return
        data = bytes(packet)
        self._meter.add(len(data), self._mono())
        encoded = EncodedPacket(
            kind=kind,
            data=data,
            pts=packet.pts,
            dts=packet.dts if packet.dts is not None else packet.pts,
            time_base=packet.time_base,
            keyframe=bool(packet.is_keyframe),
        )
        for output in self._outputs:
            try:
                output.put(encoded)
            except Exception:  # one broken output must not stop the others
                log.exception("output %s refused a packet", output.name)

    def _update_stats(self, now: float) -> None:
        fps = self.config.fps
        frames = self._stats.frames_encoded
        video_s = (self._last_index + 1) / fps if self._last_index >= 0 else 0.0
        audio_s = self._next_sample / AUDIO_RATE
        skew = audio_s - video_s
        window = self._recent_fps(now, frames)
        self._stats = replace(
            self._stats,
            fps=window,
            bitrate_kbps=round(self._meter.kbps(now), 1),
            encode_ms_mean=round(1000 * self._encode_s / frames, 2) if frames else 0.0,
            duration_s=round(video_s, 3),
            av_skew_ms=round(skew * 1000, 1),
            av_drift_ms=round(self._sync_err * 1000, 1),
        )

    def _recent_fps(self, now: float, frames: int) -> float:
        history = self._fps_history
        history.append((now, frames))
        while len(history) > 2 and now - history[0][0] > 2.0:
            history.popleft()
        t_first, f_first = history[0]
        return round((frames - f_first) / (now - t_first), 2) if now > t_first else 0.0


def _rgba_frame(image: Frames) -> av.VideoFrame:
    """``image`` (``(h, w, 4)`` uint8) as an RGBA VideoFrame: one numpy copy into the frame's plane.

    ``VideoFrame.from_ndarray`` takes ~11 ms for a 720p RGBA frame in PyAV 18 (a third of the frame
    budget at 30 fps); copying into a fresh frame's buffer takes ~0.3 ms.
    """
    h, w = image.shape[:2]
    if image.ndim != 3 or image.shape[2] != 4 or image.dtype != np.uint8:
        return av.VideoFrame.from_ndarray(np.ascontiguousarray(image, dtype=np.uint8), format="rgba")
    frame = av.VideoFrame(w, h, "rgba")
    plane = frame.planes[0]
    buf = np.frombuffer(plane, np.uint8)  # type: ignore[call-overload]  # the plane is a writable buffer
    dst = buf.reshape(-1, plane.line_size)
    dst[:h, : w * 4] = image.reshape(h, w * 4)
    return frame
