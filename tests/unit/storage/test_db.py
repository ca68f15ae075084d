"""Database: one DB thread, WAL, sync modes, async access from an event loop, errors and close."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import psutil
import pytest

from studio.core.errors import StorageError
from studio.storage.db import Database


@pytest.fixture
def db(tmp_path: Path):
    database = Database(tmp_path / "data" / "studio.db")
    database.open()
    try:
        yield database
    finally:
        database.close()


def _pragma(db: Database, name: str) -> object:
    return db.call(lambda d: d.execute(f"PRAGMA {name}").fetchone()[0])


def test_open_creates_the_file_in_wal_mode(db: Database) -> None:
    assert db.is_open
    assert db.path.exists()
    assert _pragma(db, "journal_mode") == "wal"
    assert _pragma(db, "foreign_keys") == 1
    assert _pragma(db, "busy_timeout") == 10000
    assert _pragma(db, "synchronous") == 2  # FULL


@pytest.mark.parametrize(("mode", "level"), [("FULL", 2), ("NORMAL", 1)])
def test_synchronous_mode(tmp_path: Path, mode: str, level: int) -> None:
    database = Database(tmp_path / "x.db", synchronous=mode)  # type: ignore[arg-type]
    database.open()
    try:
        assert _pragma(database, "synchronous") == level
    finally:
        database.close()


def test_every_call_runs_on_the_one_db_thread(db: Database) -> None:
    names = {db.call(lambda d: threading.current_thread().name) for _ in range(5)}
    other: list[str] = []
    thread = threading.Thread(target=lambda: other.append(db.call(lambda d: threading.current_thread().name)))
    thread.start()
    thread.join(5)
    names |= set(other)
    assert len(names) == 1
    assert next(iter(names)).startswith("studio-db")
    assert threading.current_thread().name not in names


def test_nested_call_on_the_db_thread_does_not_deadlock(db: Database) -> None:
    def outer(d: object) -> int:
        return db.call(lambda d2: 41) + 1

    assert db.call(outer) == 42


def test_call_propagates_errors(db: Database) -> None:
    def broken(d: object) -> None:
        raise KeyError("nope")

    with pytest.raises(KeyError):
        db.call(broken)
    assert db.call(lambda d: 1) == 1  # the thread survives


async def test_run_from_an_event_loop_does_not_block_it(db: Database) -> None:
    gate = threading.Event()
    loop_ticks = 0

    def slow(d: object) -> str:
        if not gate.wait(5):
            return "timed out"
        return "done"

    task = asyncio.ensure_future(db.run(slow))
    # The loop keeps running while the DB thread waits; the loop itself opens the gate.
    for _ in range(3):
        await asyncio.sleep(0)
        loop_ticks += 1
    gate.set()
    assert await asyncio.wait_for(task, 5) == "done"
    assert loop_ticks == 3


async def test_run_returns_values_and_raises_errors(db: Database) -> None:
    db.call(lambda d: d["t"].insert({"id": 1, "name": "a"}, pk="id"))
    assert await db.run(lambda d: d["t"].count) == 1

    def broken(d: object) -> None:
        raise ValueError("bad query")

    with pytest.raises(ValueError, match="bad query"):
        await db.run(broken)


async def test_run_on_a_closed_database(tmp_path: Path) -> None:
    database = Database(tmp_path / "x.db")
    with pytest.raises(StorageError, match="not open"):
        await database.run(lambda d: 1)


def test_call_before_open_and_after_close(tmp_path: Path) -> None:
    database = Database(tmp_path / "x.db")
    with pytest.raises(StorageError, match="not open"):
        database.call(lambda d: 1)
    database.open()
    database.open()  # idempotent
    database.close()
    database.close()  # idempotent
    assert not database.is_open
    with pytest.raises(StorageError, match="not open"):
        database.call(lambda d: 1)


def test_close_checkpoints_the_wal_and_stops_the_thread(tmp_path: Path) -> None:
    database = Database(tmp_path / "x.db")
    database.open()
    database.call(lambda d: d["t"].insert_all(({"id": i, "v": "x" * 100} for i in range(500)), pk="id"))
    wal = tmp_path / "x.db-wal"
    assert wal.exists()
    assert wal.stat().st_size > 0
    database.close()
    assert not wal.exists() or wal.stat().st_size == 0
    assert not [t for t in threading.enumerate() if t.name.startswith("studio-db")]


def _open_files_under(folder: Path) -> list[str]:
    return [f.path for f in psutil.Process().open_files() if f.path.startswith(str(folder))]


def test_a_file_that_is_not_a_database_is_a_storage_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not SQLite" * 1000)
    database = Database(bad)
    with pytest.raises(StorageError, match="Cannot open the database"):
        database.open()
    assert not database.is_open
    assert not [t for t in threading.enumerate() if t.name.startswith("studio-db")]
    assert _open_files_under(tmp_path) == []  # the connection was closed, not left to the GC


def test_a_folder_that_cannot_be_created_is_a_storage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("file")
    database = Database(blocker / "studio.db")
    with pytest.raises(StorageError, match="Cannot open the database"):
        database.open()
    assert not database.is_open
