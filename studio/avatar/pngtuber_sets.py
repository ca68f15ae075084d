"""Loading PNGTuber avatars from folders: the built-in Cream, layered models, users' image sets.

A user's *image set* is the classic PNGTuber: whole-avatar pictures, one per mouth/eye state,
optionally per expression. The folder layout (names are case-insensitive, PNG only)::

    my-avatar/
      idle.png          required: mouth closed, eyes open     (also: rest.png)
      talk.png          required: mouth open, eyes open       (also: open.png, speak.png, talking.png)
      blink.png         optional: mouth closed, eyes closed   (also: idle_blink.png)
      talk_blink.png    optional: mouth open, eyes closed     (also: blink_talk.png)
      happy/            optional: one folder per expression, with the same file names;
        idle.png          every expression needs idle.png and talk.png
        talk.png
      sad/ ...

The top-level images are the ``neutral`` expression (they may instead sit in ``neutral/``, not
both). Expression folders are named like the studio's emotions (``happy``, ``sad``, ``angry``,
``surprised``, ``shy``) so the director finds them, but any name of letters, digits, ``-`` and
``_`` works. All images must have the same size (at most 4096 px a side); transparent PNGs look
best. Other files are ignored. The avatar bounces while talking, blinks on its own when there
is a blink image, and fades between expressions.

A folder with a ``manifest.json`` is a *layered* model instead (the built-in avatar's format;
see ``resources/avatars/default/README.md`` and :mod:`studio.avatar.pngtuber_model`).

Pure Python + Pillow: any thread (loading reads files; keep it off the engine loop).
"""

from __future__ import annotations

import re
from pathlib import Path
from types import MappingProxyType
from typing import Final

import numpy as np
import numpy.typing as npt

from studio.avatar.pngtuber_model import (
    MANIFEST,
    Layer,
    Part,
    PngTuberModel,
    PngTuberModelError,
    SlotKind,
    Sprite,
    load_manifest,
    read_png,
)

__all__ = ["DEFAULT_AVATAR", "FRAME_FILES", "default_avatar_dir", "load_image_set", "load_pngtuber"]

DEFAULT_AVATAR: Final = Path("avatars") / "default"
"""The built-in avatar, relative to the resources folder."""

FRAME_FILES: Final = {
    "idle": ("idle", "rest"),
    "talk": ("talk", "open", "speak", "talking"),
    "blink": ("blink", "idle_blink"),
    "talk_blink": ("talk_blink", "blink_talk"),
}
"""Frame key -> accepted file stems (``.png``), first match wins."""

REQUIRED: Final = ("idle", "talk")
NEUTRAL: Final = "neutral"
_MAX_EXPRESSIONS: Final = 32
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
_LAYOUT_HINT: Final = (
    "Expected idle.png (mouth closed) and talk.png (mouth open), optionally blink.png and "
    "talk_blink.png, at the top of the folder, and the same names inside optional expression "
    "folders such as happy/ or sad/."
)


def default_avatar_dir(resources_dir: Path | None = None) -> Path:
    """Folder of the built-in avatar (``resources/avatars/default``)."""
    root = resources_dir if resources_dir is not None else Path(__file__).resolve().parents[2] / "resources"
    return root / DEFAULT_AVATAR


def load_pngtuber(folder: Path | None = None, *, resources_dir: Path | None = None) -> PngTuberModel:
    """The PNGTuber model in ``folder`` (``None``: the built-in Cream).

    A folder with ``manifest.json`` loads as a layered model, any other as an image set.

    Raises:
        PngTuberModelError: not a folder, or its contents do not form a valid avatar.
    """
    folder = folder if folder is not None else default_avatar_dir(resources_dir)
    if not folder.is_dir():
        raise PngTuberModelError(f"The PNGTuber avatar folder {folder} does not exist or is not a folder.")
    if (folder / MANIFEST).is_file():
        return load_manifest(folder)
    return load_image_set(folder)


