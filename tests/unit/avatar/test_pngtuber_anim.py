"""PNGTuber animation and layout (pure Python): blink, breathing, bounce, cross-fades, visemes."""

from __future__ import annotations

import itertools
import logging
from dataclasses import replace

import pytest

from studio.avatar.pngtuber import (
    BLINK_TIME,
    FADE_TIME,
    DrawOp,
    PngTuberAnimator,
    Pose,
    eye_key,
    layout,
    mouth_key,
)
from studio.avatar.pngtuber_layout import fit, hit_layers
from studio.avatar.pngtuber_model import PngTuberModel
from studio.avatar.pngtuber_sets import load_pngtuber
from studio.avatar.state import AvatarState, MotionRequest

DT = 1 / 60
IDLE = AvatarState()


@pytest.fixture(scope="module")
def cream() -> PngTuberModel:
    return load_pngtuber()


def run(animator: PngTuberAnimator, state: AvatarState, seconds: float) -> list[Pose]:
    return [animator.update(DT, state) for _ in range(round(seconds / DT))]


def spoken(opening: float, vowel: str = "A") -> AvatarState:
    return AvatarState(mouth={"ParamMouthOpenY": opening, f"Param{vowel}": 1.0}, speaking=opening > 0)


@pytest.mark.parametrize("seed", range(20))
def test_blink_happens_within_six_seconds_of_idle_and_lasts_about_120_ms(
    cream: PngTuberModel, seed: int
) -> None:
    animator = PngTuberAnimator(cream, seed=seed)
    animator.update(0.0, IDLE)
    poses = run(animator, IDLE, 6.0)
    shut = [k for k, p in enumerate(poses) if eye_key(p.eye_open) != "open"]
    assert shut, f"no blink in 6 s (seed {seed})"
    assert any(eye_key(poses[k].eye_open) == "closed" for k in shut)
    first_run = [k for k in shut if k - shut[0] < 12]
    assert 4 <= len(first_run) <= round(BLINK_TIME / DT) + 1


def test_blinks_come_every_two_to_six_seconds(cream: PngTuberModel) -> None:
    animator = PngTuberAnimator(cream, seed=7)
    poses = run(animator, IDLE, 120.0)
    starts = [k * DT for k in range(1, len(poses)) if poses[k].eye_open < 1 <= poses[k - 1].eye_open]
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert len(starts) >= 20
    assert all(g < 6.0 + BLINK_TIME + 2 * DT for g in gaps)
    assert sum(g >= 2.0 for g in gaps) >= len(gaps) * 0.7, "doubles aside, blinks are 2-6 s apart"


def test_eye_parameters_from_the_director_replace_the_own_blink(cream: PngTuberModel) -> None:
    animator = PngTuberAnimator(cream, seed=1)
    held = AvatarState(params={"ParamEyeLOpen": 1.0, "ParamEyeROpen": 1.0})
    assert all(p.eye_open == 1.0 for p in run(animator, held, 8.0))
    assert (
        animator.update(DT, AvatarState(params={"ParamEyeLOpen": 0.0, "ParamEyeROpen": 0.0})).eye_open == 0.0
    )
    assert eye_key(animator.update(DT, AvatarState(params={"ParamEyeLOpen": 0.5})).eye_open) == "half"


def test_breathing_moves_body_and_head_slowly(cream: PngTuberModel) -> None:
    animator = PngTuberAnimator(cream)
    poses = run(animator, replace(IDLE, params={"ParamEyeLOpen": 1.0}), 4.0)
    sy = [p.body[3] for p in poses]
    head_y = [p.head[1] for p in poses]
    assert 0.008 < max(sy) - min(sy) < 0.02
    assert 2.0 < max(head_y) - min(head_y) < 6.0
    assert max(abs(a - b) for a, b in itertools.pairwise(sy)) < 0.001, "slow, no jumps"


