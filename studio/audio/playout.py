"""AudioPlayout: the speaker (or a null sink), the jitter buffer, barge-in, and the MediaClock.

Threads:

* caller (engine loop, CLI, GUI bridge): :meth:`AudioPlayout.enqueue` (resamples with soxr, writes
  the voice ring), :meth:`~AudioPlayout.clear`, gains and music through :attr:`~AudioPlayout.mixer`.
* render thread: the PortAudio callback, or the null sink's thread when there is no usable
  device. Per block it asks the :class:`~studio.audio.mixer.Mixer` for the mixed block (which also
  taps the broadcast stream), then reports ``clock.report(pts, at)``: ``pts`` is the media
  position (seconds of audio output since start, silence included) and ``at`` the monotonic time
  the block's first sample is heard (device latency included). No locks, no logging there.
* supervisor thread (``studio-audio-playout``): moves the voice backlog into the ring, watches the
  device (a stream that stops on its own or stops calling back is "lost"), falls back to the null
  sink, retries the chosen device every ``retry_interval`` seconds, publishes
  :class:`AudioDeviceEvent`, and resolves :meth:`~AudioPlayout.when_heard` futures.

The media position never goes backwards and jumps forward over gaps (device stalls, switching
sinks), so the clock stays monotonic for lip-sync, rendering and the encoder. Voice that fell due
inside such a gap is dropped rather than played late, so the pts :meth:`AudioPlayout.enqueue`
returned stay true (counted in :attr:`PlayoutStats.dropped_seconds`). Callback jitter is smoothed
before it reaches the clock.

The render thread is a Python callback: it needs the GIL every block (10 ms). A process whose
other threads run long pure-Python loops should lower ``sys.setswitchinterval`` (e.g. 1 ms) so the
callback is not starved into device underruns.
"""

from __future__ import annotations

import concurrent.futures
import logging
import math
import threading
import time
from collections.abc import Callable
from typing import Literal

from studio.audio.devices import find_output_device, why_unavailable
from studio.audio.mixer import Levels, Mixer
from studio.audio.ring import Frames
from studio.audio.sinks import DeviceSink, NullSink
from studio.audio.status import AudioDeviceEvent, DeviceState, PlayoutStats, PlayoutStatus
from studio.core.bus import EventBus
from studio.core.clock import MediaClock
from studio.core.frames import AudioChunk

log = logging.getLogger(__name__)

Sink = DeviceSink | NullSink
Mode = Literal["device", "null", "stopped"]