def _frames(folder: Path) -> dict[str, Path]:
    """Frame key -> image file found in ``folder``."""
    pngs = {p.stem.lower(): p for p in sorted(folder.iterdir()) if p.suffix.lower() == ".png" and p.is_file()}
    found: dict[str, Path] = {}
    for key, stems in FRAME_FILES.items():
        for stem in stems:
            if stem in pngs:
                found[key] = pngs[stem]
                break
    return found


def _check_required(where: Path, found: dict[str, Path], expression: str) -> None:
    missing = [f"{k}.png" for k in REQUIRED if k not in found]
    if missing:
        pngs = sorted(p.name for p in where.iterdir() if p.suffix.lower() == ".png")
        have = f" It has: {', '.join(pngs)}." if pngs else " It has no PNG images."
        raise PngTuberModelError(
            f"The PNGTuber folder {where} lacks {' and '.join(missing)} for the expression {expression!r}."
            f"{have} {_LAYOUT_HINT}"
        )


def load_image_set(folder: Path) -> PngTuberModel:
    """A user's image set (see the module docs for the layout) as a one-layer model.

    Raises:
        PngTuberModelError: a required image is missing, an image is not a readable PNG, sizes
            differ, an expression folder is misnamed, or there are too many expressions.
    """
    sets: dict[str, dict[str, Path]] = {}
    top = _frames(folder)
    subdirs = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    for sub in subdirs:
        frames = _frames(sub)
        if not frames and not any(p.suffix.lower() == ".png" for p in sub.iterdir()):
            continue  # not an expression folder (no images at all)
        name = sub.name.lower()
        if not _NAME.match(sub.name):
            raise PngTuberModelError(
                f"The expression folder {sub} has an unusable name: use letters, digits, '-' or '_'."
            )
        if name in sets:
            raise PngTuberModelError(
                f"{folder} has two expression folders named {name!r} (names ignore case)."
            )
        _check_required(sub, frames, name)
        sets[name] = frames
    if top:
        if NEUTRAL in sets:
            raise PngTuberModelError(
                f"{folder} has neutral images both at the top and in {NEUTRAL}/: keep one of them."
            )
        _check_required(folder, top, NEUTRAL)
        sets[NEUTRAL] = top
    elif NEUTRAL not in sets:
        _check_required(folder, top, NEUTRAL)
    sets = {NEUTRAL: sets.pop(NEUTRAL), **sets}  # neutral first: sizes are checked against it
    if len(sets) > _MAX_EXPRESSIONS:
        raise PngTuberModelError(
            f"{folder} has {len(sets)} expressions; at most {_MAX_EXPRESSIONS} are supported."
        )

    images: dict[str, npt.NDArray[np.uint8]] = {}
    reference: tuple[tuple[int, int], Path] | None = None
    for expr, frames in sets.items():
        for key, path in frames.items():
            rgba = read_png(path, folder)
            size = (int(rgba.shape[1]), int(rgba.shape[0]))
            if reference is None:
                reference = (size, path)
            elif size != reference[0]:
                (w0, h0), other = reference
                raise PngTuberModelError(
                    f"Images of a PNGTuber set must all have the same size: {path.relative_to(folder)} is "
                    f"{size[0]}x{size[1]} but {other.relative_to(folder)} is {w0}x{h0}."
                )
            images[f"{expr}/{key}"] = rgba
    assert reference is not None  # neutral always has idle.png and talk.png
    width, height = reference[0]
    sprites = {name: Sprite(name, (0.0, 0.0), rgba) for name, rgba in images.items()}
    expressions = {
        expr: MappingProxyType({"frame": MappingProxyType({k: f"{expr}/{k}" for k in frames})})
        for expr, frames in sets.items()
    }
    return PngTuberModel(
        name=folder.name,
        canvas=(width, height),
        parts=MappingProxyType({"body": Part("body", (width / 2, float(height)))}),
        layers=(Layer("frame", "body", SlotKind.FRAME),),
        sprites=MappingProxyType(sprites),
        expressions=MappingProxyType(expressions),
        default_expression=NEUTRAL,
        hit_areas=MappingProxyType({"Body": ("frame",)}),
        source=folder,
    ).validate()
