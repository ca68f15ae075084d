"""render_snapshot: a still frame from a fresh headless context, on a worker thread."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio.avatar.render.egl import EglContext
from studio.avatar.render.errors import RenderError
from studio.avatar.render.live2d import Live2DRenderer
from studio.avatar.render.snapshot import render_snapshot
from studio.avatar.render.target import CHROMA_GREEN
from studio.avatar.state import AvatarState
from tests.unit.avatar.render.conftest import sample_model

PORTRAIT = AvatarState(scale=2.6, offset=(0.0, 0.75))  # head and shoulders


def _in_thread(fn: object) -> object:
    result: list[object] = []

    def run() -> None:
        try:
            result.append(fn())  # type: ignore[operator]
        except BaseException as exc:  # handed to the test thread
            result.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    return result[0]


def test_snapshot_on_a_worker_thread_saves_as_png(tmp_path: Path) -> None:
    model = sample_model("Haru")
    frame = _in_thread(lambda: render_snapshot(Live2DRenderer(model), 256, 256, state=PORTRAIT))
    assert isinstance(frame, np.ndarray)
    assert frame.shape == (256, 256, 4)
    assert (frame[0, 0] == 0).all() and (frame[-1, 128, 3] == 255)  # background clear, body opaque
    Image.fromarray(frame, "RGBA").save(tmp_path / "haru.png")
    assert Image.open(tmp_path / "haru.png").size == (256, 256)

    smiling = render_snapshot(
        Live2DRenderer(model, auto_blink=False),
        256,
        256,
        state=replace(PORTRAIT, expression="F05"),
        frames=30,
    )
    green = render_snapshot(Live2DRenderer(model), 256, 256, state=PORTRAIT, clear_color=CHROMA_GREEN)
    assert (green[0, 0] == [0, 255, 0, 255]).all()
    assert (smiling[..., 3] > 0).sum() > 0.3 * 256 * 256


def test_snapshot_refused_while_live2d_draws_elsewhere(gl: EglContext) -> None:
    model = sample_model("Mao")
    showing = Live2DRenderer(model)
    showing.load(64, 64)  # "the GUI" holds a model in its context
    try:
        outcome = _in_thread(lambda: render_snapshot(Live2DRenderer(model), 64, 64))
        assert isinstance(outcome, RenderError)
        assert "another OpenGL context" in str(outcome)
    finally:
        showing.release()
    with pytest.raises(RenderError, match="out of range"):
        gl.release()
        try:
            render_snapshot(Live2DRenderer(model), 0, 64)
        finally:
            gl.make_current()
