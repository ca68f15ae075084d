"""Cream's head and body: back hair, body/outfit, neck, face, front hair, accessories.

Shared outlines (face, front hair) are functions so one layer can cast soft shadows of another
(the bangs shade the forehead, the side locks shade the dress).
"""

from __future__ import annotations

import itertools
import math

from PIL import Image

from avatar_art import palette as pal
from avatar_art.canvas import Canvas, Pt, bow, catmull, mirror, path

CX = 480.0

FACE_PTS: list[Pt] = [
    (480, 232), (562, 244), (622, 292), (641, 372), (639, 452), (626, 516), (598, 566), (552, 604),
    (506, 624), (480, 628), (454, 624), (408, 604), (362, 566), (334, 516), (321, 452), (319, 372),
    (338, 292), (398, 244),
]  # fmt: skip

BANG_EDGE: list[Pt] = [
    (641, 356), (624, 414), (604, 336), (580, 424), (557, 340), (533, 408), (514, 332), (488, 432),
    (466, 336), (437, 414), (418, 334), (390, 422), (366, 332), (343, 406), (321, 356),
]  # fmt: skip
"""Right to left: start, then alternating strand tips and notches, then end."""


def face_outline() -> list[Pt]:
    """The face (skin) silhouette."""
    return catmull(FACE_PTS, closed=True)


def front_hair_outline() -> list[Pt]:
    """Crown, side locks and bangs as one closed outline."""
    outer = [
        (250, 794), (233, 690), (234, 560), (240, 430), (256, 310), (296, 200), (372, 122), (480, 94),
        (588, 122), (664, 200), (704, 310), (720, 430), (726, 560), (727, 690), (710, 794),
    ]  # fmt: skip
    right_inner = [(710, 794), (690, 700), (672, 580), (657, 452), (641, 356)]
    left_inner = [(321, 356), (303, 452), (288, 580), (270, 700), (250, 794)]
    bangs = [bow(a, b, 5.0 if i % 2 else -4.0) for i, (a, b) in enumerate(itertools.pairwise(BANG_EDGE))]
    return path(outer, right_inner, *bangs, left_inner)


def strand_lines() -> list[list[Pt]]:
    """Separations between strands: from each bang notch up towards the crown."""
    lines = []
    for i in range(2, len(BANG_EDGE) - 1, 2):
        nx, ny = BANG_EDGE[i]
        lean = (nx - CX) * 0.35
        lines.append(catmull([(nx, ny), (nx + lean * 0.3, ny - 70), (CX + lean * 0.9, ny - 170)]))
    return lines


def back_hair_outline() -> list[Pt]:
    """Long hair behind the head and shoulders, with wavy ends."""
    right = path(
        [(480, 84), (606, 100), (704, 166), (758, 280), (778, 420), (774, 540), (764, 618)],
        bow((764, 618), (746, 646), 3),  # a notch: the outermost lock parts from the rest
        [(746, 646), (760, 700), (766, 810), (780, 900), (796, 958)],
        bow((796, 958), (760, 926), -5),
        bow((760, 926), (746, 986), 6),
        bow((746, 986), (716, 930), -5),
        bow((716, 930), (688, 966), 5),
        # the inner edge stays ~50 px inside the body (the head tilts): hair behind the torso is never seen
        [(688, 966), (700, 880), (690, 800), (640, 752), (560, 730), (480, 726)],
    )
    return right + mirror(right)[1:-1]


