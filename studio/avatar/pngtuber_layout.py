"""The PNGTuber avatar's frame layout: a pure function from a :class:`Pose` to draw ops.

:func:`layout` places every sprite of a :class:`~studio.avatar.pngtuber_model.PngTuberModel`
for one :class:`Pose` (produced by :class:`~studio.avatar.pngtuber.PngTuberAnimator`): part
transforms (body breathing/bounce about its pivot, head tilt about the neck), parallax with
``look``, the mouth opening wider with ``ParamMouthOpenY``, and the fit into the frame
(standing on the frame's lower edge, scaled about its bottom centre, offset in frame fractions).
Slot layers shown by several expressions at once (a cross-fade) give one op per sprite with
the expression weights as alphas, sharing a ``group``.

Pure functions and immutable values: any thread.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from studio.avatar.pngtuber_model import PngTuberModel, SlotKind

__all__ = ["Affine", "DrawOp", "Pose", "eye_key", "fit", "hit_layers", "layout"]

_LOOK_PX: Final = (14.0, 9.0)

Affine = tuple[float, float, float, float, float, float]
"""(a, b, c, d, e, f): x' = a*x + c*y + e, y' = b*x + d*y + f."""

_IDENTITY: Final[Affine] = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass(frozen=True, slots=True)
class Pose:
    """Everything :func:`layout` needs for one frame.

    Attributes:
        expressions: (expression, weight) pairs with weights summing to 1.
        eye_open: 1 open .. 0 closed.
        mouth: Mouth key (``rest``, ``A`` .. ``O``, ``open``).
        mouth_open: ParamMouthOpenY 0..1 (opens the mouth sprite wider).
        body: (dx, dy, sx, sy) of the root parts about their pivot, canvas px.
        head: (dx, dy, degrees) of the ``head`` part about its pivot.
        look: Gaze -1..1, for parallax.
    """

    expressions: tuple[tuple[str, float], ...]
    eye_open: float = 1.0
    mouth: str = "rest"
    mouth_open: float = 0.0
    body: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0)
    head: tuple[float, float, float] = (0.0, 0.0, 0.0)
    look: tuple[float, float] = (0.0, 0.0)


@dataclass(frozen=True, slots=True)
class DrawOp:
    """Draw ``sprite`` into the quad (TL, TR, BR, BL corners, frame px, y down) at ``alpha``.

    Ops with the same non-``None`` ``group`` are consecutive and form one cross-fade.
    """

    layer: str
    sprite: str
    quad: tuple[float, float, float, float, float, float, float, float]
    alpha: float = 1.0
    group: str | None = None


def eye_key(eye_open: float) -> str:
    """``open`` / ``half`` / ``closed`` for an eye opening 0..1."""
    return "open" if eye_open > 0.7 else "half" if eye_open > 0.25 else "closed"


def _mul(m: Affine, n: Affine) -> Affine:
    """m after n."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + c * b2,
        b * a2 + d * b2,
        a * c2 + c * d2,
        b * c2 + d * d2,
        a * e2 + c * f2 + e,
        b * e2 + d * f2 + f,
    )


def _about(pivot: tuple[float, float], dx: float, dy: float, sx: float, sy: float, degrees: float) -> Affine:
    """Scale and rotate about ``pivot``, then move by (dx, dy)."""
    px, py = pivot
    r = math.radians(degrees)
    cos, sin = math.cos(r), math.sin(r)
    a, b, c, d = cos * sx, sin * sx, -sin * sy, cos * sy
    return (a, b, c, d, px + dx - (a * px + c * py), py + dy - (b * px + d * py))


