"""``studio avatar``: list, import (folder, zip, unsafe zip), rename, remove, use."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from studio.app.cli import cli

MAO = Path("/work/shared/live2d/Mao")
needs_mao = pytest.mark.skipif(not MAO.is_dir(), reason=f"test model {MAO} is not on this machine")


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("STUDIO_HOME", str(home))
    monkeypatch.delenv("STUDIO_AVATAR_CURRENT", raising=False)
    return home


def run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["avatar", *args], input=stdin, catch_exceptions=False)


def _listing() -> list[dict[str, object]]:
    result = run("list", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert isinstance(rows, list)
    return rows


def _mao_zip(tmp_path: Path) -> Path:
    target = tmp_path / "mao.zip"
    with zipfile.ZipFile(target, "w") as zf:
        for file in sorted(MAO.rglob("*")):
            if file.is_file():
                zf.write(file, Path("Mao") / file.relative_to(MAO))
    return target


def _config(home: Path) -> str:
    return next(home.rglob("config.toml")).read_text(encoding="utf-8")


def test_list_shows_the_builtin_avatar_as_current() -> None:
    rows = _listing()
    assert [(r["id"], r["kind"], r["current"]) for r in rows] == [("default", "pngtuber", True)]
    plain = run("list")
    assert plain.exit_code == 0
    assert plain.stdout.startswith("* default")


@needs_mao
def test_import_folder_rename_use_remove(tmp_path: Path, _home: Path) -> None:
    folder = tmp_path / "src" / "Mao"
    shutil.copytree(MAO, folder)
    result = run("import", str(folder), "--name", "My Mao")
    assert result.exit_code == 0, result.output
    assert "Imported My Mao as my-mao" in result.stdout
    assert result.output.count("Live2D licence") == 1
    rows = _listing()
    assert [r["id"] for r in rows] == ["default", "my-mao"]
    assert rows[1]["kind"] == "live2d" and Path(str(rows[1]["folder"])).is_dir()

    assert run("rename", "my-mao", "Mao Renamed").exit_code == 0
    assert _listing()[1]["name"] == "Mao Renamed"

    assert run("use", "my-mao").exit_code == 0
    assert 'current = "my-mao"' in _config(_home)
    assert [r["id"] for r in _listing() if r["current"]] == ["my-mao"]

    refused = run("remove", "my-mao", stdin="n\n")  # declined at the prompt
    assert refused.exit_code == 1
    assert len(_listing()) == 2
    removed = run("remove", "my-mao", "--yes")
    assert removed.exit_code == 0, removed.output
    assert not Path(str(rows[1]["folder"])).exists()
    assert 'current = "default"' in _config(_home)
    assert [r["id"] for r in _listing()] == ["default"]


@needs_mao
def test_import_zip(tmp_path: Path) -> None:
    result = run("import", str(_mao_zip(tmp_path)))
    assert result.exit_code == 0, result.output
    assert [r["name"] for r in _listing()] == ["Default avatar", "Mao"]


def test_unsafe_zip_is_refused_and_nothing_is_written(tmp_path: Path, _home: Path) -> None:
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("model/x.model3.json", "{}")
        zf.writestr("../../escape.txt", "gotcha")
    before = _listing()
    library = next(_home.rglob("avatars"))
    result = run("import", str(bad))
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert "Traceback" not in result.output
    assert _listing() == before
    assert list(library.iterdir()) == []
    assert not list(tmp_path.rglob("escape.txt"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("rename", "default", "X"), "read-only"),
        (("remove", "default", "--yes"), "built-in avatar cannot be removed"),
        (("remove", "ghost", "--yes"), "There is no avatar 'ghost'"),
        (("use", "ghost"), "There is no avatar 'ghost'"),
        (("import", "/nonexistent/model"), "does not exist"),
    ],
)
def test_clear_errors(args: tuple[str, ...], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