def draw_back_hair() -> Canvas:
    """Layer ``hair_back``."""
    cv = Canvas((130, 60, 830, 1010))
    m = cv.poly(back_hair_outline())
    cv.paint(m, cv.gradient([(90, pal.HAIR_MID), (400, pal.HAIR_BACK), (900, pal.HAIR_BACK_DEEP)]))
    # the inside of the hair, right behind the face and neck, is in shadow
    cv.shade(m, cv.ellipse(CX, 560, 190, 250), (*pal.HAIR_BACK_DEEP, 200), blur=40)
    for side in (-1, 1):
        for k in range(3):
            x = CX + side * (200 + 38 * k)
            line = catmull([(CX + side * 150, 200), (x + side * 10, 520), (x + side * 22, 900 - 10 * k)])
            cv.paint(cv.both(cv.blur(cv.stroke_mask(line, 6), 3), m), (*pal.HAIR_BACK_DEEP, 150))
    cv.stroke(back_hair_outline(), 2.6, pal.HAIR_LINE, closed=True)
    # Never seen: what the face and the front hair cover even with the parallax of ``look``
    # (< 20 px between these layers). Leaving it out saves a fifth of the drawing on software GL.
    cv.cut(cv.inside(cv.either(cv.poly(face_outline()), cv.poly(front_hair_outline())), 24))
    return cv


def body_outline() -> list[Pt]:
    """Shoulders, arms and torso, running off the bottom of the canvas."""
    right = catmull(
        [
            (480, 674),
            (522, 652),
            (560, 674),
            (630, 696),
            (698, 724),
            (735, 774),
            (755, 854),
            (764, 964),
            (770, 1140),
        ]
    )
    return [*right, (480, 1140), *mirror(right)[:-1]]


def collar_flap() -> list[Pt]:
    """The viewer-left collar flap (the right one is its mirror)."""
    return catmull(
        [(480, 684), (452, 682), (410, 686), (372, 700), (352, 728), (360, 758), (398, 774), (440, 764),
         (468, 734), (480, 700)],
        closed=True,
    )  # fmt: skip


def draw_bow(cv: Canvas, cx: float, cy: float, scale: float, angle: float) -> None:
    """A strawberry ribbon bow centred on (cx, cy)."""
    a = math.radians(angle)

    def tf(pts: list[Pt]) -> list[Pt]:
        out = []
        for px, py in pts:
            x, y = (px - 480) * scale, (py - 728) * scale
            out.append((cx + x * math.cos(a) - y * math.sin(a), cy + x * math.sin(a) + y * math.cos(a)))
        return out

    loop = [(480, 726), (456, 704), (428, 697), (411, 710), (411, 738), (426, 754), (456, 750), (480, 734)]
    tail = [(475, 734), (460, 772), (446, 814), (462, 802), (474, 818), (486, 772), (486, 738)]
    parts = []
    for pts in (tail, mirror(tail)):
        parts.append(tf(path(pts[:3], pts[2:4], pts[3:5], pts[4:])))
    for pts in (loop, mirror(loop)):
        parts.append(tf(catmull(pts, closed=True)))
    for k, pts in enumerate(parts):
        m = cv.poly(pts)
        cv.paint(m, pal.RIBBON if k >= 2 else pal.RIBBON_SHADE)
        if k >= 2:  # loops: shaded towards the knot, a glossy rim along the top
            cv.shade(m, cv.ellipse(cx, cy, 16 * scale, 16 * scale), pal.RIBBON_SHADE, blur=8 * scale)
            cv.paint(
                cv.both(m, cv.blur(cv.stroke_mask(pts[4:14], 3 * scale), 1.5 * scale)),
                (*pal.RIBBON_LIGHT, 200),
            )
        cv.stroke(pts, 1.8 * max(1.0, scale * 0.8), pal.RIBBON_LINE, closed=True)
    knot = tf(catmull([(470, 716), (490, 716), (494, 730), (490, 744), (470, 744), (466, 730)], closed=True))
    cv.paint(cv.poly(knot), pal.RIBBON)
    cv.shade(cv.poly(knot), cv.shift(cv.poly(knot), 0, 5 * scale), pal.RIBBON_SHADE, blur=2)
    cv.stroke(knot, 1.8 * max(1.0, scale * 0.8), pal.RIBBON_LINE, closed=True)