class AudioPlayout:
    """Plays the mixer's output on a sound device, or silently in real time when there is none.

    Args:
        clock: The studio's MediaClock; playout reports to it from the render thread.
        device: Device index, name, or ``None``/``""`` for the system default.
        mixer: The mixer to pull from (a default 48 kHz one is created if omitted).
        bus: Where :class:`AudioDeviceEvent` status changes are published (optional).
        block_ms: Render block length; barge-in silences within one block plus device latency.
        latency: PortAudio suggested output latency.
        use_device: False plays into the null sink only (headless).
        retry_interval: Seconds between attempts to (re)open the chosen device.
        stall_timeout: A device stream without callbacks this long is treated as lost.
        monotonic: Time source for retries and for joining the clock on a new sink (tests).
    """

    def __init__(
        self,
        clock: MediaClock,
        *,
        device: int | str | None = None,
        mixer: Mixer | None = None,
        bus: EventBus | None = None,
        block_ms: float = 10.0,
        latency: str | float = "low",
        use_device: bool = True,
        retry_interval: float = 2.0,
        stall_timeout: float = 0.5,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.clock = clock
        self.mixer = mixer if mixer is not None else Mixer()
        self.sample_rate = self.mixer.sample_rate
        self.blocksize = min(self.mixer.max_frames, max(32, round(self.sample_rate * block_ms / 1000)))
        self._selector: int | str | None = device
        self._bus = bus
        self._latency = latency
        self._use_device = use_device
        self._retry_interval = retry_interval
        self._stall_timeout = stall_timeout
        self._mono = monotonic
        self._sink: Sink | None = None
        self._media_pos = 0  # render thread (only one sink renders at a time)
        self._expect_at: float | None = None
        self._jump_after = 2 * self.blocksize / self.sample_rate  # > callback jitter
        self._blocks = 0
        self._xruns_before = 0
        self._losses = 0
        self._attempts = 0
        self._status = PlayoutStatus(mode="stopped", device="", message="not started")
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._switch = threading.Event()
        self._thread: threading.Thread | None = None
        self._waiters: list[tuple[float | None, concurrent.futures.Future[None]]] = []
        self._waiters_lock = threading.Lock()
        self._next_retry = 0.0
        self._life_lock = threading.Lock()

    # ------------------------------------------------------------------ lifecycle (owner thread)

    def start(self) -> None:
        """Open the chosen device (or the null sink) and start the supervisor. Never raises for audio."""
        with self._life_lock:
            if self._thread is not None:
                return
            self._stop.clear()
            self._open_best()
            self._thread = threading.Thread(target=self._supervise, name="studio-audio-playout", daemon=True)
            self._thread.start()

    def close(self) -> None:
        """Stop the supervisor and the sink; pending :meth:`when_heard` futures are cancelled."""
        with self._life_lock:
            self._stop.set()
            self._wake.set()
            if self._thread is not None:
                self._thread.join(timeout=10.0)
                self._thread = None
            self._close_sink()
            self._set_status("stopped", "", "stopped", "stopped")
            with self._waiters_lock:
                waiters, self._waiters = self._waiters, []
            for _, fut in waiters:
                fut.cancel()

    def __enter__(self) -> AudioPlayout:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ speech (any thread)

    def enqueue(self, chunk: AudioChunk) -> float:
        """Queue a chunk (any rate, mono float32); return the pts (s) at which it starts being heard.

        The pts is on the MediaClock: lip-sync keys the chunk's timeline to it. Chunks of one
        utterance play back to back; mark the last with ``final=True`` so no tail is held back.
        """
        start = self.mixer.voice.enqueue(chunk)
        self._wake.set()
        return start / self.sample_rate

    def clear(self) -> None:
        """Barge-in: drop all queued voice; the output falls silent on the next render block."""
        self.mixer.voice.clear()

    @property
    def end_pts(self) -> float:
        """pts (s) where the queued voice ends if it plays without gaps."""
        return self.mixer.voice.end_position / self.sample_rate

    @property
    def idle(self) -> bool:
        """True when no voice is queued or held back."""
        voice = self.mixer.voice
        return voice.queued_frames == 0 and not voice.holding_tail

    def when_heard(self, pts: float | None = None) -> concurrent.futures.Future[None]:
        """A future resolved once ``pts`` is being heard (``None``: once all queued voice is heard).

        Wrap with ``asyncio.wrap_future`` on the engine loop. Cancelled by :meth:`close`.
        """
        fut: concurrent.futures.Future[None] = concurrent.futures.Future()
        with self._waiters_lock:
            self._waiters.append((pts, fut))
        self._wake.set()
        return fut

    # ------------------------------------------------------------------ device choice and state

    def set_device(self, device: int | str | None) -> None:
        """Switch to another device (index, name, or ``None`` for the default); takes effect shortly."""
        self._selector = device
        self._switch.set()
        self._wake.set()

    @property
    def status(self) -> PlayoutStatus:
        """What plays where, in one sentence for the status bar."""
        return self._status

    def levels(self) -> Levels:
        """Meter readings of the last block (speaker and stream); any thread."""
        return self.mixer.levels()

    def stats(self) -> PlayoutStats:
        """Counters for the GUI and diagnostics; any thread."""
        sink = self._sink
        voice = self.mixer.voice
        return PlayoutStats(
            mode=self._status.mode,
            blocks=self._blocks,
            underruns=voice.underruns,
            late_starts=voice.late_starts,
            dropped_seconds=voice.dropped / self.sample_rate,
            device_xruns=self._xruns_before + (sink.xruns if sink is not None else 0),
            device_losses=self._losses,
            open_attempts=self._attempts,
            queued_seconds=voice.queued_frames / self.sample_rate,
            latency=sink.latency if sink is not None else 0.0,
            stream_skipped=self.mixer.stream.skipped,
        )

    # ------------------------------------------------------------------ render thread

    def _render(self, out: Frames, at: float) -> None:
        m = self._media_pos
        exp = self._expect_at
        if exp is None:
            # First block on a new sink: continue from what the clock says is heard at `at`, so a
            # switch (device lost, reopened) never steps the clock back.
            if self.clock.running:
                heard = self.clock.now() + (at - self._mono())
                m = max(m, math.ceil(heard * self.sample_rate))
        else:
            late = at - exp
            if late > self._jump_after:
                # The sink stalled and resumed: the listener heard nothing meanwhile. Skip the media
                # position over the gap so the clock does not step back to where the audio paused.
                m += int(late * self.sample_rate)
            elif late > -self._jump_after:
                # Callback jitter: follow slowly (tracks latency and device-clock drift) so the
                # clock neither jitters nor steps back between blocks.
                at = exp + 0.1 * late
        n = len(out)
        step = self.mixer.max_frames
        for i in range(0, n, step):  # blocks larger than the mixer's scratch: render in pieces
            self.mixer.render(out[i : i + step], m + i)
        self.clock.report(m / self.sample_rate, at)
        self._media_pos = m + n
        self._expect_at = at + n / self.sample_rate
        self._blocks += 1

    # ------------------------------------------------------------------ supervisor thread

    def _supervise(self) -> None:
        voice = self.mixer.voice
        flush_below = 3 * self.blocksize + voice.margin
        while not self._stop.is_set():
            try:
                voice.pump(flush_below)
                now = self._mono()
                sink = self._sink
                if self._switch.is_set():
                    self._switch.clear()
                    self._open_best()
                elif sink is not None and not sink.healthy(now, self._stall_timeout):
                    self._on_sink_failed(sink)
                elif isinstance(sink, NullSink) and self._use_device and now >= self._next_retry:
                    self._open_best(retry=True)
                self._resolve_waiters()
            except Exception:
                log.exception("audio playout supervisor error")
            busy = voice.holding_tail or bool(self._waiters)
            self._wake.wait(0.01 if busy else 0.05)
            self._wake.clear()

    def _resolve_waiters(self) -> None:
        if not self._waiters:
            return
        now_pts = self.clock.now()
        idle = self.idle
        end = self.end_pts
        with self._waiters_lock:
            keep: list[tuple[float | None, concurrent.futures.Future[None]]] = []
            done: list[concurrent.futures.Future[None]] = []
            for pts, fut in self._waiters:
                if fut.cancelled():
                    continue
                ready = now_pts >= pts if pts is not None else idle and now_pts >= end
                if ready:
                    done.append(fut)
                else:
                    keep.append((pts, fut))
            self._waiters = keep
        for fut in done:
            if not fut.cancelled():
                fut.set_result(None)

    def _on_sink_failed(self, sink: Sink) -> None:
        err = sink.error
        self._losses += 1
        label = sink.label
        detail = f"device lost: {label}; playing silently"
        log.warning(
            "audio output lost",
            extra={"device": label, "error": repr(err) if err else "stream stopped"},
        )
        self._start_null("lost", label, detail)
        self._next_retry = self._mono() + self._retry_interval

    def _open_best(self, *, retry: bool = False) -> None:
        """Open the chosen device; on any failure fall back to the null sink with a clear status."""
        self._next_retry = self._mono() + self._retry_interval
        if not self._use_device:
            self._start_null("disabled", "", "audio output disabled; playing silently")
            return
        reason = why_unavailable()
        if reason:
            self._start_null("unavailable", "", f"{reason}; playing silently")
            return
        self._attempts += 1
        info = find_output_device(self._selector)
        if info is None:
            sel = self._selector
            what = "no audio output device" if sel in (None, "") else f"audio device not found: {sel}"
            if not retry:  # a failed retry keeps the status it had ("device lost: ...")
                self._start_null("unavailable", str(sel or ""), f"{what}; playing silently")
            return
        try:
            sink: Sink = DeviceSink(
                info,
                self._render,
                sample_rate=self.sample_rate,
                blocksize=self.blocksize,
                latency=self._latency,
            )
        except Exception as exc:  # PortAudioError, invalid settings
            log.log(
                logging.DEBUG if retry else logging.WARNING,
                "cannot open audio output",
                extra={"device": info.label, "error": str(exc)},
            )
            if not retry:
                self._start_null(
                    "unavailable", info.label, f"cannot open {info.label}: {exc}; playing silently"
                )
            return
        self._swap(sink)
        self._set_status("device", info.label, f"playing on {info.label}", "playing")

    def _start_null(self, state: DeviceState, device: str, message: str) -> None:
        if not isinstance(self._sink, NullSink):
            self._swap(NullSink(self._render, sample_rate=self.sample_rate, blocksize=self.blocksize))
        self._set_status("null", device, message, state)

    def _swap(self, sink: Sink) -> None:
        self._close_sink()
        self._expect_at = None  # the first block on the new sink re-anchors to the clock
        self._sink = sink
        sink.start()

    def _close_sink(self) -> None:
        sink, self._sink = self._sink, None
        if sink is None:
            return
        self._xruns_before += sink.xruns
        try:
            sink.close()
        except Exception as exc:
            log.warning("closing audio output failed", extra={"device": sink.label, "error": str(exc)})

    def _set_status(self, mode: Mode, device: str, message: str, state: DeviceState) -> None:
        new = PlayoutStatus(mode=mode, device=device, message=message, state=state)
        if new == self._status:
            return
        self._status = new
        log.info("audio output status", extra={"mode": mode, "device": device, "detail": message})
        if self._bus is not None:
            self._bus.publish_threadsafe(AudioDeviceEvent(state=new.state, device=device, detail=message))
