"""Test signals for lip-sync: formant-synthesised vowels, gated sines, an independent RMS."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]

# Hillenbrand et al. (1995) mean (F1, F2) of American English vowels, men and women. They are
# not the prototypes the analyser uses, so a pass means it generalises a little.
HILLENBRAND = {
    "A": ((768, 1333), (936, 1551)),
    "I": ((342, 2322), (437, 2761)),
    "U": ((378, 997), (459, 1105)),
    "E": ((580, 1799), (731, 2058)),
    "O": ((497, 910), (555, 1035)),
}


def vowel(
    f1: float,
    f2: float,
    *,
    f0: float = 120.0,
    sr: int = 22050,
    dur: float = 0.3,
    amp: float = 0.3,
    f3: float = 2600.0,
) -> F32:
    """A steady vowel: harmonics of ``f0`` shaped by three resonances and a glottal tilt."""
    t = np.arange(round(sr * dur)) / sr
    x = np.zeros_like(t)
    for h in range(1, int(5000 / f0)):
        f = h * f0
        gain = 1.0 / h
        for res, bw in ((f1, 80.0), (f2, 100.0), (f3, 150.0)):
            gain *= res * res / np.sqrt((res * res - f * f) ** 2 + (f * bw) ** 2)
        x += gain * np.sin(2 * np.pi * f * t + 0.7 * h)
    out: F32 = (amp * x / np.abs(x).max()).astype(np.float32)
    return out


def syllable(f1: float, f2: float, *, dur: float = 0.2, sr: int = 22050, amp: float = 0.3) -> F32:
    """A vowel with a raised-cosine onset and offset (25 ms each), like a spoken syllable."""
    x = vowel(f1, f2, sr=sr, dur=dur, amp=amp)
    ramp = round(0.025 * sr)
    env = np.ones(len(x))
    env[:ramp] = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, ramp))
    env[-ramp:] = env[:ramp][::-1]
    return (x * env).astype(np.float32)


def silence(dur: float, sr: int = 22050) -> F32:
    return np.zeros(round(dur * sr), np.float32)


def rms_frames(pcm: npt.ArrayLike, sr: int, hop: float, window: float, count: int) -> F64:
    """RMS of ``window``-long windows centred every ``hop`` s, a plain loop (the reference)."""
    x = np.asarray(pcm, dtype=np.float64)
    half = round(window * sr / 2)
    out = np.empty(count)
    for k in range(count):
        c = round(k * hop * sr)
        seg = x[max(0, c - half) : min(len(x), c + half)]
        out[k] = np.sqrt(np.mean(seg * seg)) if seg.size else 0.0
    return out
