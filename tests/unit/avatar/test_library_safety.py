"""Refused imports: unsafe zips, zip bombs, over-limit folders, broken models. Nothing may be left behind."""

from __future__ import annotations

import json
import os
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from studio.avatar.archive import AvatarImportError, ImportLimits, member_parts
from studio.avatar.library import AvatarLibrary
from studio.avatar.model_info import ModelFileError
from studio.core.errors import StorageError, StudioError
from studio.storage.db import Database
from tests.unit.avatar.avatar_files import (
    copy_sample,
    make_library,
    mini_model_files,
    open_db,
    patch_zip_entry,
    snapshot,
    write_files,
    zip_entries,
)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    with open_db(tmp_path / "studio.db") as database:
        yield database


@pytest.fixture
def library(tmp_path: Path, db: Database) -> AvatarLibrary:
    lib = make_library(tmp_path, db)
    # One good avatar first, so "unchanged" also covers existing content.
    lib.import_model(write_files(tmp_path / "first", mini_model_files("First")))
    return lib


def _refused(
    library: AvatarLibrary, db: Database, source: Path, error: type[StudioError], match: str
) -> None:
    before = snapshot(library, db)
    with pytest.raises(error, match=match):
        library.import_model(source)
    assert snapshot(library, db) == before
    assert len(before[1]) == 1


def _mini_zip(path: Path, extra: list[tuple[str | zipfile.ZipInfo, bytes]], prefix: str = "Tiny/") -> Path:
    entries: list[tuple[str | zipfile.ZipInfo, bytes]] = [
        (prefix + k, v) for k, v in mini_model_files().items()
    ]
    return zip_entries(path, entries + extra)


def _info(name: str, mode: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3  # Unix, so the mode bits count
    info.external_attr = mode << 16
    return info


@pytest.mark.parametrize(
    ("entry", "match"),
    [
        ("../../../../evil.txt", "leaving its folder"),
        ("Tiny/../../evil.txt", "leaving its folder"),
        ("/etc/evil", "absolute path"),
        ("C:/Windows/evil.txt", "absolute path"),
        ("Tiny\\..\\..\\evil.txt", "backslashes"),
        ("Tiny/ok\\name.png", "backslashes"),
        ("Tiny/con.txt", "not portable"),
        ("Tiny/file:stream", "not portable"),
        ("Tiny/bell\x07.png", "control characters"),
        (_info("Tiny/link.png", stat.S_IFLNK | 0o777), "symbolic link"),
        (_info("Tiny/dev", stat.S_IFCHR | 0o600), "special file"),
        (_info("Tiny/fifo", stat.S_IFIFO | 0o600), "special file"),
    ],
)
def test_unsafe_zip_entries_are_refused(
    tmp_path: Path, library: AvatarLibrary, db: Database, entry: str | zipfile.ZipInfo, match: str
) -> None:
    archive = _mini_zip(tmp_path / "evil.zip", [(entry, b"/etc/passwd")])
    _refused(library, db, archive, AvatarImportError, match)
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path / "data" / "evil.txt").exists()


def test_member_parts_normalises_harmless_forms() -> None:
    assert member_parts("./Tiny//a/./b.png") == ["Tiny", "a", "b.png"]
    assert member_parts("Tiny/") == ["Tiny"]


def test_duplicate_and_encrypted_entries(tmp_path: Path, library: AvatarLibrary, db: Database) -> None:
    with pytest.warns(UserWarning, match="Duplicate name"):  # zipfile warns while we build it
        dup = _mini_zip(tmp_path / "dup.zip", [("Tiny/Tiny.moc3", b"again")])
    _refused(library, db, dup, AvatarImportError, "twice")
    case = _mini_zip(tmp_path / "case.zip", [("Tiny/TINY.moc3", b"again")])
    _refused(library, db, case, AvatarImportError, "twice")
    locked = _mini_zip(tmp_path / "locked.zip", [])
    patch_zip_entry(locked, "Tiny/Tiny.moc3", flag_bits=0x1)
    _refused(library, db, locked, AvatarImportError, "encrypted")


def test_zip_bomb_over_the_total_limit(tmp_path: Path, db: Database) -> None:
    library = make_library(tmp_path, db, ImportLimits(max_total_bytes=5 * 1024 * 1024, max_ratio=1e9))
    bomb = _mini_zip(tmp_path / "bomb.zip", [("Tiny/zeros.bin", bytes(20 * 1024 * 1024))])
    assert bomb.stat().st_size < 200_000
    _refused_empty(library, db, bomb, "Too large: more than 5 MiB")


def test_zip_bomb_by_compression_ratio(tmp_path: Path, db: Database) -> None:
    library = make_library(tmp_path, db)  # default limits: 512 MiB total, ratio 200
    bomb = _mini_zip(tmp_path / "bomb.zip", [("Tiny/zeros.bin", bytes(20 * 1024 * 1024))])
    _refused_empty(library, db, bomb, "zip bomb")


def test_zip_lying_about_its_sizes(tmp_path: Path, db: Database) -> None:
    library = make_library(tmp_path, db)
    liar = _mini_zip(tmp_path / "liar.zip", [("Tiny/zeros.bin", bytes(8 * 1024 * 1024))])
    patch_zip_entry(liar, "Tiny/zeros.bin", file_size=1000)  # passes every declared-size check
    _refused_empty(library, db, liar, "Cannot extract 'Tiny/zeros.bin'")


def _refused_empty(library: AvatarLibrary, db: Database, source: Path, match: str) -> None:
    before = snapshot(library, db)
    with pytest.raises(AvatarImportError, match=match):
        library.import_model(source)
    assert snapshot(library, db) == before == ([], [])