def test_speaking_bounces_and_squashes_then_settles(cream: PngTuberModel) -> None:
    animator = PngTuberAnimator(cream)
    animator.update(0.0, IDLE)
    syllables = [spoken(0.8 if (k // 8) % 2 == 0 else 0.0) for k in range(60)]
    talk = [animator.update(DT, s) for s in syllables]
    dy = [p.body[1] for p in talk]
    stretch = [p.body[3] - 1 for p in talk]
    assert min(dy) < -8.0, "the avatar hops up while the mouth opens"
    assert max(stretch) > 0.01 and min(stretch) < -0.01, "stretch going up, squash coming down"
    assert all(abs(p.body[2] * p.body[3] ** 0.5 - 1) < 1e-9 for p in talk), "volume kept: sx = 1/sqrt(sy)"
    rest = run(animator, IDLE, 2.0)
    assert abs(rest[-1].body[1]) < 2.0 and rest[-1].mouth == "rest"


def test_speaking_without_lip_sync_flaps_the_mouth(cream: PngTuberModel) -> None:
    animator = PngTuberAnimator(cream)
    poses = run(animator, AvatarState(speaking=True), 1.0)
    keys = {p.mouth for p in poses}
    assert keys == {"open", "rest"}


def test_mouth_key_picks_the_strongest_vowel_and_rests_when_closed() -> None:
    assert mouth_key({}) == ("rest", 0.0)
    assert mouth_key({"ParamMouthOpenY": 0.05, "ParamA": 1.0})[0] == "rest"
    assert mouth_key({"ParamMouthOpenY": 0.6, "ParamA": 0.2, "ParamO": 0.7}) == ("O", 0.6)
    for vowel in "AIUEO":
        assert mouth_key({"ParamMouthOpenY": 0.5, f"Param{vowel}": 0.9})[0] == vowel
    assert mouth_key({"ParamMouthOpenY": 0.5})[0] == "open"


def test_visemes_select_mouth_sprites_and_open_wider_with_the_opening(cream: PngTuberModel) -> None:
    base = (("neutral", 1.0),)
    for vowel in "AIUEO":
        ops = layout(cream, Pose(base, mouth=vowel, mouth_open=0.8), 960, 1080)
        assert [op.sprite for op in ops if op.layer == "mouth"] == [f"mouth/{vowel}"]
    (rest,) = [op for op in layout(cream, Pose(base), 960, 1080) if op.layer == "mouth"]
    assert rest.sprite == "mouth/neutral_rest"
    small = next(
        op for op in layout(cream, Pose(base, mouth="A", mouth_open=0.2), 960, 1080) if op.layer == "mouth"
    )
    wide = next(
        op for op in layout(cream, Pose(base, mouth="A", mouth_open=0.8), 960, 1080) if op.layer == "mouth"
    )
    assert small.quad[1] == pytest.approx(wide.quad[1]), "the upper lip stays"
    assert small.quad[7] < wide.quad[7], "the jaw drops further"


def test_expression_cross_fade_passes_through_intermediate_alpha(cream: PngTuberModel) -> None:
    animator = PngTuberAnimator(cream)
    animator.update(0.0, IDLE)
    happy = AvatarState(expression="happy", params={"ParamEyeLOpen": 1.0})
    mid = animator.update(FADE_TIME / 2, happy)
    assert dict(mid.expressions) == pytest.approx({"happy": 0.5, "neutral": 0.5})
    ops = layout(cream, mid, 960, 1080)
    brows = [op for op in ops if op.layer == "brows"]
    assert {op.sprite for op in brows} == {"brows/neutral", "brows/happy"}
    assert all(0.0 < op.alpha < 1.0 for op in brows)
    assert brows[0].group == brows[1].group == "brows"
    assert sum(op.alpha for op in brows) == pytest.approx(1.0)
    assert [op.alpha for op in ops if op.layer == "fx"] == pytest.approx([0.5]), (
        "neutral has no effect: fades in"
    )
    end = animator.update(FADE_TIME / 2 + 0.01, happy)
    assert end.expressions == (("happy", 1.0),)
    assert {op.sprite for op in layout(cream, end, 960, 1080) if op.layer == "brows"} == {"brows/happy"}


def test_a_new_expression_mid_fade_keeps_weights_normalised(cream: PngTuberModel) -> None:
    animator = PngTuberAnimator(cream)
    animator.update(0.0, IDLE)
    animator.update(0.1, AvatarState(expression="happy"))
    pose = animator.update(0.05, AvatarState(expression="sad"))
    weights = dict(pose.expressions)
    assert set(weights) == {"neutral", "happy", "sad"}
    assert sum(weights.values()) == pytest.approx(1.0)
    for _ in range(20):
        pose = animator.update(DT, AvatarState(expression="sad"))
    assert pose.expressions == (("sad", 1.0),)


def test_partial_expression_weight_and_unknown_names(
    cream: PngTuberModel, caplog: pytest.LogCaptureFixture
) -> None:
    animator = PngTuberAnimator(cream)
    pose = animator.update(0.0, AvatarState(expression="angry", expression_weight=0.3))
    assert dict(pose.expressions) == pytest.approx({"angry": 0.3, "neutral": 0.7})
    with caplog.at_level(logging.WARNING, logger="studio.avatar.pngtuber"):
        for _ in range(30):
            pose = animator.update(DT, AvatarState(expression="smug"))
    assert pose.expressions == (("neutral", 1.0),)
    assert sum("no expression 'smug'" in r.getMessage() for r in caplog.records) == 1


def test_first_update_shows_the_requested_expression_at_once(cream: PngTuberModel) -> None:
    pose = PngTuberAnimator(cream).update(0.0, AvatarState(expression="shy"))
    assert pose.expressions == (("shy", 1.0),)


def test_motions_move_the_head_or_hop_and_unknown_groups_are_ignored(cream: PngTuberModel) -> None:
    animator = PngTuberAnimator(cream)
    animator.update(0.0, IDLE)
    nod = run(animator, AvatarState(motion=MotionRequest("Nod", serial=1)), 0.5)
    assert max(p.head[1] for p in nod) > 5.0
    shake = run(animator, AvatarState(motion=MotionRequest("Shake", serial=2)), 0.5)
    assert max(abs(p.head[2]) for p in shake) > 3.0
    hop = run(animator, AvatarState(motion=MotionRequest("Hop", serial=3)), 0.4)
    assert min(p.body[1] for p in hop) < -8.0
    run(animator, AvatarState(motion=MotionRequest("Dance", serial=4)), 0.2)


def test_layout_fits_the_canvas_and_applies_scale_and_offset(cream: PngTuberModel) -> None:
    pose = Pose((("neutral", 1.0),))
    k, _b, _c, k2, ex, ey = fit(cream, 1280, 720)
    assert k == k2 == pytest.approx(720 / 1080)
    assert ex == pytest.approx((1280 - 960 * k) / 2) and ey == pytest.approx(0.0)
    ops = layout(cream, pose, 1280, 720)
    xs = [v for op in ops for v in op.quad[0::2]]
    assert min(xs) > 1280 * 0.25 and max(xs) < 1280 * 0.75, "a portrait canvas centred in a wide frame"
    moved = layout(cream, pose, 1280, 720, scale=0.5, offset=(0.25, 0.1))
    body, body_moved = ops[1], moved[1]
    assert body.layer == body_moved.layer == "body"
    cx = (body.quad[0] + body.quad[2]) / 2
    cx_moved = (body_moved.quad[0] + body_moved.quad[2]) / 2
    assert cx_moved - 640 == pytest.approx((cx - 640) * 0.5 + 320, abs=0.01)
    assert body_moved.quad[2] - body_moved.quad[0] == pytest.approx((body.quad[2] - body.quad[0]) * 0.5)


def test_look_turns_the_head_with_parallax(cream: PngTuberModel) -> None:
    animator = PngTuberAnimator(cream)
    pose = animator.update(0.0, AvatarState(look=(1.0, 0.0)))
    ahead = layout(cream, replace(pose, look=(0.0, 0.0), head=(0.0, 0.0, 0.0)), 960, 1080)
    turned = layout(cream, pose, 960, 1080)

    def x_of(ops: list[DrawOp], layer: str) -> float:
        return next(op.quad[0] for op in ops if op.layer == layer)

    back = x_of(turned, "hair_back") - x_of(ahead, "hair_back")
    front = x_of(turned, "hair_front") - x_of(ahead, "hair_front")
    assert front > back, "front layers move further than the hair behind"


def test_hit_layers_use_sprite_alpha(cream: PngTuberModel) -> None:
    ops = layout(cream, Pose((("neutral", 1.0),)), 960, 1080)
    assert hit_layers(cream, ops, 480, 470)[0] in {"face", "eyes"}
    assert hit_layers(cream, ops, 480, 950)[0] == "body"
    assert hit_layers(cream, ops, 20, 20) == []
