"""Helpers for the avatar library tests: the shared Live2D samples, tiny models, zips, snapshots."""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from studio.avatar.archive import ImportLimits
from studio.avatar.library import AvatarLibrary
from studio.storage.db import Database

REPO_ROOT = Path(__file__).resolve().parents[3]
LIVE2D_DIR = REPO_ROOT.parent / "shared" / "live2d"


def sample(name: str) -> Path:
    """A shared Live2D sample folder (Hiyori, Mao, Haru), or skip the test when it is absent."""
    folder = LIVE2D_DIR / name
    if not (folder / f"{name}.model3.json").is_file():
        pytest.skip(f"Live2D sample {name} not found in {LIVE2D_DIR} (test data kept outside the repo)")
    return folder


def copy_sample(name: str, dest: Path) -> Path:
    """A copy of a sample in ``dest/<name>`` (kept read-only like the original, to test that too)."""
    target = dest / name
    shutil.copytree(sample(name), target)
    return target


def png_bytes(
    color: tuple[int, int, int, int] = (200, 40, 40, 255), size: tuple[int, int] = (64, 32)
) -> bytes:
    """A small PNG: a coloured rectangle in the middle of a transparent canvas."""
    import io

    image = Image.new("RGBA", size, (0, 0, 0, 0))
    image.paste(Image.new("RGBA", (size[0] // 2, size[1] // 2), color), (size[0] // 4, size[1] // 4))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def mini_model_files(name: str = "Tiny", **overrides: Any) -> dict[str, bytes]:
    """Files of a small, valid Cubism 3 model (fake moc bytes: nothing here loads it)."""
    model: dict[str, Any] = {
        "Version": 3,
        "FileReferences": {
            "Moc": f"{name}.moc3",
            "Textures": [f"{name}.1024/texture_00.png"],
            "Expressions": [
                {"Name": "Smile", "File": "exp/smile.exp3.json"},
                {"Name": "angry_01", "File": "exp/angry.exp3.json"},
                {"Name": "f03", "File": "exp/f03.exp3.json"},
            ],
            "Motions": {
                "Idle": [{"File": "mtn/idle.motion3.json"}],
                "TapHead": [{"File": "mtn/head.motion3.json"}],
                "Tap": [{"File": "mtn/tap.motion3.json"}],
            },
        },
        "Groups": [{"Target": "Parameter", "Name": "LipSync", "Ids": ["ParamMouthA", "ParamMouthB"]}],
        "HitAreas": [{"Id": "HitAreaHead", "Name": "Head"}, {"Id": "HitAreaBody", "Name": "Body"}],
    }
    model.update(overrides)
    files = {
        f"{name}.model3.json": json.dumps(model).encode(),
        f"{name}.moc3": b"MOC3" + bytes(60),
        f"{name}.1024/texture_00.png": png_bytes(),
    }
    for ref in ("exp/smile", "exp/angry", "exp/f03"):
        files[f"{ref}.exp3.json"] = b'{"Type": "Live2D Expression"}'
    for ref in ("mtn/idle", "mtn/head", "mtn/tap"):
        files[f"{ref}.motion3.json"] = b'{"Version": 3}'
    return files


def write_files(folder: Path, files: dict[str, bytes]) -> Path:
    """Write ``files`` (relative path -> bytes) under ``folder``; returns ``folder``."""
    for rel, data in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


def zip_folder(folder: Path, dest: Path, prefix: str = "") -> Path:
    """Zip every file under ``folder`` into ``dest`` with names ``<prefix><relative path>``."""
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, prefix + path.relative_to(folder).as_posix())
    return dest


def zip_entries(dest: Path, entries: dict[str, bytes] | list[tuple[str | zipfile.ZipInfo, bytes]]) -> Path:
    """A zip with exactly these entries (a ZipInfo allows odd modes such as symlinks)."""
    items = list(entries.items()) if isinstance(entries, dict) else entries
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in items:
            zf.writestr(name, data)
    return dest


def make_library(tmp_path: Path, db: Database, limits: ImportLimits | None = None) -> AvatarLibrary:
    """A library in ``tmp_path/data/avatars`` with a built-in folder that may stay empty."""
    return AvatarLibrary(
        tmp_path / "data" / "avatars",
        db,
        builtin_dir=tmp_path / "resources" / "avatars" / "default",
        limits=limits,
    )


@contextmanager
def open_db(path: Path) -> Iterator[Database]:
    """A real studio database (all migrations), closed afterwards."""
    db = Database(path)
    db.open()
    try:
        yield db
    finally:
        db.close()


def snapshot(library: AvatarLibrary, db: Database) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Every path under the library folder and every ``avatars`` row: to prove a failure left nothing."""
    files = sorted(p.relative_to(library.root).as_posix() for p in library.root.rglob("*"))
    rows = db.call(lambda d: [tuple(r) for r in d.execute("SELECT * FROM avatars ORDER BY id")])
    return files, rows


def patch_zip_entry(
    path: Path, name: str, *, file_size: int | None = None, flag_bits: int | None = None
) -> None:
    """Rewrite an entry's declared size or flags in both its local and central headers (a lying zip)."""
    import struct

    data = bytearray(path.read_bytes())
    raw_name = name.encode()
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) >= 0:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46 : at + 46 + name_len]) == raw_name:
            local = struct.unpack_from("<I", data, at + 42)[0]
            if file_size is not None:
                struct.pack_into("<I", data, at + 24, file_size)
                struct.pack_into("<I", data, local + 22, file_size)
            if flag_bits is not None:
                struct.pack_into("<H", data, at + 8, flag_bits)
                struct.pack_into("<H", data, local + 6, flag_bits)
            path.write_bytes(bytes(data))
            return
        at += 4
    raise KeyError(name)
