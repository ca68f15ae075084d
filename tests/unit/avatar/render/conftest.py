"""Render test setup: one headless EGL context per session, the Live2D sample models, helpers.

The context is made current on the test's thread for each test and released afterwards, so
other tests (GUI tests with Qt's contexts) are never disturbed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from studio.avatar.render.live2d import Live2DRenderer
from studio.avatar.render.target import OffscreenTarget
from studio.avatar.state import AvatarState

ROOT = Path(__file__).resolve().parents[4]
LIVE2D_SAMPLES = ROOT.parent / "shared" / "live2d"


def sample_model(name: str) -> Path:
    """``../shared/live2d/<name>/<name>.model3.json`` or a skip with the reason."""
    path = LIVE2D_SAMPLES / name / f"{name}.model3.json"
    if not path.is_file():
        pytest.skip(f"Live2D sample model {name} not found at {path} (test data lives in ../shared/live2d)")
    return path


def render(
    renderer: Live2DRenderer, target: OffscreenTarget, state: AvatarState, frames: int = 3
) -> np.ndarray:
    """Update + draw ``frames`` frames of 1/30 s with ``state``; the last frame, read synchronously."""
    for _ in range(frames):
        renderer.update(1 / 30, state)
        target.clear()
        renderer.draw()
    return target.read()


def changed(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Mask of pixels that differ noticeably (any channel by more than 8 levels)."""
    return (np.abs(a.astype(np.int16) - b.astype(np.int16)) > 8).any(axis=-1)


def silhouette(frame: np.ndarray) -> tuple[int, int, int, int]:
    """(left, right, top, bottom) of the opaque pixels of a frame drawn on transparent."""
    ys, xs = np.nonzero(frame[..., 3] > 0)
    assert xs.size, "nothing was drawn"
    return int(xs.min()), int(xs.max()), int(ys.min()), int(ys.max())
