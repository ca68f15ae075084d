"""Bringing an avatar's files in safely: zip extraction and folder copies under limits.

Everything is written into a staging folder the caller owns (and deletes on failure). A zip is
checked entry by entry before anything is written: no absolute paths, drive letters, ``..``,
backslashes, control characters or reserved device names; only regular files and folders (no
symlinks, devices, fifos, sockets); no encrypted entries; limits on the number of files, each
file's size, the total size and the compression ratio (zip bombs). While extracting, the bytes
actually produced are counted again, so an archive that lies about its sizes is stopped too.
A folder is walked without following links and refused if it holds a link or a special file.

Finder/Explorer litter (``__MACOSX/``, ``._*``, ``.DS_Store``, ``Thumbs.db``, ``desktop.ini``)
is skipped. Blocking file I/O: run it off the engine loop.
"""

from __future__ import annotations

import os
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from studio.avatar.model_info import ModelFileError, ModelInfo, is_model_json, load_model
from studio.avatar.settings import AvatarSettings, default_settings
from studio.avatar.thumbnail import ThumbnailError, make_thumbnail
from studio.core.errors import ValidationError

MIB = 1024 * 1024
MODEL_DIR = "model"
THUMBNAIL_FILE = "thumbnail.png"
_CHUNK = 1024 * 1024
_JUNK_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini"})
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)
_DRIVE = re.compile(r"^[A-Za-z]:")


class AvatarImportError(ValidationError):
    """An avatar folder or zip was refused (unsafe, too large, or not an avatar)."""

    code = "avatar_import_failed"


@dataclass(frozen=True, slots=True)
class ImportLimits:
    """What an import may contain.

    Attributes:
        max_total_bytes: Sum of all file sizes once extracted (default 512 MiB).
        max_files: Number of files (default 5000).
        max_file_bytes: Size of any one file (default 256 MiB).
        max_ratio: Largest uncompressed/compressed ratio of one zip entry (default 200; JSON
            compresses ~10x, a zip bomb ~1000x).
        ratio_min_bytes: The ratio is only checked for entries larger than this (tiny files
            compress well for honest reasons).
    """

    max_total_bytes: int = 512 * MIB
    max_files: int = 5000
    max_file_bytes: int = 256 * MIB
    max_ratio: float = 200.0
    ratio_min_bytes: int = 1 * MIB


def _is_junk(parts: list[str]) -> bool:
    name = parts[-1]
    return "__MACOSX" in parts or name.startswith("._") or name.lower() in _JUNK_NAMES


def member_parts(name: str) -> list[str]:
    """The path components of a zip entry name, or an error saying why the name is unsafe.

    Raises:
        AvatarImportError: absolute, drive letter, ``..``, backslash, control character, ``:``
            or a reserved device name.
    """
    if any(ord(ch) < 32 or ch == "\x7f" for ch in name):
        raise AvatarImportError(f"The zip contains a file name with control characters: {name!r}.")
    if "\\" in name:
        raise AvatarImportError(
            f"The zip contains a path with backslashes ({name!r}); it was made by a tool that "
            "writes Windows paths. Re-create the zip with a standard zip tool."
        )
    if name.startswith("/") or _DRIVE.match(name):
        raise AvatarImportError(f"The zip contains an absolute path ({name!r}); refusing to extract it.")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise AvatarImportError(
            f"The zip contains a path leaving its folder ({name!r}); refusing to extract it."
        )
    for part in parts:
        if ":" in part or _RESERVED.match(part) or part != part.rstrip(" ."):
            raise AvatarImportError(f"The zip contains a file name that is not portable: {name!r}.")
    return parts


def _entry_kind(info: zipfile.ZipInfo) -> str:
    """``file``, ``dir``, ``symlink`` or ``special`` from the entry's Unix mode (when it has one)."""
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    if kind == stat.S_IFLNK:
        return "symlink"
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        return "special"
    return "dir" if info.is_dir() or kind == stat.S_IFDIR else "file"


