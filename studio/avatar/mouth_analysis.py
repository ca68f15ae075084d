"""Audio analysis for lip-sync: loudness envelope and an A/I/U/E/O estimate, numpy only.

Frames are :data:`HOP` (10 ms) apart; frame ``k`` is centred on sample ``k * hop`` and spans
:data:`RMS_WINDOW` (20 ms). Windows that hang over either end of the audio average only the
samples that exist, so a chunk boundary in the middle of a word does not dip the mouth.

Vowels: each frame's power spectrum below 5 kHz is turned into an autocorrelation (an inverse FFT
of that band, i.e. a ~10 kHz signal without resampling), an order-10 LPC fit is solved for all
frames at once (vectorised Levinson-Durbin), and the two lowest sharp poles are read as F1/F2.
Their distance to prototype formants on a log scale gives soft A/I/U/E/O weights.

Pure functions: safe on any thread; call them off the engine loop for long audio.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]

HOP: Final = 0.010
"""Seconds between analysis frames (100 Hz)."""
RMS_WINDOW: Final = 0.020
"""Seconds of audio in one RMS frame, centred on the frame time."""
SPECTRUM_WINDOW: Final = 0.030
"""Seconds of audio in one spectral (vowel) frame."""
ABS_GATE_DB: Final = -70.0
"""Frames quieter than this (dBFS) are silence, whatever the voice."""
DYNAMIC_RANGE_DB: Final = 30.0
"""The mouth opens over this many dB below the voice's reference level."""
REF_PERCENTILE: Final = 95.0
"""Percentile of voiced-frame levels that counts as "fully open"."""
MIN_REF_FRAMES: Final = 30
"""Voiced frames needed before an utterance's own reference level is trusted fully."""

_LPC_ORDER: Final = 10
_LPC_BAND_HZ: Final = 5000.0
# Prototype (F1, F2) in Hz, between typical adult male and female values.
_PROTOTYPES: Final = np.log(
    np.array([[780.0, 1350.0], [310.0, 2300.0], [360.0, 1050.0], [520.0, 1900.0], [540.0, 900.0]])
)
_LOG_SPREAD: Final = np.array([0.30, 0.28])  # how far (log Hz) a formant may stray per prototype


@lru_cache(maxsize=8)
def _hann(length: int) -> F64:
    window = np.hanning(length)
    window.setflags(write=False)  # shared through the cache
    return window


def frame_count(n_samples: int, sample_rate: int) -> int:
    """Number of frames covering ``n_samples`` (frame 0 at t=0, the last at or before the end)."""
    if n_samples <= 0 or sample_rate <= 0:
        return 0
    return int(np.floor((n_samples / sample_rate) / HOP + 1e-9)) + 1


def _centres(n_frames: int, sample_rate: int) -> npt.NDArray[np.int64]:
    return np.round(np.arange(n_frames) * HOP * sample_rate).astype(np.int64)


def rms_envelope(pcm: npt.ArrayLike, sample_rate: int, *, lead: int = 0) -> F64:
    """RMS per frame over :data:`RMS_WINDOW` centred windows.

    Args:
        pcm: Mono samples.
        sample_rate: Samples per second.
        lead: Leading samples of ``pcm`` that belong to the previous chunk: they feed the first
            windows but frame 0 is centred on sample ``lead``.

    Returns:
        ``frame_count(len(pcm) - lead, sample_rate)`` RMS values.
    """
    x = np.asarray(pcm, dtype=np.float64)
    n = frame_count(len(x) - lead, sample_rate)
    if n == 0:
        return np.zeros(0)
    cs = np.concatenate(([0.0], np.cumsum(x * x)))
    half = max(1, round(RMS_WINDOW * sample_rate / 2))
    c = _centres(n, sample_rate) + lead
    lo = np.clip(c - half, 0, len(x))
    hi = np.clip(c + half, 0, len(x))
    count = np.maximum(hi - lo, 1)
    energy = np.maximum(cs[hi] - cs[lo], 0.0)
    return np.asarray(np.sqrt(energy / count))


def to_db(rms: F64) -> F64:
    """dBFS of RMS values (-120 for digital silence)."""
    return np.asarray(20.0 * np.log10(np.maximum(rms, 1e-6)))


def voiced_levels(levels_db: F64) -> F64:
    """The levels above :data:`ABS_GATE_DB` (what :func:`reference_level` looks at)."""
    return np.asarray(levels_db[levels_db > ABS_GATE_DB])


