"""Lock-free rings: wrap-around, overrun/underrun counts, and no torn data across threads."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator

import numpy as np
import pytest

from studio.audio.ring import OverwriteRing, SpscRing


def _seq(start: int, n: int) -> np.ndarray:
    return np.arange(start, start + n, dtype=np.float32)


def test_wraps_around_and_keeps_order() -> None:
    ring = SpscRing(8)
    assert ring.write(_seq(0, 5)) == 5
    out = np.zeros(3, np.float32)
    assert ring.read_into(out) == 3
    np.testing.assert_array_equal(out, _seq(0, 3))
    assert ring.write(_seq(5, 6)) == 6  # slots 5,6,7 then 0,1,2: wraps
    out = np.zeros(8, np.float32)
    assert ring.read_into(out) == 8
    np.testing.assert_array_equal(out, _seq(3, 8))
    assert (ring.write_pos, ring.read_pos, ring.available()) == (11, 11, 0)
    assert ring.overruns == ring.underruns == 0


def test_overrun_keeps_what_fits_and_counts() -> None:
    ring = SpscRing(4)
    assert ring.write(_seq(0, 6)) == 4
    assert ring.overruns == 1
    assert ring.free() == 0
    assert ring.write(_seq(6, 1)) == 0
    assert ring.overruns == 2
    out = np.zeros(4, np.float32)
    ring.read_into(out)
    np.testing.assert_array_equal(out, _seq(0, 4))  # nothing unread was overwritten


def test_underrun_returns_what_is_there_and_leaves_the_rest_untouched() -> None:
    ring = SpscRing(8)
    ring.write(_seq(1, 3))
    out = np.full(5, -1.0, np.float32)
    assert ring.read_into(out) == 3
    assert ring.underruns == 1
    np.testing.assert_array_equal(out, [1, 2, 3, -1, -1])
    assert ring.read_into(np.zeros(0, np.float32)) == 0
    assert ring.underruns == 1  # an empty read of an empty ring is not an underrun


def test_peek_and_skip() -> None:
    ring = SpscRing(8)
    ring.write(_seq(0, 6))
    out = np.zeros(2, np.float32)
    assert ring.peek_into(out) == 2
    assert ring.read_pos == 0
    assert ring.skip_to(4) == 4
    assert ring.skip_to(100) == 2  # clamped to what was written
    assert ring.available() == 0


def test_multichannel_frames() -> None:
    ring = SpscRing(4, channels=2)
    data = np.arange(12, dtype=np.float32).reshape(6, 2)
    assert ring.write(data[:3]) == 3
    out = np.zeros((2, 2), np.float32)
    ring.read_into(out)
    assert ring.write(data[3:6]) == 3
    rest = np.zeros((4, 2), np.float32)
    assert ring.read_into(rest) == 4
    np.testing.assert_array_equal(np.concatenate([out, rest]), data[:6])


@pytest.fixture
def fast_thread_switching() -> Iterator[None]:
    """Spinning producer/consumer threads hand the GIL over often (the default is every 5 ms)."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    yield
    sys.setswitchinterval(old)


@pytest.mark.usefixtures("fast_thread_switching")
def test_spsc_threads_deliver_every_frame_in_order() -> None:
    ring = SpscRing(257)
    total = 100_000
    rng = np.random.default_rng(1)
    sizes = rng.integers(1, 400, size=5000)
    received: list[np.ndarray] = []
    done = threading.Event()

    def produce() -> None:
        pos = 0
        i = 0
        while pos < total:
            n = int(min(sizes[i % len(sizes)], total - pos))
            i += 1
            wrote = ring.write(_seq(pos, n))
            pos += wrote
            if wrote < n:
                time.sleep(0)  # ring full: yield the GIL to the consumer
        done.set()

    def consume() -> None:
        got = 0
        buf = np.zeros(333, np.float32)
        while got < total:
            n = ring.read_into(buf)
            if n:
                received.append(buf[:n].copy())
                got += n
            elif done.is_set() and ring.available() == 0:
                break
            else:
                time.sleep(0)  # ring empty: yield the GIL to the producer

    threads = [threading.Thread(target=produce), threading.Thread(target=consume)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    data = np.concatenate(received)
    np.testing.assert_array_equal(data, _seq(0, total))


def test_overwrite_ring_positions_gap_and_lapping() -> None:
    ring = OverwriteRing(8, 2)
    block = np.ones((3, 2), np.float32)
    ring.write_at(0, block)
    ring.write_at(5, block * 2)  # gap 3..4 becomes silence
    start, frames = ring.read(0, 100)
    assert start == 0
    np.testing.assert_array_equal(frames[:, 0], [1, 1, 1, 0, 0, 2, 2, 2])
    ring.write_at(8, np.full((6, 2), 3.0, np.float32))  # overwrites 0..5
    start, frames = ring.read(2, 4)
    assert start == 6  # 2..5 were lost
    assert ring.skipped == 4
    np.testing.assert_array_equal(frames[:, 1], [2, 2, 3, 3])
    with pytest.raises(ValueError):
        ring.write_at(3, block)


def test_overwrite_ring_read_discards_frames_the_writer_is_overwriting() -> None:
    """The seqlock check: frames in a span the writer announced (mid-copy) are not returned."""
    ring = OverwriteRing(8, 1)
    ring.write_at(0, _seq(0, 8)[:, None])
    # The writer has announced positions 8..11 (slots of 0..3) but not yet published them.
    ring._writing = 12
    start, frames = ring.read(0, 8)
    assert start >= 4
    np.testing.assert_array_equal(frames[:, 0], _seq(start, len(frames)))
    ring._writing = 8
    start, frames = ring.read(0, 8)
    assert (start, len(frames)) == (0, 8)
