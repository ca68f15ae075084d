"""AudioPlayout on the null sink (no PortAudio involved): real-time clock, pts, barge-in, status."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import numpy as np
import pytest

from studio.audio import devices
from studio.audio.mixer import Mixer
from studio.audio.playout import AudioPlayout
from studio.audio.status import AudioDeviceEvent
from studio.core.bus import EventBus
from studio.core.clock import MediaClock
from studio.core.frames import AudioChunk

RATE = 48000


class RecordingMixer(Mixer):
    """Logs (media position, monotonic time, clock.now()) of every rendered block (test only)."""

    def __init__(self, clock: MediaClock) -> None:
        super().__init__(RATE, 4096)
        self.clock = clock
        self.log: list[tuple[int, float, float]] = []

    def render(self, out: np.ndarray, media_pos: int) -> None:
        super().render(out, media_pos)
        self.log.append((media_pos, time.monotonic(), self.clock.now()))


@pytest.fixture
def clock() -> MediaClock:
    return MediaClock()


@pytest.fixture
def playout(clock: MediaClock) -> Iterator[AudioPlayout]:
    p = AudioPlayout(clock, mixer=RecordingMixer(clock), use_device=False)
    p.start()
    yield p
    p.close()


def _tone(seconds: float, rate: int = 24000, freq: float = 440.0, amp: float = 0.5) -> AudioChunk:
    t = np.arange(int(seconds * rate)) / rate
    pcm = (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    return AudioChunk(pcm=pcm, sample_rate=rate, final=True)


def test_clock_runs_at_wall_clock_rate(playout: AudioPlayout, clock: MediaClock) -> None:
    assert playout.status.mode == "null"
    playout.when_heard(0.1).result(timeout=5)
    c0, t0 = clock.now(), time.monotonic()
    playout.when_heard(c0 + 1.5).result(timeout=5)
    c1, t1 = clock.now(), time.monotonic()
    rate = (c1 - c0) / (t1 - t0)
    assert rate == pytest.approx(1.0, abs=0.05)


def test_enqueue_pts_is_when_the_chunk_is_heard(playout: AudioPlayout, clock: MediaClock) -> None:
    mixer = playout.mixer
    assert isinstance(mixer, RecordingMixer)
    playout.when_heard(0.05).result(timeout=5)
    mixer.seek_stream(clock.now())
    pts = playout.enqueue(_tone(0.4))
    assert pts > clock.now()
    playout.when_heard(None).result(timeout=5)
    # The stream tap carries exactly what was rendered: the tone starts at the returned pts.
    block = mixer.read_stream(RATE * 5)
    onset = np.flatnonzero(np.abs(block.pcm[:, 0]) > 1e-3)[0]
    assert block.pts + onset / RATE == pytest.approx(pts, abs=2 / RATE)
    # ... and the block holding that sample was consumed when the clock said `pts` was being heard.
    first = round(pts * RATE)
    media, _, heard = next((m, t, c) for m, t, c in mixer.log if m <= first < m + playout.blocksize)
    assert heard - (media / RATE) == pytest.approx(0.0, abs=0.03)  # (thread wake-up slack)
    assert playout.stats().late_starts == 0
    assert playout.idle


def test_clear_silences_within_one_block(playout: AudioPlayout, clock: MediaClock) -> None:
    mixer = playout.mixer
    assert isinstance(mixer, RecordingMixer)
    pts = playout.enqueue(_tone(3.0))
    mixer.seek_stream(pts)
    playout.when_heard(pts + 0.5).result(timeout=5)
    t_clear = time.monotonic()
    playout.clear()
    cut_pts = clock.now()
    playout.when_heard(cut_pts + 0.2).result(timeout=5)
    block = mixer.read_stream(RATE * 5)
    loud = np.flatnonzero(np.abs(block.pcm[:, 0]) > 1e-4)
    silent_from = block.pts + (loud[-1] + 1) / RATE
    # Heard (null sink: rendered) time of the first silent sample, from the render log.
    m = round(silent_from * RATE)
    media, t_render, _ = next((mm, t, c) for mm, t, c in mixer.log if mm <= m < mm + playout.blocksize)
    latency = t_render + (m - media) / RATE - t_clear
    assert latency < 0.05  # one 10 ms block + the 5 ms fade; the rest is thread wake-up slack
    assert silent_from - cut_pts < 0.025
    assert playout.idle


def test_no_portaudio_falls_back_to_null_sink_and_reports(
    clock: MediaClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(devices._PortAudio, "module", None)
    monkeypatch.setattr(devices._PortAudio, "error", "PortAudio is not available: no libportaudio")
    bus = EventBus()
    events: list[AudioDeviceEvent] = []
    bus.subscribe(AudioDeviceEvent, events.append)
    with AudioPlayout(clock, bus=bus) as playout:
        assert playout.status.mode == "null"
        assert playout.status.message == "PortAudio is not available: no libportaudio; playing silently"
        pts = playout.enqueue(_tone(0.1))
        playout.when_heard(pts + 0.1).result(timeout=5)
    assert [e.state for e in events] == ["unavailable", "stopped"]
    assert "playing silently" in events[0].detail


def test_enqueue_before_start_and_close_cancels_waiters(clock: MediaClock) -> None:
    playout = AudioPlayout(clock, use_device=False)
    pts = playout.enqueue(_tone(0.2))
    assert pts == pytest.approx(0.02)  # one margin ahead of media position 0
    never = playout.when_heard(1e9)
    playout.start()
    playout.when_heard(None).result(timeout=5)
    playout.close()
    assert never.cancelled()
    assert playout.status.mode == "stopped"


def test_many_threads_enqueue_and_clear_without_breaking_the_render(playout: AudioPlayout) -> None:
    stop = threading.Event()
    errors: list[BaseException] = []

    def hammer(seed: int) -> None:
        rng = np.random.default_rng(seed)
        try:
            while not stop.is_set():
                if rng.random() < 0.2:
                    playout.clear()
                else:
                    playout.enqueue(
                        _tone(float(rng.uniform(0.001, 0.05)), int(rng.choice([16000, 24000, 48000])))
                    )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=hammer, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    playout.when_heard(playout.clock.now() + 0.5).result(timeout=5)
    stop.set()
    for t in threads:
        t.join()
    playout.clear()
    assert errors == []
    assert playout.status.mode == "null"  # the null sink never failed
    before = playout.stats().blocks
    playout.when_heard(playout.clock.now() + 0.1).result(timeout=5)
    assert playout.stats().blocks > before
    assert playout.mixer.levels().peak == 0.0