def reference_level(levels_db: F64, prior: float | None = None) -> float | None:
    """Robust "loud" level of a voice: the :data:`REF_PERCENTILE` of its ungated frames.

    Args:
        levels_db: Frame levels (dBFS) of the utterance so far.
        prior: The previous utterance's reference. With fewer than :data:`MIN_REF_FRAMES` voiced
            frames the estimate is pulled towards it, so a short first chunk is not over-opened.

    Returns:
        The level in dBFS, or ``prior`` (maybe ``None``) when nothing is voiced.
    """
    voiced = voiced_levels(levels_db)
    if voiced.size == 0:
        return prior
    # Two passes, so the answer does not depend on how much quiet audio clears the absolute
    # gate: frames within the dynamic range of a rough estimate decide.
    rough = float(np.percentile(voiced, REF_PERCENTILE))
    voiced = voiced[voiced > rough - DYNAMIC_RANGE_DB]
    ref = float(np.percentile(voiced, REF_PERCENTILE))
    if prior is not None and voiced.size < MIN_REF_FRAMES:
        share = voiced.size / MIN_REF_FRAMES
        ref = share * ref + (1.0 - share) * prior
    return ref


def open_levels(levels_db: F64, ref_db: float) -> F64:
    """Map frame levels to mouth opening 0..1: gated, dB-linear over :data:`DYNAMIC_RANGE_DB`.

    The ``ref_db`` level (and above) opens fully; the floor is ``ref_db - DYNAMIC_RANGE_DB`` or
    :data:`ABS_GATE_DB`, whichever is higher. The square curve keeps soft consonants and breath
    nearly closed while vowels open wide.
    """
    floor = max(ABS_GATE_DB, ref_db - DYNAMIC_RANGE_DB)
    span = max(ref_db - floor, 6.0)
    lin = np.clip((levels_db - floor) / span, 0.0, 1.0)
    return np.asarray(lin * lin)


def smooth_attack_release(target: F64, attack: float, release: float, initial: float = 0.0) -> F64:
    """One-pole follower of ``target`` (per-frame values) with separate time constants (s)."""
    a_up = 1.0 - np.exp(-HOP / attack) if attack > 0 else 1.0
    a_down = 1.0 - np.exp(-HOP / release) if release > 0 else 1.0
    out = np.empty_like(target)
    y = initial
    for k, t in enumerate(target.tolist()):
        y += (t - y) * (a_up if t > y else a_down)
        out[k] = y
    return out


def _levinson(r: F64, order: int) -> F64:
    """LPC polynomials ``[1, a1..ap]`` for each row of autocorrelations ``r`` (frames x lags)."""
    n = r.shape[0]
    a = np.zeros((n, order + 1))
    a[:, 0] = 1.0
    err = r[:, 0].copy()
    for i in range(1, order + 1):
        acc = r[:, i] + np.einsum("fj,fj->f", a[:, 1:i], r[:, i - 1 : 0 : -1])
        k = -acc / np.maximum(err, 1e-12)
        prev = a[:, 1:i].copy()
        a[:, 1:i] = prev + k[:, None] * prev[:, ::-1]
        a[:, i] = k
        err = err * (1.0 - k * k)
    return a