def _apply(m: Affine, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def fit(
    model: PngTuberModel,
    width: int,
    height: int,
    scale: float = 1.0,
    offset: tuple[float, float] = (0.0, 0.0),
) -> Affine:
    """Canvas -> frame: the canvas fitted into the frame, centred horizontally and standing on
    the frame's lower edge (a bust never floats with its cut showing), scaled by ``scale`` about
    that bottom centre and moved by ``offset`` (fractions of the frame, y down, as Live2D)."""
    cw, ch = model.canvas
    k = min(width / cw, height / ch) * max(0.01, scale)
    return (k, 0.0, 0.0, k, width * (0.5 + offset[0]) - k * cw / 2, height * (1.0 + offset[1]) - k * ch)


def _part_transforms(model: PngTuberModel, pose: Pose) -> dict[str, Affine]:
    dx, dy, sx, sy = pose.body
    hx, hy, deg = pose.head
    own = {
        name: _about(p.pivot, dx, dy, sx, sy, 0.0)
        if p.parent is None
        else _about(p.pivot, hx, hy, 1.0, 1.0, deg)
        if name == "head"
        else _IDENTITY
        for name, p in model.parts.items()
    }
    done: dict[str, Affine] = {}

    def world(name: str) -> Affine:
        if name not in done:
            parent = model.parts[name].parent
            done[name] = own[name] if parent is None else _mul(world(parent), own[name])
        return done[name]

    for name in model.parts:
        world(name)
    return done


def layout(
    model: PngTuberModel,
    pose: Pose,
    width: int,
    height: int,
    scale: float = 1.0,
    offset: tuple[float, float] = (0.0, 0.0),
) -> list[DrawOp]:
    """The draw ops of one frame, back to front. Pure; any thread."""
    frame = fit(model, width, height, scale, offset)
    parts = _part_transforms(model, pose)
    talking, blinking = pose.mouth != "rest", eye_key(pose.eye_open) != "open"
    frame_key = ("talk_blink" if blinking else "talk") if talking else ("blink" if blinking else "idle")
    ops: list[DrawOp] = []
    for layer in model.layers:
        key = {
            SlotKind.STATIC: "",
            SlotKind.EXPRESSION: "default",
            SlotKind.EYES: eye_key(pose.eye_open),
            SlotKind.MOUTH: pose.mouth,
            SlotKind.FRAME: frame_key,
        }[layer.kind]
        mix: dict[str, float] = {}
        for expr, weight in pose.expressions if layer.kind is not SlotKind.STATIC else (("", 1.0),):
            chosen = model.sprite_for(layer, expr or model.default_expression, key)
            if chosen is not None and weight > 0.0:
                mix[chosen] = mix.get(chosen, 0.0) + weight
        if not mix:
            continue
        shift = (pose.look[0] * layer.depth * _LOOK_PX[0], pose.look[1] * layer.depth * _LOOK_PX[1])
        m = _mul(frame, _mul(parts[layer.part], (1.0, 0.0, 0.0, 1.0, *shift)))
        group = layer.name if len(mix) > 1 else None
        for name, weight in mix.items():
            sprite = model.sprites[name]
            x, y = sprite.pos
            w, h = sprite.size
            local = m
            if layer.kind is SlotKind.MOUTH and pose.mouth != "rest":
                # the jaw drops: the sprite opens downwards from its top edge with the opening
                drop = 0.55 + 0.45 * min(1.0, pose.mouth_open / 0.7)
                local = _mul(m, _about((x + w / 2, y), 0.0, 0.0, 1.0, drop, 0.0))
            (x0, y0), (x1, y1) = _apply(local, x, y), _apply(local, x + w, y)
            (x2, y2), (x3, y3) = _apply(local, x + w, y + h), _apply(local, x, y + h)
            quad = (x0, y0, x1, y1, x2, y2, x3, y3)
            ops.append(DrawOp(layer.name, name, quad, min(1.0, weight), group))
    return ops


def hit_layers(model: PngTuberModel, ops: list[DrawOp], x: float, y: float) -> list[str]:
    """Layers whose opaque pixels are under frame point (x, y), topmost first. Pure."""
    found: list[str] = []
    for op in reversed(ops):
        x0, y0, x1, y1, _x2, _y2, x3, y3 = op.quad
        ux, uy, vx, vy = x1 - x0, y1 - y0, x3 - x0, y3 - y0
        det = ux * vy - uy * vx
        if abs(det) < 1e-9:
            continue
        u = ((x - x0) * vy - (y - y0) * vx) / det
        v = (ux * (y - y0) - uy * (x - x0)) / det
        if not (0.0 <= u < 1.0 and 0.0 <= v < 1.0):
            continue
        rgba = model.sprites[op.sprite].rgba
        if rgba[int(v * rgba.shape[0]), int(u * rgba.shape[1]), 3] >= 128 and op.layer not in found:
            found.append(op.layer)
    return found
