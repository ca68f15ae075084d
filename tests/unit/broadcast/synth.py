"""Synthetic real-time sources for broadcast tests: a paced mixer (audio clock) and a frame feed.

``AudioPacer`` plays the part of the audio device: a thread calls :meth:`Mixer.render` block by
block at the real-time rate and reports each block's pts to a :class:`MediaClock`, as
``studio.audio.playout`` does. ``SyntheticFeed`` plays the renderer: a thread produces RGBA frames
at ``fps``, each stamped with ``clock.now()``, and hands them to the session's sink.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np

from studio.audio.mixer import Mixer
from studio.core.clock import MediaClock

RATE = 48000
BLOCK = 480  # 10 ms


class AudioPacer:
    """Renders ``mixer`` in real time on its own thread and drives ``clock`` from it."""

    def __init__(self, mixer: Mixer, clock: MediaClock) -> None:
        self.mixer = mixer
        self.clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.pos = 0

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="test-audio-pacer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def _run(self) -> None:
        out = np.zeros((BLOCK, 2), dtype=np.float32)
        began = time.monotonic()
        self.clock.report(0.0, began)
        while not self._stop.is_set():
            due = began + self.pos / RATE
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self.mixer.render(out, self.pos)
            self.clock.report(self.pos / RATE, began + self.pos / RATE)
            self.pos += BLOCK

    def __enter__(self) -> AudioPacer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


Painter = Callable[[float, np.ndarray], None]


def moving_bar(pts: float, img: np.ndarray) -> None:
    """A grey frame with a bar moving with time (so frames differ and the encoder works)."""
    img[:, :, :3] = 40
    w = img.shape[1]
    x = int(pts * 200) % max(1, w - 20)
    img[:, x : x + 20, :3] = 220


class SyntheticFeed:
    """A VideoFeed: ``fps`` frames per second stamped with ``clock.now()``, painted by ``paint``."""

    def __init__(
        self, clock: MediaClock, width: int, height: int, fps: int, paint: Painter = moving_bar
    ) -> None:
        self.clock = clock
        self.size = (width, height)
        self.fps = fps
        self.paint = paint
        self.frames = 0
        self.starts = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._sink: Callable[[float, np.ndarray], object] | None = None

    def start(self, sink: Callable[[float, np.ndarray], object]) -> None:
        self._sink = sink
        self.starts += 1
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="test-video-feed", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def _run(self) -> None:
        w, h = self.size
        pool = [np.zeros((h, w, 4), dtype=np.uint8) for _ in range(12)]  # the encoder keeps a few
        for img in pool:
            img[:, :, 3] = 255
        period = 1.0 / self.fps
        nxt = time.monotonic()
        i = 0
        while not self._stop.is_set():
            img = pool[i % len(pool)]
            pts = self.clock.now()
            self.paint(pts, img)
            assert self._sink is not None
            self._sink(pts, img)
            self.frames += 1
            i += 1
            nxt += period
            wait = nxt - time.monotonic()
            if wait > 0:
                self._stop.wait(wait)
            else:
                nxt = time.monotonic()


def beep_track(
    seconds: float, beeps: list[float], *, freq: float = 1000.0, length_s: float = 0.1
) -> np.ndarray:
    """Silence with a sine beep starting exactly at each time in ``beeps`` (stereo float32, 48 kHz)."""
    pcm = np.zeros((int(seconds * RATE), 2), dtype=np.float32)
    n = int(length_s * RATE)
    tone = (0.5 * np.sin(2 * np.pi * freq * np.arange(n) / RATE)).astype(np.float32)
    for t in beeps:
        k = round(t * RATE)
        seg = pcm[k : k + n]
        seg[:] = tone[: len(seg), None]
    return pcm
