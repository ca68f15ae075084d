"""Drawing primitives for the default avatar's art: smooth paths, soft shading, tapered strokes.

Everything is drawn at :data:`SS` times the final resolution on a local canvas (a box of the
avatar's 1x canvas), then cropped and downsampled with a box filter (exact supersampling, alpha
premultiplied by Pillow while resampling). Coordinates passed in are always 1x avatar canvas
pixels, so every layer lines up with every other. Deterministic: no randomness, no fonts.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter

SS = 4  # supersampling factor
PAD = 2  # transparent border (1x px) kept around each sprite, so texture edges clamp to nothing

Pt = tuple[float, float]
Color = tuple[int, int, int] | tuple[int, int, int, int]


def catmull(points: Sequence[Pt], *, closed: bool = False, samples: int = 14) -> list[Pt]:
    """Points of a centripetal-free (uniform) Catmull-Rom spline through ``points``."""
    pts = list(points)
    if len(pts) < 3:
        return pts
    n = len(pts)
    out: list[Pt] = []
    segs = n if closed else n - 1
    for i in range(segs):
        p0 = pts[(i - 1) % n] if closed or i > 0 else pts[0]
        p1, p2 = pts[i], pts[(i + 1) % n]
        p3 = pts[(i + 2) % n] if closed or i + 2 < n else pts[-1]
        for k in range(samples):
            t = k / samples
            t2, t3 = t * t, t * t * t
            out.append(
                (
                    0.5
                    * (
                        2 * p1[0]
                        + (p2[0] - p0[0]) * t
                        + (2 * p0[0] - 5 * p1[0] + 4 * p2[0] - p3[0]) * t2
                        + (3 * p1[0] - p0[0] - 3 * p2[0] + p3[0]) * t3
                    ),
                    0.5
                    * (
                        2 * p1[1]
                        + (p2[1] - p0[1]) * t
                        + (2 * p0[1] - 5 * p1[1] + 4 * p2[1] - p3[1]) * t2
                        + (3 * p1[1] - p0[1] - 3 * p2[1] + p3[1]) * t3
                    ),
                )
            )
    if not closed:
        out.append(pts[-1])
    return out


def path(*runs: Sequence[Pt]) -> list[Pt]:
    """Smooth runs joined at sharp corners: each run is a spline, consecutive runs share ends."""
    out: list[Pt] = []
    for run in runs:
        pts = catmull(run)
        out.extend(pts if not out else pts[1:])
    return out


def bow(a: Pt, b: Pt, bend: float) -> list[Pt]:
    """A three-point run from ``a`` to ``b`` bulging ``bend`` px to the left of a->b."""
    mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = math.hypot(dx, dy) or 1.0
    return [a, (mx + dy / length * bend, my - dx / length * bend), b]


def mirror(points: Sequence[Pt], cx: float = 480.0) -> list[Pt]:
    """Points mirrored about the vertical line ``x = cx`` (order reversed, keeping the winding)."""
    return [(2 * cx - x, y) for x, y in reversed(points)]


def offset(points: Sequence[Pt], dx: float, dy: float) -> list[Pt]:
    """Points moved by (dx, dy)."""
    return [(x + dx, y + dy) for x, y in points]


class Canvas:
    """A supersampled RGBA drawing surface covering ``box`` (x0, y0, x1, y1) of the 1x canvas."""

    def __init__(self, box: tuple[int, int, int, int]) -> None:
        self.x0, self.y0 = box[0], box[1]
        self.size = ((box[2] - box[0]) * SS, (box[3] - box[1]) * SS)
        self.im = Image.new("RGBA", self.size, (0, 0, 0, 0))

    # ---- coordinates and masks ----

    def px(self, pts: Sequence[Pt]) -> list[tuple[float, float]]:
        """1x canvas points -> supersampled local pixels."""
        return [((x - self.x0) * SS, (y - self.y0) * SS) for x, y in pts]

    def blank(self) -> Image.Image:
        """An empty mask of this canvas."""
        return Image.new("L", self.size, 0)

    def poly(self, pts: Sequence[Pt]) -> Image.Image:
        """Mask of a filled polygon."""
        m = self.blank()
        ImageDraw.Draw(m).polygon(self.px(pts), fill=255)
        return m

    def ellipse(self, cx: float, cy: float, rx: float, ry: float, angle: float = 0.0) -> Image.Image:
        """Mask of an ellipse rotated by ``angle`` degrees."""
        steps = 72
        a = math.radians(angle)
        pts = []
        for k in range(steps):
            t = 2 * math.pi * k / steps
            x, y = rx * math.cos(t), ry * math.sin(t)
            pts.append((cx + x * math.cos(a) - y * math.sin(a), cy + x * math.sin(a) + y * math.cos(a)))
        return self.poly(pts)

    def blur(self, mask: Image.Image, radius: float) -> Image.Image:
        """A softened mask (``radius`` in 1x px)."""
        return mask.filter(ImageFilter.GaussianBlur(radius * SS))

    def shift(self, mask: Image.Image, dx: float, dy: float) -> Image.Image:
        """A mask moved by (dx, dy) 1x px."""
        return ImageChops.offset(mask, round(dx * SS), round(dy * SS))

    @staticmethod
    def both(a: Image.Image, b: Image.Image) -> Image.Image:
        """Intersection of two masks."""
        return ImageChops.multiply(a, b)

    @staticmethod
    def either(a: Image.Image, b: Image.Image) -> Image.Image:
        """Union of two masks."""
        return ImageChops.lighter(a, b)

    @staticmethod
    def minus(a: Image.Image, b: Image.Image) -> Image.Image:
        """``a`` without ``b``."""
        return ImageChops.subtract(a, b)

    def inside(self, mask: Image.Image, margin: float) -> Image.Image:
        """Where ``mask`` covers everything within ``margin`` 1x px (a box erosion)."""
        spread = mask.filter(ImageFilter.BoxBlur(margin * SS))
        return spread.point(lambda v: 255 if v >= 254 else 0)

    def cut(self, hidden: Image.Image) -> None:
        """Erase what is drawn under ``hidden`` (parts always covered by a layer in front)."""
        self.im.putalpha(ImageChops.subtract(self.alpha(), hidden))

    def alpha(self) -> Image.Image:
        """The coverage of what has been drawn so far."""
        return self.im.getchannel("A")

    # ---- painting ----

    def paint(self, mask: Image.Image, fill: Color | Image.Image, opacity: float = 1.0) -> None:
        """Composite a colour (or an RGBA image) through ``mask`` over the canvas."""
        src = Image.new("RGBA", self.size, fill) if isinstance(fill, tuple) else fill.copy()
        a = ImageChops.multiply(src.getchannel("A"), mask)
        if opacity < 1.0:
            a = a.point(lambda v: round(v * opacity))
        src.putalpha(a)
        self.im.alpha_composite(src)

    def shade(self, clip: Image.Image, shape: Image.Image, fill: Color, blur: float = 0.0) -> None:
        """Soft shading: ``shape`` (blurred by ``blur`` 1x px) kept inside ``clip``."""
        m = self.blur(shape, blur) if blur > 0 else shape
        self.paint(self.both(m, clip), fill)

    def gradient(self, stops: Sequence[tuple[float, Color]], *, vertical: bool = True) -> Image.Image:
        """An RGBA linear gradient over the canvas: stops are (1x canvas y or x, colour)."""
        w, h = self.size
        n = h if vertical else w
        origin = self.y0 if vertical else self.x0
        coord = origin + (np.arange(n, dtype=np.float64) + 0.5) / SS
        pos = np.array([s[0] for s in stops])
        cols = np.array([(*s[1], 255) if len(s[1]) == 3 else s[1] for s in stops], dtype=np.float64)
        line = np.stack([np.interp(coord, pos, cols[:, c]) for c in range(4)], axis=-1)
        arr = (
            np.broadcast_to(line[:, None, :], (h, w, 4))
            if vertical
            else np.broadcast_to(line[None], (h, w, 4))
        )
        return Image.fromarray(np.ascontiguousarray(np.round(arr).astype(np.uint8)), "RGBA")

    def radial(self, cx: float, cy: float, rx: float, ry: float, inner: Color, outer: Color) -> Image.Image:
        """An RGBA radial gradient (elliptic), ``inner`` at the centre to ``outer`` at the rim."""
        w, h = self.size
        xs = (self.x0 + (np.arange(w) + 0.5) / SS - cx) / rx
        ys = (self.y0 + (np.arange(h) + 0.5) / SS - cy) / ry
        t = np.clip(np.sqrt(xs[None, :] ** 2 + ys[:, None] ** 2), 0.0, 1.0)[..., None]
        c0 = np.array((*inner, 255) if len(inner) == 3 else inner, dtype=np.float64)
        c1 = np.array((*outer, 255) if len(outer) == 3 else outer, dtype=np.float64)
        arr = c0 + (c1 - c0) * (t * t * (3 - 2 * t))
        return Image.fromarray(np.round(arr).astype(np.uint8), "RGBA")

    def stroke(
        self,
        pts: Sequence[Pt],
        width: float | Callable[[float], float],
        fill: Color,
        *,
        closed: bool = False,
    ) -> None:
        """A round-capped line along ``pts``; ``width`` (1x px) may vary along it (t in 0..1)."""
        self.paint(self.stroke_mask(pts, width, closed=closed), fill)

    def stroke_mask(
        self, pts: Sequence[Pt], width: float | Callable[[float], float], *, closed: bool = False
    ) -> Image.Image:
        """Mask of :meth:`stroke`."""
        m = self.blank()
        d = ImageDraw.Draw(m)
        p = self.px(list(pts) + ([pts[0]] if closed else []))
        if not callable(width):
            w = max(1, round(width * SS))
            d.line(p, fill=255, width=w, joint="curve")
            r = w / 2
            for x, y in (p[0], p[-1]):
                d.ellipse((x - r, y - r, x + r, y + r), fill=255)
            return m
        seg = [math.hypot(p[i + 1][0] - p[i][0], p[i + 1][1] - p[i][1]) for i in range(len(p) - 1)]
        total = sum(seg) or 1.0
        run = 0.0
        for i, length in enumerate(seg):
            steps = max(1, int(length / 1.5))
            for k in range(steps):
                f = k / steps
                x = p[i][0] + (p[i + 1][0] - p[i][0]) * f
                y = p[i][1] + (p[i + 1][1] - p[i][1]) * f
                r = max(0.0, width((run + length * f) / total)) * SS / 2
                if r > 0.2:
                    d.ellipse((x - r, y - r, x + r, y + r), fill=255)
            run += length
        return m

    # ---- output ----

    def export(self) -> tuple[Image.Image, tuple[int, int]] | None:
        """The 1x sprite (cropped to what was drawn, plus :data:`PAD`) and its top-left position."""
        bbox = self.alpha().point(lambda v: 255 if v > 0 else 0).getbbox()
        if bbox is None:
            return None
        x0 = (bbox[0] // SS - PAD) * SS
        y0 = (bbox[1] // SS - PAD) * SS
        x1 = (-(-bbox[2] // SS) + PAD) * SS
        y1 = (-(-bbox[3] // SS) + PAD) * SS
        big = Image.new("RGBA", (x1 - x0, y1 - y0), (0, 0, 0, 0))
        big.paste(self.im.crop((max(0, x0), max(0, y0), x1, y1)), (max(0, -x0), max(0, -y0)))
        small = big.resize((big.width // SS, big.height // SS), Image.Resampling.BOX)
        return small, (self.x0 + x0 // SS, self.y0 + y0 // SS)
