"""Cream's expressive parts: eyes (open/half/closed), brows, blush and effects per expression.

Eye shapes are built in unit coordinates: ``u`` runs from the inner corner (-1) to the outer
corner (+1), ``v`` is up (+1 = top of the open eye). Light always comes from the viewer's upper
left, so highlights are not mirrored between the eyes.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from avatar_art import palette as pal
from avatar_art.canvas import Canvas, Pt, catmull

EYES = ((405.0, 470.0, -1), (555.0, 470.0, 1))  # (centre x, centre y, outward direction)
HW, HH = 44.0, 52.0
EYE_BOX = (330, 390, 630, 545)

_TOP = [(-1.0, 0.16), (-0.72, 0.68), (-0.3, 0.93), (0.18, 0.98), (0.62, 0.8), (1.0, 0.3)]
_BOTTOM = [
    (1.0, 0.3),
    (0.92, -0.28),
    (0.58, -0.76),
    (0.0, -0.92),
    (-0.56, -0.76),
    (-0.9, -0.32),
    (-1.0, 0.16),
]


@dataclass(frozen=True)
class EyeStyle:
    """How one expression holds its eyes."""

    inner_drop: float = 0.0  # upper lid lower at the inner corner (angry)
    outer_drop: float = 0.0  # upper lid lower at the outer corner (sad, droopy)
    lower: float = 0.0  # lower lid raised (smiling squint)
    iris: float = 1.0  # iris size
    pupil: float = 1.0  # pupil size relative to the iris
    look: Pt = (0.0, 0.0)  # iris shift in px (viewer space)
    tall: float = 1.0  # eye height
    closed_up: bool = False  # closed eyes as happy "^ ^" arcs
    wet: bool = False  # an extra shine along the lower iris (teary)
    sparkle: float = 1.0  # size of the highlights


def _curve(pts: list[Pt], n: int = 40) -> list[Pt]:
    return catmull(pts, samples=n // max(1, len(pts) - 1) + 1)


def _interp(profile: list[Pt], u: float) -> float:
    pts = sorted(profile)
    for (u0, v0), (u1, v1) in itertools.pairwise(pts):
        if u0 <= u <= u1:
            t = (u - u0) / (u1 - u0) if u1 > u0 else 0.0
            return v0 + (v1 - v0) * t
    return pts[0][1] if u < pts[0][0] else pts[-1][1]


def _eye_lines(style: EyeStyle, opening: float) -> tuple[list[Pt], list[Pt]]:
    """Upper and lower lid curves (unit coordinates) for an eye ``opening`` 0..1 open."""
    us = [-1.0 + 2.0 * k / 24 for k in range(25)]
    top, bottom = [], []
    for u in us:
        t = _interp(_TOP, u) * style.tall
        t -= style.inner_drop * 0.62 * ((1 - u) / 2) ** 1.2
        t -= style.outer_drop * 0.42 * ((1 + u) / 2) ** 1.5
        closed = -0.28 + 0.12 * u
        t = closed + (t - closed) * opening
        b = _interp(_BOTTOM, u) * style.tall + style.lower * 0.5 * (1 - u * u)
        top.append((u, max(t, b + 0.02)))
        bottom.append((u, b))
    return _curve(top), _curve(bottom)


def _to_view(cx: float, cy: float, out: int, pts: list[Pt]) -> list[Pt]:
    return [(cx + u * HW * out, cy - v * HH) for u, v in pts]


def _lash_width(t: float) -> float:
    return 2.0 + 5.2 * t / 0.82 if t < 0.82 else 7.2 * (1 - (t - 0.82) / 0.18) + 0.6


def draw_eyes(style: EyeStyle, opening: float) -> Canvas:
    """Both eyes at ``opening`` (1 open, ~0.45 half, 0 closed)."""
    cv = Canvas(EYE_BOX)
    for cx, cy, out in EYES:
        if opening <= 0.05:
            _closed_eye(cv, cx, cy, out, style)
        else:
            _open_eye(cv, cx, cy, out, style, opening)
    return cv


def _open_eye(cv: Canvas, cx: float, cy: float, out: int, style: EyeStyle, opening: float) -> None:
    top_u, bottom_u = _eye_lines(style, opening)
    top = _to_view(cx, cy, out, top_u)
    bottom = _to_view(cx, cy, out, bottom_u)
    white = cv.poly(top + bottom[::-1])
    cv.paint(white, pal.EYE_WHITE)
    ix, iy = cx + 0.02 * HW * out + style.look[0], cy + 0.12 * HH + style.look[1]
    rx, ry = 0.68 * HW * style.iris, 0.78 * HH * style.iris * style.tall
    iris = cv.both(cv.ellipse(ix, iy, rx, ry), white)
    cv.paint(
        iris, cv.gradient([(iy - ry, pal.IRIS_TOP), (iy - ry * 0.1, pal.IRIS_MID), (iy + ry, pal.IRIS_LOW)])
    )
    cv.paint(
        cv.both(cv.blur(cv.ellipse(ix, iy + ry * 0.62, rx * 0.7, ry * 0.34), 4), iris), (255, 222, 140, 220)
    )
    pr = 0.42 * style.pupil
    pupil = cv.both(cv.ellipse(ix, iy - ry * 0.04, rx * pr, ry * pr * 1.05), white)
    cv.paint(pupil, cv.gradient([(iy - ry * pr, pal.PUPIL), (iy + ry * pr, (96, 40, 22))]))
    rim = cv.minus(cv.ellipse(ix, iy, rx, ry), cv.ellipse(ix, iy, rx - 2.2, ry - 2.2))
    cv.paint(cv.both(rim, white), (*pal.IRIS_TOP, 230))
    # shadow of the upper lid over the white and the iris
    band = cv.minus(white, cv.shift(white, 0, 18))
    cv.paint(cv.both(cv.blur(band, 6), white), (96, 66, 110, 110))
    for hx, hy, hrx, hry in ((-0.34, -0.36, 0.26, 0.21), (0.32, 0.34, 0.1, 0.09)):
        hl = cv.ellipse(
            ix + hx * rx, iy + hy * ry, hrx * rx * 1.15 * style.sparkle, hry * ry * 1.15 * style.sparkle, -20
        )
        cv.paint(cv.both(hl, white), (255, 255, 255, 245))
    if style.wet:
        shine = catmull(
            [(ix - rx * 0.6, iy + ry * 0.42), (ix, iy + ry * 0.62), (ix + rx * 0.6, iy + ry * 0.42)]
        )
        cv.paint(
            cv.both(cv.stroke_mask(shine, lambda t: 3.6 * math.sin(math.pi * t)), white), (255, 255, 255, 240)
        )
        cv.paint(
            cv.both(cv.ellipse(ix - rx * 0.2, iy + ry * 0.2, rx * 0.12, ry * 0.09), white),
            (255, 255, 255, 230),
        )
    lash = [*top_u[1:], (1.1, top_u[-1][1] + 0.1), (1.2, top_u[-1][1] + 0.26)]
    cv.stroke(_to_view(cx, cy, out, lash), _lash_width, pal.LASH)
    outer_low = [p for p in bottom_u if p[0] > 0.25][::-1]
    cv.stroke(_to_view(cx, cy, out, outer_low), lambda t: 2.2 * (1 - t) + 0.4, (*pal.LASH, 210))
    crease = [(u, v + 0.2 + 0.05 * opening) for u, v in top_u if -0.45 < u < 0.92]
    cv.stroke(_to_view(cx, cy, out, crease), lambda t: 1.5 * math.sin(math.pi * t), (*pal.SKIN_LINE, 170))


def _closed_eye(cv: Canvas, cx: float, cy: float, out: int, style: EyeStyle) -> None:
    us = [-1.0 + 2.0 * k / 20 for k in range(21)]
    if style.closed_up:  # happy "^"
        pts = [(u, 0.02 + 0.38 * (1 - u * u) - 0.1 * u) for u in us]
        cv.stroke(_to_view(cx, cy, out, pts), lambda t: 1.2 + 5.0 * math.sin(math.pi * t), pal.LASH)
        return
    drop = style.outer_drop * 0.2 - style.inner_drop * 0.25
    pts = [(u, -0.26 - 0.2 * (1 - u * u) - drop * u) for u in us]
    cv.stroke(
        _to_view(cx, cy, out, pts), lambda t: 1.6 + 4.2 * t if t < 0.85 else 6.6 - 30 * (t - 0.85), pal.LASH
    )
    end_u, end_v = pts[-2]
    for du, dv in ((0.2, -0.12), (0.14, -0.26)):
        cv.stroke(
            _to_view(cx, cy, out, [(end_u, end_v), (end_u + du, end_v + dv)]),
            lambda t: 2.4 * (1 - t),
            pal.LASH,
        )


@dataclass(frozen=True)
class BrowStyle:
    """Brow of the viewer-left side (mirrored for the right): inner/outer heights and arch, px."""

    inner_y: float = 398.0
    outer_y: float = 392.0
    arch: float = 7.0
    inner_x: float = 452.0
    outer_x: float = 362.0


def draw_brows(style: BrowStyle) -> Canvas:
    """Both brows, tapered from the inner end."""
    cv = Canvas((330, 330, 630, 440))
    for side in (-1, 1):

        def x(v: float, side: int = side) -> float:
            return v if side < 0 else 960 - v

        mid = ((style.inner_x + style.outer_x) / 2, (style.inner_y + style.outer_y) / 2 - style.arch)
        pts = catmull(
            [(x(style.inner_x), style.inner_y), (x(mid[0]), mid[1]), (x(style.outer_x), style.outer_y)]
        )
        cv.stroke(pts, lambda t: 5.6 - 4.0 * t**1.3, pal.BROW)
    return cv


def draw_cheeks(strength: float, hatch: bool = False) -> Canvas:
    """Blush ovals (and embarrassed hatching)."""
    cv = Canvas((330, 480, 630, 580))
    for cx in (386.0, 574.0):
        glow = cv.radial(cx, 530, 40, 20, (*pal.BLUSH, round(220 * strength)), (*pal.BLUSH, 0))
        cv.paint(cv.ellipse(cx, 530, 40, 20), glow)
        if hatch:
            for k in range(3):
                x0 = cx - 16 + 14 * k
                cv.stroke(
                    [(x0 + 6, 519), (x0 - 2, 539)],
                    lambda t: 2.2 * math.sin(math.pi * t) + 0.3,
                    (224, 80, 104),
                )
    return cv


def draw_fx(kind: str) -> Canvas:
    """Expression effects: anger mark, tear, surprise lines, sparkles, sweat drop."""
    cv = Canvas((200, 40, 800, 620))
    if kind == "angry":  # the popping-vein mark on the viewer-right of the crown
        cx, cy = 636.0, 200.0
        for k in range(4):
            a = math.radians(45 + 90 * k)
            pts = [
                (cx + r * math.cos(a + da), cy + r * math.sin(a + da))
                for r, da in ((20, -0.5), (8, 0), (20, 0.5))
            ]
            cv.stroke(catmull(pts), lambda t: 2.5 + 3.0 * math.sin(math.pi * t), (255, 240, 240))
            cv.stroke(catmull(pts), lambda t: 1.5 + 2.6 * math.sin(math.pi * t), (222, 40, 56))
    elif kind == "sad":  # a tear on the outer corner of the viewer-left eye, gloom lines
        for k, x in enumerate((430, 452, 474, 496)):
            top = 236 + 8 * (k % 2)
            cv.stroke(
                [(x, top), (x, top + 52 - 6 * (k % 2))], lambda t: 2.4 * (1 - t) + 0.4, (112, 136, 220, 190)
            )
        drop = catmull([(352, 512), (345, 528), (348, 538), (356, 540), (360, 530)], samples=10)
        m = cv.poly(drop)
        cv.paint(m, (*pal.TEAR, 230))
        cv.stroke(drop, 1.2, (90, 150, 220), closed=True)
        cv.paint(cv.ellipse(350, 530, 2, 3), (255, 255, 255))
    elif kind == "surprised":  # three shock lines off the viewer-right of the head
        for k, ang in enumerate((-62, -36, -10)):
            a = math.radians(ang)
            r0, r1 = 250 + 6 * (k % 2), 290
            pts = [
                (480 + r0 * math.cos(a), 330 + r0 * math.sin(a)),
                (480 + r1 * math.cos(a), 330 + r1 * math.sin(a)),
            ]
            cv.stroke(pts, lambda t: 4.5 * (1 - t) + 1, pal.LASH)
    elif kind == "happy":  # two little sparkles
        for sx, sy, r in ((700, 176, 22), (730, 222, 12), (250, 300, 10)):
            star = []
            for k in range(8):
                a, rr = k * math.pi / 4, r if k % 2 == 0 else r * 0.31
                star.append((sx + rr * math.sin(a), sy - rr * math.cos(a)))
            cv.paint(cv.poly(star), pal.STAR)
            cv.stroke(star, 1.2, pal.STAR_LINE, closed=True)
    elif kind == "shy":  # a sweat drop at the viewer-right temple
        drop = catmull([(672, 352), (664, 372), (668, 384), (678, 384), (681, 370)], samples=10)
        cv.paint(cv.poly(drop), (*pal.TEAR, 220))
        cv.stroke(drop, 1.2, (90, 150, 220), closed=True)
        cv.paint(cv.ellipse(669, 375, 1.6, 2.6), (255, 255, 255))
    return cv
