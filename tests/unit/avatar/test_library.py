"""The avatar library: importing the Live2D samples (folder and zip), listing, renaming, removing,
thumbnails, settings and the built-in avatar, on a real SQLite database."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from studio.avatar.library import BUILTIN_ID, AvatarLibrary, AvatarNotFoundError
from studio.avatar.settings import AvatarSettings, Background, EmotionAction
from studio.avatar.thumbnail import ThumbnailError
from studio.core.errors import PathNotAllowedError, ValidationError
from studio.storage.avatar_repo import AvatarRepo
from studio.storage.db import Database
from tests.unit.avatar.avatar_files import (
    copy_sample,
    make_library,
    mini_model_files,
    open_db,
    png_bytes,
    snapshot,
    write_files,
    zip_entries,
    zip_folder,
)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    with open_db(tmp_path / "studio.db") as database:
        yield database


@pytest.fixture
def library(tmp_path: Path, db: Database) -> AvatarLibrary:
    return make_library(tmp_path, db)


@pytest.mark.parametrize(
    ("name", "mouth", "textures", "expressions"),
    [("Hiyori", "ParamMouthOpenY", 2, 0), ("Mao", "ParamA", 1, 8), ("Haru", "ParamMouthOpenY", 2, 8)],
)
def test_import_sample_folders(
    tmp_path: Path, library: AvatarLibrary, name: str, mouth: str, textures: int, expressions: int
) -> None:
    source = copy_sample(name, tmp_path / "incoming")
    result = library.import_model(source)
    avatar = result.avatar
    assert (avatar.id, avatar.name, avatar.kind, avatar.builtin) == (name.lower(), name, "live2d", False)
    assert avatar.folder == library.root / name.lower()
    assert avatar.model_file == (library.root / name.lower() / "model" / f"{name}.model3.json").resolve()
    assert avatar.model_ref == f"{name.lower()}/model/{name}.model3.json"
    info = library.model_info(avatar.id)
    assert len(info.textures) == textures and len(info.expressions) == expressions
    assert info.check_files() == list(result.warnings)  # Haru: its four sounds are not in the samples
    assert avatar.settings.lip_sync_ids == (mouth,)
    assert avatar.settings.idle_motion_group == "Idle"
    assert set(avatar.settings.hit_motions.values()) == {"TapBody"}
    # Every file was copied, byte for byte.
    for path in source.rglob("*"):
        if path.is_file():
            copied = avatar.folder / "model" / path.relative_to(source)
            assert copied.read_bytes() == path.read_bytes()
    assert avatar.thumbnail is not None
    with Image.open(avatar.thumbnail) as thumb:
        assert (thumb.format, thumb.size, thumb.mode) == ("PNG", (256, 256), "RGBA")
    assert [a.id for a in library.list_avatars()] == [BUILTIN_ID, name.lower()]
    assert not [p for p in library.root.iterdir() if p.name.startswith(".")]


def test_import_a_zip_with_a_nested_folder(tmp_path: Path, library: AvatarLibrary) -> None:
    mao = copy_sample("Mao", tmp_path / "incoming")
    archive = zip_folder(mao, tmp_path / "mao.zip", prefix="Mao Pro/runtime/")
    result = library.import_model(archive, name="  Mao   Pro ")
    avatar = result.avatar
    assert (avatar.id, avatar.name) == ("mao-pro", "Mao Pro")
    assert avatar.model_ref == "mao-pro/model/Mao Pro/runtime/Mao.model3.json"
    assert avatar.model_file is not None and avatar.model_file.is_file()
    assert avatar.settings.lip_sync_ids == ("ParamA",)
    assert result.warnings == ()
    texture = avatar.folder / "model" / "Mao Pro" / "runtime" / "Mao.2048" / "texture_00.png"
    assert texture.read_bytes() == (mao / "Mao.2048" / "texture_00.png").read_bytes()


def test_zip_litter_is_skipped(tmp_path: Path, library: AvatarLibrary) -> None:
    files = {f"Tiny/{k}": v for k, v in mini_model_files().items()}
    files["__MACOSX/Tiny/._Tiny.model3.json"] = b"\x00\x05\x16\x07"  # would be a second model json
    files["Tiny/.DS_Store"] = b"junk"
    avatar = library.import_model(zip_entries(tmp_path / "mac.zip", files)).avatar
    assert not (avatar.folder / "model" / "__MACOSX").exists()
    assert not (avatar.folder / "model" / "Tiny" / ".DS_Store").exists()


def test_cubism2_folder_import(tmp_path: Path, library: AvatarLibrary) -> None:
    source = write_files(
        tmp_path / "shizuku",
        {
            "shizuku.model.json": json.dumps(
                {"model": "s.moc", "textures": ["t/0.png"], "motions": {"idle": [{"file": "i.mtn"}]}}
            ).encode(),
            "s.moc": b"moc",
            "t/0.png": png_bytes(),
            "i.mtn": b"#",
        },
    )
    avatar = library.import_model(source).avatar
    assert (avatar.id, avatar.kind, avatar.model_ref) == (
        "shizuku",
        "live2d",
        "shizuku/model/shizuku.model.json",
    )
    assert avatar.settings.lip_sync_ids == ("PARAM_MOUTH_OPEN_Y",)
    assert avatar.settings.idle_motion_group == "idle"


def test_ids_are_unique_and_names_free(tmp_path: Path, library: AvatarLibrary) -> None:
    source = write_files(tmp_path / "t", mini_model_files())
    ids = [library.import_model(source).avatar.id for _ in range(3)]
    assert ids == ["tiny", "tiny-2", "tiny-3"]
    assert library.import_model(source, name="ミク").avatar.id == "avatar"
    assert library.import_model(source, name="Default").avatar.id == "default-2"  # "default" is reserved
    with pytest.raises(ValidationError, match="1-100 characters"):
        library.import_model(source, name="  ")


def test_list_rename_remove(tmp_path: Path, library: AvatarLibrary, db: Database) -> None:
    first = library.import_model(write_files(tmp_path / "a", mini_model_files("Alpha"))).avatar
    second = library.import_model(write_files(tmp_path / "b", mini_model_files("Beta"))).avatar
    assert [a.name for a in library.list_avatars()] == ["Default avatar", "Alpha", "Beta"]

    renamed = library.rename(first.id, "Alpha Prime")
    assert (renamed.id, renamed.name, renamed.folder) == (first.id, "Alpha Prime", first.folder)
    assert renamed.updated_at >= first.updated_at
    assert library.get(first.id).name == "Alpha Prime"
    with pytest.raises(ValidationError, match="control characters"):
        library.rename(first.id, "bad\x00name")
    with pytest.raises(AvatarNotFoundError):
        library.rename("nobody", "x")

    library.remove(second.id)
    assert not second.folder.exists()
    assert [a.id for a in library.list_avatars()] == [BUILTIN_ID, first.id]
    with pytest.raises(AvatarNotFoundError):
        library.get(second.id)
    with pytest.raises(AvatarNotFoundError):
        library.remove(second.id)
    assert sorted(p.name for p in library.root.iterdir()) == [first.id]
    assert [r.id for r in AvatarRepo(db).all()] == [first.id]


def test_remove_works_for_a_copy_of_a_read_only_source(tmp_path: Path, library: AvatarLibrary) -> None:
    source = write_files(tmp_path / "ro", mini_model_files())
    paths = [*sorted(source.rglob("*"), reverse=True), source]
    for path in paths:
        path.chmod(0o444 if path.is_file() else 0o555)
    try:
        avatar = library.import_model(source).avatar
        # Only contents are copied: the library's copy is writable, so it can be removed.
        assert all(p.stat().st_mode & 0o200 for p in avatar.folder.rglob("*"))
        library.remove(avatar.id)
        assert not avatar.folder.exists()
    finally:
        for path in reversed(paths):
            path.chmod(0o755)


def test_a_failed_removal_keeps_the_avatar(
    tmp_path: Path, library: AvatarLibrary, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    avatar = library.import_model(write_files(tmp_path / "a", mini_model_files())).avatar
    before = snapshot(library, db)

    def broken_delete(avatar_id: str) -> bool:
        raise RuntimeError("database gone")

    monkeypatch.setattr(library._repo, "delete", broken_delete)
    with pytest.raises(RuntimeError):
        library.remove(avatar.id)
    assert snapshot(library, db) == before


def test_the_builtin_avatar_is_read_only(tmp_path: Path, library: AvatarLibrary, db: Database) -> None:
    builtin = library.list_avatars()[0]
    assert (builtin.id, builtin.kind, builtin.builtin, builtin.model_file) == (
        BUILTIN_ID,
        "pngtuber",
        True,
        None,
    )
    assert builtin.folder == tmp_path / "resources" / "avatars" / "default"
    assert builtin.thumbnail is None  # no picture there yet
    for action in (
        lambda: library.rename(BUILTIN_ID, "Mine"),
        lambda: library.remove(BUILTIN_ID),
        lambda: library.set_thumbnail(BUILTIN_ID, tmp_path / "x.png"),
    ):
        with pytest.raises(ValidationError, match="read-only"):
            action()
    with pytest.raises(ValidationError, match="not a Live2D avatar"):
        library.model_info(BUILTIN_ID)
    write_files(builtin.folder, {"icon.png": png_bytes()})
    assert library.get(BUILTIN_ID).thumbnail == builtin.folder / "icon.png"
    # Its settings can be saved, and it is still listed once, first.
    saved = library.update_settings(
        BUILTIN_ID, AvatarSettings(scale=1.5, background=Background(mode="transparent"))
    )
    assert saved.settings.scale == 1.5 and saved.builtin
    assert [a.id for a in library.list_avatars()] == [BUILTIN_ID]
    assert library.get(BUILTIN_ID).settings.background.mode == "transparent"


def test_thumbnails(tmp_path: Path, library: AvatarLibrary) -> None:
    icon = tmp_path / "icon.png"
    icon.write_bytes(png_bytes((10, 200, 10, 255), (300, 100)))
    avatar = library.import_model(write_files(tmp_path / "a", mini_model_files()), icon=icon).avatar
    assert avatar.thumbnail_ref == "tiny/thumbnail.png"
    assert avatar.thumbnail is not None
    with Image.open(avatar.thumbnail) as thumb:
        assert thumb.size == (256, 256)
        assert thumb.getpixel((128, 128)) == (10, 200, 10, 255)  # cropped to the opaque part, centred
        assert thumb.getpixel((128, 10)) == (0, 0, 0, 0)  # 300x100 -> letterboxed in the square

    snap = tmp_path / "snap.png"
    snap.write_bytes(png_bytes((0, 0, 255, 255)))
    updated = library.set_thumbnail(avatar.id, snap)
    assert updated.thumbnail is not None
    with Image.open(updated.thumbnail) as thumb:
        assert thumb.getpixel((128, 128)) == (0, 0, 255, 255)
    (tmp_path / "bad.png").write_bytes(b"not an image")
    with pytest.raises(ThumbnailError, match="not a readable image"):
        library.set_thumbnail(avatar.id, tmp_path / "bad.png")
    with pytest.raises(ThumbnailError):
        library.import_model(write_files(tmp_path / "b", mini_model_files()), icon=tmp_path / "bad.png")
    assert sorted(p.name for p in avatar.folder.iterdir()) == ["model", "thumbnail.png"]


def test_an_unreadable_texture_only_costs_the_thumbnail(tmp_path: Path, library: AvatarLibrary) -> None:
    files = {**mini_model_files(), "Tiny.1024/texture_00.png": b"not png"}
    result = library.import_model(write_files(tmp_path / "a", files))
    assert result.avatar.thumbnail is None and result.avatar.thumbnail_ref is None
    assert any(w.startswith("No thumbnail: texture_00.png") for w in result.warnings)


def test_settings_are_checked_and_stored(tmp_path: Path, library: AvatarLibrary, db: Database) -> None:
    avatar = library.import_model(copy_sample("Mao", tmp_path / "in")).avatar
    settings = avatar.settings.model_copy(
        update={
            "scale": 0.8,
            "offset_x": -0.25,
            "emotion_map": {"happy": EmotionAction(expression="exp_03", motion="TapBody")},
        }
    )
    saved = library.update_settings(avatar.id, settings)
    assert saved.settings == settings
    assert AvatarRepo(db).get(avatar.id) is not None
    assert make_library(tmp_path, db).get(avatar.id).settings == settings  # read back from SQLite
    with pytest.raises(ValidationError, match="has no expression 'smile'"):
        library.update_settings(
            avatar.id, AvatarSettings(emotion_map={"happy": EmotionAction(expression="smile")})
        )
    with pytest.raises(AvatarNotFoundError):
        library.update_settings("nobody", AvatarSettings())


def test_background_images(tmp_path: Path, library: AvatarLibrary) -> None:
    avatar = library.import_model(write_files(tmp_path / "a", mini_model_files())).avatar
    picture = tmp_path / "My Stage!.png"
    picture.write_bytes(png_bytes())
    first = library.add_background_image(picture)
    second = library.add_background_image(picture)
    assert (first, second) == ("_backgrounds/My_Stage.png", "_backgrounds/My_Stage-2.png")
    assert library.background_images() == sorted([first, second])
    saved = library.update_settings(
        avatar.id, AvatarSettings(background=Background(mode="image", image=first))
    )
    assert saved.settings.background.image == first
    with pytest.raises(ValidationError, match="not in the library"):
        library.update_settings(
            avatar.id, AvatarSettings(background=Background(mode="image", image="_backgrounds/no.png"))
        )
    (tmp_path / "outside.png").write_bytes(png_bytes())
    os.symlink(tmp_path / "outside.png", library.root / "_backgrounds" / "link.png")
    with pytest.raises(PathNotAllowedError):
        library.update_settings(
            avatar.id, AvatarSettings(background=Background(mode="image", image="_backgrounds/link.png"))
        )
    (tmp_path / "fake.png").write_bytes(b"GIF89a nope")
    with pytest.raises(ThumbnailError):
        library.add_background_image(tmp_path / "fake.png")
    with pytest.raises(ValidationError, match="PNG, JPEG or GIF"):
        library.add_background_image(tmp_path / "notes.txt")
    assert sorted(p.name for p in (library.root / "_backgrounds").iterdir()) == [
        "My_Stage-2.png",
        "My_Stage.png",
        "link.png",
    ]


def test_leftovers_of_a_crash_are_swept(tmp_path: Path, db: Database) -> None:
    root = tmp_path / "data" / "avatars"
    write_files(root / ".import-0123", {"model/Tiny.moc3": b"half"})
    write_files(root / ".trash-4567", {"model/x": b"old"})
    library = make_library(tmp_path, db)
    assert list(library.root.iterdir()) == []


def test_resolve_is_confined(library: AvatarLibrary) -> None:
    for bad in ("../x", "/etc/passwd", "", "."):
        with pytest.raises(PathNotAllowedError):
            library.resolve(bad)
    assert library.resolve("a/b.png") == library.root.resolve() / "a" / "b.png"
