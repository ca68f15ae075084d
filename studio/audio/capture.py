"""Microphone capture: a PortAudio input stream into a preallocated ring, read at 16 kHz.

The device is chosen by name (``[audio] input_device``; empty = the system default) and opened at
its own preferred rate, mono; the consumer (the listener's DSP thread) drains the ring and
resamples to 16 kHz for VAD and ASR. The PortAudio callback only copies into the ring: no
allocation, no logging, no locks; overruns (consumer too slow) are counted.

With no PortAudio or no input device (a machine without a sound card) nothing raises: the
capture reports ``unavailable`` with a sentence for the status bar and the studio runs on without
listening.

Thread affinity: :meth:`MicCapture.open`/:meth:`~MicCapture.close` from the owner;
:meth:`~MicCapture.read` from one consumer thread; the callback on PortAudio's thread.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from studio.audio.devices import query_devices, sounddevice_module, why_unavailable
from studio.audio.resample import StreamResampler
from studio.audio.ring import Frames, SpscRing
from studio.core.events import Event

log = logging.getLogger(__name__)

TARGET_RATE = 16000
MicState = Literal["capturing", "unavailable", "lost", "stopped"]


@dataclass(frozen=True, slots=True, kw_only=True)
class MicDeviceEvent(Event):
    """The microphone changed: capturing on a device, unavailable (why), lost, or stopped."""

    state: MicState
    device: str = ""
    detail: str = ""


@dataclass(frozen=True, slots=True)
class InputDeviceInfo:
    """One input device (index valid until PortAudio is re-initialised)."""

    index: int
    name: str
    hostapi: str
    max_input_channels: int
    default_samplerate: float
    is_default: bool = False

    @property
    def label(self) -> str:
        """``name (hostapi)`` for menus and status lines."""
        return f"{self.name} ({self.hostapi})"


def list_input_devices() -> list[InputDeviceInfo]:
    """All devices with an input channel; empty with no devices or no PortAudio."""
    return [
        InputDeviceInfo(
            index=index,
            name=str(dev.get("name", f"device {index}")),
            hostapi=hostapi,
            max_input_channels=int(dev["max_input_channels"]),
            default_samplerate=float(dev.get("default_samplerate", 0.0)),
            is_default=is_default,
        )
        for index, dev, hostapi, is_default in query_devices("input")
    ]


def find_input_device(selector: int | str | None) -> InputDeviceInfo | None:
    """``None``/``""`` = the default input, an index, or a name (exact, case-insensitive, substring)."""
    devices = list_input_devices()
    if selector is None or selector == "":
        return next((d for d in devices if d.is_default), None)
    if isinstance(selector, int):
        return next((d for d in devices if d.index == selector), None)
    wanted = selector.strip().casefold()
    for match in (
        lambda d: d.name.casefold() == wanted,
        lambda d: wanted in d.label.casefold(),
    ):
        found = [d for d in devices if match(d)]
        if found:
            return found[0]
    return None


@dataclass(frozen=True, slots=True)
class CaptureStatus:
    """Where the microphone audio comes from, in one sentence."""

    state: MicState
    device: str
    message: str
    sample_rate: int = 0


class MicCapture:
    """One PortAudio input stream (mono) feeding a ring; :meth:`read` returns 16 kHz audio.

    Args:
        device: Input device name/index; empty or ``None`` for the default.
        blocksize_ms: Callback block length.
        capacity_s: Seconds the ring holds before the oldest unread audio is refused (overrun).
        latency: PortAudio suggested input latency.
        target_rate: Rate :meth:`read` returns.
    """

    def __init__(
        self,
        device: int | str | None = "",
        *,
        blocksize_ms: float = 10.0,
        capacity_s: float = 4.0,
        latency: str | float = "low",
        target_rate: int = TARGET_RATE,
    ) -> None:
        self.selector = device
        self.blocksize_ms = blocksize_ms
        self.capacity_s = capacity_s
        self.latency = latency
        self.target_rate = target_rate
        self.status = CaptureStatus("stopped", "", "microphone off")
        self.callbacks = 0
        self.xruns = 0
        self.last_callback = 0.0
        self.finished = False
        self._stream: Any = None
        self._ring: SpscRing | None = None
        self._resampler: StreamResampler | None = None
        self._chunk: Frames = np.zeros(0, dtype=np.float32)

    @property
    def running(self) -> bool:
        """True while a device stream delivers audio."""
        return self._stream is not None and self.status.state == "capturing"

    @property
    def overruns(self) -> int:
        """Callback blocks that did not fit whole (the reader fell behind)."""
        return self._ring.overruns if self._ring is not None else 0

    def open(self) -> CaptureStatus:
        """Open and start the device; on any failure return an ``unavailable`` status (never raises)."""
        self.close()
        reason = why_unavailable()
        if reason:
            return self._set("unavailable", "", f"{reason}; not listening")
        info = find_input_device(self.selector)
        if info is None:
            sel = self.selector
            what = "no microphone" if sel in (None, "") else f"microphone not found: {sel}"
            return self._set("unavailable", str(sel or ""), f"{what}; not listening")
        sd = sounddevice_module()
        assert sd is not None
        rates = [int(info.default_samplerate) or 48000, 48000, 16000]
        error: Exception | None = None
        for rate in dict.fromkeys(rates):
            try:
                self._start(sd, info, rate)
            except Exception as exc:  # PortAudioError: rate or device refused
                error = exc
                self._stream = None
                continue
            return self._set("capturing", info.label, f"listening on {info.label}", rate)
        log.warning("cannot open microphone", extra={"device": info.label, "error": str(error)})
        return self._set("unavailable", info.label, f"cannot open {info.label}: {error}; not listening")

    def _start(self, sd: Any, info: InputDeviceInfo, rate: int) -> None:
        blocksize = max(32, round(rate * self.blocksize_ms / 1000))
        self._ring = SpscRing(max(4 * blocksize, round(rate * self.capacity_s)))
        self._resampler = StreamResampler(rate, self.target_rate, quality="MQ")
        self._chunk = np.zeros(self._ring.capacity, dtype=np.float32)
        extra = sd.WasapiSettings(auto_convert=True) if "WASAPI" in info.hostapi else None
        self.finished = False
        self._stream = sd.InputStream(
            device=info.index,
            samplerate=rate,
            channels=1,
            dtype="float32",
            blocksize=blocksize,
            latency=self.latency,
            callback=self._callback,
            finished_callback=self._finished,
            extra_settings=extra,
        )
        self._stream.start()

    def _callback(self, indata: Frames, frames: int, time_info: Any, status: Any) -> None:
        self.last_callback = time.monotonic()
        self.callbacks += 1
        if status.input_overflow:
            self.xruns += 1
        ring = self._ring
        if ring is not None:
            ring.write(indata[:, 0])

    def _finished(self) -> None:
        self.finished = True

    def healthy(self, stall_timeout: float = 1.0) -> bool:
        """False once a started stream died or stopped calling back."""
        if self._stream is None:
            return False
        if self.finished or not self._stream.active:
            return False
        return time.monotonic() - (self.last_callback or time.monotonic()) < stall_timeout

    def mark_lost(self) -> CaptureStatus:
        """Close a dead stream and report it lost (the owner retries :meth:`open`)."""
        label = self.status.device
        self._close_stream()
        return self._set("lost", label, f"microphone lost: {label}; not listening")

    def read(self) -> Frames:
        """Everything captured since the last read, mono float32 at :attr:`target_rate`."""
        ring, resampler = self._ring, self._resampler
        if ring is None or resampler is None:
            return np.zeros(0, dtype=np.float32)
        n = ring.read_into(self._chunk[: ring.available()])
        if n == 0:
            return np.zeros(0, dtype=np.float32)
        return resampler.process(self._chunk[:n])

    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.abort(ignore_errors=True)
            finally:
                stream.close(ignore_errors=True)

    def close(self) -> None:
        """Stop and close the stream (idempotent)."""
        was = self._stream is not None
        self._close_stream()
        if was:
            self._set("stopped", "", "microphone off")

    def _set(self, state: MicState, device: str, message: str, rate: int = 0) -> CaptureStatus:
        self.status = CaptureStatus(state, device, message, rate)
        log.info("microphone status", extra={"state": state, "device": device, "detail": message})
        return self.status
