"""Prosody helpers shared by the engines that render pitch by resampling (Piper, Kokoro)."""

from __future__ import annotations

import numpy as np

from studio.core.frames import PcmArray

PEAK_LIMIT = 0.98


def pitch_ratio(semitones: float) -> float:
    """Frequency ratio for a pitch change in semitones."""
    return float(2.0 ** (semitones / 12.0))


def shift_pitch(pcm: PcmArray, sample_rate: int, ratio: float) -> PcmArray:
    """Resample audio synthesised ``ratio`` times too long back to its length, scaling pitch by ``ratio``.

    Thread affinity: any thread (pure computation).
    """
    if abs(ratio - 1.0) < 1e-6 or pcm.size == 0:
        return pcm
    import soxr

    out = soxr.resample(pcm, sample_rate * ratio, sample_rate)
    return np.asarray(out, dtype=np.float32)


def apply_gain(pcm: PcmArray, gain: float) -> PcmArray:
    """Scale audio by ``gain`` and pull the chunk back under the peak limit if it would clip."""
    out = pcm * np.float32(gain)
    peak = float(np.max(np.abs(out))) if out.size else 0.0
    if peak > PEAK_LIMIT:
        out *= np.float32(PEAK_LIMIT / peak)
    return out.astype(np.float32, copy=False)