def formants(
    pcm: npt.ArrayLike,
    sample_rate: int,
    *,
    lead: int = 0,
    only: npt.NDArray[np.bool_] | None = None,
) -> F64:
    """Estimate (F1, F2) in Hz per frame; NaN where no two plausible peaks were found.

    Args:
        pcm: Mono samples.
        sample_rate: Samples per second (any rate of at least 10 kHz works best).
        lead: As in :func:`rms_envelope`.
        only: Frames to analyse (the others stay NaN); ``None`` analyses all.

    Returns:
        Array ``(frames, 2)``.
    """
    x = np.asarray(pcm, dtype=np.float64)
    n = frame_count(len(x) - lead, sample_rate)
    out = np.full((n, 2), np.nan)
    if n == 0:
        return out
    win = round(SPECTRUM_WINDOW * sample_rate)
    half = win // 2
    # Pre-emphasis lifts F2 above the glottal roll-off.
    emph = np.empty_like(x)
    emph[0] = x[0]
    emph[1:] = x[1:] - 0.94 * x[:-1]
    padded = np.concatenate((np.zeros(half), emph, np.zeros(win)))
    rows = np.arange(n) if only is None else np.flatnonzero(only[:n])
    if rows.size == 0:
        return out
    starts = _centres(n, sample_rate)[rows] + lead
    frames = np.lib.stride_tricks.sliding_window_view(padded, win)[starts] * _hann(win)
    nfft = 1 << int(np.ceil(np.log2(win)))
    power = np.abs(np.fft.rfft(frames, nfft)) ** 2
    band = max(_LPC_ORDER + 2, int(_LPC_BAND_HZ * nfft / sample_rate))
    band = min(band, power.shape[1] - 1)
    fs_band = 2.0 * band * sample_rate / nfft
    autocorr = np.fft.irfft(power[:, : band + 1], 2 * band)[:, : _LPC_ORDER + 1]
    autocorr[:, 0] *= 1.0 + 1e-6  # a little white noise keeps the fit stable
    ok = autocorr[:, 0] > 1e-12
    if not ok.any():
        return out
    poly = _levinson(autocorr[ok], _LPC_ORDER)
    # Roots of every polynomial at once: eigenvalues of their companion matrices.
    comp = np.zeros((poly.shape[0], _LPC_ORDER, _LPC_ORDER))
    comp[:, 0, :] = -poly[:, 1:]
    comp[:, np.arange(1, _LPC_ORDER), np.arange(_LPC_ORDER - 1)] = 1.0
    roots = np.linalg.eigvals(comp)
    freq = np.angle(roots) * fs_band / (2 * np.pi)
    bw = -np.log(np.maximum(np.abs(roots), 1e-9)) * fs_band / np.pi
    usable = (roots.imag > 0) & (freq > 200.0) & (freq < 4000.0) & (bw < 500.0)
    freq = np.where(usable, freq, np.inf)
    freq.sort(axis=1)
    got = np.isfinite(freq[:, 1])
    done = rows[ok]
    out[done[got]] = freq[got, :2]
    return out


def vowel_weights(formant_hz: F64) -> F64:
    """Soft A/I/U/E/O weights (rows sum to 1, or 0 where formants are NaN)."""
    n = formant_hz.shape[0]
    out = np.zeros((n, 5))
    good = np.all(np.isfinite(formant_hz), axis=1)
    if not good.any():
        return out
    logf = np.log(formant_hz[good])
    d = (logf[:, None, :] - _PROTOTYPES[None, :, :]) / _LOG_SPREAD
    score = np.exp(-0.5 * np.sum(d * d, axis=2))
    total = score.sum(axis=1, keepdims=True)
    # Far from every prototype (a consonant, noise): no opinion rather than a wild guess.
    confident = total[:, 0] > 1e-3
    w = np.where(confident[:, None], score / np.maximum(total, 1e-12), 0.0)
    out[good] = w
    return out


def smooth_rows(values: F64, frames: int) -> F64:
    """Centred moving average over ``frames`` frames along axis 0 (edges use what exists)."""
    if frames <= 1 or values.shape[0] == 0:
        return values
    n = values.shape[0]
    # Cumulative sums give every centred window at once, clipped at both ends.
    cs = np.concatenate((np.zeros((1, values.shape[1])), np.cumsum(values, axis=0)))
    idx = np.arange(n)
    lo = np.clip(idx - (frames - 1) // 2, 0, n)
    hi = np.clip(idx + frames // 2 + 1, 0, n)
    return np.asarray((cs[hi] - cs[lo]) / (hi - lo)[:, None])


@dataclass(frozen=True, slots=True)
class AudioFeatures:
    """Per-frame analysis of one piece of audio.

    Attributes:
        levels_db: Frame level in dBFS.
        visemes: Audio-estimated A/I/U/E/O weights per frame (rows sum to 1 or 0).
    """

    levels_db: F64
    visemes: F64


def analyze(pcm: npt.ArrayLike, sample_rate: int, *, lead: int = 0) -> AudioFeatures:
    """Levels and smoothed audio vowel weights of ``pcm`` (``lead`` as in :func:`rms_envelope`)."""
    levels = to_db(rms_envelope(pcm, sample_rate, lead=lead))
    loud = levels > ABS_GATE_DB
    weights = vowel_weights(formants(pcm, sample_rate, lead=lead, only=loud))
    return AudioFeatures(levels, smooth_rows(weights, 5))
