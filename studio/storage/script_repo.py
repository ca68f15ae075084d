"""The ``scripts`` table of migration 6: script mode's scripts.

A script's chapters and sentences are stored as the JSON of ``studio.brain.script.Script``
(``Script.to_json`` / ``Script.from_json``), kept as text here so storage does not depend on the
brain package; title, topic and language are columns for the GUI's list. Every query runs on the
DB thread; the methods are coroutines for the engine loop, and writes are committed before they
return.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Protocol

import sqlite_utils

from studio.storage.db import Database

__all__ = ["ScriptLike", "ScriptRepo", "ScriptRow", "ScriptSummary"]


class ScriptLike(Protocol):
    """What the repo needs of a script (``studio.brain.script.Script`` is one)."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def topic(self) -> str: ...
    @property
    def language(self) -> str: ...
    def to_json(self) -> str: ...


@dataclass(frozen=True, slots=True)
class ScriptSummary:
    """A stored script without its text (for lists)."""

    id: str
    title: str
    topic: str
    language: str
    created_at: float
    updated_at: float


@dataclass(frozen=True, slots=True)
class ScriptRow:
    """A stored script; ``json`` is ``Script.to_json()`` output."""

    id: str
    title: str
    topic: str
    language: str
    json: str
    created_at: float
    updated_at: float


_SUMMARY_BY_ID = "SELECT id, title, topic, language, created_at, updated_at FROM scripts WHERE id = ?"
_SUMMARIES = (
    "SELECT id, title, topic, language, created_at, updated_at FROM scripts ORDER BY updated_at DESC, id"
)


def _summary(r: Any) -> ScriptSummary:
    return ScriptSummary(str(r[0]), str(r[1]), str(r[2]), str(r[3]), float(r[4]), float(r[5]))


class ScriptRepo:
    """Typed access to ``scripts`` (engine loop)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def save(self, script: ScriptLike) -> ScriptSummary:
        """Insert or replace ``script`` (by id); ``created_at`` survives updates."""
        text = script.to_json()
        sid, title, topic, language = script.id, script.title, script.topic, script.language

        def _save(db: sqlite_utils.Database) -> ScriptSummary:
            now = time.time()
            with db.atomic():
                db.execute(
                    "INSERT INTO scripts (id, title, topic, language, json, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET title = excluded.title, "
                    "topic = excluded.topic, language = excluded.language, json = excluded.json, "
                    "updated_at = excluded.updated_at",
                    [sid, title, topic, language, text, now, now],
                )
                row = db.execute(_SUMMARY_BY_ID, [sid]).fetchone()
            return _summary(row)

        return await self._db.run(_save)

    async def get(self, script_id: str) -> ScriptRow | None:
        """The script ``script_id``, or ``None``."""

        def _get(db: sqlite_utils.Database) -> ScriptRow | None:
            r = db.execute(
                "SELECT id, title, topic, language, json, created_at, updated_at FROM scripts WHERE id = ?",
                [script_id],
            ).fetchone()
            if r is None:
                return None
            return ScriptRow(str(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), float(r[5]), float(r[6]))

        return await self._db.run(_get)

    async def list(self) -> list[ScriptSummary]:
        """Every script, most recently changed first."""
        return await self._db.run(lambda db: [_summary(r) for r in db.execute(_SUMMARIES).fetchall()])

    async def delete(self, script_id: str) -> bool:
        """Delete ``script_id``; ``False`` when there was no such script."""

        def _delete(db: sqlite_utils.Database) -> bool:
            with db.atomic():
                cursor = db.execute("DELETE FROM scripts WHERE id = ?", [script_id])
            return cursor.rowcount > 0

        return await self._db.run(_delete)
