"""Live2DRenderer on real models (Hiyori, Mao, Haru from ../shared/live2d; shizuku, Cubism 2, from npm).

Every model is drawn for real (EGL + Mesa) with blinking, breathing and idle motions off, so two
renders of the same state are identical and any pixel change comes from the state under test.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from studio.avatar.lipsync import CLOSED_MOUTH, MouthFrame
from studio.avatar.render.base import AvatarRenderer
from studio.avatar.render.egl import EglContext
from studio.avatar.render.errors import AvatarModelError, RenderError
from studio.avatar.render.gl import GL
from studio.avatar.render.live2d import Live2DRenderer, v2_param_id
from studio.avatar.render.target import OffscreenTarget
from studio.avatar.state import AvatarState, MotionRequest
from tests.fixtures.live2d_npm import npm_live2d_model
from tests.unit.avatar.render.conftest import changed, render, sample_model, silhouette

W, H = 360, 540  # portrait: the full-body models fit the height
OPEN = AvatarState(mouth={"ParamMouthOpenY": 1.0})
CLOSED = AvatarState(mouth={"ParamMouthOpenY": 0.0})


@pytest.fixture
def target(gl: EglContext) -> Iterator[OffscreenTarget]:
    t = OffscreenTarget(W, H)
    yield t
    t.release()


def _load(path: Path, target: OffscreenTarget, **kwargs: object) -> Live2DRenderer:
    renderer = Live2DRenderer(path, auto_blink=False, auto_breath=False, idle_motions=False, **kwargs)  # type: ignore[arg-type]
    target.bind()
    renderer.load(target.width, target.height)
    return renderer


@pytest.mark.parametrize("name", ["Hiyori", "Mao", "Haru"])
def test_mouth_opens_inside_the_face(name: str, target: OffscreenTarget) -> None:
    renderer = _load(sample_model(name), target)
    try:
        closed = render(renderer, target, CLOSED)
        opened = render(renderer, target, OPEN)
        assert (render(renderer, target, CLOSED) == closed).all(), "rendering is not repeatable"

        left, right, top, bottom = silhouette(closed)
        opaque = closed[..., 3] > 0
        assert closed[opaque][:, :3].std() > 20, "the model rendered as a flat colour (black?)"
        diff = changed(closed, opened)
        assert diff.sum() > 30, f"the mouth moved only {diff.sum()} pixels"
        ys, xs = np.nonzero(diff)
        cy, cx = float(ys.mean()), float(xs.mean())
        # The mouth is in the head, near the top of a full-body model (not upside down) ...
        assert top < cy < top + 0.3 * (bottom - top)
        assert left < cx < right
        assert ys.max() - ys.min() < 0.1 * (bottom - top)
        # ... and where the model's own hit geometry puts the head (same top-left coordinates).
        if "Head" in [a.name for a in renderer.info.hit_areas]:
            assert "Head" in renderer.hit_test(cx, cy)
    finally:
        renderer.release()


@pytest.mark.parametrize(("name", "expression"), [("Mao", "exp_02"), ("Haru", "F07")])
def test_expression_changes_pixels_and_neutral_restores(
    name: str, expression: str, target: OffscreenTarget
) -> None:
    renderer = _load(sample_model(name), target)
    try:
        assert expression in renderer.expressions()
        neutral = render(renderer, target, CLOSED, frames=2)
        expressive = render(renderer, target, replace(CLOSED, expression=expression), frames=45)
        diff = changed(neutral, expressive)
        assert diff.sum() > 50  # eyes, brows, cheeks of a full-body model at 360x540
        _, _, top, bottom = silhouette(neutral)
        assert np.nonzero(diff)[0].mean() < top + 0.35 * (bottom - top)  # a face change
        back = render(renderer, target, CLOSED, frames=45)
        assert changed(neutral, back).sum() == 0
        zero_weight = replace(CLOSED, expression=expression, expression_weight=0.0)
        assert changed(neutral, render(renderer, target, zero_weight, frames=45)).sum() == 0
    finally:
        renderer.release()


def test_mao_lip_sync_drives_param_a(target: OffscreenTarget) -> None:
    renderer = _load(sample_model("Mao"), target)
    try:
        assert renderer.lip_sync_ids == ("ParamA",)  # its Groups -> LipSync
        assert "ParamMouthOpenY" not in renderer.parameter_ids
        closed = render(renderer, target, AvatarState(mouth=CLOSED_MOUTH.as_params()))
        assert renderer.parameter("ParamA") == 0.0

        # An opening with no vowel shape (e.g. the API's mouth value) opens Mao through ParamA.
        opened = render(renderer, target, AvatarState(mouth={"ParamMouthOpenY": 0.9}))
        assert renderer.parameter("ParamA") == pytest.approx(0.9)
        assert changed(closed, opened).sum() > 100

        # Lip-sync frames with visemes: the vowel parameters come through as they are.
        frame = MouthFrame(mouth_open=0.4, mouth_width=0.3, mouth_form=0.2, i=0.7)
        vowel_i = render(renderer, target, AvatarState(mouth=frame.as_params()))
        assert renderer.parameter("ParamI") == pytest.approx(0.7)
        assert renderer.parameter("ParamA") == 0.0
        assert changed(closed, vowel_i).sum() > 50
        assert changed(opened, vowel_i).sum() > 50
    finally:
        renderer.release()


def test_lip_sync_ids_can_be_overridden(target: OffscreenTarget) -> None:
    renderer = _load(sample_model("Mao"), target, lip_sync_ids=["ParamO", "NoSuchParam"])
    try:
        assert renderer.lip_sync_ids == ("ParamO",)
        render(renderer, target, AvatarState(mouth={"ParamMouthOpenY": 0.8}), frames=1)
        assert renderer.parameter("ParamO") == pytest.approx(0.8)
        assert renderer.parameter("ParamA") == 0.0
    finally:
        renderer.release()


def test_mouth_wins_over_a_playing_motion(target: OffscreenTarget) -> None:
    renderer = _load(sample_model("Haru"), target)
    try:
        state = AvatarState(mouth={"ParamMouthOpenY": 0.3}, motion=MotionRequest("TapBody", 0, 3, serial=1))
        for _ in range(30):
            renderer.update(1 / 30, state)
            assert renderer.parameter("ParamMouthOpenY") == pytest.approx(0.3)
        assert renderer.motion_playing
    finally:
        renderer.release()


def test_motion_starts_once_per_request_serial(target: OffscreenTarget) -> None:
    renderer = _load(sample_model("Haru"), target)
    try:
        rest = render(renderer, target, CLOSED, frames=2)
        assert not renderer.motion_playing
        request = replace(CLOSED, motion=MotionRequest("tap_body", 1, 2, serial=7))  # any spelling
        moving = render(renderer, target, request, frames=15)
        assert renderer.motion_playing
        assert changed(rest, moving).sum() > 500
        for _ in range(600):  # let it finish (20 s at most)
            if not renderer.motion_playing:
                break
            renderer.update(1 / 30, request)
        assert not renderer.motion_playing
        render(renderer, target, request, frames=3)
        assert not renderer.motion_playing, "the same serial restarted the motion"
        render(renderer, target, replace(request, motion=MotionRequest("TapBody", -1, 2, serial=8)))
        assert renderer.motion_playing
        render(renderer, target, replace(request, motion=MotionRequest("NoSuchGroup", serial=9)))
    finally:
        renderer.release()


def test_hit_test_uses_top_left_frame_pixels(target: OffscreenTarget) -> None:
    renderer = _load(sample_model("Haru"), target)
    try:
        frame = render(renderer, target, CLOSED, frames=1)
        left, right, top, bottom = silhouette(frame)
        hits = {(x, y): renderer.hit_test(x, y) for x in range(left, right, 8) for y in range(top, bottom, 8)}
        head = [y for (x, y), areas in hits.items() if "Head" in areas]
        body = [y for (x, y), areas in hits.items() if "Body" in areas]
        assert head and body
        assert max(head) < float(np.mean(body))  # the head is above the body
        # Hit areas are boxes around the head: its centre is on the drawn head in the frame.
        head_xy = np.array([p for p, areas in hits.items() if "Head" in areas])
        cx, cy = (int(v) for v in head_xy.mean(axis=0))
        assert frame[cy, cx, 3] == 255
        assert top < cy < top + 0.2 * (bottom - top)
        assert renderer.hit_test(2, 2) == []
        assert renderer.hit_parts(2, 2) == []
        assert renderer.hit_parts(*next(p for p, a in hits.items() if "Head" in a))
    finally:
        renderer.release()


def test_scale_and_offset_follow_the_state(gl: EglContext) -> None:
    wide = OffscreenTarget(480, 270)  # 16:9, so x and y units differ
    renderer = _load(sample_model("Haru"), wide)
    try:
        l0, r0, t0, b0 = silhouette(render(renderer, wide, CLOSED, frames=1))
        l1, r1, t1, _ = silhouette(render(renderer, wide, replace(CLOSED, offset=(0.25, 0.1)), frames=1))
        assert l1 - l0 == pytest.approx(0.25 * 480, abs=2)
        assert r1 - r0 == pytest.approx(0.25 * 480, abs=2)
        assert t1 - t0 == pytest.approx(0.1 * 270, abs=2)  # y points down, like the frame
        _, _, t2, b2 = silhouette(render(renderer, wide, replace(CLOSED, scale=0.5), frames=1))
        assert (b2 - t2) / (b0 - t0) == pytest.approx(0.5, abs=0.03)
        renderer.resize(240, 270)
        wide.resize(240, 270)
        l3, r3, _, _ = silhouette(render(renderer, wide, replace(CLOSED, offset=(0.25, 0.0)), frames=1))
        assert (l3 + r3) / 2 == pytest.approx(120 + 0.25 * 240, abs=3)
    finally:
        renderer.release()
        wide.release()


def test_cubism2_model_from_npm(target: OffscreenTarget) -> None:
    path = npm_live2d_model("shizuku")
    renderer = _load(path, target)
    try:
        assert renderer.info.cubism == 2
        # Cubism 2 resets the framebuffer binding to 0 while loading; the renderer restores it.
        assert int(GL.glGetIntegerv(GL.GL_FRAMEBUFFER_BINDING)) == target.fbo
        assert renderer.lip_sync_ids == ("PARAM_MOUTH_OPEN_Y",)
        closed = render(renderer, target, AvatarState(mouth=CLOSED_MOUTH.as_params()))
        assert int(GL.glGetIntegerv(GL.GL_FRAMEBUFFER_BINDING)) == target.fbo
        opened = render(renderer, target, OPEN)
        assert renderer.parameter("ParamMouthOpenY") == pytest.approx(1.0)  # translated id
        diff = changed(closed, opened)
        assert diff.sum() > 100
        _, _, top, bottom = silhouette(closed)
        ys, xs = np.nonzero(diff)
        assert ys.mean() < top + 0.5 * (bottom - top)
        assert "head" in renderer.hit_test(float(xs.mean()), float(ys.mean()))
        assert sorted(renderer.expressions()) == ["f01", "f02", "f03", "f04"]
        with_face = render(renderer, target, replace(CLOSED, expression="f02"), frames=30)
        assert changed(closed, with_face).sum() > 100
        render(renderer, target, replace(CLOSED, motion=MotionRequest("TapBody", serial=1)), frames=2)
        assert renderer.motion_playing  # "TapBody" found the Cubism 2 group "tap_body"
    finally:
        renderer.release()


def test_idle_motions_keep_the_model_alive(target: OffscreenTarget) -> None:
    renderer = Live2DRenderer(sample_model("Hiyori"))
    target.bind()
    renderer.load(W, H)
    try:
        first = render(renderer, target, CLOSED, frames=1)
        assert renderer.motion_playing
        later = render(renderer, target, CLOSED, frames=20)
        assert changed(first, later).sum() > 50
    finally:
        renderer.release()


def test_protocol_and_errors(target: OffscreenTarget, tmp_path: Path) -> None:
    path = sample_model("Hiyori")
    renderer = Live2DRenderer(path)
    assert isinstance(renderer, AvatarRenderer)
    assert renderer.motion_groups() == {"Idle": 9, "TapBody": 1}  # from the json, before loading
    with pytest.raises(RenderError, match="not loaded"):
        renderer.update(0.1, AvatarState())
    with pytest.raises(AvatarModelError):
        Live2DRenderer(tmp_path / "missing.model3.json")
    broken = tmp_path / "Broken.model3.json"
    broken.write_text(
        '{"Version": 3, "FileReferences": {"Moc": "Broken.moc3", "Textures": ["t.png"]}}', encoding="utf-8"
    )
    with pytest.raises(AvatarModelError, match="missing"):
        Live2DRenderer(broken).load(W, H)
    renderer.release()  # never loaded: fine


def test_v2_param_ids() -> None:
    assert v2_param_id("ParamMouthOpenY") == "PARAM_MOUTH_OPEN_Y"
    assert v2_param_id("ParamAngleX") == "PARAM_ANGLE_X"
    assert v2_param_id("ParamEyeBallForm") == "PARAM_EYE_BALL_FORM"
    assert v2_param_id("ParamA") == "PARAM_A"


def test_look_turns_the_head_on_top_of_motions(target: OffscreenTarget) -> None:
    renderer = _load(sample_model("Haru"), target)
    try:
        render(renderer, target, CLOSED, frames=1)
        rest_x, rest_y = renderer.parameter("ParamAngleX"), renderer.parameter("ParamAngleY")
        render(renderer, target, replace(CLOSED, look=(0.5, 0.5)), frames=1)
        assert renderer.parameter("ParamAngleX") == pytest.approx(rest_x + 15.0)
        assert renderer.parameter("ParamAngleY") == pytest.approx(rest_y - 15.0)  # y down = look down
        assert renderer.parameter("ParamEyeBallX") > 0
    finally:
        renderer.release()
