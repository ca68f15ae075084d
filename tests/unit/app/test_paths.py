"""StudioPaths: the STUDIO_HOME layout, folder creation and confining outside paths."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from studio.app.paths import StudioPaths
from studio.core.errors import PathNotAllowedError, StorageError


@pytest.fixture
def paths(studio_home: Path) -> StudioPaths:
    p = StudioPaths.resolve()
    p.ensure()
    return p


def test_studio_home_layout(studio_home: Path) -> None:
    p = StudioPaths.resolve()
    assert p.config_dir == studio_home / "config"
    assert p.data_dir == studio_home / "data"
    assert p.cache_dir == studio_home / "cache"
    assert p.log_dir == studio_home / "logs"
    assert p.config_file == studio_home / "config" / "config.toml"
    assert p.database_file == studio_home / "data" / "studio.db"
    assert p.secrets_dir == studio_home / "data" / "secrets"
    assert p.user_models_dir == studio_home / "data" / "models"
    assert p.writable_dirs() == (p.config_dir, p.data_dir, p.cache_dir, p.log_dir)
    assert p.resources_dir.name == "resources"
    assert p.models_dir.name == "models"
    assert p.resources_dir.parent == p.models_dir.parent == Path(__file__).resolve().parents[3]


def test_home_argument_beats_the_environment(tmp_path: Path) -> None:
    p = StudioPaths.resolve(tmp_path / "other")
    assert p.data_dir == tmp_path / "other" / "data"


def test_relative_home_becomes_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    p = StudioPaths.resolve("profile")
    assert p.config_dir == tmp_path / "profile" / "config"
    assert p.config_dir.is_absolute()


def test_without_home_the_os_user_folders_are_used(
    monkeypatch: pytest.MonkeyPatch, studio_home: Path
) -> None:
    monkeypatch.delenv("STUDIO_HOME")
    p = StudioPaths.resolve()
    for folder in p.writable_dirs():
        assert "CreamStudio" in str(folder)
        assert not folder.is_relative_to(studio_home)


def test_ensure_creates_owner_only_folders(studio_home: Path) -> None:
    p = StudioPaths.resolve()
    assert not studio_home.exists()
    p.ensure()
    p.ensure()  # idempotent
    for folder in p.writable_dirs():
        assert folder.is_dir()
        if os.name == "posix":
            assert stat.S_IMODE(folder.stat().st_mode) & 0o077 == 0


def test_ensure_failure_names_the_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    p = StudioPaths.resolve(blocker)
    with pytest.raises(StorageError, match=r"Cannot create the folder .*blocker.config"):
        p.ensure()


def test_confine_allows_paths_inside(paths: StudioPaths) -> None:
    assert (
        paths.confine("avatars/cream.model3.json")
        == paths.data_dir.resolve() / "avatars" / "cream.model3.json"
    )
    assert paths.confine("a/../b.txt") == paths.data_dir.resolve() / "b.txt"
    assert paths.confine(paths.cache_dir / "x.wav") == paths.cache_dir.resolve() / "x.wav"
    assert paths.confine(str(paths.log_dir)) == paths.log_dir.resolve()
    assert (
        paths.confine(paths.models_dir / "voices" / "v.onnx")
        == paths.models_dir.resolve() / "voices" / "v.onnx"
    )


@pytest.mark.parametrize(
    "candidate", ["../config/config.toml", "../../etc/passwd", "a/../../x", "/etc/passwd"]
)
def test_confine_rejects_escapes(paths: StudioPaths, candidate: str) -> None:
    with pytest.raises(PathNotAllowedError, match="outside the studio's folders") as info:
        paths.confine(candidate, within=paths.data_dir)
    assert info.value.code == "path_not_allowed"


def test_confine_rejects_paths_outside_every_folder(paths: StudioPaths, tmp_path: Path) -> None:
    with pytest.raises(PathNotAllowedError):
        paths.confine("../../outside.txt")
    with pytest.raises(PathNotAllowedError):
        paths.confine(tmp_path / "home-sibling")
    # a folder whose name merely starts like an allowed one is still outside
    with pytest.raises(PathNotAllowedError):
        paths.confine(str(paths.data_dir) + "-evil/x")


def test_confine_rejects_symlink_escapes(paths: StudioPaths, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("not yours")
    (paths.data_dir / "link").symlink_to(outside, target_is_directory=True)
    (paths.data_dir / "file-link").symlink_to(outside / "secret.txt")
    with pytest.raises(PathNotAllowedError):
        paths.confine("link/secret.txt")
    with pytest.raises(PathNotAllowedError):
        paths.confine("file-link")
    with pytest.raises(PathNotAllowedError):
        paths.confine(paths.data_dir / "link")


def test_confine_follows_symlinks_that_stay_inside(paths: StudioPaths) -> None:
    real = paths.data_dir / "real"
    real.mkdir()
    (paths.data_dir / "alias").symlink_to(real, target_is_directory=True)
    assert paths.confine("alias/x.txt") == real.resolve() / "x.txt"


def test_confine_within_a_subfolder(paths: StudioPaths) -> None:
    avatars = paths.data_dir / "avatars"
    avatars.mkdir()
    assert paths.confine("cream/model.json", within=avatars) == avatars.resolve() / "cream" / "model.json"
    with pytest.raises(PathNotAllowedError):
        paths.confine("../studio.db", within=avatars)  # inside the data folder, but not inside `within`


@pytest.mark.parametrize("candidate", ["bad\x00name", "loop/x"])
def test_confine_rejects_unresolvable_paths(paths: StudioPaths, candidate: str) -> None:
    (paths.data_dir / "loop").symlink_to(paths.data_dir / "loop")
    with pytest.raises(PathNotAllowedError):
        paths.confine(candidate)