def draw_body() -> Canvas:
    """Layer ``body``: periwinkle dress, white Peter Pan collar with a blue trim, ribbon, buttons."""
    cv = Canvas((180, 640, 790, 1150))
    body = cv.poly(body_outline())
    cv.paint(body, cv.gradient([(690, pal.DRESS_LIGHT), (800, pal.DRESS), (1140, pal.DRESS_SHADE)]))
    for side in (-1, 1):  # shoulders catch the light, the sides of the torso turn away from it
        cv.shade(body, cv.ellipse(CX + side * 180, 754, 60, 34), (*pal.DRESS_LIGHT, 210), blur=18)
        cv.shade(body, cv.ellipse(CX + side * 300, 1000, 40, 200), (*pal.DRESS_SHADE, 230), blur=24)
        crease = catmull([(CX + side * 168, 850), (CX + side * 176, 960), (CX + side * 182, 1140)])
        cv.paint(cv.both(cv.blur(cv.stroke_mask(crease, 10), 6), body), (*pal.DRESS_DEEP, 150))
        cv.stroke(crease, lambda t: 2.4 * min(1.0, t * 4), pal.DRESS_LINE)
    for side in (-1, 1):  # armhole seams, a gathered sleeve head, soft folds below the collar
        seam = catmull([(CX + side * 148, 694), (CX + side * 176, 760), (CX + side * 178, 850)])
        cv.stroke(seam, lambda t: 1.8 * math.sin(math.pi * min(1.0, t * 1.6)) + 0.2, (*pal.DRESS_LINE, 190))
        for k in range(3):
            g = catmull(
                [(CX + side * (196 + 14 * k), 716 + 4 * k), (CX + side * (204 + 16 * k), 744 + 6 * k)]
            )
            cv.stroke(g, lambda t: 1.4 * math.sin(math.pi * t), (*pal.DRESS_SHADE, 200))
        fold = catmull([(CX + side * 60, 790), (CX + side * 70, 880), (CX + side * 62, 960)])
        cv.paint(cv.both(cv.blur(cv.stroke_mask(fold, 8), 5), body), (*pal.DRESS_SHADE, 150))
    sash = cv.both(cv.poly([(300, 1030), (660, 1030), (660, 1064), (300, 1064)]), body)
    cv.paint(sash, cv.gradient([(1030, pal.DRESS_SHADE), (1064, pal.DRESS_DEEP)]))
    for y in (1030, 1064):
        cv.paint(cv.both(cv.stroke_mask([(300, y), (660, y)], 1.6), body), pal.DRESS_LINE)
    cv.paint(cv.both(cv.stroke_mask([(300, 1036), (660, 1036)], 1.0), body), (*pal.DRESS_LIGHT, 140))
    # shadows cast by the side locks and the collar
    locks = Canvas((180, 640, 790, 1150))
    lock_mask = cv.shift(locks.poly(front_hair_outline()), 6, 10)
    cv.shade(body, lock_mask, (*pal.DRESS_DEEP, 170), blur=7)
    collar = cv.either(cv.poly(collar_flap()), cv.poly(mirror(collar_flap())))
    cv.shade(body, cv.shift(collar, 0, 9), (*pal.DRESS_DEEP, 190), blur=6)
    cv.stroke(body_outline(), 2.6, pal.DRESS_LINE, closed=True)
    for y in (830, 900, 970):
        btn = cv.ellipse(CX, y, 7.5, 7.5)
        cv.paint(cv.blur(cv.shift(btn, 1, 2.5), 1.5), (*pal.DRESS_DEEP, 160))
        cv.paint(btn, pal.BUTTON)
        cv.paint(cv.ellipse(CX - 2.5, y - 2.5, 2.4, 2.0), (255, 255, 255))
        cv.stroke(catmull([(CX + 7.5 * math.cos(t / 8 * math.tau), y + 7.5 * math.sin(t / 8 * math.tau))
                           for t in range(8)], closed=True), 1.4, pal.DRESS_LINE, closed=True)  # fmt: skip
    for flap in (collar_flap(), mirror(collar_flap())):
        m = cv.poly(flap)
        cv.paint(m, pal.COLLAR)
        cv.shade(m, cv.ellipse(CX, 674, 60, 30), pal.COLLAR_SHADE, blur=10)
        cx = sum(x for x, _ in flap) / len(flap)
        cy = sum(y for _, y in flap) / len(flap)
        trim = [(cx + (x - cx) * 0.80, cy + (y - cy) * 0.74) for x, y in flap]
        cv.paint(cv.both(cv.stroke_mask(trim, 2.4, closed=True), m), pal.DRESS_SHADE)
        cv.stroke(flap, 2.0, pal.COLLAR_LINE, closed=True)
    draw_bow(cv, CX, 708, 1.0, 0.0)
    return cv


