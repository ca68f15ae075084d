"""Voice jitter buffer: exact start pts, contiguous chunks, barge-in, underruns, backlog."""

from __future__ import annotations

import numpy as np
import pytest

from studio.audio.voice import VoiceQueue
from studio.core.frames import AudioChunk

RATE = 48000
BLOCK = 480


class Render:
    """Drives VoiceQueue.pull like the render thread, keeping every output sample by media position."""

    def __init__(self, vq: VoiceQueue) -> None:
        self.vq = vq
        self.media = 0
        self.out: list[np.ndarray] = []

    def blocks(self, n: int) -> None:
        for _ in range(n):
            buf = np.full(BLOCK, np.nan, np.float32)
            self.vq.pull(buf, self.media)
            self.out.append(buf)
            self.media += BLOCK

    @property
    def signal(self) -> np.ndarray:
        return np.concatenate(self.out)


def _chunk(x: np.ndarray, rate: int = RATE, final: bool = True) -> AudioChunk:
    return AudioChunk(pcm=x.astype(np.float32), sample_rate=rate, final=final)


def _ones(n: int, value: float = 0.5) -> np.ndarray:
    return np.full(n, value, np.float32)


def test_idle_start_is_scheduled_exactly_at_the_returned_position() -> None:
    vq = VoiceQueue(RATE, margin_frames=960)
    r = Render(vq)
    r.blocks(3)
    start = vq.enqueue(_chunk(_ones(1000)))
    assert start == r.media + 960
    r.blocks(10)
    sig = r.signal
    assert not np.isnan(sig).any()  # every frame written
    nz = np.flatnonzero(sig)
    assert (nz[0], nz[-1] + 1) == (start, start + 1000)
    assert vq.late_starts == 0


def test_back_to_back_chunks_are_contiguous_and_predicted() -> None:
    vq = VoiceQueue(RATE)
    r = Render(vq)
    a = vq.enqueue(_chunk(_ones(2000, 0.25), final=False))
    b = vq.enqueue(_chunk(_ones(3000, 0.5), final=False))
    r.blocks(2)
    c = vq.enqueue(_chunk(_ones(1500, 0.75), final=True))
    r.blocks(20)
    sig = r.signal
    assert (b, c) == (a + 2000, a + 5000)
    assert np.all(sig[a:b] == 0.25)
    assert np.all(sig[b:c] == 0.5)
    assert np.all(sig[c : c + 1500] == 0.75)
    assert not sig[c + 1500 :].any()
    assert vq.underruns == 0


def test_resampled_stream_chunks_land_where_predicted() -> None:
    vq = VoiceQueue(RATE)
    r = Render(vq)
    x = np.zeros(24000, np.float32)
    marks = [3000, 9000, 15000]
    for m in marks:
        x[m] = 1.0
    starts = []
    for i in range(0, 24000, 6000):
        starts.append(vq.enqueue(_chunk(x[i : i + 6000], 24000, final=i + 6000 >= 24000)))
    assert np.diff(starts).tolist() == [12000, 12000, 12000]
    r.blocks(110)
    sig = r.signal
    for m in marks:  # the 24 kHz impulse at m is heard at start + 2*m (48 kHz)
        peak = int(np.argmax(np.abs(sig[starts[0] + 2 * m - 50 : starts[0] + 2 * m + 50]))) - 50
        assert abs(peak) <= 1


def test_nearly_drained_queue_gets_a_gate_not_a_guess() -> None:
    vq = VoiceQueue(RATE, margin_frames=960)
    r = Render(vq)
    a = vq.enqueue(_chunk(_ones(1000), final=False))
    r.blocks(3)  # 1440 > a + ...: the first chunk is almost played out
    b = vq.enqueue(_chunk(_ones(500, 0.9), final=True))
    r.blocks(10)
    sig = r.signal
    assert b >= a + 1000
    assert sig[b] == pytest.approx(0.9)
    assert sig[b - 1] != pytest.approx(0.9)


