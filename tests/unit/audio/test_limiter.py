"""Soft limiter: transparent below the threshold, never at or above full scale, smooth gain."""

from __future__ import annotations

import numpy as np
import pytest

from studio.audio.limiter import SmoothedGain, SoftLimiter

RATE = 48000
BLOCK = 480


def _run(lim: SoftLimiter, signal: np.ndarray, block: int = BLOCK) -> np.ndarray:
    out = signal.astype(np.float32).copy()
    for i in range(0, len(out), block):
        lim.process(out[i : i + block])
    return out


def _stereo(x: np.ndarray) -> np.ndarray:
    return np.stack([x, -0.5 * x], axis=1).astype(np.float32)


def test_transparent_below_threshold_bit_exact() -> None:
    rng = np.random.default_rng(3)
    x = _stereo(rng.uniform(-0.85, 0.85, RATE))
    lim = SoftLimiter(RATE, BLOCK)
    y = _run(lim, x)
    np.testing.assert_array_equal(y, x)
    assert lim.gain == 1.0


@pytest.mark.parametrize("amplitude", [1.0, 1.5, 4.0, 50.0])
def test_never_reaches_full_scale(amplitude: float) -> None:
    rng = np.random.default_rng(4)
    t = np.arange(RATE) / RATE
    sine = amplitude * np.sin(2 * np.pi * 440 * t)
    noise = amplitude * rng.uniform(-1, 1, RATE)
    clicks = np.zeros(RATE)
    clicks[::4801] = amplitude
    for sig in (sine, noise, clicks):
        y = _run(SoftLimiter(RATE, BLOCK), _stereo(sig))
        assert np.max(np.abs(y)) <= 0.999 < 1.0
        assert np.all(np.isfinite(y))


def test_sustained_loud_tone_settles_at_threshold_then_recovers() -> None:
    t = np.arange(2 * RATE) / RATE
    loud = 2.0 * np.sin(2 * np.pi * 220 * t)
    quiet = 0.5 * np.sin(2 * np.pi * 220 * t)
    lim = SoftLimiter(RATE, BLOCK, threshold=0.8, release=0.1)
    y_loud = _run(lim, _stereo(loud))
    tail_peak = np.max(np.abs(y_loud[-RATE // 2 :, 0]))
    assert tail_peak == pytest.approx(0.8, abs=0.01)  # gain reduction, not clipping
    y_quiet = _run(lim, _stereo(quiet))
    assert lim.gain == 1.0  # released fully
    np.testing.assert_array_equal(y_quiet[-RATE // 2 :], _stereo(quiet)[-RATE // 2 :])


def test_gain_changes_without_steps() -> None:
    """The applied gain moves by small steps per sample (no clicks) when a loud burst starts and ends."""
    t = np.arange(RATE) / RATE
    env = np.where((t > 0.3) & (t < 0.6), 3.0, 0.3)
    sig = env * np.sin(2 * np.pi * 100 * t)
    probe = np.full_like(t, 0.01)  # a quiet DC probe below the knee shows the applied gain directly
    lim = SoftLimiter(RATE, BLOCK, threshold=0.9, attack=0.002)
    x = np.stack([sig, probe], axis=1).astype(np.float32)
    y = _run(lim, x)
    gain = y[:, 1] / x[:, 1]
    assert gain.min() < 0.35  # it did limit
    assert np.max(np.abs(np.diff(gain))) < 0.01  # largest per-sample gain step
    assert np.max(np.abs(np.diff(y[:, 0]))) <= np.max(np.abs(np.diff(x[:, 0])))  # adds no jumps


def test_smoothed_gain_ramps_over_one_block() -> None:
    g = SmoothedGain(1.0, 64)
    g.target = 0.0
    block = np.ones(64, np.float32)
    g.apply(block)
    assert block[0] == pytest.approx(1 - 1 / 64)
    assert block[-1] == 0.0
    assert np.all(np.diff(block) < 0)
    block2 = np.ones((64, 2), np.float32)
    g.apply(block2)
    assert not block2.any()
