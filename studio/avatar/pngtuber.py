"""The PNGTuber avatar's animation: from :class:`AvatarState` over time to a list of draw ops.

Two steps, both Qt- and GL-free:

1. :class:`PngTuberAnimator` keeps what needs history (seeded blink timer, expression
   cross-fade weights, a spring for the talking bounce, procedural motions) and turns
   ``update(dt, state)`` into a :class:`Pose`.
2. :func:`~studio.avatar.pngtuber_layout.layout` (re-exported here) is a pure function of
   (model, pose, frame size, scale, offset): the sprites to draw, back to front, each with its
   quad in frame pixels and an alpha.

Animation: breathing (slow sine: the body stretches a little, the head follows late), blinking
(every 2-6 s at random, ~120 ms, sometimes twice; eye-open parameters from the director win),
squash and bounce while speaking (a springy hop driven by the mouth opening: stretch going up,
squash landing), 200 ms cross-fades between expressions, visemes from ``ParamA``..``ParamO``
and ``ParamMouthOpenY`` (the rest mouth when closed; the mouth sprite also opens wider with
``ParamMouthOpenY``), a little head sway and parallax with ``look``, and the motions ``Idle``,
``Hop``, ``Nod`` and ``Shake``.

Cross-fades: ops of one layer that are blended between expressions share a ``group``; their
alphas sum to 1 and the renderer draws them as one weighted sum (an exact cross-fade, no dip).

Threads: an animator belongs to one thread (the renderer's GL thread); ``layout`` is pure.
"""

from __future__ import annotations

import logging
import math
import random
from collections.abc import Mapping
from typing import Final

from studio.avatar.pngtuber_layout import DrawOp, Pose, eye_key, hit_layers, layout
from studio.avatar.pngtuber_model import PngTuberModel
from studio.avatar.state import AvatarState
from studio.avatar.visemes import VISEMES

__all__ = [
    "BLINK_INTERVAL",
    "BLINK_TIME",
    "FADE_TIME",
    "MOTIONS",
    "DrawOp",
    "PngTuberAnimator",
    "Pose",
    "eye_key",
    "hit_layers",
    "layout",
    "mouth_key",
]

log = logging.getLogger(__name__)

BLINK_INTERVAL: Final = (2.0, 6.0)  # seconds between blinks, uniform
BLINK_TIME: Final = 0.12
DOUBLE_BLINK: Final = 0.15  # chance that a blink is followed at once by another
FADE_TIME: Final = 0.2
BREATH_PERIOD: Final = 3.6
MOUTH_CLOSED: Final = 0.1  # ParamMouthOpenY below this shows the rest mouth
FLAP_HZ: Final = 4.0  # mouth flapping when speaking without lip-sync values
EYE_PARAMS: Final = ("ParamEyeLOpen", "ParamEyeROpen")
MOTIONS: Final[Mapping[str, float]] = {"Idle": 2.0, "Hop": 0.5, "Nod": 0.7, "Shake": 0.8}
"""Procedural motion groups (one motion each) and their durations, s."""

_SPRING_HZ: Final = 3.0
_SPRING_DAMPING: Final = 0.32
_BOUNCE_PX: Final = 16.0


def mouth_key(mouth: Mapping[str, float]) -> tuple[str, float]:
    """(key, opening) from lip-sync parameters: the strongest vowel, ``open`` without vowels."""
    opening = min(1.0, max(0.0, float(mouth.get("ParamMouthOpenY", 0.0))))
    if opening < MOUTH_CLOSED:
        return "rest", opening
    weights = [float(mouth.get(f"Param{v}", 0.0)) for v in VISEMES]
    best = max(range(len(VISEMES)), key=weights.__getitem__)
    return (VISEMES[best] if weights[best] > 0.05 else "open"), opening


