"""Typed repositories: the event journal and the meta key/value table."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from studio.core.logging import MASK, redactor
from studio.storage.db import Database
from studio.storage.repos import EventLogRepo, EventLogRow, MetaRepo


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "studio.db")
    database.open()
    try:
        yield database
    finally:
        database.close()


def test_event_log_append_and_recent(db: Database) -> None:
    repo = EventLogRepo(db)
    ids = [
        repo.append(EventLogRow("error", "tts", f"failure {i}", {"i": i}, ts=1000.0 + i)) for i in range(3)
    ]
    ids.append(
        repo.append(EventLogRow("stream", "rtmp", "went live", {"platform": "bilibili", "名": "直播"}))
    )
    assert ids == sorted(ids)
    assert len(set(ids)) == 4
    newest = repo.recent()
    assert [r.id for r in newest] == ids[::-1]
    assert newest[0].data == {"platform": "bilibili", "名": "直播"}
    errors = repo.recent(limit=2, kind="error")
    assert [r.message for r in errors] == ["failure 2", "failure 1"]
    assert errors[0] == EventLogRow("error", "tts", "failure 2", {"i": 2}, 1002.0, ids[2])
    assert repo.ids() == set(ids)


async def test_event_log_append_async(db: Database) -> None:
    repo = EventLogRepo(db)
    row_id = await repo.append_async(EventLogRow("error", "api", "boom"))
    assert row_id in repo.ids()
    assert repo.recent(1)[0].message == "boom"


def test_event_log_rows_are_committed_when_acknowledged(db: Database, tmp_path: Path) -> None:
    import sqlite3

    repo = EventLogRepo(db)
    row_id = repo.append(EventLogRow("k", "s", "m"))
    # another connection sees it at once: nothing waits in an open transaction
    with sqlite3.connect(tmp_path / "studio.db") as other:
        assert other.execute("SELECT message FROM event_log WHERE id = ?", (row_id,)).fetchone() == ("m",)
    other.close()


def test_event_log_masks_registered_secrets(db: Database) -> None:
    value = "key-" + secrets.token_hex(10)
    redactor.register(value)
    repo = EventLogRepo(db)
    repo.append(
        EventLogRow(
            "error", "llm", f"401 Unauthorized for key {value}", {"url": f"https://x/?api_key={value}"}
        )
    )
    row = repo.recent(1)[0]
    assert value not in row.message
    assert MASK in row.message
    assert value not in str(row.data)
    raw = db.call(lambda d: d.execute("SELECT message || data FROM event_log").fetchone()[0])
    assert value not in raw


def test_meta_get_set(db: Database) -> None:
    meta = MetaRepo(db)
    assert meta.get("first_run") is None
    meta.set("first_run", "2026-01-01")
    assert meta.get("first_run") == "2026-01-01"
    meta.set("first_run", "2026-02-02")
    assert meta.get("first_run") == "2026-02-02"
    assert db.call(lambda d: d["meta"].count) == 1
