"""Safe file work for voice model imports: walking a source folder, copying with progress, zips.

A source folder is walked without following links: a link that points inside the folder is read
through, one that leaves it is refused (an import never reads a file the user did not hand over).
Copies go to a staging folder first and are moved into place only when complete. A zip is checked
entry by entry (no absolute paths, ``..``, links, encrypted entries; size and ratio limits) before
anything is written, and the bytes actually produced are counted again while extracting.

Thread affinity: any thread, blocking; run it off the engine loop.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

from studio.core.errors import ValidationError

__all__ = [
    "MAX_ZIP_TOTAL_BYTES",
    "Progress",
    "content_root",
    "copy_files",
    "extract_zip",
    "folder_size",
    "safe_files",
]

Progress = Callable[[float], None]

GIB = 1024**3
MAX_ZIP_TOTAL_BYTES = 16 * GIB  # a VoxCPM2 folder is about 5 GB
MAX_ZIP_RATIO = 200.0
_CHUNK = 4 * 1024 * 1024
_JUNK = frozenset({".ds_store", "thumbs.db", "desktop.ini"})
_DRIVE = re.compile(r"^[A-Za-z]:")


def _is_junk(name: str) -> bool:
    return name.startswith("._") or name.lower() in _JUNK or name == "__MACOSX"


def _entry_parts(name: str) -> list[str]:
    """A zip entry's path components; refuses absolute paths, drive letters, ``..``, backslashes."""
    if any(ord(ch) < 32 or ch == "\x7f" for ch in name) or "\\" in name:
        raise ValidationError(f"The zip contains an unsafe file name: {name!r}.")
    if name.startswith("/") or _DRIVE.match(name):
        raise ValidationError(f"The zip contains an absolute path ({name!r}); refusing to extract it.")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise ValidationError(f"The zip contains a path leaving its folder ({name!r}); refusing it.")
    return parts