def test_clear_silences_on_the_next_block_with_a_short_fade() -> None:
    vq = VoiceQueue(RATE, fade_frames=240)
    r = Render(vq)
    vq.enqueue(_chunk(_ones(RATE), final=True))
    r.blocks(5)
    vq.clear()
    before = len(r.signal)
    r.blocks(5)
    after = r.signal[before:]
    assert np.all(np.diff(after[:240]) <= 0) and after[0] > 0.4  # fade, no step
    assert not after[240:].any()
    assert vq.queued_frames == 0


def test_audio_queued_right_after_clear_survives_it() -> None:
    vq = VoiceQueue(RATE)
    r = Render(vq)
    vq.enqueue(_chunk(_ones(RATE), final=True))
    r.blocks(3)
    vq.clear()
    new = vq.enqueue(_chunk(_ones(800, 0.3), final=True))  # before render saw the clear
    r.blocks(10)
    sig = r.signal
    assert np.all(sig[new : new + 800] == pytest.approx(0.3))
    assert not sig[new + 800 :].any()


def test_underrun_counted_only_inside_an_utterance() -> None:
    vq = VoiceQueue(RATE)
    r = Render(vq)
    vq.enqueue(_chunk(_ones(700), final=False))
    r.blocks(6)
    assert vq.underruns == 1
    vq.enqueue(_chunk(_ones(700), final=True))
    r.blocks(6)
    assert vq.underruns == 1


def test_late_start_is_counted() -> None:
    """The producer scheduled from a stale view and the render thread was already past the gate."""
    vq = VoiceQueue(RATE, margin_frames=960)
    r = Render(vq)
    r.blocks(10)
    fresh = vq._snap
    vq._snap = (0, 0, 0, 0)  # as if the producer read the snapshot long ago
    start = vq.enqueue(_chunk(_ones(100)))
    vq._snap = fresh
    assert start == 960 < r.media
    r.blocks(1)
    assert vq.late_starts == 1 and vq.dropped == 0
    assert np.count_nonzero(r.signal) == 100  # played late rather than lost


def test_a_stalled_render_drops_the_voice_that_was_due_and_stays_in_sync() -> None:
    vq = VoiceQueue(RATE)
    r = Render(vq)
    x = np.arange(1, 20001, dtype=np.float32) / 20000
    start = vq.enqueue(_chunk(x))
    r.blocks(5)
    r.media += 4800  # the sink stalled for 100 ms: the render position jumps
    r.blocks(1)
    assert vq.dropped == 4800
    assert r.out[-1][0] == x[r.media - BLOCK - start]  # exactly the frame due at that position
    scheduled = vq.enqueue(_chunk(_ones(10)))
    assert scheduled == start + 20000  # later chunks keep their promised pts
    r.blocks(40)
    assert r.out[-1].sum() == 0 and vq.late_starts == 0


def test_a_stall_over_a_scheduled_start_drops_its_head() -> None:
    vq = VoiceQueue(RATE, margin_frames=960)
    r = Render(vq)
    x = np.arange(1, 4801, dtype=np.float32)
    start = vq.enqueue(_chunk(x))
    r.media = start + 1000  # the first block arrives 1000 frames after the scheduled start
    r.blocks(1)
    assert vq.dropped == 1000 and vq.late_starts == 0
    assert r.out[0][0] == x[1000]


def test_backlog_beyond_ring_capacity_plays_in_order() -> None:
    vq = VoiceQueue(RATE, capacity_s=0.05)  # 2400 frames
    r = Render(vq)
    x = np.arange(1, 10001, dtype=np.float32) / 10000
    start = vq.enqueue(_chunk(x))
    assert vq.ring.available() == 2400
    for _ in range(30):
        vq.pump(flush_below=0)
        r.blocks(1)
    sig = r.signal
    np.testing.assert_array_equal(sig[start : start + 10000], x)


def test_pump_releases_a_held_resampler_tail_before_running_dry() -> None:
    vq = VoiceQueue(RATE)
    r = Render(vq)
    vq.enqueue(_chunk(_ones(2400), 24000, final=False))  # 4800 out, some held by soxr
    held = vq.ring.available()
    assert held < 4800 and vq.holding_tail
    vq.pump(flush_below=10_000)
    assert vq.ring.available() == 4800 and not vq.holding_tail
    r.blocks(15)
    assert vq.underruns == 1  # the utterance is still open and ran dry
    assert np.count_nonzero(r.signal) == pytest.approx(4800, abs=4)