def _check_totals(count: int, total: int, limits: ImportLimits) -> None:
    if count > limits.max_files:
        raise AvatarImportError(f"Too many files: more than {limits.max_files} (the limit for one avatar).")
    if total > limits.max_total_bytes:
        raise AvatarImportError(
            f"Too large: more than {limits.max_total_bytes // MIB} MiB once extracted "
            "(the limit for one avatar)."
        )


def _check_file_size(label: str, size: int, limits: ImportLimits) -> None:
    if size > limits.max_file_bytes:
        raise AvatarImportError(
            f"{label} is too large ({size // MIB} MiB; the limit is {limits.max_file_bytes // MIB} MiB)."
        )


def _target(dest: Path, parts: list[str]) -> Path:
    """``dest/parts`` after checking (again, after resolving) that it stays inside ``dest``."""
    root = dest.resolve()
    target = root.joinpath(*parts)
    if not target.resolve().is_relative_to(root):
        raise AvatarImportError(f"Refusing to write {'/'.join(parts)!r} outside the import folder.")
    return target


def _copy_stream(src: IO[bytes], target: Path, label: str, budget: int, limits: ImportLimits) -> int:
    """Copy a binary stream to a new file, stopping at the per-file limit or the remaining budget."""
    written = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("xb") as out:
        while chunk := src.read(_CHUNK):
            written += len(chunk)
            _check_file_size(label, written, limits)
            if written > budget:
                raise AvatarImportError(
                    f"Too large: more than {limits.max_total_bytes // MIB} MiB once extracted "
                    "(the limit for one avatar)."
                )
            out.write(chunk)
    return written


def extract_zip(archive: Path, dest: Path, limits: ImportLimits) -> int:
    """Extract ``archive`` into the existing, empty folder ``dest``; returns the number of files.

    Raises:
        AvatarImportError: not a zip, or an unsafe or over-limit entry (nothing is promised about
            ``dest`` then: the caller deletes it).
    """
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise AvatarImportError(f"{archive.name} is not a readable zip file: {exc}") from exc
    with zf:
        infos = zf.infolist()
        if len(infos) > 2 * limits.max_files:
            _check_totals(len(infos), 0, limits)
        plan: list[tuple[zipfile.ZipInfo, list[str]]] = []
        seen: set[str] = set()
        declared = 0
        for info in infos:
            parts = member_parts(info.orig_filename)
            kind = _entry_kind(info)
            if kind == "symlink":
                raise AvatarImportError(
                    f"The zip contains a symbolic link ({info.filename!r}); links are not allowed."
                )
            if kind == "special":
                raise AvatarImportError(
                    f"The zip contains a special file ({info.filename!r}: device, fifo or socket)."
                )
            if not parts or kind == "dir" or _is_junk(parts):
                continue
            if info.flag_bits & 0x1:
                raise AvatarImportError(
                    f"The zip entry {info.filename!r} is encrypted; use an unencrypted zip."
                )
            key = "/".join(parts).casefold()
            if key in seen:
                raise AvatarImportError(f"The zip contains {info.filename!r} twice.")
            seen.add(key)
            _check_file_size(repr(info.filename), info.file_size, limits)
            if info.file_size > limits.ratio_min_bytes and (
                info.compress_size <= 0 or info.file_size / info.compress_size > limits.max_ratio
            ):
                raise AvatarImportError(
                    f"The zip entry {info.filename!r} expands suspiciously ({info.compress_size} -> "
                    f"{info.file_size} bytes); refusing it as a possible zip bomb."
                )
            declared += info.file_size
            plan.append((info, parts))
            _check_totals(len(plan), declared, limits)
        written = 0
        for info, parts in plan:
            try:
                with zf.open(info) as src:
                    written += _copy_stream(
                        src,
                        _target(dest, parts),
                        repr(info.filename),
                        limits.max_total_bytes - written,
                        limits,
                    )
            except AvatarImportError:
                raise
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
                raise AvatarImportError(f"Cannot extract {info.filename!r}: {exc}") from exc
    return len(plan)


