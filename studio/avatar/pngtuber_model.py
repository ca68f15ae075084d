"""PNGTuber avatar models: sprites on a canvas, grouped into layers, parts and expressions.

A model is what both the built-in avatar (``resources/avatars/default``, drawn by
``scripts/make_default_avatar.py``) and users' image sets (:mod:`studio.avatar.pngtuber_sets`)
become. Layers are drawn back to front. A *static* layer always shows one sprite; a *slot*
layer shows, for the current expression, the sprite chosen by the animation state:

==============  ============================================  =============================
kind            keys                                          chosen by
==============  ============================================  =============================
``expression``  ``default``                                   the expression only
``eyes``        ``open``, ``half``, ``closed``                blink / eye-open parameters
``mouth``       ``rest``, ``A`` ``I`` ``U`` ``E`` ``O``,      lip-sync (``ParamMouthOpenY``
                ``open`` (any vowel)                          and ``ParamA`` .. ``ParamO``)
``frame``       ``idle``, ``talk``, ``blink``, ``talk_blink`` talking x blinking (image sets)
==============  ============================================  =============================

Expressions inherit every layer and key they do not name from the default expression, and a
missing key falls back along :data:`KEY_FALLBACKS` (``half`` -> ``open``; a vowel -> ``open`` ->
``A`` -> ``rest``; ``talk_blink`` -> ``talk`` -> ``idle`` ...). Layers belong to *parts*
(``body``, ``head``) with pivots; parts form a tree (the head moves with the body).

``manifest.json`` (format 1) holds ``name``, ``canvas`` [w, h], ``parts`` {name: {pivot,
parent}}, ``sprites`` {name: {file, pos}} (``pos`` = top-left on the canvas), ``layers``
[{name, part, kind, sprite (static only), depth (parallax)}], ``default_expression``,
``expressions`` {name: {layer: {key: sprite}}} and ``hit_areas`` {area: [layer names]}.

Loading is pure Python + Pillow (no GL, no Qt): any thread. Models are immutable once built.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
from PIL import Image, UnidentifiedImageError
from pydantic import BaseModel, ConfigDict, Field, PositiveInt
from pydantic import ValidationError as PydanticValidationError

from studio.core.errors import ValidationError

__all__ = [
    "KEY_FALLBACKS",
    "MAX_SPRITE_SIZE",
    "Layer",
    "Part",
    "PngTuberModel",
    "PngTuberModelError",
    "SlotKind",
    "Sprite",
    "load_manifest",
    "read_png",
]

MANIFEST: Final = "manifest.json"
MAX_SPRITE_SIZE: Final = 4096
_MAX_MANIFEST_BYTES: Final = 1 << 20


class PngTuberModelError(ValidationError):
    """A PNGTuber folder or manifest is missing something or is malformed (the message says what)."""

    code = "pngtuber_invalid"


class SlotKind(StrEnum):
    """How a layer picks its sprite."""

    STATIC = "static"
    EXPRESSION = "expression"
    EYES = "eyes"
    MOUTH = "mouth"
    FRAME = "frame"


SLOT_KEYS: Final[Mapping[SlotKind, tuple[str, ...]]] = MappingProxyType(
    {
        SlotKind.EXPRESSION: ("default",),
        SlotKind.EYES: ("open", "half", "closed"),
        SlotKind.MOUTH: ("rest", "open", "A", "I", "U", "E", "O"),
        SlotKind.FRAME: ("idle", "talk", "blink", "talk_blink"),
    }
)
"""Keys each slot kind understands."""

KEY_FALLBACKS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "half": ("half", "open"),
        "closed": ("closed", "half", "open"),
        **{v: (v, "open", "A", "rest") for v in ("A", "I", "U", "E", "O")},
        "open": ("open", "A", "rest"),
        "talk": ("talk", "idle"),
        "blink": ("blink", "idle"),
        "talk_blink": ("talk_blink", "talk", "blink", "idle"),
    }
)
"""Key -> keys tried in order when a slot lacks it."""


@dataclass(frozen=True, slots=True)
class Sprite:
    """One image placed on the model canvas.

    Attributes:
        name: Sprite name (manifest key).
        pos: Top-left corner on the canvas, px.
        rgba: ``(height, width, 4)`` uint8, straight (not premultiplied) alpha, row 0 at the top.
    """

    name: str
    pos: tuple[float, float]
    rgba: npt.NDArray[np.uint8]

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in px."""
        return int(self.rgba.shape[1]), int(self.rgba.shape[0])


