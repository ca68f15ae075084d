"""Background images per user: checked uploads, listing, lookup by name or latest, deletion.

Files live in ``<data_dir>/backgrounds/<user id>/`` under names the studio makes (a cleaned stem
of the client's name, a random suffix, the extension of the *decoded* format), so names never
collide and never come from the client as a path. An upload must decode with Pillow as PNG, JPEG,
WebP or GIF, within the size and pixel limits. A name in a request must be a plain file name that
the ``backgrounds`` table knows for this user and that resolves inside the user's folder (no
traversal, absolute paths or symlinks).

Engine loop; decoding and file work run in worker threads.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import re
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from studio.api.preferences_service import RequestRefusedError
from studio.storage.prefs_repo import BackgroundRepo, BackgroundRow, DuplicateBackgroundError

log = logging.getLogger(__name__)

MAX_BACKGROUND_BYTES = 10 * 1000 * 1000  # the seed's "uploads up to 10 MB"
MAX_PIXELS = 40_000_000  # e.g. 8000 x 5000; guards against decompression bombs
FORMATS: dict[str, tuple[str, str]] = {  # Pillow format -> (content type, extension)
    "PNG": ("image/png", ".png"),
    "JPEG": ("image/jpeg", ".jpg"),
    "WEBP": ("image/webp", ".webp"),
    "GIF": ("image/gif", ".gif"),
}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,80}\.(png|jpg|webp|gif)$")
_STEM_CHARS = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True, slots=True)
class CheckedImage:
    """An upload that decoded as an allowed image."""

    content_type: str
    extension: str
    width: int
    height: int


def check_image(data: bytes) -> CheckedImage:
    """Decode ``data`` fully and check its format and size (blocking: call in a worker thread).

    Raises:
        RequestRefusedError: 413 too large, 415 another image format, 400 not an image or damaged.
    """
    if len(data) > MAX_BACKGROUND_BYTES:
        raise _too_large()
    if not data:
        raise RequestRefusedError("The uploaded file is empty.", code="empty_file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                fmt = probe.format or ""
                width, height = probe.size
                if fmt not in FORMATS:
                    raise RequestRefusedError(
                        f"Unsupported image type {fmt or 'unknown'}; use PNG, JPEG, WebP or GIF.",
                        code="unsupported_image_type",
                        status=415,
                    )
                if width * height > MAX_PIXELS:
                    raise _too_many_pixels(width, height)
                probe.load()  # decodes every pixel of the first frame: truncated data fails here
            with Image.open(io.BytesIO(data)) as again:
                again.verify()  # checksums (PNG CRCs) and structure
    except RequestRefusedError:
        raise
    except UnidentifiedImageError as exc:
        raise RequestRefusedError(
            "The file is not an image (expected PNG, JPEG, WebP or GIF).", code="invalid_image"
        ) from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels(0, 0) from exc
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as exc:
        raise RequestRefusedError("The image is damaged or incomplete.", code="invalid_image") from exc
    content_type, extension = FORMATS[fmt]
    return CheckedImage(content_type, extension, width, height)


def _too_large() -> RequestRefusedError:
    return RequestRefusedError(
        f"The image is larger than {MAX_BACKGROUND_BYTES // 1_000_000} MB.", code="file_too_large", status=413
    )


def _too_many_pixels(width: int, height: int) -> RequestRefusedError:
    size = f" ({width}x{height})" if width else ""
    return RequestRefusedError(
        f"The image has too many pixels{size}; the limit is {MAX_PIXELS // 1_000_000} megapixels.",
        code="image_too_large",
        status=413,
    )


def clean_stem(filename: str | None) -> str:
    """A safe stem from the client's file name (only the last path part; letters, digits, _ and -)."""
    base = re.split(r"[\\/]", filename or "")[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = _STEM_CHARS.sub("-", stem).strip("-_")[:40]
    return stem if stem and stem[0].isalnum() else "background"


def check_name(name: str) -> str:
    """``name`` if it is a plain background file name.

    Raises:
        RequestRefusedError: 403 for a path (slashes, ``..``, absolute, drive letters), 400 for other junk.
    """
    if not isinstance(name, str) or not name:
        raise RequestRefusedError("A background name is required.", code="invalid_name")
    if "/" in name or "\\" in name or ".." in name or ":" in name or "\x00" in name:
        raise RequestRefusedError(
            "Background names are plain file names from your list, not paths.",
            code="path_not_allowed",
            status=403,
        )
    if not _NAME.fullmatch(name):
        raise RequestRefusedError(f"No background can be called {name[:80]!r}.", code="invalid_name")
    return name


class BackgroundStore:
    """The background images of one studio.

    Args:
        repo: The ``backgrounds`` table.
        root: ``<data_dir>/backgrounds``; each user gets a sub-folder named by their id.
    """

    def __init__(self, repo: BackgroundRepo, root: Path) -> None:
        self.repo = repo
        self.root = root

    def folder(self, user_id: int) -> Path:
        """The user's folder (it need not exist)."""
        return self.root / str(int(user_id))

    async def save(self, user_id: int, filename: str | None, data: bytes) -> BackgroundRow:
        """Check and store an upload; return its record.

        Raises:
            RequestRefusedError: not an allowed image, too large.
        """
        image = await asyncio.to_thread(check_image, data)
        stem = clean_stem(filename)
        for _attempt in range(8):
            name = f"{stem}-{secrets.token_hex(4)}{image.extension}"
            written = await asyncio.to_thread(self._write_new, user_id, name, data)
            if not written:
                continue
            try:
                row = await self.repo.add(
                    user_id, name, image.content_type, len(data), image.width, image.height
                )
            except DuplicateBackgroundError:
                continue  # a file of this name was recorded but is gone; keep the record, pick another
            except BaseException:
                await asyncio.to_thread(self.folder(user_id).joinpath(name).unlink, True)
                raise
            log.info("background stored", extra={"user_id": user_id, "bg_name": name, "bytes": len(data)})
            return row
        raise RequestRefusedError(
            "Could not find a free file name; try again.", code="name_collision", status=500
        )

    def _write_new(self, user_id: int, name: str, data: bytes) -> bool:
        folder = self.folder(user_id)
        folder.mkdir(parents=True, exist_ok=True)
        if folder.is_symlink() or not folder.resolve().is_relative_to(self.root.resolve()):
            raise RequestRefusedError(
                "The background folder is not usable.", code="path_not_allowed", status=403
            )
        try:
            fd = os.open(
                folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644
            )
        except FileExistsError:
            return False
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        except BaseException:
            (folder / name).unlink(missing_ok=True)
            raise
        return True

    async def list(self, user_id: int) -> list[BackgroundRow]:
        """The user's backgrounds, newest first."""
        return await self.repo.list(user_id)

    async def find(self, user_id: int, name: str | None) -> tuple[BackgroundRow, Path]:
        """The background ``name`` (or the latest upload when ``name`` is empty) and its file.

        Raises:
            RequestRefusedError: 403/400 bad name, 404 unknown or missing file.
        """
        if name:
            row = await self.repo.get(user_id, check_name(name))
            if row is None:
                raise RequestRefusedError(
                    f"No background called {name!r}.", code="background_not_found", status=404
                )
        else:
            row = await self.repo.latest(user_id)
            if row is None:
                raise RequestRefusedError(
                    "No background uploaded yet.", code="background_not_found", status=404
                )
        return row, await asyncio.to_thread(self._confined, user_id, row.name)

    def _confined(self, user_id: int, name: str) -> Path:
        folder = self.folder(user_id)
        path = folder / name
        if folder.is_symlink() or path.is_symlink():
            raise RequestRefusedError(
                f"Background {name!r} is a link; refusing it.", code="path_not_allowed", status=403
            )
        if (
            not path.resolve().is_relative_to(self.root.resolve())
            or path.resolve().parent != folder.resolve()
        ):
            raise RequestRefusedError(
                f"Background {name!r} is outside its folder.", code="path_not_allowed", status=403
            )
        if not path.is_file():
            raise RequestRefusedError(
                f"The file of background {name!r} is missing.", code="background_not_found", status=404
            )
        return path

    async def delete(self, user_id: int, name: str) -> None:
        """Remove the background ``name`` (file and record).

        Raises:
            RequestRefusedError: 403/400 bad name, 404 unknown.
        """
        row = await self.repo.get(user_id, check_name(name))
        if row is None:
            raise RequestRefusedError(
                f"No background called {name!r}.", code="background_not_found", status=404
            )
        path = self.folder(user_id) / row.name
        if path.is_symlink() or path.is_file():
            await asyncio.to_thread(path.unlink, True)  # unlinking a link removes the link only
        await self.repo.delete(user_id, row.name)
