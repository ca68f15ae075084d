"""The built-in avatar's manifest and art, and manifest validation."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from studio.avatar.emotion import EMOTIONS
from studio.avatar.pngtuber_model import PngTuberModelError, SlotKind, load_manifest
from studio.avatar.pngtuber_sets import default_avatar_dir, load_pngtuber

ROOT = Path(__file__).resolve().parents[3]
DEFAULT = default_avatar_dir()


def test_default_avatar_loads_with_every_expression_and_viseme() -> None:
    model = load_pngtuber()
    assert model.name == "Cream"
    assert model.source == DEFAULT
    assert set(EMOTIONS) <= set(model.expressions), "the director's six emotions are expressions"
    layers = {layer.name: layer for layer in model.layers}
    assert layers["eyes"].kind is SlotKind.EYES
    assert layers["mouth"].kind is SlotKind.MOUTH
    for expr in EMOTIONS:
        for key in ("open", "half", "closed"):
            assert model.sprite_for(layers["eyes"], expr, key)
        for key in ("rest", "A", "I", "U", "E", "O"):
            assert model.sprite_for(layers["mouth"], expr, key)
        assert model.sprite_for(layers["brows"], expr, "default")
        assert model.sprite_for(layers["cheeks"], expr, "default")
    assert set(model.hit_areas) == {"Head", "Body"}


def test_expressions_differ_in_brows_eyes_cheeks_and_rest_mouth() -> None:
    model = load_pngtuber()
    layers = {layer.name: layer for layer in model.layers}

    def pixels(layer: str, expr: str, key: str) -> bytes:
        name = model.sprite_for(layers[layer], expr, key)
        assert name is not None
        sprite = model.sprites[name]
        return sprite.rgba.tobytes() + repr(sprite.pos).encode()

    for layer, key in (("brows", "default"), ("eyes", "open"), ("cheeks", "default"), ("mouth", "rest")):
        looks = {pixels(layer, expr, key) for expr in EMOTIONS}
        assert len(looks) == len(EMOTIONS), f"every expression has its own {layer}"
    visemes = {pixels("mouth", "neutral", v) for v in ("rest", "A", "I", "U", "E", "O")}
    assert len(visemes) == 6


def test_sprites_are_real_art_not_placeholders() -> None:
    model = load_pngtuber()
    for name in ("hair_back", "hair_front", "face", "body"):
        rgba = model.sprites[name].rgba
        opaque = rgba[..., 3] > 200
        assert opaque.mean() > 0.2, name
        colours = np.unique(rgba[opaque][:, :3] // 8, axis=0)
        assert len(colours) > 50, f"{name} is shaded (gradients, soft shadows), not flat"
        edge = (rgba[..., 3] > 0) & (rgba[..., 3] < 255)
        assert edge.sum() > 100, f"{name} has antialiased edges"
    w, h = model.canvas
    for sprite in model.sprites.values():
        x, y = sprite.pos
        sw, sh = sprite.size
        assert -w * 0.1 < x and x + sw < w * 1.1 and -h * 0.1 < y and y + sh < h * 1.1, sprite.name


@pytest.mark.slow
def test_art_script_reproduces_the_committed_files(tmp_path: Path) -> None:
    out = tmp_path / "cream"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_default_avatar.py"), "--out", str(out)],
        check=True,
        capture_output=True,
        timeout=300,
    )

    def digests(folder: Path) -> dict[str, str]:
        files = sorted(p for p in folder.rglob("*") if p.suffix in (".png", ".json"))
        return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}

    assert digests(out) == digests(DEFAULT)


def _write_manifest(folder: Path, **changes: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    src = json.loads((DEFAULT / "manifest.json").read_text(encoding="utf-8"))
    src.update(changes)
    for sprite in src["sprites"].values():
        sprite["file"] = str((DEFAULT / sprite["file"]).relative_to(DEFAULT))
    (folder / "manifest.json").write_text(json.dumps(src), encoding="utf-8")
    for path in DEFAULT.rglob("*.png"):
        target = folder / path.relative_to(DEFAULT)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    return folder


def test_a_copied_manifest_loads_and_inherits_from_the_default_expression(tmp_path: Path) -> None:
    model = load_manifest(_write_manifest(tmp_path / "copy"))
    mouth = next(layer for layer in model.layers if layer.name == "mouth")
    assert model.sprite_for(mouth, "happy", "A") == model.sprite_for(mouth, "neutral", "A")
    assert model.sprite_for(mouth, "happy", "rest") != model.sprite_for(mouth, "neutral", "rest")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": 2}, "format"),
        ({"default_expression": "calm"}, "default expression 'calm'"),
        (
            {
                "parts": {
                    "body": {"pivot": [0, 0], "parent": "head"},
                    "head": {"pivot": [0, 0], "parent": "body"},
                }
            },
            "loop",
        ),
        ({"hit_areas": {"Head": ["tail"]}}, "unknown layers"),
        ({"expressions": {"neutral": {"eyes": {"wide": "face"}}}}, "unknown key 'wide'"),
        ({"expressions": {"neutral": {"eyes": {"open": "nope"}}}}, "unknown sprite 'nope'"),
        ({"expressions": {"neutral": {"face": {"default": "face"}}}}, "not a slot layer"),
    ],
)
def test_bad_manifests_are_refused_with_a_clear_message(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    folder = _write_manifest(tmp_path / "bad", **change)
    with pytest.raises(PngTuberModelError, match=message):
        load_manifest(folder)


def test_missing_or_escaping_sprite_files_are_refused(tmp_path: Path) -> None:
    folder = _write_manifest(tmp_path / "bad")
    (folder / "face.png").unlink()
    with pytest.raises(PngTuberModelError, match=r"face\.png is missing"):
        load_manifest(folder)
    folder = _write_manifest(tmp_path / "escape")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    (tmp_path / "outside.png").write_bytes((DEFAULT / "face.png").read_bytes())
    manifest["sprites"]["face"]["file"] = "../outside.png"
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(PngTuberModelError, match="outside the avatar folder"):
        load_manifest(folder)


def test_unreadable_manifest_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(PngTuberModelError, match="not a readable JSON"):
        load_pngtuber(folder)
