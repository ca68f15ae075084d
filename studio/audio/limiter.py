"""Soft limiter and smoothed gains for the mixer's output buses.

The limiter works per block, without look-ahead (look-ahead would add its length to the barge-in
silence time): when a block's peak exceeds the threshold the gain ramps down to
``threshold / peak`` over ``attack`` seconds, and afterwards recovers exponentially over
``release`` seconds. Samples that still exceed the threshold while the gain ramps (and only those)
go through a soft knee that approaches, but never passes, ``ceiling`` (just under full scale), so
the output is always strictly inside -1..1 and never hard-clips. Below the threshold with no gain
reduction the output is bit-identical to the input.

Thread affinity: :meth:`SoftLimiter.process` and :meth:`SmoothedGain.apply` run on the audio render
thread only and allocate nothing but scalars; :attr:`SmoothedGain.target` may be set from any thread.
"""

from __future__ import annotations

import math

import numpy as np

from studio.audio.ring import Frames


class SoftLimiter:
    """Peak limiter with smooth gain reduction and a soft knee above ``threshold``.

    Args:
        sample_rate: Frames per second of the processed audio.
        max_frames: Largest block :meth:`process` will see (scratch is preallocated to it).
        channels: Channels per frame of the processed blocks (``(n, channels)`` arrays).
        threshold: Linear level above which the limiter acts (0 < threshold < 1); -1 dBFS default.
        attack: Seconds to ramp the gain down to a new, lower target.
        release: Time constant (s) of the recovery towards unity gain.
        ceiling: The level the soft knee approaches (must be above ``threshold`` and below 1).
    """

    def __init__(
        self,
        sample_rate: int,
        max_frames: int,
        channels: int = 2,
        *,
        threshold: float = 0.891,
        attack: float = 0.001,
        release: float = 0.15,
        ceiling: float = 0.999,
    ) -> None:
        if not 0.0 < threshold < ceiling < 1.0:
            raise ValueError("need 0 < threshold < ceiling < 1")
        self.threshold = threshold
        self.ceiling = ceiling
        self._rate = sample_rate
        self._attack_frames = max(1, round(attack * sample_rate))
        self._release_tau = max(1e-4, release) * sample_rate
        self.gain = 1.0  # current gain reduction factor (render thread)
        self._ramp = np.zeros(max_frames, dtype=np.float32)
        self._abs = np.zeros((max_frames, channels), dtype=np.float32)
        self._tmp = np.zeros((max_frames, channels), dtype=np.float32)
        self._unit = np.arange(1, max_frames + 1, dtype=np.float32)

    def process(self, block: Frames) -> None:
        """Limit ``block`` (``(n, channels)`` float32) in place."""
        n = len(block)
        if n == 0:
            return
        peak = max(float(block.max()), -float(block.min()))  # no |x| temporary
        t = self.threshold
        g0 = self.gain
        target = 1.0 if peak <= t else t / peak
        if target < g0:
            g1 = target  # attack: reach the new target within attack_frames
            span = min(n, self._attack_frames)
        else:
            # release: exponential recovery over this block, ramped linearly within it
            g1 = target - (target - g0) * math.exp(-n / self._release_tau)
            if g1 > 0.9999 and target == 1.0:
                g1 = 1.0
            span = n
        if g0 != 1.0 or g1 != 1.0:
            ramp = self._ramp[:n]
            if g0 == g1:
                ramp.fill(g1)
            else:
                np.multiply(self._unit[:n], (g1 - g0) / span, out=ramp)
                ramp += g0
                if span < n:
                    ramp[span:] = g1
            scale_rows(block, ramp)
        self.gain = g1
        if peak * max(g0, g1) > t:
            self._soft_knee(block)

    def _soft_knee(self, block: Frames) -> None:
        # y = sign(x) * (min(|x|, t) + w * tanh(max(|x| - t, 0) / w)), w = ceiling - t:
        # identity below t, slope 1 at the knee, never above the ceiling (tanh saturates at 1.0).
        n = len(block)
        t = self.threshold
        w = self.ceiling - t
        a = self._abs[:n]
        e = self._tmp[:n]
        np.abs(block, out=a)
        np.subtract(a, t, out=e)
        np.maximum(e, 0.0, out=e)
        e *= 1.0 / w
        np.tanh(e, out=e)
        e *= w
        np.minimum(a, t, out=a)
        a += e
        np.copysign(a, block, out=block)


class SmoothedGain:
    """A gain that glides to a new value over one block instead of jumping (no zipper clicks).

    Args:
        value: Initial gain.
        max_frames: Largest block :meth:`apply` will see.
    """

    def __init__(self, value: float, max_frames: int) -> None:
        self.target = float(value)  # set from any thread
        self.current = float(value)  # render thread
        self._ramp = np.zeros(max_frames, dtype=np.float32)
        self._unit = np.arange(1, max_frames + 1, dtype=np.float32)

    def apply(self, block: Frames, extra: float = 1.0) -> None:
        """Multiply ``block`` (``(n,)`` or ``(n, ch)``) by gain x ``extra``, ramping from the last value."""
        n = len(block)
        g1 = self.target * extra
        g0 = self.current
        self.current = g1
        if n == 0:
            return
        if g0 == g1:
            if g1 != 1.0:
                block *= g1
            return
        ramp = self._ramp[:n]
        np.multiply(self._unit[:n], (g1 - g0) / n, out=ramp)
        ramp += g0
        scale_rows(block, ramp)


def scale_rows(block: Frames, ramp: Frames) -> None:
    """``block *= ramp`` per frame; column by column, since a broadcast ``ramp[:, None]`` makes numpy
    allocate an iteration buffer."""
    if block.ndim == 1:
        block *= ramp
        return
    for c in range(block.shape[1]):
        col = block[:, c]
        col *= ramp
