"""An in-memory sliding-window rate limiter (login failures, code mails, code guesses)."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class RateLimiter:
    """At most ``limit`` events per key within ``window_s`` seconds.

    Thread-safe. Keys with no event in the window are dropped, so memory stays bounded by the
    recent traffic.
    """

    def __init__(self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._last_sweep = clock()

    def _trim(self, key: str, now: float) -> deque[float] | None:
        events = self._events.get(key)
        if events is None:
            return None
        while events and events[0] <= now - self.window_s:
            events.popleft()
        if not events:
            del self._events[key]
            return None
        return events

    def _sweep(self, now: float) -> None:
        if now - self._last_sweep < self.window_s:
            return
        self._last_sweep = now
        for key in list(self._events):
            self._trim(key, now)

    def retry_after(self, key: str) -> float | None:
        """Seconds until ``key`` may act again, or ``None`` if it may act now."""
        with self._lock:
            now = self._clock()
            events = self._trim(key, now)
            if events is None or len(events) < self.limit:
                return None
            return max(0.0, events[0] + self.window_s - now)

    def hit(self, key: str) -> None:
        """Record one event for ``key``."""
        with self._lock:
            now = self._clock()
            self._sweep(now)
            self._events.setdefault(key, deque()).append(now)

    def acquire(self, key: str) -> float | None:
        """Record an event if allowed; return ``None`` then, else the seconds to wait (no event kept)."""
        with self._lock:
            now = self._clock()
            self._sweep(now)
            events = self._trim(key, now)
            if events is not None and len(events) >= self.limit:
                return max(0.0, events[0] + self.window_s - now)
            self._events.setdefault(key, deque()).append(now)
            return None

    def reset(self, key: str) -> None:
        """Forget ``key`` (after a successful login)."""
        with self._lock:
            self._events.pop(key, None)
