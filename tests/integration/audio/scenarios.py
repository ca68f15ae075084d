"""Device scenarios, each run in a fresh process: ``python -m tests.integration.audio.scenarios NAME DIR``.

PortAudio reads the ALSA configuration once, when ``sounddevice`` is first imported, so every
scenario needs its own process with ``ALSA_CONFIG_PATH`` set before that. The last stdout line is
``RESULT <json>``; the tests assert on it.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from studio.audio.playout import AudioPlayout
from studio.audio.status import AudioDeviceEvent
from studio.core.bus import EventBus
from studio.core.clock import MediaClock
from studio.core.frames import AudioChunk

RATE = 48000


def _chirp(seconds: float, rate: int) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.5 * np.sin(2 * np.pi * (300 + 1500 * t) * t)).astype(np.float32)


def _tone(seconds: float, rate: int = RATE, freq: float = 1000.0) -> AudioChunk:
    t = np.arange(int(seconds * rate)) / rate
    return AudioChunk(
        pcm=(0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32), sample_rate=rate, final=True
    )


class Events:
    """Collects AudioDeviceEvents and lets the scenario wait for a state."""

    def __init__(self, bus: EventBus) -> None:
        self.items: list[AudioDeviceEvent] = []
        self._cond = threading.Condition()
        bus.subscribe(AudioDeviceEvent, self._on)

    def _on(self, event: AudioDeviceEvent) -> None:
        with self._cond:
            self.items.append(event)
            self._cond.notify_all()

    def wait_until(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        with self._cond:
            if not self._cond.wait_for(predicate, timeout):
                raise TimeoutError(f"condition not met; events {[e.state for e in self.items]}")

    def wait_for(self, state: str, timeout: float = 10.0) -> AudioDeviceEvent:
        with self._cond:
            ok = self._cond.wait_for(lambda: any(e.state == state for e in self.items), timeout)
        if not ok:
            raise TimeoutError(f"no {state!r} event; got {[e.state for e in self.items]}")
        return next(e for e in self.items if e.state == state)


def tap(tmp: Path) -> dict[str, Any]:
    """ALSA default PCM = file tap: the samples played reach the file, in order, at the right place."""
    from studio.audio.devices import default_output_device, list_output_devices
    from studio.audio.resample import resample

    devices = [d.label for d in list_output_devices()]
    default = default_output_device()
    clock = MediaClock()
    bus = EventBus()
    events = Events(bus)
    playout = AudioPlayout(clock, device="default", bus=bus)
    chirp = _chirp(0.3, 24000)
    pts = playout.enqueue(AudioChunk(pcm=chirp, sample_rate=24000, final=True))
    playout.start()  # the file sink is not paced: it renders as fast as it can
    status = playout.status
    playout.when_heard(None).result(timeout=20)
    stats = playout.stats()
    playout.set_device("studio_null")  # (reopening "default" later truncates the tap file)
    events.wait_until(lambda: len(events.items) > 1)
    raw = np.fromfile(os.environ["STUDIO_TEST_ALSA_TAP"], dtype=np.float32)
    switches = [playout.status.message]
    for choice in ("no such card", None):
        playout.set_device(choice)
        events.wait_until(lambda: len(events.items) > len(switches) + 1)
        switches.append(playout.status.message)
    playout.close()
    frames = raw[: len(raw) // 2 * 2].reshape(-1, 2)
    expected = resample(chirp, 24000, RATE)
    onset = int(np.flatnonzero(np.abs(frames[:, 0]) > 1e-4)[0])
    got = frames[onset : onset + len(expected)]
    return {
        "devices": devices,
        "default": default.label if default else None,
        "mode": status.mode,
        "message": status.message,
        "pts_frames": round(pts * RATE),
        "tap_onset": onset,
        "tap_frames": len(frames),
        "max_err_left": float(np.max(np.abs(got[:, 0] - expected))),
        "max_err_right": float(np.max(np.abs(got[:, 1] - expected))),
        "after": float(np.max(np.abs(frames[onset + len(expected) : onset + len(expected) + RATE]))),
        "late_starts": stats.late_starts,
        "switches": switches,
    }


def no_devices(tmp: Path) -> dict[str, Any]:
    """ALSA with no usable device: listing is empty, playout plays silently and says so."""
    from studio.audio.devices import default_output_device, find_output_device, list_output_devices

    bus = EventBus()
    events = Events(bus)
    clock = MediaClock()
    result: dict[str, Any] = {
        "devices": list_output_devices(),
        "default": default_output_device(),
        "by_name": find_output_device("USB Audio"),
    }
    with AudioPlayout(clock, bus=bus) as playout:
        result["mode"] = playout.status.mode
        result["message"] = playout.status.message
        pts = playout.enqueue(_tone(0.2))
        t0, c0 = time.monotonic(), clock.now()
        playout.when_heard(pts + 0.3).result(timeout=5)
        result["clock_rate"] = (clock.now() - c0) / (time.monotonic() - t0)
    with AudioPlayout(MediaClock(), device="USB Audio") as named:
        result["named_message"] = named.status.message
    result["events"] = [(e.state, e.detail) for e in events.items]
    return result


def _pulse(tmp: Path) -> Any:
    from tests.integration.audio.pulse import PulseServer

    pulse = PulseServer(tmp)
    pulse.start()
    os.environ.update(pulse.env())  # before PortAudio initialises (first studio.audio device call)
    return pulse


def barge_in(tmp: Path) -> dict[str, Any]:
    """Real-time sink: time from clear() to silence, measured two independent ways."""
    from tests.integration.audio.pulse import MonitorRecorder

    pulse = _pulse(tmp)
    try:
        rec = MonitorRecorder(pulse)
        clock = MediaClock()
        playout = AudioPlayout(clock, device=None)
        playout.start()
        status = playout.status
        if not rec.flowing.wait(10):
            raise RuntimeError("monitor recording did not start")
        playout.when_heard(0.3).result(timeout=10)
        t0, c0 = time.monotonic(), clock.now()
        trials = []
        rng = np.random.default_rng(7)
        for _ in range(6):
            before = playout.stats()
            pts = playout.enqueue(_tone(2.0))
            playout.mixer.seek_stream(pts)
            playout.when_heard(pts + float(rng.uniform(0.3, 0.6))).result(timeout=10)
            t_clear = time.monotonic()
            playout.clear()
            pts_clear = clock.now()
            playout.when_heard(pts_clear + 0.3).result(timeout=10)
            tap = playout.mixer.read_stream(RATE * 10)
            loud = np.flatnonzero(np.abs(tap.pcm[:, 0]) > 1e-3)
            silent_pts = tap.pts + (loud[-1] + 1) / RATE
            after = playout.stats()
            trials.append(
                {
                    "t_clear": t_clear,
                    "pts_clear": pts_clear,
                    "pts": pts,
                    "silent_pts": silent_pts,
                    "glitches": after.device_xruns
                    - before.device_xruns
                    + (after.dropped_seconds > before.dropped_seconds),
                }
            )
        rate = (clock.now() - c0) / (time.monotonic() - t0)
        stats = playout.stats()
        playout.close()
        audio = np.frombuffer(rec.stop(), dtype=np.float32)
        audio.tofile(tmp / "monitor.raw")
    finally:
        pulse.stop()
    # Independent measurement: in the sink's monitor recording each tone ends; the read that
    # delivered its last loud sample arrived no earlier than that sample was played.
    bursts = _bursts(audio)
    for trial, (on, off) in zip(trials, bursts, strict=False):
        trial["recorded_ms"] = (off - on) / RATE * 1000
        trial["monitor_latency_ms"] = (rec.arrival_of(off - 1) - trial["t_clear"]) * 1000
        trial["clock_latency_ms"] = (trial["silent_pts"] - trial["pts_clear"]) * 1000
        trial["expected_ms"] = (trial["silent_pts"] - trial["pts"]) * 1000
    return {
        "mode": status.mode,
        "message": status.message,
        "trials": trials,
        "bursts": len(bursts),
        "clock_rate": rate,
        "latency": stats.latency,
        "late_starts": stats.late_starts,
        "underruns": stats.underruns,
        "losses": stats.device_losses,
        "xruns": stats.device_xruns,
    }


def _bursts(audio: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) sample ranges of the tone bursts: loud samples with gaps under 50 ms joined."""
    loud = np.flatnonzero(np.abs(audio) > 0.01)
    if len(loud) == 0:
        return []
    gaps = np.flatnonzero(np.diff(loud) > RATE // 20)
    starts = [int(loud[0])] + [int(loud[g + 1]) for g in gaps]
    ends = [int(loud[g]) + 1 for g in gaps] + [int(loud[-1]) + 1]
    return [(a, b) for a, b in zip(starts, ends, strict=True) if b - a > RATE // 10]


def unplug(tmp: Path) -> dict[str, Any]:
    """The device goes away mid-utterance and comes back: null sink, status, reopen, clock monotonic."""
    pulse = _pulse(tmp)
    bus = EventBus()
    events = Events(bus)
    clock = MediaClock()
    samples: list[float] = []
    stop = threading.Event()

    def sample_clock() -> None:
        while not stop.wait(0.002):
            samples.append(clock.now())

    sampler = threading.Thread(target=sample_clock, daemon=True)
    result: dict[str, Any] = {}
    try:
        playout = AudioPlayout(clock, bus=bus, retry_interval=0.3)
        playout.start()
        result["before"] = playout.status.message
        sampler.start()
        pts = playout.enqueue(_tone(6.0))
        playout.when_heard(pts + 0.5).result(timeout=10)
        t_kill = time.monotonic()
        pulse.kill()
        lost = events.wait_for("lost")
        result["lost_after_s"] = time.monotonic() - t_kill
        result["lost"] = playout.status.message
        result["lost_event"] = lost.detail
        result["mode_lost"] = playout.status.mode
        c = clock.now()
        playout.when_heard(c + 0.5).result(timeout=5)  # the null sink keeps the clock going
        pulse.start()  # returns once the new server renders
        events.wait_until(lambda: playout.status.state == "playing", timeout=10)
        c = clock.now()
        playout.when_heard(c + 0.8).result(timeout=5)
        result["after"] = playout.status.message
        result["mode_after"] = playout.status.mode
        stats = playout.stats()
        result["losses"] = stats.device_losses
        playout.close()
    finally:
        stop.set()
        pulse.stop()
    steps = np.diff(np.array(samples))
    result["clock_min_step"] = float(steps.min()) if len(steps) else 0.0
    result["clock_samples"] = len(samples)
    result["events"] = [e.state for e in events.items]
    return result


SCENARIOS = {"tap": tap, "no_devices": no_devices, "barge_in": barge_in, "unplug": unplug}


def main() -> None:
    name, folder = sys.argv[1], Path(sys.argv[2])
    result = SCENARIOS[name](folder)
    print("RESULT " + json.dumps(result, default=repr), flush=True)


if __name__ == "__main__":
    main()
