"""Where rendered audio goes: a PortAudio output stream, or a null sink paced by the wall clock.

Both call the same ``render(out, at)`` once per block: fill ``out`` (``(frames, channels)``
float32) with the audio whose first frame is heard at monotonic time ``at``. The device sink takes
``at`` from PortAudio's callback time info (``outputBufferDacTime - currentTime`` is the device
latency still ahead of the samples being written); the null sink uses the block's scheduled time.

Thread affinity: the render function runs on the PortAudio callback thread (device) or the null
sink's own thread; ``start``/``close``/``healthy`` from the owner (the playout supervisor).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from studio.audio.devices import DeviceInfo, sounddevice_module
from studio.audio.ring import Frames

RenderFn = Callable[[Frames, float], None]


class DeviceSink:
    """A PortAudio output stream on one device.

    Args:
        device: The device to open.
        render: Called from the PortAudio callback thread for every block.
        sample_rate: Stream rate (the mix rate; PortAudio/the OS convert if the device differs).
        blocksize: Frames per callback (small: barge-in silences within one block plus latency).
        latency: PortAudio suggested latency (``"low"``, ``"high"`` or seconds).

    Raises:
        sounddevice.PortAudioError: the device cannot be opened with these settings.
        RuntimeError: PortAudio is not available.
    """

    kind = "device"

    def __init__(
        self,
        device: DeviceInfo,
        render: RenderFn,
        *,
        sample_rate: int,
        blocksize: int,
        latency: str | float = "low",
    ) -> None:
        sd = sounddevice_module()
        if sd is None:
            raise RuntimeError("PortAudio is not available")
        self.device = device
        self.label = device.label
        self._render = render
        self._abort: type[BaseException] = sd.CallbackAbort
        extra: Any = None
        if "WASAPI" in device.hostapi:
            extra = sd.WasapiSettings(auto_convert=True)  # shared mode converts 48 kHz for us
        self.channels = max(1, min(2, device.max_output_channels))
        self.finished = False
        self.error: BaseException | None = None
        self.xruns = 0
        self.callbacks = 0
        self.last_callback = 0.0
        self.started_at = 0.0
        self._stream: Any = sd.OutputStream(
            device=device.index,
            samplerate=sample_rate,
            channels=self.channels,
            dtype="float32",
            blocksize=blocksize,
            latency=latency,
            callback=self._callback,
            finished_callback=self._finished,
            extra_settings=extra,
        )
        self.latency = float(self._stream.latency)

    def _callback(self, outdata: Frames, frames: int, time_info: Any, status: Any) -> None:
        now = time.monotonic()
        self.last_callback = now
        self.callbacks += 1
        if status.output_underflow:
            self.xruns += 1
        ahead = time_info.outputBufferDacTime - time_info.currentTime
        if not 0.0 < ahead < 1.0:  # some host APIs report 0: fall back to the stream's latency
            ahead = self.latency
        try:
            self._render(outdata, now + ahead)
        except BaseException as exc:  # never let an exception kill the audio thread silently
            self.error = exc
            outdata.fill(0.0)
            raise self._abort from exc

    def _finished(self) -> None:
        self.finished = True

    def start(self) -> None:
        """Start the stream (callbacks begin)."""
        self.started_at = time.monotonic()
        self._stream.start()

    def healthy(self, now: float, stall_timeout: float) -> bool:
        """False once the stream stopped on its own (device gone, error) or stopped calling back."""
        if self.finished or self.error is not None or not self._stream.active:
            return False
        last = self.last_callback or self.started_at
        return now - last < stall_timeout

    def close(self) -> None:
        """Abort and close the stream; after return the render function is no longer called."""
        try:
            self._stream.abort(ignore_errors=True)
        finally:
            self._stream.close(ignore_errors=True)


class NullSink:
    """Plays into nothing at the real-time rate: renders one block per block period on its own thread.

    Keeps the clock, lip-sync and the stream tap running when there is no sound device. When the
    thread is starved for longer than ``resync_after`` it continues from "now" instead of bursting
    to catch up (the playout then advances the media position over the gap).

    Args:
        render: Called on the sink's thread for every block.
        sample_rate: Frames per second.
        blocksize: Frames per block.
        channels: Channels of the rendered blocks.
        monotonic: Time source.
    """

    kind = "null"
    label = "null sink"
    latency = 0.0
    xruns = 0

    def __init__(
        self,
        render: RenderFn,
        *,
        sample_rate: int,
        blocksize: int,
        channels: int = 2,
        monotonic: Callable[[], float] = time.monotonic,
        resync_after: float = 0.25,
    ) -> None:
        self._render = render
        self._rate = sample_rate
        self._buf: Frames = np.zeros((blocksize, channels), dtype=np.float32)
        self._mono = monotonic
        self._resync_after = resync_after
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None
        self.resyncs = 0
        self.blocks = 0

    def start(self) -> None:
        """Start the pacing thread."""
        self._thread = threading.Thread(target=self._run, name="studio-audio-nullsink", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        period = len(self._buf) / self._rate
        due = self._mono()
        stop = self._stop
        while not stop.is_set():
            now = self._mono()
            if now < due:
                stop.wait(due - now)
                continue
            if now - due > self._resync_after:
                self.resyncs += 1
                due = now
            try:
                self._render(self._buf, due)
            except BaseException as exc:
                self.error = exc
                return
            self.blocks += 1
            due += period

    def healthy(self, now: float, stall_timeout: float) -> bool:
        """False only if rendering raised."""
        return self.error is None

    def close(self) -> None:
        """Stop the thread and wait for it; after return the render function is no longer called."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5.0)
