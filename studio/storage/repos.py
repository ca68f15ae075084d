"""Typed repositories over the database. Rows cross module boundaries as dataclasses, never dicts."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from studio.core.logging import redactor
from studio.storage.db import Database


@dataclass(frozen=True, slots=True)
class EventLogRow:
    """A persisted event: errors, stream sessions, anything a streamer may want to look back at."""

    kind: str
    source: str
    message: str
    data: dict[str, Any] = field(default_factory=dict)
    ts: float = field(default_factory=time.time)
    id: int | None = None


class EventLogRepo:
    """Append-only event journal (``event_log`` table)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    @staticmethod
    def _insert(db: sqlite_utils.Database, row: EventLogRow) -> int:
        # Error messages can carry a key (a provider echoing it, a URL with ?api_key=): secrets never
        # reach the database, as they never reach the log.
        with db.atomic():
            table = db.table("event_log")
            table.insert(
                {
                    "ts": row.ts,
                    "kind": row.kind,
                    "source": redactor.redact(row.source),
                    "message": redactor.redact(row.message),
                    "data": json.dumps(redactor.redact_value(row.data), ensure_ascii=False),
                }
            )
            last = table.last_rowid
        assert last is not None
        return int(last)

    def append(self, row: EventLogRow) -> int:
        """Store ``row``; returns its id once committed (blocking; not on the engine loop)."""
        return self._db.call(lambda db: self._insert(db, row))

    async def append_async(self, row: EventLogRow) -> int:
        """Store ``row`` from the engine loop; returns its id once committed."""
        return await self._db.run(lambda db: self._insert(db, row))

    def recent(self, limit: int = 100, kind: str | None = None) -> list[EventLogRow]:
        """The newest rows first."""

        def _query(db: sqlite_utils.Database) -> list[EventLogRow]:
            where, args = ("kind = ?", [kind]) if kind else (None, [])
            rows = db.table("event_log").rows_where(where, args, order_by="id desc", limit=limit)
            return [
                EventLogRow(
                    r["kind"], r["source"], r["message"], json.loads(r["data"] or "{}"), r["ts"], r["id"]
                )
                for r in rows
            ]

        return self._db.call(_query)

    def ids(self) -> set[int]:
        """All row ids (used by integrity checks and tests)."""
        return self._db.call(lambda db: {int(r[0]) for r in db.execute("SELECT id FROM event_log")})


class MetaRepo:
    """Small key/value facts about this installation (first run time, last version seen ...)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, key: str) -> str | None:
        """The value of ``key`` or ``None``."""

        def _get(db: sqlite_utils.Database) -> str | None:
            row = db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
            return None if row is None else str(row[0])

        return self._db.call(_get)

    def set(self, key: str, value: str) -> None:
        """Store ``key`` = ``value`` (committed on return)."""

        def _set(db: sqlite_utils.Database) -> None:
            with db.atomic():
                db.table("meta").upsert({"key": key, "value": value, "updated_at": time.time()}, pk="key")

        self._db.call(_set)