def draw_neck() -> Canvas:
    """Layer ``neck`` (the chin's shadow falls on it)."""
    cv = Canvas((400, 540, 560, 730))
    pts = catmull(
        [(446, 560), (444, 640), (438, 676), (430, 700), (530, 700), (522, 676), (516, 640), (514, 560)]
    )
    m = cv.poly(pts)
    cv.paint(m, pal.SKIN)
    cv.shade(m, cv.shift(cv.poly(face_outline()), 0, 16), pal.SKIN_SHADE, blur=4)
    cv.shade(m, cv.ellipse(CX, 700, 70, 14), (*pal.SKIN_SHADE, 200), blur=6)
    for side in (pts[:5], pts[-5:]):
        cv.stroke(side, 2.0, pal.SKIN_LINE)
    # a ribbon choker with a little heart charm
    band = catmull([(441, 656), (480, 664), (519, 656)])
    cv.paint(cv.both(cv.blur(cv.shift(cv.stroke_mask(band, 8), 0, 4), 2), m), (*pal.SKIN_DEEP, 200))
    cv.stroke(band, 9.5, pal.RIBBON_LINE)
    cv.stroke(band, 7, pal.RIBBON)
    cv.stroke(band[3:-3], 1.6, (*pal.RIBBON_LIGHT, 220))
    heart = path(
        [(480, 690), (468, 679), (467, 671), (473, 667), (480, 672)],
        [(480, 672), (487, 667), (493, 671), (492, 679), (480, 690)],
    )
    cv.paint(cv.poly(heart), cv.radial(476, 672, 14, 14, (255, 236, 170), pal.STAR))
    cv.stroke(heart, 1.4, pal.STAR_LINE, closed=True)
    cv.paint(cv.ellipse(475, 673, 2, 1.6), (255, 255, 255))
    return cv


def draw_face() -> Canvas:
    """Layer ``face``: skin with the bangs' soft shadow, side shading and a tiny nose."""
    cv = Canvas((300, 210, 660, 650))
    m = cv.poly(face_outline())
    cv.paint(m, cv.gradient([(300, pal.SKIN), (560, pal.SKIN), (630, (252, 226, 212))]))
    hair = cv.poly(front_hair_outline())
    cv.shade(m, cv.shift(hair, 3, 12), pal.SKIN_SHADE, blur=5)
    cv.shade(m, cv.shift(hair, 1, 5), (*pal.SKIN_DEEP, 140), blur=2)
    for side in (-1, 1):
        cv.shade(m, cv.ellipse(CX + side * 175, 470, 30, 120), (*pal.SKIN_SHADE, 170), blur=16)
    cv.stroke(face_outline(), 2.2, pal.SKIN_LINE, closed=True)
    cv.stroke(
        [(483, 520), (480, 528), (477, 531)], lambda t: 1.8 * math.sin(math.pi * t) + 0.3, pal.SKIN_LINE
    )
    cv.cut(cv.inside(hair, 16))  # the forehead deep under the bangs is never seen
    return cv


