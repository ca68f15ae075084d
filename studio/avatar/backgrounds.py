"""Background images kept in the avatar library (``<library>/_backgrounds``).

An avatar's ``Background.image`` names one of them by its library-relative path
(``_backgrounds/stage.png``). The same folder can back Open-LLM-VTuber's ``/bg`` mount and its
``background-files`` list. Blocking file I/O; the library serialises writers.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from pathlib import Path

from studio.avatar.thumbnail import check_image
from studio.core.errors import ValidationError

BACKGROUNDS_DIR = "_backgrounds"
BACKGROUND_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif")
MAX_BACKGROUND_BYTES = 64 * 1024 * 1024


def list_backgrounds(root: Path) -> list[str]:
    """Library-relative paths of the background images, sorted."""
    folder = root / BACKGROUNDS_DIR
    if not folder.is_dir():
        return []
    return sorted(
        f"{BACKGROUNDS_DIR}/{p.name}"
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in BACKGROUND_SUFFIXES
    )


def add_background(root: Path, picture: Path) -> str:
    """Copy ``picture`` into the backgrounds folder under a safe, unused name; returns its path.

    Raises:
        ValidationError: not a PNG/JPEG/GIF file, or larger than 64 MiB.
        ThumbnailError: the file does not decode as an image.
    """
    suffix = picture.suffix.lower()
    if suffix not in BACKGROUND_SUFFIXES or not picture.is_file():
        raise ValidationError(f"{picture.name}: a background must be a PNG, JPEG or GIF file.")
    if picture.stat().st_size > MAX_BACKGROUND_BYTES:
        raise ValidationError(f"{picture.name} is too large for a background (64 MiB at most).")
    folder = root / BACKGROUNDS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    temp = folder / f".incoming-{uuid.uuid4().hex}{suffix}"
    try:
        shutil.copyfile(picture, temp)
        check_image(temp)
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", picture.stem).strip("._") or "background"
        target, n = folder / f"{stem}{suffix}", 1
        while target.exists():
            n += 1
            target = folder / f"{stem}-{n}{suffix}"
        os.rename(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    return f"{BACKGROUNDS_DIR}/{target.name}"
