"""Draw Cream, the studio's built-in PNGTuber avatar, into ``resources/avatars/default``.

Our own art, made entirely by this script: every layer is drawn with Pillow at 4x (smooth
Catmull-Rom outlines, gradient fills, blurred soft shading, tapered strokes) and downsampled
with a box filter. The output is deterministic (no randomness, no fonts, no system state), so
running it again reproduces the committed PNGs pixel for pixel with the same Pillow version.

It writes one PNG per sprite (cropped, with its top-left position on the 960x1080 canvas) and
``manifest.json`` (layers, parts and pivots, hit areas, expressions, visemes), the format read by
:mod:`studio.avatar.pngtuber_model`. Sprites that come out pixel-identical are stored once.

Usage: ``python scripts/make_default_avatar.py [--out DIR] [--sheet PNG]`` (``--sheet`` also
composes a quick Pillow preview of every expression and viseme, without OpenGL).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))

from avatar_art import features, head, mouths
from avatar_art.canvas import Canvas

CANVAS = (960, 1080)
ROOT = Path(__file__).resolve().parents[1]
VISEMES = ("A", "I", "U", "E", "O")

EXPRESSIONS: dict[str, dict[str, object]] = {
    "neutral": {"eye": features.EyeStyle(), "brow": features.BrowStyle(), "blush": 0.35},
    "happy": {
        "eye": features.EyeStyle(lower=0.62, closed_up=True, sparkle=1.2),
        "brow": features.BrowStyle(inner_y=388, outer_y=384, arch=10),
        "blush": 0.6,
        "fx": "happy",
    },
    "sad": {
        "eye": features.EyeStyle(outer_drop=0.55, wet=True, look=(0, 4)),
        "brow": features.BrowStyle(inner_y=378, outer_y=400, arch=-2),
        "blush": 0.2,
        "fx": "sad",
    },
    "angry": {
        "eye": features.EyeStyle(inner_drop=0.62, iris=0.94, pupil=0.78),
        "brow": features.BrowStyle(inner_y=414, outer_y=382, arch=-3, inner_x=456),
        "blush": 0.45,
        "fx": "angry",
    },
    "surprised": {
        "eye": features.EyeStyle(tall=1.08, iris=0.8, pupil=0.6),
        "brow": features.BrowStyle(inner_y=378, outer_y=374, arch=14),
        "blush": 0.3,
        "fx": "surprised",
    },
    "shy": {
        "eye": features.EyeStyle(lower=0.16, outer_drop=0.22, look=(9, 6)),
        "brow": features.BrowStyle(inner_y=386, outer_y=398, arch=3),
        "blush": 0.95,
        "hatch": True,
        "fx": "shy",
        "open": 0.84,
    },
}

# Draw order, back to front: (layer name, part, kind, parallax depth).
LAYERS = (
    ("hair_back", "head", "static", -0.6),
    ("body", "body", "static", 0.0),
    ("neck", "body", "static", 0.0),
    ("face", "head", "static", 0.0),
    ("cheeks", "head", "expression", 0.3),
    ("mouth", "head", "mouth", 0.35),
    ("eyes", "head", "eyes", 0.45),
    ("hair_front", "head", "static", 0.7),
    ("brows", "head", "expression", 0.55),
    ("accessories", "head", "static", 0.75),
    ("fx", "head", "expression", 0.8),
)


def _jobs() -> dict[str, Callable[[], Canvas]]:
    """Sprite name -> drawing function (picklable via module-level lookups)."""
    jobs: dict[str, Callable[[], Canvas]] = {
        "hair_back": head.draw_back_hair,
        "body": head.draw_body,
        "neck": head.draw_neck,
        "face": head.draw_face,
        "hair_front": head.draw_front_hair,
        "accessories": head.draw_accessories,
    }
    for v in VISEMES:
        jobs[f"mouth/{v}"] = _Call(mouths.viseme, v)
    for name, spec in EXPRESSIONS.items():
        eye, opening = spec["eye"], float(spec.get("open", 1.0))  # type: ignore[arg-type]
        for state, amount in (("open", opening), ("half", 0.45), ("closed", 0.0)):
            jobs[f"eyes/{name}_{state}"] = _Call(features.draw_eyes, eye, amount)
        jobs[f"brows/{name}"] = _Call(features.draw_brows, spec["brow"])
        jobs[f"cheeks/{name}"] = _Call(features.draw_cheeks, spec["blush"], bool(spec.get("hatch", False)))
        jobs[f"mouth/{name}_rest"] = _Call(mouths.rest, name)
        if "fx" in spec:
            jobs[f"fx/{name}"] = _Call(features.draw_fx, spec["fx"])
    return jobs


class _Call:
    """A picklable deferred call."""

    def __init__(self, fn: Callable[..., Canvas], *args: object) -> None:
        self.fn, self.args = fn, args

    def __call__(self) -> Canvas:
        return self.fn(*self.args)


def _render(item: tuple[str, Callable[[], Canvas]]) -> tuple[str, bytes, tuple[int, int]]:
    name, job = item
    result = job().export()
    if result is None:
        raise SystemExit(f"sprite {name} came out empty")
    image, pos = result
    buf = io.BytesIO()
    image.save(buf, "PNG", optimize=True)
    return name, buf.getvalue(), pos


def _manifest(sprites: dict[str, dict[str, object]]) -> dict[str, object]:
    expressions: dict[str, dict[str, dict[str, str]]] = {}
    for name, spec in EXPRESSIONS.items():
        entry: dict[str, dict[str, str]] = {
            "eyes": {s: f"eyes/{name}_{s}" for s in ("open", "half", "closed")},
            "brows": {"default": f"brows/{name}"},
            "cheeks": {"default": f"cheeks/{name}"},
            "mouth": {"rest": f"mouth/{name}_rest"},
        }
        if name == "neutral":
            entry["mouth"].update({v: f"mouth/{v}" for v in VISEMES})
        if "fx" in spec:
            entry["fx"] = {"default": f"fx/{name}"}
        expressions[name] = entry
    return {
        "format": 1,
        "name": "Cream",
        "canvas": list(CANVAS),
        "parts": {"body": {"pivot": [480, 1080]}, "head": {"pivot": [480, 600], "parent": "body"}},
        "hit_areas": {"Head": ["hair_back", "face", "hair_front", "accessories"], "Body": ["body", "neck"]},
        "sprites": sprites,
        "layers": [
            {"name": n, "part": p, "kind": k, **({"sprite": n} if k == "static" else {}), "depth": d}
            for n, p, k, d in LAYERS
        ],
        "default_expression": "neutral",
        "expressions": expressions,
    }


def build(out: Path, workers: int = 2) -> dict[str, object]:
    """Draw every sprite into ``out`` and write ``manifest.json``; returns the manifest."""
    jobs = _jobs()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(_render, jobs.items()))
    for old in out.rglob("*.png"):
        old.unlink()
    sprites: dict[str, dict[str, object]] = {}
    seen: dict[str, str] = {}
    for name, data, pos in sorted(results):
        digest = hashlib.sha256(data + repr(pos).encode()).hexdigest()
        file = seen.setdefault(digest, f"{name}.png")
        if file == f"{name}.png":
            (out / file).parent.mkdir(parents=True, exist_ok=True)
            (out / file).write_bytes(data)
        sprites[name] = {"file": file, "pos": list(pos)}
    manifest = _manifest(sprites)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def compose(out: Path, manifest: dict[str, object], expression: str, eyes: str, mouth: str) -> Image.Image:
    """A Pillow composite of one pose (preview only; the studio draws with OpenGL)."""
    sprites: dict[str, dict[str, object]] = manifest["sprites"]  # type: ignore[assignment]
    exprs: dict[str, dict[str, dict[str, str]]] = manifest["expressions"]  # type: ignore[assignment]
    base, this = exprs["neutral"], exprs[expression]
    im = Image.new("RGBA", CANVAS, (0, 0, 0, 0))
    for name, _part, kind, _depth in LAYERS:
        slot = {**base.get(name, {}), **this.get(name, {})}
        key = {"static": None, "expression": "default", "eyes": eyes, "mouth": mouth}[kind]
        sprite = name if key is None else slot.get(key)
        if sprite is None:
            continue
        info = sprites[sprite]
        layer = Image.open(out / str(info["file"])).convert("RGBA")
        x, y = info["pos"]  # type: ignore[misc]
        im.alpha_composite(layer, (max(0, x), max(0, y)), (max(0, -x), max(0, -y)))
    return im


def sheet(out: Path, manifest: dict[str, object], target: Path) -> None:
    """Every expression (open eyes, rest mouth), then half/closed eyes and the visemes."""
    poses = [(e, "open", "rest") for e in EXPRESSIONS]
    poses += [("neutral", "half", "rest"), ("neutral", "closed", "rest"), ("happy", "closed", "rest")]
    poses += [("neutral", "open", v) for v in VISEMES]
    cell = (320, 360)
    cols = 7
    rows = -(-len(poses) // cols)
    board = Image.new("RGBA", (cell[0] * cols, cell[1] * rows), (228, 234, 244, 255))
    for k, pose in enumerate(poses):
        im = compose(out, manifest, *pose).resize(cell, Image.Resampling.LANCZOS)
        board.alpha_composite(im, ((k % cols) * cell[0], (k // cols) * cell[1]))
    board.convert("RGB").save(target)


def main() -> None:
    """Command line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "resources" / "avatars" / "default")
    ap.add_argument("--sheet", type=Path, help="also write a Pillow preview contact sheet here")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    manifest = build(args.out, args.workers)
    if args.sheet:
        sheet(args.out, manifest, args.sheet)
    print(f"wrote {len(manifest['sprites'])} sprites to {args.out}")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