def _entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's name; names without the UTF-8 flag are tried as UTF-8, then GBK (zips made on
    Chinese Windows), before zipfile's cp437 reading is kept."""
    if info.flag_bits & 0x800:
        return info.orig_filename
    try:
        raw = info.orig_filename.encode("cp437")
    except UnicodeEncodeError:
        return info.orig_filename
    for encoding in ("utf-8", "gbk"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.orig_filename


def safe_files(
    folder: Path, *, recursive: bool = True, within: Path | None = None, prefix: str = ""
) -> list[tuple[Path, str]]:
    """Regular files under ``folder`` as ``(path to read, prefix + relative posix name)``, sorted.

    Hidden folders (``.git``, ``.cache``) and Finder/Explorer litter are skipped. A link is followed
    only when it resolves inside ``within`` (default: ``folder``).

    Raises:
        ValidationError: a link leaves the folder, or the folder cannot be read.
    """
    root = (within or folder).resolve()
    if not folder.resolve().is_relative_to(root):
        raise ValidationError(f"{prefix or folder.name} is a link to a folder outside the source folder.")
    out: list[tuple[Path, str]] = []

    def walk(here: Path, prefix: str) -> None:
        try:
            entries = sorted(os.scandir(here), key=lambda e: e.name)
        except OSError as exc:
            raise ValidationError(f"Cannot read the folder {here}: {exc.strerror or exc}") from exc
        for entry in entries:
            if _is_junk(entry.name):
                continue
            rel = f"{prefix}{entry.name}"
            path = Path(entry.path)
            if entry.is_symlink():
                target = path.resolve()
                if not target.is_relative_to(root):
                    raise ValidationError(
                        f"{rel} is a link to something outside the folder; copy the real file in."
                    )
                path = target
            mode = path.stat().st_mode
            if stat.S_ISDIR(mode):
                if recursive and not entry.name.startswith(".") and not entry.is_symlink():
                    walk(path, rel + "/")
            elif stat.S_ISREG(mode):
                out.append((path, rel))

    walk(folder.resolve(), prefix)
    return out


def folder_size(folder: Path) -> int:
    """Bytes of the regular files under ``folder`` (links not followed)."""
    total = 0
    for dirpath, _dirs, files in os.walk(folder, followlinks=False):
        for name in files:
            path = Path(dirpath) / name
            if not path.is_symlink():
                total += path.stat().st_size
    return total


def copy_files(items: Iterable[tuple[Path, str]], dest: Path, progress: Progress | None = None) -> list[str]:
    """Copy ``(source, relative name)`` pairs into ``dest``; report the fraction of bytes copied.

    Only contents are copied (no permissions or times), so the copy is always writable and
    removable by the studio. Returns the relative names written.
    """
    plan = list(items)
    total = sum(src.stat().st_size for src, _ in plan) or 1
    done = 0
    for src, rel in plan:
        target = dest.joinpath(*rel.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with src.open("rb") as fin, target.open("xb") as fout:
                while chunk := fin.read(_CHUNK):
                    fout.write(chunk)
                    done += len(chunk)
                    if progress is not None:
                        progress(min(1.0, done / total))
        except OSError as exc:
            raise ValidationError(f"Cannot copy {rel}: {exc.strerror or exc}") from exc
    if progress is not None:
        progress(1.0)
    return [rel for _, rel in plan]


def content_root(folder: Path) -> Path:
    """Descend through folders that hold nothing but one sub-folder (a zip's top-level folder)."""
    while True:
        entries = [e for e in folder.iterdir() if not _is_junk(e.name)]
        if len(entries) != 1 or not entries[0].is_dir() or entries[0].is_symlink():
            return folder
        folder = entries[0]


def extract_zip(archive: Path, dest: Path, max_total_bytes: int = MAX_ZIP_TOTAL_BYTES) -> int:
    """Extract ``archive`` into the empty folder ``dest``, safely; returns the number of files.

    Raises:
        ValidationError: not a zip, an unsafe entry (absolute, ``..``, link, special, encrypted,
            duplicate) or over the size/ratio limits. The caller deletes ``dest`` then.
    """
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise ValidationError(f"The upload is not a readable zip file: {exc}") from exc
    root = dest.resolve()
    with zf:
        plan: list[tuple[zipfile.ZipInfo, list[str]]] = []
        seen: set[str] = set()
        declared = 0
        for info in zf.infolist():
            parts = _entry_parts(_entry_name(info))
            kind = stat.S_IFMT(info.external_attr >> 16)
            if kind == stat.S_IFLNK:
                raise ValidationError(f"The zip contains a link ({info.filename!r}); links are not allowed.")
            if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
                raise ValidationError(f"The zip contains a special file ({info.filename!r}).")
            if not parts or info.is_dir() or kind == stat.S_IFDIR or any(_is_junk(p) for p in parts):
                continue
            if info.flag_bits & 0x1:
                raise ValidationError(
                    f"The zip entry {info.filename!r} is encrypted; use an unencrypted zip."
                )
            key = "/".join(parts).casefold()
            if key in seen:
                raise ValidationError(f"The zip contains {info.filename!r} twice.")
            seen.add(key)
            if info.file_size > _CHUNK and (
                info.compress_size <= 0 or info.file_size / info.compress_size > MAX_ZIP_RATIO
            ):
                raise ValidationError(
                    f"The zip entry {info.filename!r} expands suspiciously; refusing it (zip bomb?)."
                )
            declared += info.file_size
            if declared > max_total_bytes:
                raise ValidationError(f"The zip is larger than {max_total_bytes // GIB} GiB once extracted.")
            plan.append((info, parts))
        written = 0
        for info, parts in plan:
            target = root.joinpath(*parts)
            if not target.resolve().is_relative_to(root):
                raise ValidationError(f"Refusing to write {info.filename!r} outside the import folder.")
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zf.open(info) as src, target.open("xb") as out:
                    while chunk := src.read(_CHUNK):
                        written += len(chunk)
                        if written > max_total_bytes:
                            raise ValidationError(
                                f"The zip is larger than {max_total_bytes // GIB} GiB once extracted."
                            )
                        out.write(chunk)
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
                raise ValidationError(f"Cannot extract {info.filename!r}: {exc}") from exc
    return len(plan)


def remove_tree(folder: Path) -> None:
    """Delete a folder the studio owns (errors ignored: a leftover is cleaned at the next start)."""
    shutil.rmtree(folder, ignore_errors=True)
