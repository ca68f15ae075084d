"""Schema migrations: fresh databases, re-opens, new steps, failed steps, newer databases."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from studio.core.errors import StorageError
from studio.storage.db import Database
from studio.storage.migrations import MIGRATIONS, Migration, apply_migrations, current_version

LATEST = MIGRATIONS[-1].version


def _rows(db: Database) -> list[tuple[int, str, float]]:
    return db.call(
        lambda d: list(d.execute("SELECT version, name, applied_at FROM schema_migrations ORDER BY 1"))
    )


def _open(path: Path, migrations: tuple[Migration, ...] = MIGRATIONS) -> Database:
    db = Database(path, migrations=migrations)
    db.open()
    return db


def test_fresh_database_is_at_the_latest_version(tmp_path: Path) -> None:
    db = _open(tmp_path / "s.db")
    try:
        assert db.call(current_version) == LATEST
        assert [(v, n) for v, n, _ in _rows(db)] == [(m.version, m.name) for m in MIGRATIONS]
        tables = set(db.call(lambda d: d.table_names()))
        assert {"schema_migrations", "meta", "event_log"} <= tables
        indexes = {tuple(i.columns) for i in db.call(lambda d: d["event_log"].indexes)}
        assert {("ts",), ("kind", "ts")} <= indexes
    finally:
        db.close()


def test_reopen_applies_nothing(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    db = _open(path)
    before = _rows(db)
    db.close()
    db = _open(path)
    try:
        assert _rows(db) == before  # same rows, same applied_at
        assert db.call(lambda d: apply_migrations(d, MIGRATIONS)) == []
    finally:
        db.close()


def test_new_step_is_applied_on_reopen(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    _open(path).close()

    def add_notes(d: sqlite_utils.Database) -> None:
        d["notes"].create({"id": int, "text": str}, pk="id")

    steps = (*MIGRATIONS, Migration(LATEST + 1, "notes", add_notes))
    db = _open(path, steps)
    try:
        assert [v for v, _, _ in _rows(db)] == [*(m.version for m in MIGRATIONS), LATEST + 1]
        assert "notes" in db.call(lambda d: d.table_names())
    finally:
        db.close()


def test_failed_step_rolls_back_completely(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    _open(path).close()

    def half_done(d: sqlite_utils.Database) -> None:
        d["half"].create({"id": int}, pk="id")
        d["half"].insert({"id": 1})
        raise RuntimeError("step failed half way")

    with pytest.raises(RuntimeError, match="half way"):
        _open(path, (*MIGRATIONS, Migration(LATEST + 1, "half", half_done)))
    db = _open(path)
    try:
        assert "half" not in db.call(lambda d: d.table_names())
        assert db.call(current_version) == LATEST
    finally:
        db.close()


def test_database_from_a_newer_studio_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    _open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", (LATEST + 7, "from the future", 0.0))
    conn.close()
    db = Database(path)
    with pytest.raises(StorageError) as info:
        db.open()
    message = info.value.user_message
    assert f"schema version {LATEST + 7}" in message
    assert "newer than this studio knows" in message
    assert "Update Cream Studio" in message
    assert not db.is_open


def test_versions_must_be_unique_and_increasing() -> None:
    conn = sqlite3.connect(":memory:")
    d = sqlite_utils.Database(conn)
    noop = Migration(1, "a", lambda db: None)
    with pytest.raises(StorageError, match="unique, increasing"):
        apply_migrations(d, (noop, Migration(1, "b", lambda db: None)))
    with pytest.raises(StorageError, match="unique, increasing"):
        apply_migrations(d, (Migration(2, "b", lambda db: None), noop))
    conn.close()


def test_current_version_of_an_empty_database() -> None:
    conn = sqlite3.connect(":memory:")
    assert current_version(sqlite_utils.Database(conn)) == 0
    conn.close()
