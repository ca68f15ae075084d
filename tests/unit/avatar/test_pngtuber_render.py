"""The PNGTuber renderer through real OpenGL (headless EGL, Mesa llvmpipe): snapshots and behaviour.

Snapshots: every expression, viseme and blink state is rendered and compared with the PNGs in
``tests/fixtures/avatar/pngtuber/`` (straight alpha). They match when, composited over grey, the
mean absolute difference is below 2/255 and fewer than 1 % of pixels differ by more than 32.
After a deliberate change to the art or the renderer, regenerate them and look at them::

    STUDIO_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/unit/avatar/test_pngtuber_render.py

A failing comparison writes the rendered image next to the test's tmp folder and names it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

from studio.avatar.pngtuber_layout import fit
from studio.avatar.pngtuber_sets import load_pngtuber
from studio.avatar.render.base import AvatarRenderer
from studio.avatar.render.egl import EglContext
from studio.avatar.render.errors import RenderError
from studio.avatar.render.gl import GL
from studio.avatar.render.pngtuber import PngTuberRenderer
from studio.avatar.render.target import OffscreenTarget
from studio.avatar.state import AvatarState
from tests.unit.avatar.test_pngtuber_sets import make_set

ROOT = Path(__file__).resolve().parents[3]
SNAPSHOTS = ROOT / "tests" / "fixtures" / "avatar" / "pngtuber"
UPDATE = os.environ.get("STUDIO_UPDATE_SNAPSHOTS") == "1"
EXPRESSIONS = ("neutral", "happy", "sad", "angry", "surprised", "shy")
VISEMES = ("A", "I", "U", "E", "O")
OPEN_EYES = {"ParamEyeLOpen": 1.0, "ParamEyeROpen": 1.0}

Frame = npt.NDArray[np.uint8]
Box = tuple[int, int, int, int]
# Crops on the avatar's 960x1080 canvas.
HEAD: Box = (280, 150, 700, 660)
EYES: Box = (330, 380, 630, 550)
MOUTH: Box = (420, 530, 540, 630)


class Stage:
    """A renderer and a target of one size."""

    def __init__(self, width: int, height: int, source: object = None) -> None:
        self.target = OffscreenTarget(width, height)
        self.renderer = PngTuberRenderer(source)  # type: ignore[arg-type]
        self.renderer.load(width, height)

    def frame(self, state: AvatarState, dt: float = 0.0) -> Frame:
        self.renderer.update(dt, state)
        self.target.clear()
        self.renderer.draw()
        return self.target.read()

    def fresh(self, state: AvatarState) -> Frame:
        self.renderer.reset()
        return self.frame(state)

    def close(self) -> None:
        self.renderer.release()
        self.target.release()


@pytest.fixture
def stage(gl: EglContext) -> Iterator[type[Stage]]:
    made: list[Stage] = []

    def make(width: int, height: int, source: object = None) -> Stage:
        made.append(Stage(width, height, source))
        return made[-1]

    yield make  # type: ignore[misc]
    for s in made:
        s.close()


def crop(frame: Frame, box: Box, width: int, height: int) -> Frame:
    k, _, _, _, ex, ey = fit(load_pngtuber(), width, height)
    x0, y0, x1, y1 = (round(v) for v in (box[0] * k + ex, box[1] * k + ey, box[2] * k + ex, box[3] * k + ey))
    return frame[y0:y1, x0:x1]


def straight(frame: Frame) -> Frame:
    """Premultiplied (as drawn) -> straight alpha."""
    out = frame.copy()
    a = frame[..., 3:4].astype(np.float64)
    rgb = np.where(a > 0, frame[..., :3] * 255.0 / np.maximum(a, 1), 0)
    out[..., :3] = np.clip(np.round(rgb), 0, 255).astype(np.uint8)
    return out


def over_grey(rgba: Frame) -> npt.NDArray[np.float64]:
    a = rgba[..., 3:4] / 255.0
    rgb = rgba[..., :3] * a + 128.0 * (1 - a)
    return np.concatenate([rgb, rgba[..., 3:4].astype(np.float64)], axis=-1)


def check_snapshot(name: str, frame: Frame, tmp_path: Path) -> None:
    image = straight(frame)
    path = SNAPSHOTS / f"{name}.png"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(image, "RGBA").save(path, optimize=True)
        return
    assert path.is_file(), f"no reference {path}: run with STUDIO_UPDATE_SNAPSHOTS=1 (see the module docs)"
    ref = np.asarray(Image.open(path).convert("RGBA"))
    assert ref.shape == image.shape, f"{name}: size {image.shape} != reference {ref.shape}"
    diff = np.abs(over_grey(image) - over_grey(ref))
    mean = float(diff.mean())
    big = float((diff.max(axis=-1) > 32).mean())
    if mean >= 2.0 or big >= 0.01:
        actual = tmp_path / f"{name}.actual.png"
        Image.fromarray(image, "RGBA").save(actual)
        pytest.fail(
            f"{name} differs from {path}: mean {mean:.2f}/255, {big:.2%} pixels > 32; rendered: {actual}"
        )


# ---- snapshots ----


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_expression_snapshots(stage: type[Stage], expression: str, tmp_path: Path) -> None:
    s = stage(480, 540)
    frame = s.fresh(AvatarState(expression=expression, params=OPEN_EYES))
    check_snapshot(f"expression_{expression}", crop(frame, HEAD, 480, 540), tmp_path)


@pytest.mark.parametrize("viseme", ("rest", *VISEMES))
def test_viseme_snapshots(stage: type[Stage], viseme: str, tmp_path: Path) -> None:
    s = stage(960, 1080)
    mouth = {} if viseme == "rest" else {"ParamMouthOpenY": 0.8, f"Param{viseme}": 1.0}
    frame = s.fresh(AvatarState(mouth=mouth, params=OPEN_EYES))
    check_snapshot(f"viseme_{viseme}", crop(frame, MOUTH, 960, 1080), tmp_path)


@pytest.mark.parametrize(("expression", "eye"), [("neutral", 0.5), ("neutral", 0.0), ("happy", 0.0)])
def test_blink_snapshots(stage: type[Stage], expression: str, eye: float, tmp_path: Path) -> None:
    s = stage(480, 540)
    frame = s.fresh(AvatarState(expression=expression, params={"ParamEyeLOpen": eye, "ParamEyeROpen": eye}))
    check_snapshot(f"eyes_{expression}_{'half' if eye else 'closed'}", crop(frame, EYES, 480, 540), tmp_path)


def test_full_body_snapshot(stage: type[Stage], tmp_path: Path) -> None:
    frame = stage(240, 270).fresh(AvatarState(params=OPEN_EYES))
    check_snapshot("full_neutral", frame, tmp_path)


# ---- behaviour ----


def changed(a: Frame, b: Frame, level: int = 8) -> npt.NDArray[np.bool_]:
    return (np.abs(a.astype(np.int16) - b.astype(np.int16)) > level).any(axis=-1)


def test_mouth_open_and_closed_differ_in_the_mouth_region_only(stage: type[Stage]) -> None:
    s = stage(640, 720)
    closed = s.fresh(AvatarState(params=OPEN_EYES))
    opened = s.frame(AvatarState(mouth={"ParamMouthOpenY": 0.9, "ParamA": 1.0}, params=OPEN_EYES))
    diff = changed(closed, opened)
    inside = crop(diff[..., None], MOUTH, 640, 720)
    assert inside.mean() > 0.05
    assert diff.sum() == inside.sum(), "nothing outside the mouth changed (no time passed: no bounce)"


def test_blink_shows_within_six_seconds_of_rendered_idle(stage: type[Stage]) -> None:
    s = stage(480, 540)
    open_frame = s.fresh(AvatarState())
    for _ in range(6 * 60):
        s.renderer.update(1 / 60, AvatarState())
        if any(op.sprite == "eyes/neutral_closed" for op in s.renderer.ops):
            break
    else:
        pytest.fail("no blink within 6 s")
    s.target.clear()
    s.renderer.draw()
    eyes = changed(crop(open_frame, EYES, 480, 540), crop(s.target.read(), EYES, 480, 540))
    assert eyes.mean() > 0.1


def test_cross_fade_renders_the_exact_average_of_both_expressions(stage: type[Stage]) -> None:
    s = stage(480, 540)
    neutral_state, happy_state = (
        AvatarState(params=OPEN_EYES),
        AvatarState(expression="happy", params=OPEN_EYES),
    )

    def at_100ms(start: AvatarState, then: AvatarState) -> npt.NDArray[np.float64]:
        s.fresh(start)  # all three at the same time, so breathing and sway match
        return s.frame(then, dt=0.1).astype(np.float64)

    neutral = at_100ms(neutral_state, neutral_state)
    happy = at_100ms(happy_state, happy_state)
    mid = at_100ms(neutral_state, happy_state)
    weights = dict(s.renderer.animator.pose.expressions)
    assert weights == pytest.approx({"neutral": 0.5, "happy": 0.5})
    region = crop(np.abs(neutral - happy).max(axis=-1)[..., None], EYES, 480, 540)[..., 0] > 40
    assert region.sum() > 200, "the eyes differ between the expressions"
    mid_eyes, expect = crop(mid, EYES, 480, 540)[region], crop((neutral + happy) / 2, EYES, 480, 540)[region]
    assert np.abs(mid_eyes - expect).mean() < 3.0, "a weighted average, no dip where both are opaque"
    assert np.abs(mid_eyes - crop(neutral, EYES, 480, 540)[region]).mean() > 15


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (300, 800), (64, 64)])
def test_any_frame_size_fits_the_avatar_on_a_transparent_background(
    stage: type[Stage], width: int, height: int
) -> None:
    frame = stage(width, height).fresh(AvatarState(params=OPEN_EYES))
    ys, xs = np.nonzero(frame[..., 3])
    assert xs.size
    assert frame[0, 0, 3] == 0 and frame[0, -1, 3] == 0, "the caller's clear shows around the avatar"
    assert abs((xs.min() + xs.max()) / 2 - width / 2) < width * 0.05, "centred"
    assert ys.max() >= height - 2, "the bust reaches the bottom of the frame"
    assert (frame[..., :3] <= frame[..., 3:4]).all(), "premultiplied colour"


def test_scale_and_offset_from_the_state_place_the_avatar(stage: type[Stage]) -> None:
    s = stage(640, 360)
    base = s.fresh(AvatarState(params=OPEN_EYES))
    moved = s.fresh(AvatarState(params=OPEN_EYES, scale=0.5, offset=(0.25, 0.0)))
    xs, xs2 = np.nonzero(base[..., 3])[1], np.nonzero(moved[..., 3])[1]
    assert (xs2.max() - xs2.min()) == pytest.approx((xs.max() - xs.min()) * 0.5, abs=3)
    assert (xs2.min() + xs2.max()) / 2 == pytest.approx(320 + 160, abs=3)


def test_draw_keeps_the_callers_framebuffer_and_state(stage: type[Stage]) -> None:
    s = stage(320, 360)
    s.renderer.update(0.1, AvatarState(expression="happy"))  # mid-fade: the scratch target is used
    s.target.clear()
    GL.glViewport(5, 6, 70, 80)
    GL.glBlendFunc(GL.GL_SRC_ALPHA, GL.GL_ONE_MINUS_SRC_ALPHA)
    GL.glDisable(GL.GL_BLEND)
    s.renderer.draw()
    assert int(GL.glGetIntegerv(GL.GL_DRAW_FRAMEBUFFER_BINDING)) == s.target.fbo
    assert [int(v) for v in GL.glGetIntegerv(GL.GL_VIEWPORT)] == [5, 6, 70, 80]
    assert not GL.glIsEnabled(GL.GL_BLEND)
    assert int(GL.glGetIntegerv(GL.GL_BLEND_SRC_RGB)) == GL.GL_SRC_ALPHA
    assert int(GL.glGetIntegerv(GL.GL_CURRENT_PROGRAM)) == 0
    assert s.target.read()[..., 3].any()


def test_hit_test_finds_head_and_body(stage: type[Stage]) -> None:
    s = stage(960, 1080)
    s.fresh(AvatarState(params=OPEN_EYES))
    assert s.renderer.hit_test(480, 300) == ["Head"]
    assert s.renderer.hit_test(480, 900) == ["Body"]
    assert s.renderer.hit_test(10, 10) == []


def test_a_user_image_set_renders_and_talks(stage: type[Stage], tmp_path: Path) -> None:
    s = stage(200, 240, make_set(tmp_path / "blob"))
    idle = s.fresh(AvatarState())
    talk = s.frame(AvatarState(mouth={"ParamMouthOpenY": 0.8, "ParamA": 1.0}))
    assert changed(idle, talk).sum() > 200
    assert s.renderer.expressions() == ["neutral", "happy"]


def test_renderer_protocol_queries_and_lifecycle(gl: EglContext) -> None:
    renderer = PngTuberRenderer()
    assert isinstance(renderer, AvatarRenderer)
    with pytest.raises(RenderError, match="not loaded"):
        renderer.draw()
    renderer.load(100, 100)
    assert renderer.expressions()[0] == "neutral" and len(renderer.expressions()) >= 6
    assert renderer.motion_groups() == {"Idle": 1, "Hop": 1, "Nod": 1, "Shake": 1}
    renderer.load(100, 100)  # loading again replaces the textures
    renderer.resize(200, 150)
    renderer.update(1 / 30, AvatarState())
    renderer.release()
    renderer.release()
