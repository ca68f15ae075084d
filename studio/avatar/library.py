"""The avatar library: imported Live2D models plus the built-in avatar, with their settings.

Layout under the library folder (``<data_dir>/avatars``)::

    <id>/model/...           the imported files, as they were in the folder or zip
    <id>/thumbnail.png       256 px thumbnail (see studio.avatar.thumbnail)
    _backgrounds/<file>      background images added through add_background_image()
    .import-<hex>/           an import in progress (deleted on failure and at start-up)

An import is staged in a temporary folder inside the library (so the final move is an atomic
rename on the same disk), checked (safe extraction with limits, exactly one model json, its moc
and textures present and inside the model folder), given a thumbnail and default settings, then
renamed to ``<id>`` and recorded in the ``avatars`` table. Any failure removes everything it
created: the library folder and the table look exactly as before.

The built-in avatar (id ``default``, kind ``pngtuber``, files in ``resources/avatars/default``)
is always listed first and is read-only: it cannot be renamed or removed, but its settings can
be saved. Every method blocks (file I/O, Pillow, the DB thread): call it from a worker thread
(``await asyncio.to_thread(library.import_model, path)`` on the engine loop). Thread-safe.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import threading
import time
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pydantic

from studio.avatar.archive import THUMBNAIL_FILE, AvatarImportError, ImportLimits, stage_model
from studio.avatar.backgrounds import BACKGROUNDS_DIR, add_background, list_backgrounds
from studio.avatar.model_info import ModelInfo, parse_model_json
from studio.avatar.settings import AvatarSettings, check_settings
from studio.avatar.thumbnail import make_thumbnail
from studio.core.errors import PathNotAllowedError, StorageError, ValidationError
from studio.storage.avatar_repo import AvatarRepo, AvatarRow
from studio.storage.db import Database

log = logging.getLogger(__name__)

AvatarKind = Literal["live2d", "pngtuber"]
BUILTIN_ID = "default"
BUILTIN_NAME = "Default avatar"
_BUILTIN_PICTURES = ("thumbnail.png", "icon.png", "preview.png")
_STAGING, _TRASH = ".import-", ".trash-"


class AvatarNotFoundError(ValidationError):
    """No avatar has this id."""

    code = "avatar_not_found"


@dataclass(frozen=True, slots=True)
class Avatar:
    """One library entry.

    Attributes:
        folder: The avatar's folder (absolute).
        model_file: The model json (Live2D), else ``None``.
        model_ref: ``model_file`` relative to the library folder, ``/``-separated (the URL path
            under a static mount of the library folder); ``None`` for the built-in avatar.
        thumbnail_ref: Likewise for ``thumbnail``.
        builtin: True for the read-only built-in avatar.
    """

    id: str
    name: str
    kind: AvatarKind
    folder: Path
    model_file: Path | None
    thumbnail: Path | None
    settings: AvatarSettings
    builtin: bool
    created_at: float
    updated_at: float
    model_ref: str | None = None
    thumbnail_ref: str | None = None


@dataclass(frozen=True, slots=True)
class ImportResult:
    """A finished import and the problems that did not stop it (missing sounds, no thumbnail ...)."""

    avatar: Avatar
    warnings: tuple[str, ...] = ()


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > 100 or any(unicodedata.category(c).startswith("C") for c in cleaned):
        raise ValidationError("An avatar name must be 1-100 characters, without control characters.")
    return cleaned


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-") or "avatar"


class AvatarLibrary:
    """Imported avatars on disk and in the ``avatars`` table.

    Args:
        root: The library folder (created if missing), normally ``<data_dir>/avatars``.
        db: The open studio database.
        builtin_dir: The built-in avatar's folder (``<resources>/avatars/default``); its contents
            are not read except for an optional ``thumbnail.png``/``icon.png``/``preview.png``.
        limits: What one import may contain.
    """

    def __init__(
        self, root: Path, db: Database, *, builtin_dir: Path, limits: ImportLimits | None = None
    ) -> None:
        self.root = root
        self.builtin_dir = builtin_dir
        self.limits = limits or ImportLimits()
        self._repo = AvatarRepo(db)
        self._lock = threading.RLock()
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"Cannot create the avatar folder {root}: {exc.strerror or exc}") from exc
        for leftover in root.glob(".*"):  # an import or removal interrupted by a crash
            if leftover.name.startswith((_STAGING, _TRASH)) and leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)

    # -- reading ---------------------------------------------------------------------------------

    def list_avatars(self) -> list[Avatar]:
        """The built-in avatar, then the imported ones, oldest first."""
        rows = self._repo.all()
        stored = next((r for r in rows if r.id == BUILTIN_ID), None)
        return [self._builtin(stored), *(self._avatar(r) for r in rows if r.id != BUILTIN_ID)]

    def get(self, avatar_id: str) -> Avatar:
        """The avatar with ``avatar_id``.

        Raises:
            AvatarNotFoundError: no such avatar.
        """
        if avatar_id == BUILTIN_ID:
            return self._builtin(self._repo.get(BUILTIN_ID))
        row = self._repo.get(avatar_id)
        if row is None:
            raise AvatarNotFoundError(f"There is no avatar {avatar_id!r}.")
        return self._avatar(row)

    def model_info(self, avatar_id: str) -> ModelInfo:
        """The parsed model json of a Live2D avatar.

        Raises:
            ValidationError: not a Live2D avatar, or its model file is unreadable.
        """
        avatar = self.get(avatar_id)
        if avatar.model_file is None:
            raise ValidationError(f"{avatar.name} is not a Live2D avatar.")
        return parse_model_json(avatar.model_file)

    def resolve(self, relative: str) -> Path:
        """A path inside the library folder from a ``/``-separated relative path.

        Raises:
            PathNotAllowedError: it leaves the library folder (``..``, absolute, a symlink).
        """
        base = self.root.resolve()
        try:
            target = (base / relative).resolve()
        except (OSError, RuntimeError, ValueError) as exc:
            raise PathNotAllowedError(f"Path not allowed: {relative!r} ({exc}).") from exc
        if Path(relative).is_absolute() or not target.is_relative_to(base) or target == base:
            raise PathNotAllowedError(f"Path not allowed: {relative!r} is outside the avatar library.")
        return target

    def background_images(self) -> list[str]:
        """Background images added to the library (paths for ``Background.image``)."""
        return list_backgrounds(self.root)

    # -- changing --------------------------------------------------------------------------------

    def import_model(
        self,
        source: str | os.PathLike[str],
        *,
        name: str | None = None,
        icon: str | os.PathLike[str] | None = None,
    ) -> ImportResult:
        """Import a Live2D model from a folder or a ``.zip``.

        Args:
            source: The model folder, or a zip of it (the model json may sit in sub-folders).
            name: Display name (default: the model's name, e.g. ``Mao``).
            icon: A picture for the thumbnail (default: the model's first texture).

        Raises:
            AvatarImportError: the source is unsafe, over the limits, or not one Live2D model.
            ModelFileError: the model json is invalid or its moc/textures are missing.
            ThumbnailError: ``icon`` is not a readable image.
        """
        src = Path(source).expanduser()
        if not src.exists():
            raise AvatarImportError(f"{src} does not exist.")
        src, base = src.resolve(), self.root.resolve()
        if src.is_relative_to(base) or (src.is_dir() and base.is_relative_to(src)):
            raise AvatarImportError("Choose a folder outside the studio's avatar library.")
        display = _clean_name(name) if name is not None else None
        staging = self.root / f"{_STAGING}{uuid.uuid4().hex}"
        final: Path | None = None
        try:
            staged = stage_model(src, staging, self.limits, None if icon is None else Path(icon))
            title, blob = display or staged.info.name, staged.settings.model_dump_json()
            model_rel = staged.info.path.relative_to(staging).as_posix()
            with self._lock:
                avatar_id = self._new_id(title)
                os.rename(staging, self.root / avatar_id)
                final, now = self.root / avatar_id, time.time()
                row = AvatarRow(avatar_id, title, "live2d", avatar_id, model_rel, blob, now, now)
                self._repo.insert(row)
        except BaseException as exc:
            if final is not None:  # renamed but not recorded: take it back out
                shutil.rmtree(final, ignore_errors=True)
            if isinstance(exc, OSError):
                raise AvatarImportError(f"Cannot import {src.name}: {exc.strerror or exc}") from exc
            raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        log.info("avatar imported", extra={"avatar": avatar_id, "warnings": len(staged.warnings)})
        return ImportResult(self._avatar(row), tuple(staged.warnings))

    def rename(self, avatar_id: str, name: str) -> Avatar:
        """Change an avatar's display name (its id and folder stay).

        Raises:
            ValidationError: the built-in avatar, or an empty/too long name.
            AvatarNotFoundError: no such avatar.
        """
        self._refuse_builtin(avatar_id, "renamed")
        if not self._repo.update(avatar_id, time.time(), name=_clean_name(name)):
            raise AvatarNotFoundError(f"There is no avatar {avatar_id!r}.")
        return self.get(avatar_id)

    def remove(self, avatar_id: str) -> None:
        """Delete an imported avatar: its row and its folder.

        Raises:
            ValidationError: the built-in avatar.
            AvatarNotFoundError: no such avatar.
        """
        self._refuse_builtin(avatar_id, "removed")
        with self._lock:
            row = self._repo.get(avatar_id)
            if row is None:
                raise AvatarNotFoundError(f"There is no avatar {avatar_id!r}.")
            folder = self._folder(row.folder)
            trash = self.root / f"{_TRASH}{uuid.uuid4().hex}"
            moved = folder.is_dir() and not folder.is_symlink()
            if moved:
                os.rename(folder, trash)  # atomic: the avatar is gone or still whole
            try:
                self._repo.delete(avatar_id)
            except BaseException:
                if moved:
                    os.rename(trash, folder)
                raise
        shutil.rmtree(trash, ignore_errors=True)
        log.info("avatar removed", extra={"avatar": avatar_id})

    def update_settings(self, avatar_id: str, settings: AvatarSettings) -> Avatar:
        """Save an avatar's settings after checking them against its model.

        Raises:
            ValidationError: a name the model does not have, or a background image that is not
                a file in the library.
            AvatarNotFoundError: no such avatar.
        """
        if settings.background.image is not None and not self.resolve(settings.background.image).is_file():
            raise ValidationError(
                f"The background image {settings.background.image!r} is not in the library."
            )
        now = time.time()
        if avatar_id == BUILTIN_ID:
            stored = self._repo.get(BUILTIN_ID)
            created = stored.created_at if stored else now
            row = AvatarRow(
                BUILTIN_ID, BUILTIN_NAME, "pngtuber", "", "", settings.model_dump_json(), created, now
            )
            self._repo.upsert(row)
            return self.get(BUILTIN_ID)
        check_settings(settings, self.model_info(avatar_id))
        if not self._repo.update(avatar_id, now, settings=settings.model_dump_json()):
            raise AvatarNotFoundError(f"There is no avatar {avatar_id!r}.")
        return self.get(avatar_id)

    def set_thumbnail(self, avatar_id: str, picture: str | os.PathLike[str]) -> Avatar:
        """Replace an imported avatar's thumbnail (e.g. with a rendered snapshot).

        Raises:
            ThumbnailError: not a readable image. ValidationError: the built-in avatar.
        """
        self._refuse_builtin(avatar_id, "changed")
        avatar = self.get(avatar_id)
        temp = avatar.folder / f".{THUMBNAIL_FILE}.{uuid.uuid4().hex}"
        try:
            make_thumbnail(Path(picture), temp)
            os.replace(temp, avatar.folder / THUMBNAIL_FILE)
        finally:
            temp.unlink(missing_ok=True)
        return self.get(avatar_id)

    def add_background_image(self, picture: str | os.PathLike[str]) -> str:
        """Copy an image into the library; returns its path for ``Background.image``.

        Raises:
            ValidationError: not a PNG/JPEG/GIF file, or larger than 64 MiB.
            ThumbnailError: the file is not a readable image.
        """
        with self._lock:
            return add_background(self.root, Path(picture))

    # -- helpers ---------------------------------------------------------------------------------

    def _refuse_builtin(self, avatar_id: str, what: str) -> None:
        if avatar_id == BUILTIN_ID:
            raise ValidationError(f"The built-in avatar is read-only; it cannot be {what}.")

    def _new_id(self, name: str) -> str:
        taken = {r.id.casefold() for r in self._repo.all()} | {p.name.casefold() for p in self.root.iterdir()}
        taken |= {BUILTIN_ID, BACKGROUNDS_DIR}
        base = candidate = _slug(name)
        n = 1
        while candidate.casefold() in taken:
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    def _folder(self, relative: str) -> Path:
        """An avatar folder from the table: a direct child of the library folder, nothing else."""
        target = self.resolve(relative)
        if target.parent != self.root.resolve() or relative.startswith((".", "_")):
            raise PathNotAllowedError(f"Path not allowed: avatar folder {relative!r}.")
        return self.root / relative

    def _settings(self, row: AvatarRow | None) -> AvatarSettings:
        if row is None:
            return AvatarSettings()
        try:
            return AvatarSettings.model_validate_json(row.settings)
        except pydantic.ValidationError as exc:
            log.warning(
                "avatar settings unreadable; using defaults", extra={"avatar": row.id, "error": str(exc)}
            )
            return AvatarSettings()

    def _builtin(self, row: AvatarRow | None) -> Avatar:
        picture = next(
            (self.builtin_dir / n for n in _BUILTIN_PICTURES if (self.builtin_dir / n).is_file()), None
        )
        created = row.created_at if row else 0.0
        return Avatar(
            BUILTIN_ID,
            BUILTIN_NAME,
            "pngtuber",
            self.builtin_dir,
            None,
            picture,
            self._settings(row),
            True,
            created,
            row.updated_at if row else created,
        )

    def _avatar(self, row: AvatarRow) -> Avatar:
        folder = self._folder(row.folder)
        model = self.resolve(f"{row.folder}/{row.model_file}") if row.model_file else None
        thumbnail = folder / THUMBNAIL_FILE
        has_thumb = thumbnail.is_file()
        return Avatar(
            row.id,
            row.name,
            "live2d" if row.kind == "live2d" else "pngtuber",
            folder,
            model,
            thumbnail if has_thumb else None,
            self._settings(row),
            False,
            row.created_at,
            row.updated_at,
            f"{row.folder}/{row.model_file}" if row.model_file else None,
            f"{row.folder}/{THUMBNAIL_FILE}" if has_thumb else None,
        )
