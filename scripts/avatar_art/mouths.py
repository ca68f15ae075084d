"""Cream's mouths: the A/I/U/E/O visemes and each expression's resting mouth."""

from __future__ import annotations

import math

from PIL import Image

from avatar_art import palette as pal
from avatar_art.canvas import Canvas, Pt, catmull, path

MOUTH_BOX = (430, 535, 530, 625)


def _open(pts: list[Pt], *, teeth_top: float = 0.0, teeth_bottom: float = 0.0, tongue: float = 0.0) -> Canvas:
    """An open mouth: dark inside, optional teeth bands and tongue, outlined."""
    cv = Canvas(MOUTH_BOX)
    m = cv.poly(pts)
    ys = [y for _, y in pts]
    top, bottom = min(ys), max(ys)
    cv.paint(m, cv.gradient([(top, (104, 30, 40)), (bottom, pal.MOUTH_IN)]))
    if tongue:
        cv.paint(cv.both(cv.ellipse(480, bottom - tongue * 0.15, 21, tongue), m), pal.TONGUE)
        cv.paint(cv.both(cv.ellipse(477, bottom - tongue * 0.7, 6, tongue * 0.3), m), (250, 168, 174))
    if teeth_top:
        band = cv.both(
            cv.poly([(400, top - 10), (560, top - 10), (560, top + teeth_top), (400, top + teeth_top)]), m
        )
        cv.paint(band, pal.TEETH)
    if teeth_bottom:
        low = bottom - teeth_bottom
        band = cv.both(cv.poly([(400, bottom + 10), (560, bottom + 10), (560, low), (400, low)]), m)
        cv.paint(band, (246, 240, 244))
    cv.stroke(pts, 2.2, pal.MOUTH_LINE, closed=True)
    return cv


def _line(pts: list[Pt], width: float = 2.6) -> Canvas:
    cv = Canvas(MOUTH_BOX)
    cv.stroke(catmull(pts), lambda t: 0.6 + width * math.sin(math.pi * t) ** 0.6, pal.MOUTH_LINE)
    return cv


def _cup(half: float, top: float, side: float, depth: float) -> list[Pt]:
    """An open mouth ``2 * half`` wide: a gently curved upper lip over a rounded lower edge."""
    x0, x1 = 480 - half, 480 + half
    lower = [
        (x1, top),
        (x1 - half * 0.2, top + side),
        (480, top + depth),
        (x0 + half * 0.2, top + side),
        (x0, top),
    ]
    return path([(x0, top), (480, top + 3), (x1, top)], lower)


def _round(top: float, rx: float, bottom: float) -> list[Pt]:
    """A rounded, taller-than-wide mouth."""
    h = bottom - top
    pts = [(480, top), (480 + rx * 0.85, top + h * 0.2), (480 + rx, top + h * 0.62), (480, bottom)]
    return catmull([*pts, (480 - rx, top + h * 0.62), (480 - rx * 0.85, top + h * 0.2)], closed=True)


def viseme(name: str) -> Canvas:
    """The open mouth for vowel ``name`` (A, I, U, E or O)."""
    if name == "A":
        return _open(_cup(25, 558, 22, 40), teeth_top=4, tongue=9)
    if name == "I":
        return _open(_cup(29, 561, 11, 16), teeth_top=5, teeth_bottom=4)
    if name == "U":
        cv = _open(_round(559, 11, 578), tongue=3)
        for side in (-1, 1):
            pucker = catmull([(480 + side * 16, 562), (480 + side * 19, 568), (480 + side * 16, 575)])
            cv.stroke(pucker, lambda t: 1.3 * math.sin(math.pi * t), (*pal.MOUTH_LINE, 170))
        return cv
    if name == "E":
        return _open(_cup(27, 559, 15, 25), teeth_top=4, tongue=6)
    if name == "O":
        return _open(_round(556, 16, 591), tongue=6)
    raise ValueError(name)


def rest(expression: str) -> Canvas:
    """The closed (or resting) mouth of ``expression``."""
    if expression == "happy":
        return _open(_cup(23, 560, 16, 26), tongue=7)
    if expression == "sad":
        return _line([(467, 574), (480, 567), (493, 574)])
    if expression == "angry":
        top, bottom = [(463, 563), (480, 565), (497, 563)], [(502, 577), (480, 575), (458, 577)]
        pts = path(top, [(497, 563), (502, 577)], bottom, [(458, 577), (463, 563)])
        cv = Canvas(MOUTH_BOX)
        cv.paint(cv.poly(pts), pal.TEETH)
        cv.stroke(catmull([(461, 570), (480, 570), (499, 570)]), 1.2, (*pal.MOUTH_LINE, 200))
        for x in (472, 488):
            cv.stroke([(x, 565), (x, 575)], 1.0, (*pal.MOUTH_LINE, 150))
        cv.stroke(pts, 2.2, pal.MOUTH_LINE, closed=True)
        return cv
    if expression == "surprised":
        return _open(_round(562, 9, 581))
    if expression == "shy":
        return _line([(464, 570), (470, 566), (476, 571), (482, 566), (488, 571), (495, 567)], 2.2)
    return _line([(467, 566), (480, 571), (493, 566)])


def preview(cv: Canvas) -> Image.Image:
    """A 1x image of one mouth (for a quick look)."""
    return cv.im.resize((cv.size[0] // 4, cv.size[1] // 4), Image.Resampling.BOX)