class PngTuberAnimator:
    """Turns successive :class:`AvatarState` snapshots into poses. One thread (the renderer's).

    Args:
        model: The model being animated (expression names, default expression).
        seed: Seed of the blink timer, so runs (and tests) are reproducible.
    """

    def __init__(self, model: PngTuberModel, *, seed: int = 0) -> None:
        self.model = model
        self._rng = random.Random(seed)
        self.time = 0.0
        self._next_blink = self._rng.uniform(*BLINK_INTERVAL)
        self._blink_start: float | None = None
        self._weights: dict[str, float] = {}
        self._envelope = 0.0
        self._bounce = 0.0
        self._velocity = 0.0
        self._motion: tuple[str, float] | None = None
        self._motion_serial: int | None = None
        self._warned: set[str] = set()
        self.pose = Pose(((model.default_expression, 1.0),))

    def update(self, dt: float, state: AvatarState) -> Pose:
        """Advance by ``dt`` seconds towards ``state``; returns (and keeps) the new pose."""
        dt = max(0.0, dt)
        first = not self._weights
        self.time += dt
        t = self.time
        self._fade(dt, state, snap=first)
        eye = self._eye_open(state.params)
        key, opening = mouth_key(state.mouth)
        if state.speaking and not state.mouth:  # no lip-sync source: flap while speaking
            opening = 0.5 + 0.5 * math.sin(2 * math.pi * FLAP_HZ * t)
            key = "open" if opening >= MOUTH_CLOSED else "rest"
        self._spring(dt, opening if key != "rest" else 0.0)
        self._start_motion(state)
        breath = math.sin(2 * math.pi * t / BREATH_PERIOD)
        lag = math.sin(2 * math.pi * t / BREATH_PERIOD - 0.7)
        stretch = max(-0.05, min(0.05, 0.004 * self._velocity))
        sy = 1.0 + 0.006 * breath + stretch
        sx = 1.0 / math.sqrt(sy)
        body = (0.0, -1.5 * breath - _BOUNCE_PX * self._bounce, sx, sy)
        lx, ly = state.look
        head_dx, head_dy, head_deg = (
            lx * 4.0,
            -2.0 * lag + ly * 4.0,
            1.0 * math.sin(2 * math.pi * t / 7.0) + lx * 3.0,
        )
        mx, my, mdeg = self._motion_offsets()
        self.pose = Pose(
            expressions=tuple(sorted(self._weights.items(), key=lambda kv: -kv[1])),
            eye_open=eye,
            mouth=key,
            mouth_open=opening,
            body=body,
            head=(head_dx + mx, head_dy + my, head_deg + mdeg),
            look=(max(-1.0, min(1.0, lx)), max(-1.0, min(1.0, ly))),
        )
        return self.pose

    # ---- pieces ----

    def _fade(self, dt: float, state: AvatarState, *, snap: bool) -> None:
        default = self.model.default_expression
        name = state.expression or default
        if name not in self.model.expressions:
            if name not in self._warned:
                self._warned.add(name)
                log.warning("The avatar %s has no expression %r; showing %s", self.model.name, name, default)
            name = default
        w = max(0.0, min(1.0, state.expression_weight))
        target = {default: 1.0} if name == default else {name: w, default: 1.0 - w}
        if snap:
            self._weights = {k: v for k, v in target.items() if v > 0.0}
            return
        step = dt / FADE_TIME
        moved: dict[str, float] = {}
        for expr in {**self._weights, **target}:
            now, goal = self._weights.get(expr, 0.0), target.get(expr, 0.0)
            value = min(goal, now + step) if goal > now else max(goal, now - step)
            if value > 1e-6:
                moved[expr] = value
        total = sum(moved.values()) or 1.0
        self._weights = {k: v / total for k, v in moved.items()}

    def _eye_open(self, params: Mapping[str, float]) -> float:
        given = [float(params[p]) for p in EYE_PARAMS if p in params]
        if given:  # the director drives the blink
            return max(0.0, min(1.0, sum(given) / len(given)))
        t = self.time
        if self._blink_start is None and t >= self._next_blink:
            self._blink_start = t
        if self._blink_start is None:
            return 1.0
        p = (t - self._blink_start) / BLINK_TIME
        if p >= 1.0:
            end = self._blink_start + BLINK_TIME
            self._blink_start = None
            again = self._rng.random() < DOUBLE_BLINK
            self._next_blink = end + (0.08 if again else self._rng.uniform(*BLINK_INTERVAL))
            return 1.0
        return 1.0 - p / 0.4 if p < 0.4 else 0.0 if p < 0.6 else (p - 0.6) / 0.4

    def _spring(self, dt: float, opening: float) -> None:
        # A fast-attack, slower-release envelope of the opening pulls a damped spring: the avatar
        # hops up as syllables start and overshoots a little as it settles.
        omega = 2 * math.pi * _SPRING_HZ
        steps = max(1, math.ceil(dt / (1 / 240)))
        h = dt / steps
        for _ in range(steps):
            tau = 0.03 if opening > self._envelope else 0.15
            self._envelope += (opening - self._envelope) * (1 - math.exp(-h / tau))
            accel = (
                omega * omega * (self._envelope - self._bounce) - 2 * _SPRING_DAMPING * omega * self._velocity
            )
            self._velocity += accel * h
            self._bounce += self._velocity * h

    def _start_motion(self, state: AvatarState) -> None:
        request = state.motion
        if request is None or request.serial == self._motion_serial:
            return
        self._motion_serial = request.serial
        if request.group not in MOTIONS:
            if request.group not in self._warned:
                self._warned.add(request.group)
                log.warning("The PNGTuber avatar has no motion group %r", request.group)
            return
        self._motion = (request.group, self.time)
        if request.group == "Hop":
            self._velocity += 14.0

    def _motion_offsets(self) -> tuple[float, float, float]:
        if self._motion is None:
            return 0.0, 0.0, 0.0
        group, start = self._motion
        p = (self.time - start) / MOTIONS[group]
        if p >= 1.0:
            self._motion = None
            return 0.0, 0.0, 0.0
        fade = 1.0 - p
        if group == "Nod":
            return 0.0, 9.0 * math.sin(2 * math.pi * p) * fade, 0.0
        if group == "Shake":
            return 0.0, 0.0, 5.0 * math.sin(3 * 2 * math.pi * p) * fade
        if group == "Idle":
            return 0.0, 0.0, 3.0 * math.sin(math.pi * p) * math.sin(2 * math.pi * p)
        return 0.0, 0.0, 0.0
