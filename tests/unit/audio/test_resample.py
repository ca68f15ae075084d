"""soxr wrapper: lengths, streaming equals one-shot, frequencies preserved."""

from __future__ import annotations

import numpy as np
import pytest

from studio.audio.resample import StreamResampler, resample


def _sine(freq: float, rate: int, seconds: float = 1.0) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def _peak_freq(x: np.ndarray, rate: int) -> float:
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.argmax(spec) * rate / len(x))


@pytest.mark.parametrize("in_rate", [16000, 22050, 24000, 32000, 44100, 48000])
def test_one_shot_length_and_frequency(in_rate: int) -> None:
    x = _sine(1000.0, in_rate)
    y = resample(x, in_rate, 48000)
    assert y.dtype == np.float32
    assert abs(len(y) - 48000) <= 1
    assert _peak_freq(y, 48000) == pytest.approx(1000.0, abs=1.5)
    # no energy where there should be none (aliasing, imaging)
    spec = np.abs(np.fft.rfft(y * np.hanning(len(y))))
    main = spec[int(990 * len(y) / 48000) : int(1010 * len(y) / 48000)].max()
    others = np.delete(spec, np.s_[int(900 * len(y) / 48000) : int(1100 * len(y) / 48000)])
    assert others.max() < main * 1e-3


def test_streaming_matches_one_shot_and_flush_completes_the_length() -> None:
    x = _sine(440.0, 24000, 0.73)
    rs = StreamResampler(24000, 48000)
    parts = []
    rng = np.random.default_rng(0)
    pos = 0
    while pos < len(x):
        n = int(rng.integers(100, 3000))
        parts.append(rs.process(x[pos : pos + n]))
        pos += n
    assert rs.pending > 0  # soxr holds back its filter delay
    parts.append(rs.flush())
    y = np.concatenate(parts)
    ref = resample(x, 24000, 48000)
    assert len(y) == len(ref) == round(len(x) * 2)
    assert np.max(np.abs(y - ref)) < 1e-3  # no clicks at chunk edges
    assert rs.frames_in == 0  # flush starts a fresh stream


def test_streaming_output_is_aligned_to_the_input_timeline() -> None:
    x = np.zeros(24000, np.float32)
    x[5000] = 1.0
    rs = StreamResampler(24000, 48000)
    y = np.concatenate([rs.process(x[:12000]), rs.process(x[12000:]), rs.flush()])
    assert int(np.argmax(np.abs(y))) == rs.output_position(5000) == 10000


def test_passthrough_and_stereo() -> None:
    x = _sine(300.0, 48000, 0.1)
    rs = StreamResampler(48000, 48000)
    y = rs.process(x)
    np.testing.assert_array_equal(y, x)
    assert y is not x
    assert rs.pending == 0
    st = np.stack([x, -x], axis=1)
    z = resample(st, 48000, 44100)
    assert z.shape == (4410, 2)
    np.testing.assert_allclose(z[:, 0], -z[:, 1], atol=1e-6)