def test_too_many_files(tmp_path: Path, db: Database) -> None:
    library = make_library(tmp_path, db, ImportLimits(max_files=10))
    extra: list[tuple[str | zipfile.ZipInfo, bytes]] = [(f"Tiny/extra/{i}.json", b"{}") for i in range(5)]
    _refused_empty(library, db, _mini_zip(tmp_path / "many.zip", extra), "Too many files: more than 10")
    folder = write_files(tmp_path / "many", {**mini_model_files(), **{f"x/{i}": b"" for i in range(5)}})
    _refused_empty(library, db, folder, "Too many files")


def test_single_file_limit(tmp_path: Path, db: Database) -> None:
    library = make_library(tmp_path, db, ImportLimits(max_file_bytes=50_000, max_ratio=1e9))
    big = _mini_zip(tmp_path / "big.zip", [("Tiny/big.bin", os.urandom(60_000))])
    _refused_empty(library, db, big, "'Tiny/big.bin' is too large")
    folder = write_files(tmp_path / "bigdir", {**mini_model_files(), "big.bin": os.urandom(60_000)})
    _refused_empty(library, db, folder, "big.bin is too large")


def test_folder_with_a_symlink_or_fifo(tmp_path: Path, library: AvatarLibrary, db: Database) -> None:
    linked = write_files(tmp_path / "linked", mini_model_files())
    (tmp_path / "secret.txt").write_text("secret")
    os.symlink(tmp_path / "secret.txt", linked / "notes.txt")
    _refused(library, db, linked, AvatarImportError, r"symbolic link \(notes.txt\)")
    dirlinked = write_files(tmp_path / "dirlinked", mini_model_files())
    os.symlink(tmp_path, dirlinked / "up")
    _refused(library, db, dirlinked, AvatarImportError, r"symbolic link \(up\)")
    fifo = write_files(tmp_path / "fifo", mini_model_files())
    os.mkfifo(fifo / "pipe")
    _refused(library, db, fifo, AvatarImportError, "special file")


def _without(files: dict[str, bytes], *names: str) -> dict[str, bytes]:
    return {k: v for k, v in files.items() if k not in names}


@pytest.mark.parametrize(
    ("files", "error", "match"),
    [
        (_without(mini_model_files(), "Tiny.moc3"), ModelFileError, "incomplete: missing moc 'Tiny.moc3'"),
        (
            _without(mini_model_files(), "Tiny.1024/texture_00.png"),
            ModelFileError,
            "missing texture 'Tiny.1024/texture_00.png'",
        ),
        ({**mini_model_files(), "Tiny.model3.json": b"{oops"}, ModelFileError, "not a readable JSON file"),
        (_without(mini_model_files(), "Tiny.model3.json"), ModelFileError, "No Live2D model file found"),
        ({**mini_model_files(), "b/Other.model3.json": b"{}"}, ModelFileError, "Found 2 model files"),
    ],
)
def test_broken_models_from_a_zip(
    tmp_path: Path,
    library: AvatarLibrary,
    db: Database,
    files: dict[str, bytes],
    error: type[StudioError],
    match: str,
) -> None:
    archive = zip_entries(tmp_path / "broken.zip", {f"pack/{k}": v for k, v in files.items()})
    _refused(library, db, archive, error, match)


def test_two_sample_models_in_one_folder(tmp_path: Path, library: AvatarLibrary, db: Database) -> None:
    copy_sample("Mao", tmp_path / "both")
    copy_sample("Hiyori", tmp_path / "both")
    _refused(
        library, db, tmp_path / "both", ModelFileError, r"Found 2 model files \(Hiyori/Hiyori.model3.json"
    )


def test_a_model_referencing_outside_its_folder(tmp_path: Path, library: AvatarLibrary, db: Database) -> None:
    files = mini_model_files()
    model = json.loads(files["Tiny.model3.json"])
    model["FileReferences"]["Moc"] = "../../../../../../etc/passwd"
    files["Tiny.model3.json"] = json.dumps(model).encode()
    _refused(
        library, db, zip_entries(tmp_path / "out.zip", files), ModelFileError, "outside the model folder"
    )


def test_bad_sources(tmp_path: Path, library: AvatarLibrary, db: Database) -> None:
    (tmp_path / "notes.txt").write_text("not a zip")
    _refused(library, db, tmp_path / "notes.txt", AvatarImportError, "neither a folder nor a zip")
    _refused(library, db, tmp_path / "nowhere", AvatarImportError, "does not exist")
    (tmp_path / "fake.zip").write_bytes(b"PK\x03\x04 truncated")
    _refused(library, db, tmp_path / "fake.zip", AvatarImportError, "neither a folder nor a zip")
    inside = library.list_avatars()[1].folder
    _refused(library, db, inside, AvatarImportError, "outside the studio's avatar library")
    _refused(library, db, tmp_path, AvatarImportError, "outside the studio's avatar library")


def test_a_failure_after_the_rename_takes_the_folder_back_out(
    tmp_path: Path, library: AvatarLibrary, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(row: object) -> None:
        raise StorageError("disk full")

    monkeypatch.setattr(library._repo, "insert", refuse)
    source = write_files(tmp_path / "second", mini_model_files("Second"))
    _refused(library, db, source, StorageError, "disk full")


def test_an_os_error_is_reported_and_cleaned_up(
    tmp_path: Path, library: AvatarLibrary, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_rename(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "rename", no_rename)
    source = write_files(tmp_path / "second", mini_model_files("Second"))
    _refused(library, db, source, AvatarImportError, "Cannot import second: No space left on device")
