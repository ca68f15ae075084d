"""A headless stage: the avatar rendered on its own thread at a fixed rate, timed by the MediaClock.

:class:`HeadlessStage` owns an :class:`~studio.avatar.render.egl.EglContext`, an
:class:`~studio.avatar.render.target.OffscreenTarget` and an avatar renderer, all on one render
thread (``studio-avatar-stage``). Every tick (``1 / fps`` on the monotonic clock) it asks the
:class:`~studio.core.clock.MediaClock` which sample is being heard (``pts``), asks the state source
for the :class:`~studio.avatar.state.AvatarState` at that pts (usually
:meth:`~studio.avatar.director.AvatarDirector.frame_state`, so the mouth is the lip-sync value of
what is heard), advances the renderer by the media time since the previous frame, draws, and starts
an asynchronous PBO readback. The frame comes back one tick later (``pbo_count - 1`` ticks) still
tagged with the pts it was rendered for, so the encoder muxes it against the audio heard at that pts.

Delivery: each ``(pts, frame)`` goes to the optional ``on_frame`` callback (render thread; keep it
short) and into a bounded queue read with :meth:`HeadlessStage.get`. A full queue drops its oldest
frame (the encoder wants the newest) and counts it. A tick that comes too late (the thread was
starved or a frame took longer than the period) is skipped, not rendered in a burst, and counted.
Frame pts never decrease; they repeat only while the MediaClock is paused or held (a stalled audio
device), and the renderer then advances by 0 s. An exception from the state source, the renderer
or ``on_frame`` stops the render thread; it is logged and kept in :attr:`StageStats.error`.

Threads: :meth:`~HeadlessStage.start`, :meth:`~HeadlessStage.stop`, :meth:`~HeadlessStage.get`
and :attr:`~HeadlessStage.stats` from any one owner thread (or several: they lock). The renderer,
target and context live only on the render thread; they are created after :meth:`start` and
released (GL objects deleted, context destroyed) before :meth:`stop` returns, so a stage can be
started again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Final

from studio.avatar.render.base import AvatarRenderer
from studio.avatar.render.egl import EglContext
from studio.avatar.render.errors import RenderError
from studio.avatar.render.target import TRANSPARENT, Color, Frame, OffscreenTarget
from studio.avatar.state import AvatarState
from studio.core.clock import MediaClock

__all__ = ["FrameCallback", "HeadlessStage", "StageFrame", "StageStats", "StateSource"]

log = logging.getLogger(__name__)

StateSource = Callable[[float], AvatarState]
"""pts -> what to show at that pts (called on the render thread, every frame)."""

_START_TIMEOUT: Final = 30.0  # model loading plus context creation, generous for llvmpipe


@dataclass(frozen=True, slots=True)
class StageFrame:
    """One rendered frame.

    Attributes:
        pts: MediaClock time the frame was rendered for (what was heard when it was drawn).
        index: Frame number since :meth:`HeadlessStage.start` (gaps = skipped ticks).
        image: ``(height, width, 4)`` RGBA ``uint8``, top row first, premultiplied alpha.
    """

    pts: float
    index: int
    image: Frame


FrameCallback = Callable[[StageFrame], None]
"""Receives every frame on the render thread as soon as it is read back."""


@dataclass(frozen=True, slots=True)
class StageStats:
    """Counters since the last :meth:`HeadlessStage.start`.

    Attributes:
        rendered: Frames drawn.
        delivered: Frames read back and handed out (callback and queue).
        dropped: Frames pushed out of the full queue before anyone took them.
        skipped: Ticks not rendered because the render thread was late.
        render_ms_mean: Mean time of update + draw + readback per frame.
        last_pts: pts of the last frame drawn (``None`` before the first).
        running: The render thread is running.
        error: Why the render thread stopped on its own, if it did.
    """

    rendered: int = 0
    delivered: int = 0
    dropped: int = 0
    skipped: int = 0
    render_ms_mean: float = 0.0
    last_pts: float | None = None
    running: bool = False
    error: str | None = None


class HeadlessStage:
    """Renders ``renderer`` at ``fps`` on its own thread, each frame at the MediaClock's pts.

    Args:
        renderer: The avatar (not loaded: the stage loads it on its thread and releases it on stop).
        clock: The studio's MediaClock (reported by the audio playout).
        state_source: pts -> :class:`AvatarState`, e.g. ``director.frame_state``.
        width: Frame width in pixels.
        height: Frame height in pixels.
        fps: Frames per second (ticks on the monotonic clock).
        queue_size: Frames kept for :meth:`get`; the oldest is dropped when full.
        on_frame: Optional callback per frame (render thread).
        clear_color: Background (transparent by default; :data:`~.target.CHROMA_GREEN` ...).
        pbo_count: Readback ring size (2 or 3): frames arrive ``pbo_count - 1`` ticks late.
        monotonic: Tick time source (tests).

    Threads: construct and control from an owner thread; GL work happens on the render thread.
    """

    def __init__(
        self,
        renderer: AvatarRenderer,
        clock: MediaClock,
        state_source: StateSource,
        *,
        width: int = 1280,
        height: int = 720,
        fps: float = 30.0,
        queue_size: int = 8,
        on_frame: FrameCallback | None = None,
        clear_color: Color = TRANSPARENT,
        pbo_count: int = 2,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if fps <= 0:
            raise ValueError("fps must be positive")
        if queue_size < 1:
            raise ValueError("queue_size must be at least 1")
        self.renderer = renderer
        self.clock = clock
        self.state_source = state_source
        self.width, self.height, self.fps = width, height, fps
        self.on_frame = on_frame
        self.clear_color = clear_color
        self._pbo_count = pbo_count
        self._mono = monotonic
        self._queue: deque[StageFrame] = deque()
        self._queue_size = queue_size
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._life = threading.Lock()
        self._stats = StageStats()
        self._render_s = 0.0
        self._load_error: BaseException | None = None
        self._pending: deque[tuple[float, int]] = deque()  # render thread: (pts, index) in flight

    # ---- owner thread ----

    def start(self) -> None:
        """Start the render thread and wait until the avatar is loaded; no-op when running.

        Raises:
            GLUnavailableError: no headless OpenGL here.
            RenderError: the target or renderer could not be set up (the thread has ended).
            AvatarModelError: the model could not be loaded.
        """
        with self._life:
            if self._thread is not None:
                return
            self._stop.clear()
            self._ready.clear()
            self._load_error = None
            with self._cond:
                self._queue.clear()
                self._stats = StageStats(running=True)
                self._render_s = 0.0
            thread = threading.Thread(target=self._run, name="studio-avatar-stage", daemon=True)
            self._thread = thread
            thread.start()
            if not self._ready.wait(_START_TIMEOUT):
                self._stop.set()
                raise RenderError("The avatar stage did not start in time.")
            if self._load_error is not None:
                thread.join()
                self._thread = None
                raise self._load_error

    def stop(self, timeout: float = 10.0) -> None:
        """Stop rendering, deliver the frames still in flight, free GL; idempotent.

        Frames already queued stay readable with :meth:`get` until the next :meth:`start`.
        """
        with self._life:
            thread, self._thread = self._thread, None
            if thread is None:
                return
            self._stop.set()
            thread.join(timeout)
            if thread.is_alive():
                log.warning("avatar stage thread did not stop", extra={"timeout_s": timeout})

    @property
    def running(self) -> bool:
        """True between :meth:`start` and :meth:`stop` (or the render thread failing)."""
        return self._stats.running

    @property
    def stats(self) -> StageStats:
        """A snapshot of the counters (any thread)."""
        with self._cond:
            return self._stats

    def get(self, timeout: float | None = None) -> StageFrame | None:
        """The oldest queued frame, waiting up to ``timeout`` s (``None``: until one comes or stop).

        Returns ``None`` on timeout, or when the stage is stopped and the queue is empty.
        """
        with self._cond:
            self._cond.wait_for(lambda: self._queue or not self._stats.running, timeout)
            return self._queue.popleft() if self._queue else None

    def drain(self) -> list[StageFrame]:
        """All queued frames, oldest first, without waiting."""
        with self._cond:
            frames = list(self._queue)
            self._queue.clear()
            return frames

    def __enter__(self) -> HeadlessStage:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- render thread ----

    def _run(self) -> None:
        error: str | None = None
        try:
            context = EglContext()
        except BaseException as exc:
            self._fail_start(exc)
            return
        try:
            context.make_current()
            target = OffscreenTarget(
                self.width, self.height, clear_color=self.clear_color, pbo_count=self._pbo_count
            )
            try:
                target.bind()
                self.renderer.load(self.width, self.height)
                try:
                    self._ready.set()
                    self._loop(target)
                    for frame in target.flush():
                        self._deliver(frame)
                finally:
                    self.renderer.release()
            finally:
                target.release()
        except BaseException as exc:
            error = f"{type(exc).__name__}: {exc}"
            if not self._ready.is_set():
                self._fail_start(exc)
            else:
                log.exception("avatar stage stopped by an error")
        finally:
            context.close()
            self._pending.clear()
            with self._cond:
                self._stats = replace(self._stats, running=False, error=error)
                self._cond.notify_all()

    def _fail_start(self, exc: BaseException) -> None:
        self._load_error = exc
        with self._cond:
            self._stats = replace(self._stats, running=False, error=f"{type(exc).__name__}: {exc}")
            self._cond.notify_all()
        self._ready.set()

    def _loop(self, target: OffscreenTarget) -> None:
        self._pending.clear()
        period = 1.0 / self.fps
        start = self._mono()
        tick = 0
        last_pts: float | None = None
        while not self._stop.is_set():
            now = self._mono()
            due = start + tick * period
            if now < due:
                # A wait on the stop event, not a sleep: stop() interrupts it at once.
                if self._stop.wait(due - now):
                    break
                now = self._mono()
            late = int((now - due) / period)
            if late > 0:  # the thread was late: skip the ticks that passed, render the current one
                tick += late
                with self._cond:
                    self._stats = replace(self._stats, skipped=self._stats.skipped + late)
            pts = self.clock.now()
            dt = period if last_pts is None else max(0.0, pts - last_pts)
            last_pts = pts
            began = time.perf_counter()
            self.renderer.update(dt, self.state_source(pts))
            target.clear()
            self.renderer.draw()
            self._pending.append((pts, tick))
            frame = target.read_async()
            self._render_s += time.perf_counter() - began
            with self._cond:
                rendered = self._stats.rendered + 1
                self._stats = replace(
                    self._stats,
                    rendered=rendered,
                    last_pts=pts,
                    render_ms_mean=1000.0 * self._render_s / rendered,
                )
            if frame is not None:
                self._deliver(frame)
            tick += 1

    def _deliver(self, image: Frame) -> None:
        pts, index = self._pending.popleft()
        frame = StageFrame(pts=pts, index=index, image=image)
        if self.on_frame is not None:
            self.on_frame(frame)
        with self._cond:
            dropped = self._stats.dropped
            if len(self._queue) >= self._queue_size:
                self._queue.popleft()
                dropped += 1
            self._queue.append(frame)
            self._stats = replace(self._stats, delivered=self._stats.delivered + 1, dropped=dropped)
            self._cond.notify_all()