def _raise(exc: OSError) -> None:
    """os.walk skips unreadable folders silently; an import must not lose files that way."""
    raise exc


def copy_folder(source: Path, dest: Path, limits: ImportLimits) -> int:
    """Copy the files of ``source`` into the existing, empty folder ``dest``; returns the file count.

    Only contents are copied (no permissions, owners or times), so the copy is always writable
    and removable by the studio even when the source is read-only.

    Raises:
        AvatarImportError: ``source`` holds a symlink or special file, or is over the limits.
    """
    files: list[tuple[Path, list[str]]] = []
    total = 0
    for dirpath, dirnames, filenames in os.walk(source, onerror=_raise, followlinks=False):
        here = Path(dirpath)
        for name in sorted(dirnames) + sorted(filenames):
            path = here / name
            rel = path.relative_to(source).as_posix()
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                raise AvatarImportError(
                    f"The folder contains a symbolic link ({rel}); links are not allowed."
                )
            if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
                raise AvatarImportError(
                    f"The folder contains a special file ({rel}: device, fifo or socket)."
                )
            parts = rel.split("/")
            if stat.S_ISDIR(mode) or _is_junk(parts):
                continue
            size = path.stat().st_size
            _check_file_size(rel, size, limits)
            total += size
            files.append((path, parts))
            _check_totals(len(files), total, limits)
    written = 0
    for path, parts in files:
        try:
            with path.open("rb") as src:
                written += _copy_stream(
                    src, _target(dest, parts), "/".join(parts), limits.max_total_bytes - written, limits
                )
        except OSError as exc:
            raise AvatarImportError(f"Cannot copy {'/'.join(parts)}: {exc.strerror or exc}") from exc
    return len(files)


def find_model_json(folder: Path) -> Path:
    """The one model json inside ``folder`` (searched recursively; links are not followed).

    Raises:
        ModelFileError: there is none, or more than one (the message lists them).
    """
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        found += [Path(dirpath) / f for f in sorted(filenames) if is_model_json(f)]
    if not found:
        raise ModelFileError(
            "No Live2D model file found: the folder or zip must contain a .model3.json (Cubism 3-5) "
            "or .model.json (Cubism 2) file."
        )
    if len(found) > 1:
        names = ", ".join(p.relative_to(folder).as_posix() for p in found[:6])
        raise ModelFileError(
            f"Found {len(found)} model files ({names}); an avatar must contain exactly one. "
            "Import each model from its own folder or zip."
        )
    return found[0]


@dataclass(frozen=True, slots=True)
class StagedModel:
    """A model copied into a staging folder and checked, with its default settings."""

    info: ModelInfo
    settings: AvatarSettings
    warnings: list[str]


def stage_model(source: Path, staging: Path, limits: ImportLimits, icon: Path | None) -> StagedModel:
    """Copy or extract ``source`` into ``staging/model``, check the model, write ``staging/thumbnail.png``.

    ``staging`` must not exist yet; the caller deletes it whatever happens.

    Raises:
        AvatarImportError, ModelFileError: see ``AvatarLibrary.import_model``.
        ThumbnailError: ``icon`` is not a readable image (a bad first texture only warns).
    """
    content = staging / MODEL_DIR
    content.mkdir(parents=True)
    if source.is_dir():
        copy_folder(source, content, limits)
    elif source.is_file() and zipfile.is_zipfile(source):
        extract_zip(source, content, limits)
    else:
        raise AvatarImportError(f"{source.name} is neither a folder nor a zip file.")
    info, warnings = load_model(find_model_json(content))
    if icon is not None:
        make_thumbnail(icon, staging / THUMBNAIL_FILE)
    else:
        try:
            make_thumbnail(info.resolve(info.textures[0]), staging / THUMBNAIL_FILE)
        except ThumbnailError as exc:
            warnings.append(f"No thumbnail: {exc}")
    return StagedModel(info, default_settings(info), warnings)