def draw_front_hair() -> Canvas:
    """Layer ``hair_front``: crown, bangs and side locks with an angel-ring shine."""
    cv = Canvas((220, 20, 740, 810))
    outline = front_hair_outline()
    # an ahoge: one springy strand standing up from the crown
    ahoge = path([(470, 100), (478, 60), (512, 36), (540, 42)], [(540, 42), (514, 52), (494, 76), (490, 102)])
    cv.paint(cv.poly(ahoge), cv.gradient([(30, pal.HAIR_LIGHT), (100, pal.HAIR)]))
    cv.stroke(ahoge, 2.2, pal.HAIR_LINE, closed=True)
    m = cv.poly(outline)
    cv.paint(
        m, cv.gradient([(100, pal.HAIR_LIGHT), (280, pal.HAIR), (560, pal.HAIR_MID), (800, pal.HAIR_DEEP)])
    )
    # strands: darker separations fading out towards the crown, darker tips of the side locks
    for line in strand_lines():
        cv.paint(
            cv.both(cv.blur(cv.stroke_mask(line[:28], lambda t: 9 * (1 - t)), 3), m), (*pal.HAIR_MID, 220)
        )
        cv.stroke(line[:24], lambda t: 1.8 * (1 - t), (*pal.HAIR_DEEP, 200))
    for side in (-1, 1):
        inner = catmull(
            [(CX + side * 161, 360), (CX + side * 177, 452), (CX + side * 192, 580), (CX + side * 210, 700)]
        )
        cv.paint(cv.both(cv.blur(cv.stroke_mask(inner, 16), 8), m), (*pal.HAIR_DEEP, 170))
        lock = catmull(
            [(CX + side * 222, 330), (CX + side * 232, 480), (CX + side * 236, 640), (CX + side * 228, 760)]
        )
        cv.stroke(lock, lambda t: 2.2 * math.sin(math.pi * t), (*pal.HAIR_DEEP, 190))
        glint = catmull([(CX + side * 214, 420), (CX + side * 220, 520), (CX + side * 220, 600)])
        cv.paint(
            cv.both(cv.blur(cv.stroke_mask(glint, lambda t: 5 * math.sin(math.pi * t)), 1), m),
            (*pal.HAIR_SHINE, 150),
        )
    cv.shade(m, cv.gradient([(360, (0, 0, 0, 0)), (430, (*pal.HAIR_MID, 200))]).getchannel("A"), pal.HAIR_MID)
    # the angel ring: a crescent of shine broken by the strands, jagged at its lower edge
    ring = cv.minus(cv.ellipse(CX, 330, 214, 166), cv.ellipse(CX, 356, 206, 152))
    for line in strand_lines():
        ring = cv.minus(ring, cv.stroke_mask(line, 7))
    for k in range(-6, 7):
        x = CX + k * 30
        y = 356 - 152 * math.sqrt(max(0.0, 1 - ((x - CX) / 206) ** 2))
        ring = cv.either(ring, cv.poly([(x - 9, y - 2), (x + 9, y - 2), (x + 2, y + 14)]))
    ring = cv.both(ring, cv.minus(cv.ellipse(CX, 330, 214, 166), cv.ellipse(CX, 365, 200, 140)))
    cv.paint(cv.both(cv.blur(ring, 0.8), m), (*pal.HAIR_SHINE, 230))
    cv.stroke(outline, 2.6, pal.HAIR_LINE, closed=True)
    return cv


def draw_star(cv: Canvas, cx: float, cy: float, r: float, angle: float) -> None:
    """A five-pointed hair clip."""
    pts = []
    for k in range(10):
        t = math.radians(angle) + k * math.pi / 5 - math.pi / 2
        rr = r if k % 2 == 0 else r * 0.48
        pts.append((cx + rr * math.cos(t), cy + rr * math.sin(t)))
    star = path(*[[pts[k], pts[(k + 1) % 10]] for k in range(10)])
    m = cv.poly(star)
    cv.paint(cv.blur(cv.shift(m, 1.5, 3), 2), (*pal.HAIR_DEEP, 150))
    cv.paint(m, cv.radial(cx - r * 0.2, cy - r * 0.3, r, r, (255, 240, 170), pal.STAR))
    cv.stroke(star, 1.6, pal.STAR_LINE, closed=True)


def draw_accessories() -> Canvas:
    """Layer ``accessories``: a ribbon bow on the viewer-left, two star clips on the right."""
    cv = Canvas((250, 130, 720, 380))
    draw_bow(cv, 338, 206, 1.25, -28)
    draw_star(cv, 632, 290, 17, 12)
    draw_star(cv, 660, 326, 12, -10)
    return cv


def preview_background(size: tuple[int, int]) -> Image.Image:
    """A soft checker for previews (never exported)."""
    bg = Image.new("RGBA", size, (236, 240, 246, 255))
    return bg
