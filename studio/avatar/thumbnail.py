"""Avatar thumbnails: a small square PNG for lists and the Open-LLM-VTuber ``avatar`` field.

The picture is a provided icon when the user gives one; otherwise the model's first texture.
A Live2D texture is an atlas of the model's parts, so that thumbnail shows the parts laid out
flat, not the posed character: it is cropped to its opaque area and fitted into the square,
which is recognisable enough to pick a model from a list. A rendered snapshot can replace it
later (``AvatarLibrary.set_thumbnail``). Blocking (Pillow); any thread.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from PIL import Image

from studio.core.errors import ValidationError

THUMBNAIL_SIZE = 256
MAX_SOURCE_PIXELS = 8192 * 8192
"""Larger source images are refused (Live2D textures are at most 8192 px square)."""


class ThumbnailError(ValidationError):
    """A picture (thumbnail source, background) cannot be read as an image."""

    code = "invalid_image"


def _open_rgba(source: Path) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as opened:
                if opened.width * opened.height > MAX_SOURCE_PIXELS:
                    raise ThumbnailError(f"{source.name} is too large ({opened.width}x{opened.height} px).")
                return opened.convert("RGBA")
    except ThumbnailError:
        raise
    except (
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise ThumbnailError(f"{source.name} is not a readable image: {exc}") from exc


def check_image(source: Path) -> tuple[int, int]:
    """Decode ``source`` fully; returns its size in pixels.

    Raises:
        ThumbnailError: not an image Pillow can read, or larger than 8192 x 8192.
    """
    return _open_rgba(source).size


def make_thumbnail(source: Path, dest: Path, size: int = THUMBNAIL_SIZE) -> None:
    """Write a ``size`` x ``size`` RGBA PNG of ``source`` (cropped to its opaque area, centred).

    Raises:
        ThumbnailError: ``source`` is not an image Pillow can read, or is too large.
    """
    image = _open_rgba(source)
    box = image.getchannel("A").getbbox()
    if box is not None:
        image = image.crop(box)
    image.thumbnail((size, size), Image.Resampling.LANCZOS)
    canvas = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    canvas.paste(image, ((size - image.width) // 2, (size - image.height) // 2))
    dest.parent.mkdir(parents=True, exist_ok=True)
    canvas.save(dest, "PNG")
