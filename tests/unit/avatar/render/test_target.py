"""OffscreenTarget: clear colours, top-left orientation, PBO ring latency, resize, release."""

from __future__ import annotations

import numpy as np
import pytest

from studio.avatar.render.egl import EglContext
from studio.avatar.render.errors import RenderError
from studio.avatar.render.gl import GL
from studio.avatar.render.target import CHROMA_GREEN, TRANSPARENT, OffscreenTarget

RED = (1.0, 0.0, 0.0, 1.0)
BLUE = (0.0, 0.0, 1.0, 1.0)


def _fill(target: OffscreenTarget, color: tuple[float, float, float, float]) -> None:
    target.clear(color)


def test_clear_colour_reads_back(gl: EglContext) -> None:
    target = OffscreenTarget(64, 36, clear_color=CHROMA_GREEN)
    try:
        target.clear()
        frame = target.read()
        assert frame.shape == (36, 64, 4)
        assert frame.dtype == np.uint8
        assert (frame == [0, 255, 0, 255]).all()
        target.clear_color = TRANSPARENT
        target.clear()
        assert not target.read().any()
    finally:
        target.release()


def test_frames_come_back_top_row_first(gl: EglContext) -> None:
    """GL's origin is bottom-left; the arrays put the top row first (not upside down)."""
    target = OffscreenTarget(40, 30)
    try:
        target.clear(BLUE)
        GL.glEnable(GL.GL_SCISSOR_TEST)
        GL.glScissor(0, 20, 10, 10)  # GL y counts from the bottom: this is the top-left corner
        GL.glClearColor(*RED)
        GL.glClear(GL.GL_COLOR_BUFFER_BIT)
        GL.glDisable(GL.GL_SCISSOR_TEST)
        for frame in (target.read(), _async_read(target)):
            assert (frame[:10, :10] == [255, 0, 0, 255]).all()
            assert (frame[10:, :] == [0, 0, 255, 255]).all()
            assert (frame[:, 10:] == [0, 0, 255, 255]).all()
    finally:
        target.release()


def _async_read(target: OffscreenTarget) -> np.ndarray:
    assert target.read_async() is None
    (frame,) = target.flush()
    return frame


@pytest.mark.parametrize("pbos", [2, 3])
def test_async_readback_returns_earlier_frames_in_order(gl: EglContext, pbos: int) -> None:
    target = OffscreenTarget(32, 16, pbo_count=pbos)
    colours = [RED, BLUE, CHROMA_GREEN, (1.0, 1.0, 1.0, 1.0), (0.0, 0.0, 0.0, 0.0)]
    try:
        got: list[np.ndarray] = []
        for i, colour in enumerate(colours):
            _fill(target, colour)
            frame = target.read_async()
            if i < pbos - 1:
                assert frame is None  # the ring is still filling
            else:
                assert frame is not None
                got.append(frame)
            assert target.in_flight == min(i + 1, pbos - 1)
        got += target.flush()
        assert target.in_flight == 0
        assert target.flush() == []
        assert len(got) == len(colours)
        for frame, colour in zip(got, colours, strict=True):
            expected = np.round(np.array(colour) * 255).astype(np.uint8)
            assert (frame == expected).all(), (frame[0, 0], expected)
    finally:
        target.release()


def test_async_frames_are_independent_copies(gl: EglContext) -> None:
    target = OffscreenTarget(8, 8)
    try:
        _fill(target, RED)
        target.read_async()
        _fill(target, BLUE)
        first = target.read_async()
        _fill(target, CHROMA_GREEN)
        target.read_async()
        assert first is not None
        assert (first == [255, 0, 0, 255]).all()  # the mapped buffer was reused, the array was not
        first[...] = 0  # writable, owned by the caller
    finally:
        target.release()


def test_resize_drops_frames_in_flight(gl: EglContext) -> None:
    target = OffscreenTarget(16, 16)
    try:
        _fill(target, RED)
        target.read_async()
        target.resize(24, 10)
        assert target.in_flight == 0
        assert (target.width, target.height, target.nbytes) == (24, 10, 24 * 10 * 4)
        _fill(target, BLUE)
        assert target.read().shape == (10, 24, 4)
        assert (target.read() == [0, 0, 255, 255]).all()
    finally:
        target.release()


def test_creating_a_target_keeps_the_bound_framebuffer(gl: EglContext) -> None:
    outer = OffscreenTarget(8, 8)
    try:
        outer.bind()
        inner = OffscreenTarget(4, 4)
        assert int(GL.glGetIntegerv(GL.GL_FRAMEBUFFER_BINDING)) == outer.fbo
        assert inner.fbo != outer.fbo and inner.color_texture
        inner.release()
    finally:
        outer.release()


def test_released_target_and_bad_sizes_are_refused(gl: EglContext) -> None:
    target = OffscreenTarget(8, 8)
    target.release()
    target.release()
    assert target.fbo == 0
    with pytest.raises(RenderError, match="released"):
        target.bind()
    with pytest.raises(RenderError, match="released"):
        target.read()
    with pytest.raises(RenderError, match="out of range"):
        OffscreenTarget(0, 10)
    with pytest.raises(ValueError, match="pbo_count"):
        OffscreenTarget(8, 8, pbo_count=1)
