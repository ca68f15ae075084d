"""HeadlessStage: paced frames tagged with the MediaClock pts, bounded queue, skips, clean restart."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from studio.avatar.render.egl import current_egl_context
from studio.avatar.render.errors import GLUnavailableError, RenderError
from studio.avatar.render.gl import GL
from studio.avatar.render.stage import HeadlessStage, StageFrame
from studio.avatar.state import AvatarState
from studio.core.clock import MediaClock

W, H = 64, 36


class ShadeRenderer:
    """Fills the frame with a grey level that encodes the state's ``v`` parameter (0..1)."""

    def __init__(self, *, fail_load: bool = False) -> None:
        self.fail_load = fail_load
        self.loads = 0
        self.releases = 0
        self.release_had_context: list[bool] = []
        self.threads: set[str] = set()
        self.value = 0.0

    def load(self, width: int, height: int) -> None:
        self.threads.add(threading.current_thread().name)
        if self.fail_load:
            raise RenderError("broken model")
        self.loads += 1

    def resize(self, width: int, height: int) -> None:
        pass

    def update(self, dt: float, state: AvatarState) -> None:
        self.threads.add(threading.current_thread().name)
        self.value = state.params.get("v", 0.0)

    def draw(self) -> None:
        GL.glClearColor(self.value, self.value, self.value, 1.0)
        GL.glClear(GL.GL_COLOR_BUFFER_BIT)

    def expressions(self) -> list[str]:
        return []

    def motion_groups(self) -> dict[str, int]:
        return {}

    def hit_test(self, x: float, y: float) -> list[str]:
        return []

    def release(self) -> None:
        self.releases += 1
        self.release_had_context.append(current_egl_context() != 0)


def _shade(pts: float) -> float:
    return (pts * 3.0) % 1.0


def _state(pts: float) -> AvatarState:
    return AvatarState(params={"v": _shade(pts)})


def _stage(renderer: ShadeRenderer, clock: MediaClock, **kwargs: object) -> HeadlessStage:
    stage = HeadlessStage(renderer, clock, _state, width=W, height=H, **kwargs)  # type: ignore[arg-type]
    try:
        stage.start()
    except GLUnavailableError as exc:
        pytest.skip(f"no headless OpenGL here: {exc.user_message}")
    return stage


def _collect(stage: HeadlessStage, count: int) -> list[StageFrame]:
    frames: list[StageFrame] = []
    while len(frames) < count:
        frame = stage.get(timeout=5.0)
        assert frame is not None, "no frame within 5 s"
        frames.append(frame)
    return frames


def test_frames_arrive_in_pts_order_at_the_frame_rate_showing_their_pts() -> None:
    clock = MediaClock()
    clock.start()
    renderer = ShadeRenderer()
    stage = _stage(renderer, clock, fps=30.0, queue_size=64)
    try:
        frames = _collect(stage, 20)
    finally:
        stage.stop()
    pts = np.array([f.pts for f in frames])
    assert (np.diff(pts) > 0).all()
    assert [f.index for f in frames] == sorted({f.index for f in frames})
    assert abs(float(np.median(np.diff(pts))) - 1 / 30) < 0.01
    for frame in frames:  # the PBO delay does not mix up frames and their pts
        assert frame.image.shape == (H, W, 4)
        assert abs(int(frame.image[0, 0, 0]) - round(_shade(frame.pts) * 255)) <= 1
    assert renderer.threads == {"studio-avatar-stage"}
    stats = stage.stats
    assert stats.rendered >= 20 and stats.delivered >= 20 and not stats.running and stats.error is None


def test_a_full_queue_drops_the_oldest_frames_and_counts_them() -> None:
    clock = MediaClock()
    clock.start()
    enough = threading.Event()
    seen: list[int] = []

    def on_frame(frame: StageFrame) -> None:
        seen.append(frame.index)
        if len(seen) >= 12:
            enough.set()

    stage = _stage(ShadeRenderer(), clock, fps=60.0, queue_size=3, on_frame=on_frame)
    try:
        assert enough.wait(10.0)
    finally:
        stage.stop()
    kept = stage.drain()
    stats = stage.stats
    assert [f.index for f in kept] == seen[-3:], "the newest frames are kept"
    assert stats.delivered == len(seen)
    assert stats.dropped == len(seen) - 3


def test_late_ticks_are_skipped_and_counted() -> None:
    offset = [0.0]

    def monotonic() -> float:
        return time.monotonic() + offset[0]

    def state(pts: float) -> AvatarState:
        if offset[0] == 0.0 and pts > 0.1:
            offset[0] = 0.5  # the render thread "stalls" for half a second: 15 ticks at 30 fps
        return _state(pts)

    clock = MediaClock()
    clock.start()
    stage = HeadlessStage(ShadeRenderer(), clock, state, width=W, height=H, fps=30.0, monotonic=monotonic)
    try:
        stage.start()
    except GLUnavailableError as exc:
        pytest.skip(f"no headless OpenGL here: {exc.user_message}")
    try:
        frames = _collect(stage, 8)
    finally:
        stage.stop()
    assert stage.stats.skipped >= 14  # 15 ticks passed during the stall (more if the machine is busy)
    gaps = np.diff([f.index for f in frames])
    assert gaps.max() >= 15, "frame numbers show the gap"


def test_stop_releases_gl_on_the_render_thread_and_the_stage_restarts() -> None:
    clock = MediaClock()
    clock.start()
    renderer = ShadeRenderer()
    stage = _stage(renderer, clock)
    try:
        _collect(stage, 3)
    finally:
        stage.stop()
    assert renderer.loads == renderer.releases == 1
    assert renderer.release_had_context == [True]
    assert not stage.running
    assert current_egl_context() == 0, "nothing was made current on the owner thread"
    stage.stop()  # idempotent
    stage.start()
    try:
        frames = _collect(stage, 3)
    finally:
        stage.stop()
    assert frames[0].index <= 2, "frame numbers and counters restart"
    assert stage.stats.delivered < 10
    assert renderer.loads == renderer.releases == 2
    assert renderer.release_had_context == [True, True]
    assert not any(t.name == "studio-avatar-stage" for t in threading.enumerate()), "the thread ended"


def test_a_renderer_that_cannot_load_fails_start_with_its_error() -> None:
    renderer = ShadeRenderer(fail_load=True)
    stage = HeadlessStage(renderer, MediaClock(), _state, width=W, height=H)
    with pytest.raises(RenderError, match="broken model"):
        try:
            stage.start()
        except GLUnavailableError as exc:
            pytest.skip(f"no headless OpenGL here: {exc.user_message}")
    assert not stage.running
    assert stage.stats.error is not None and "broken model" in stage.stats.error
    assert stage.get(timeout=0.0) is None


def test_an_error_while_rendering_stops_the_stage_and_is_reported() -> None:
    clock = MediaClock()
    clock.start()
    calls = [0]

    def state(pts: float) -> AvatarState:
        calls[0] += 1
        if calls[0] == 5:
            raise ValueError("state source broke")
        return _state(pts)

    renderer = ShadeRenderer()
    stage = HeadlessStage(renderer, clock, state, width=W, height=H, fps=60.0, queue_size=64)
    try:
        stage.start()
    except GLUnavailableError as exc:
        pytest.skip(f"no headless OpenGL here: {exc.user_message}")
    try:
        while stage.get(timeout=5.0) is not None:  # returns None once the thread has ended
            pass
        assert not stage.running
        assert stage.stats.error == "ValueError: state source broke"
        assert renderer.releases == 1, "GL was still released"
    finally:
        stage.stop()
