"""MediaClock: which audio sample is being heard right now.

Audio playout reports, from its callback thread, the presentation time (pts) of the sample that
reaches the listener at a given monotonic instant (device latency included). Everyone else (lip-sync,
the avatar renderer, the encoder) asks :meth:`MediaClock.now` and gets the same answer, so mouth,
sound and stream never drift apart. With no audio reports the clock runs on the wall clock.

Thread-safe without locks: the anchor is one tuple, replaced atomically.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class MediaClock:
    """Presentation clock in seconds since :meth:`start`.

    Args:
        monotonic: The time source (injectable for tests).
        max_extrapolation: How far (s) ``now()`` may run ahead of the last audio report before it
            holds, so a stalled audio device freezes the clock instead of letting video run away.
            ``None`` means free-running on the wall clock between reports.
    """

    def __init__(
        self,
        monotonic: Callable[[], float] = time.monotonic,
        max_extrapolation: float | None = None,
    ) -> None:
        self._mono = monotonic
        self._max_extra = max_extrapolation
        # (pts at anchor, monotonic at anchor, running)
        self._anchor: tuple[float, float, bool] = (0.0, monotonic(), False)

    def start(self, pts: float = 0.0) -> None:
        """Start (or restart) the clock at ``pts`` now."""
        self._anchor = (pts, self._mono(), True)

    def pause(self) -> None:
        """Hold the clock at its current value."""
        self._anchor = (self.now(), self._mono(), False)

    @property
    def running(self) -> bool:
        """True while the clock advances."""
        return self._anchor[2]

    def report(self, pts: float, at: float | None = None) -> None:
        """Playout says: the sample with presentation time ``pts`` is heard at monotonic ``at``.

        Called from the audio callback thread: no allocation beyond one tuple, no locks.
        """
        self._anchor = (pts, self._mono() if at is None else at, True)

    def now(self) -> float:
        """Presentation time (s) of what is being heard now."""
        pts, at, running = self._anchor
        if not running:
            return pts
        elapsed = self._mono() - at
        if self._max_extra is not None and elapsed > self._max_extra:
            elapsed = self._max_extra
        # elapsed < 0 when the reported sample is still in the device buffer: it is heard later.
        return pts + elapsed