@dataclass(frozen=True, slots=True)
class Part:
    """A rigid group of layers that moves together, about ``pivot`` (canvas px)."""

    name: str
    pivot: tuple[float, float]
    parent: str | None = None


@dataclass(frozen=True, slots=True)
class Layer:
    """One entry of the draw order."""

    name: str
    part: str
    kind: SlotKind = SlotKind.STATIC
    sprite: str | None = None
    depth: float = 0.0  # parallax: how far it shifts with ``look`` (hair behind < 0 < features)


@dataclass(frozen=True, slots=True)
class PngTuberModel:
    """An immutable, validated PNGTuber model.

    Attributes:
        expressions: Expression -> layer name -> key -> sprite name, already merged with the
            default expression (every expression names every slot layer the default has).
        hit_areas: Area name (``Head``, ``Body``) -> layer names that belong to it.
        source: Folder the model came from (``None`` when built in memory).
    """

    name: str
    canvas: tuple[int, int]
    parts: Mapping[str, Part]
    layers: tuple[Layer, ...]
    sprites: Mapping[str, Sprite]
    expressions: Mapping[str, Mapping[str, Mapping[str, str]]]
    default_expression: str
    hit_areas: Mapping[str, tuple[str, ...]]
    source: Path | None = None

    def sprite_for(self, layer: Layer, expression: str, key: str) -> str | None:
        """The sprite ``layer`` shows for ``expression`` and ``key`` (with key fallbacks), if any."""
        if layer.kind is SlotKind.STATIC:
            return layer.sprite
        slot = self.expressions.get(expression, self.expressions[self.default_expression]).get(layer.name)
        if not slot:
            return None
        for candidate in KEY_FALLBACKS.get(key, (key,)):
            if candidate in slot:
                return slot[candidate]
        return None

    def area_of(self, layer: str) -> str | None:
        """The hit area a layer belongs to."""
        for area, layers in self.hit_areas.items():
            if layer in layers:
                return area
        return None

    def validate(self) -> PngTuberModel:
        """Check references (parts, sprites, keys, areas); returns ``self``.

        Raises:
            PngTuberModelError: the first problem found, named.
        """
        where = self.source or self.name
        if not self.layers:
            raise PngTuberModelError(f"{where}: the model has no layers.")
        for part in self.parts.values():
            seen = {part.name}
            parent = part.parent
            while parent is not None:
                if parent not in self.parts:
                    raise PngTuberModelError(f"{where}: part {part.name!r} has an unknown parent {parent!r}.")
                if parent in seen:
                    raise PngTuberModelError(f"{where}: parts form a loop through {parent!r}.")
                seen.add(parent)
                parent = self.parts[parent].parent
        for layer in self.layers:
            if layer.part not in self.parts:
                raise PngTuberModelError(
                    f"{where}: layer {layer.name!r} uses an unknown part {layer.part!r}."
                )
            if layer.kind is SlotKind.STATIC and layer.sprite not in self.sprites:
                raise PngTuberModelError(
                    f"{where}: layer {layer.name!r} shows an unknown sprite {layer.sprite!r}."
                )
        if self.default_expression not in self.expressions:
            raise PngTuberModelError(
                f"{where}: the default expression {self.default_expression!r} is not defined."
            )
        slots = {layer.name: layer for layer in self.layers if layer.kind is not SlotKind.STATIC}
        for expr, entries in self.expressions.items():
            for layer_name, keys in entries.items():
                if layer_name not in slots:
                    raise PngTuberModelError(
                        f"{where}: expression {expr!r} names {layer_name!r}, not a slot layer."
                    )
                allowed = SLOT_KEYS[slots[layer_name].kind]
                for key, sprite in keys.items():
                    if key not in allowed:
                        raise PngTuberModelError(
                            f"{where}: expression {expr!r}, layer {layer_name!r}: unknown key {key!r} "
                            f"(expected one of {', '.join(allowed)})."
                        )
                    if sprite not in self.sprites:
                        raise PngTuberModelError(
                            f"{where}: expression {expr!r}, layer {layer_name!r}: unknown sprite {sprite!r}."
                        )
        layer_names = {layer.name for layer in self.layers}
        for area, names in self.hit_areas.items():
            if unknown := [n for n in names if n not in layer_names]:
                raise PngTuberModelError(f"{where}: hit area {area!r} names unknown layers {unknown}.")
        return self


