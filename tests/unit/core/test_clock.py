"""MediaClock with an injected monotonic time source."""

from __future__ import annotations

import threading

import pytest

from studio.core.clock import MediaClock


class _Mono:
    """A hand-driven monotonic clock."""

    def __init__(self, t: float = 1000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def test_stopped_until_started_then_follows_the_time_source() -> None:
    mono = _Mono()
    clock = MediaClock(monotonic=mono)
    assert not clock.running
    mono.t += 5
    assert clock.now() == 0.0
    clock.start()
    assert clock.running
    assert clock.now() == 0.0
    mono.t += 1.25
    assert clock.now() == pytest.approx(1.25)


def test_start_at_a_given_pts_and_restart() -> None:
    mono = _Mono()
    clock = MediaClock(monotonic=mono)
    clock.start(10.0)
    mono.t += 0.5
    assert clock.now() == pytest.approx(10.5)
    clock.start(2.0)
    assert clock.now() == pytest.approx(2.0)


def test_report_reanchors_the_clock_to_audio() -> None:
    mono = _Mono()
    clock = MediaClock(monotonic=mono)
    clock.start()
    mono.t += 1.0
    # Audio is a bit behind the wall clock: it wins.
    clock.report(0.9)
    assert clock.now() == pytest.approx(0.9)
    mono.t += 0.1
    assert clock.now() == pytest.approx(1.0)


def test_report_with_future_at_accounts_for_device_latency() -> None:
    mono = _Mono()
    clock = MediaClock(monotonic=mono)
    clock.start()
    # The sample with pts 2.0 is written now but reaches the ears 50 ms later (device latency).
    clock.report(2.0, at=mono.t + 0.05)
    assert clock.now() == pytest.approx(1.95)
    mono.t += 0.05
    assert clock.now() == pytest.approx(2.0)
    mono.t += 0.2
    assert clock.now() == pytest.approx(2.2)


def test_report_starts_a_stopped_clock() -> None:
    mono = _Mono()
    clock = MediaClock(monotonic=mono)
    clock.report(3.0)
    assert clock.running
    mono.t += 1
    assert clock.now() == pytest.approx(4.0)


def test_pause_holds_the_value_and_start_resumes() -> None:
    mono = _Mono()
    clock = MediaClock(monotonic=mono)
    clock.start()
    mono.t += 2.0
    clock.pause()
    assert not clock.running
    mono.t += 10.0
    assert clock.now() == pytest.approx(2.0)
    clock.start(clock.now())
    mono.t += 0.5
    assert clock.now() == pytest.approx(2.5)


def test_max_extrapolation_freezes_a_stalled_audio_clock() -> None:
    mono = _Mono()
    clock = MediaClock(monotonic=mono, max_extrapolation=0.2)
    clock.report(5.0)
    mono.t += 0.1
    assert clock.now() == pytest.approx(5.1)
    mono.t += 10.0  # the device stopped reporting
    assert clock.now() == pytest.approx(5.2)
    clock.report(5.3)  # it came back
    mono.t += 0.05
    assert clock.now() == pytest.approx(5.35)


def test_max_extrapolation_does_not_limit_latency_compensation() -> None:
    mono = _Mono()
    clock = MediaClock(monotonic=mono, max_extrapolation=0.2)
    clock.report(1.0, at=mono.t + 0.5)
    assert clock.now() == pytest.approx(0.5)


def test_free_running_without_limit() -> None:
    mono = _Mono()
    clock = MediaClock(monotonic=mono)
    clock.report(5.0)
    mono.t += 100.0
    assert clock.now() == pytest.approx(105.0)


def test_reports_from_another_thread_are_seen() -> None:
    mono = _Mono()
    clock = MediaClock(monotonic=mono)
    clock.start()

    def audio_callback() -> None:
        for i in range(1000):
            clock.report(i / 100)

    thread = threading.Thread(target=audio_callback)
    thread.start()
    thread.join(5)
    assert clock.now() == pytest.approx(9.99)


def test_default_time_source_advances() -> None:
    clock = MediaClock()
    clock.start()
    first = clock.now()
    assert first >= 0.0
    # poll instead of sleeping: the real monotonic clock must move forward
    for _ in range(1_000_000):
        if clock.now() > first:
            break
    assert clock.now() > first
