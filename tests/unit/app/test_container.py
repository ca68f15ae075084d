"""Container: builds the profile (folders, log, config, secrets, DB) and closes it again."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from studio.app.container import Container
from studio.core.errors import StorageError


def test_build_creates_the_profile(container: Container, studio_home: Path) -> None:
    for folder in ("config", "data", "cache", "logs"):
        assert (studio_home / folder).is_dir()
    assert container.paths.data_dir == studio_home / "data"
    assert container.db.is_open
    assert (studio_home / "data" / "studio.db").exists()
    assert container.logs.log_file == studio_home / "logs" / "studio.log"
    assert container.config_problems == []
    assert container.config.api.port == 8765
    assert container.secrets.info.name == "encrypted file"
    assert container.engines() == []
    container.meta.set("k", "v")
    assert container.meta.get("k") == "v"


def test_close_is_idempotent_and_detaches_logging(studio_home: Path) -> None:
    c = Container.build()
    handlers = list(c.logs.handlers)
    c.close()
    c.close()
    assert not c.db.is_open
    studio_logger = logging.getLogger("studio")
    assert not [h for h in handlers if h in studio_logger.handlers]
    text = c.logs.log_file.read_text(encoding="utf-8")
    assert "studio starting" in text
    assert "studio closed" in text


def test_config_problems_are_reported_and_logged(studio_home: Path) -> None:
    (studio_home / "config").mkdir(parents=True)
    (studio_home / "config" / "config.toml").write_text(
        'version = 1\n[ui]\ntheme = "pink"\n[storage]\nsynchronous = "NORMAL"\n[logging]\nlevel = "DEBUG"\n'
    )
    c = Container.build()
    try:
        assert [p.key for p in c.config_problems] == ["ui.theme"]
        assert c.config.storage.synchronous == "NORMAL"
        assert c.db.call(lambda d: d.execute("PRAGMA synchronous").fetchone()[0]) == 1
        assert logging.getLogger("studio").level == logging.DEBUG
    finally:
        c.close()
    assert "config problem: ui.theme" in c.logs.log_file.read_text(encoding="utf-8")


def test_broken_database_fails_the_build_without_leaking_log_handlers(studio_home: Path) -> None:
    (studio_home / "data").mkdir(parents=True)
    (studio_home / "data" / "studio.db").write_bytes(b"garbage, not SQLite" * 500)
    before = list(logging.getLogger("studio").handlers)
    with pytest.raises(StorageError, match="Cannot open the database"):
        Container.build()
    assert logging.getLogger("studio").handlers == before


def test_home_argument(tmp_path: Path) -> None:
    c = Container.build(tmp_path / "profile2")
    try:
        assert c.paths.config_dir == tmp_path / "profile2" / "config"
        assert c.db.path == tmp_path / "profile2" / "data" / "studio.db"
    finally:
        c.close()