# ---- manifest files ----


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _SpriteSpec(_Strict):
    file: str
    pos: tuple[float, float] = (0.0, 0.0)


class _PartSpec(_Strict):
    pivot: tuple[float, float]
    parent: str | None = None


class _LayerSpec(_Strict):
    name: str
    part: str
    kind: SlotKind = SlotKind.STATIC
    sprite: str | None = None
    depth: float = 0.0


class _ManifestSpec(_Strict):
    format: Literal[1]
    name: str = Field(min_length=1, max_length=200)
    canvas: tuple[PositiveInt, PositiveInt]
    parts: dict[str, _PartSpec] = Field(min_length=1)
    sprites: dict[str, _SpriteSpec] = Field(min_length=1)
    layers: list[_LayerSpec] = Field(min_length=1)
    default_expression: str = "neutral"
    expressions: dict[str, dict[str, dict[str, str]]] = Field(min_length=1)
    hit_areas: dict[str, list[str]] = Field(default_factory=dict)


def read_png(path: Path, folder: Path) -> npt.NDArray[np.uint8]:
    """An RGBA array of the PNG at ``path``, which must stay inside ``folder``.

    Raises:
        PngTuberModelError: outside the folder, missing, not a PNG, or too large.
    """
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        raise PngTuberModelError(f"{folder}: the image {path.name} is missing.") from exc
    if not real.is_relative_to(folder.resolve()):
        raise PngTuberModelError(f"{folder}: the image {path.name} points outside the avatar folder.")
    try:
        with Image.open(real) as im:
            if im.format != "PNG":
                raise PngTuberModelError(f"{folder}: {path.name} is a {im.format} file, not a PNG.")
            if max(im.size) > MAX_SPRITE_SIZE:
                raise PngTuberModelError(
                    f"{folder}: {path.name} is {im.width}x{im.height}; images may be at most "
                    f"{MAX_SPRITE_SIZE} px on a side."
                )
            rgba = np.asarray(im.convert("RGBA"), dtype=np.uint8)
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise PngTuberModelError(f"{folder}: {path.name} is not a readable PNG image ({exc}).") from exc
    rgba.setflags(write=False)
    return rgba


def load_manifest(folder: Path) -> PngTuberModel:
    """Load a layered PNGTuber model from ``folder/manifest.json`` and its sprites.

    Raises:
        PngTuberModelError: missing or malformed manifest, missing or bad image, bad reference.
    """
    path = folder / MANIFEST
    try:
        if path.stat().st_size > _MAX_MANIFEST_BYTES:
            raise PngTuberModelError(f"{path} is too large to be an avatar manifest.")
        raw = json.loads(path.read_text(encoding="utf-8"))
        spec = _ManifestSpec.model_validate(raw)
    except FileNotFoundError as exc:
        raise PngTuberModelError(f"{folder} has no {MANIFEST}.") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PngTuberModelError(f"{path} is not a readable JSON file: {exc}") from exc
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise PngTuberModelError(f"{path}: {loc}: {first['msg']}.") from exc
    images: dict[str, npt.NDArray[np.uint8]] = {}
    sprites: dict[str, Sprite] = {}
    for name, s in spec.sprites.items():
        if s.file not in images:
            images[s.file] = read_png(folder / s.file, folder)
        sprites[name] = Sprite(name, s.pos, images[s.file])
    default = spec.expressions.get(spec.default_expression, {})
    expressions = {
        expr: MappingProxyType(
            {
                layer: MappingProxyType({**default.get(layer, {}), **entries.get(layer, {})})
                for layer in {**default, **entries}
            }
        )
        for expr, entries in spec.expressions.items()
    }
    return PngTuberModel(
        name=spec.name,
        canvas=spec.canvas,
        parts=MappingProxyType({n: Part(n, p.pivot, p.parent) for n, p in spec.parts.items()}),
        layers=tuple(Layer(x.name, x.part, x.kind, x.sprite, x.depth) for x in spec.layers),
        sprites=MappingProxyType(sprites),
        expressions=MappingProxyType(expressions),
        default_expression=spec.default_expression,
        hit_areas=MappingProxyType({a: tuple(v) for a, v in spec.hit_areas.items()}),
        source=folder,
    ).validate()
