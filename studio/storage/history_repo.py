"""Conversation tables of migration 5: personas, chat histories, messages and rolling summaries.

Every query runs on the DB thread; the methods are coroutines for the engine loop. Writes are
committed before they return.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import sqlite_utils

from studio.core.errors import StorageError
from studio.storage.db import Database

__all__ = ["HistoryRepo", "HistoryRow", "MessageRow", "PersonaRepo", "PersonaRow", "SummaryRow"]

T = TypeVar("T")
MessageRole = Literal["system", "user", "assistant"]


@dataclass(frozen=True, slots=True)
class PersonaRow:
    """A stored character card (``emotions`` as a tuple of emotion names)."""

    id: str
    name: str
    system_prompt: str
    speaking_style: str
    emotions: tuple[str, ...]
    created_at: float
    updated_at: float


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One conversation."""

    id: str
    title: str
    persona_id: str
    created_at: float
    updated_at: float


@dataclass(frozen=True, slots=True)
class MessageRow:
    """One message. ``heard_text`` is what was actually spoken when a barge-in cut the reply."""

    id: int
    history_id: str
    role: MessageRole
    text: str
    heard_text: str | None
    source: str
    ts: float


@dataclass(frozen=True, slots=True)
class SummaryRow:
    """A rolling summary of the history's messages up to and including ``upto_message_id``."""

    id: int
    history_id: str
    upto_message_id: int
    text: str
    ts: float


def _persona(r: Any) -> PersonaRow:
    emotions = json.loads(r[4])
    return PersonaRow(str(r[0]), str(r[1]), str(r[2]), str(r[3]), tuple(map(str, emotions)), r[5], r[6])


def _history(r: Any) -> HistoryRow:
    return HistoryRow(str(r[0]), str(r[1]), str(r[2]), float(r[3]), float(r[4]))


def _message(r: Any) -> MessageRow:
    return MessageRow(int(r[0]), str(r[1]), r[2], str(r[3]), r[4], str(r[5]), float(r[6]))


class _Repo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def _run(self, fn: Callable[[sqlite_utils.Database], T]) -> T:
        return await self._db.run(fn)


class PersonaRepo(_Repo):
    """Typed access to ``personas``."""

    async def get(self, persona_id: str) -> PersonaRow | None:
        """The persona ``persona_id`` or ``None``."""

        def _get(db: sqlite_utils.Database) -> PersonaRow | None:
            row = db.execute(
                "SELECT id, name, system_prompt, speaking_style, emotions, created_at, updated_at "
                "FROM personas WHERE id = ?",
                [persona_id],
            ).fetchone()
            return None if row is None else _persona(row)

        return await self._run(_get)

    async def all(self) -> list[PersonaRow]:
        """Every persona, oldest first."""
        return await self._run(
            lambda db: [
                _persona(r)
                for r in db.execute(
                    "SELECT id, name, system_prompt, speaking_style, emotions, created_at, updated_at "
                    "FROM personas ORDER BY created_at, id"
                ).fetchall()
            ]
        )

    async def upsert(self, row: PersonaRow) -> None:
        """Insert or replace ``row`` (``created_at`` of an existing row is kept)."""

        def _put(db: sqlite_utils.Database) -> None:
            with db.atomic():
                db.execute(
                    "INSERT INTO personas "
                    "(id, name, system_prompt, speaking_style, emotions, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
                    "system_prompt = excluded.system_prompt, speaking_style = excluded.speaking_style, "
                    "emotions = excluded.emotions, updated_at = excluded.updated_at",
                    [
                        row.id,
                        row.name,
                        row.system_prompt,
                        row.speaking_style,
                        json.dumps(list(row.emotions)),
                        row.created_at,
                        row.updated_at,
                    ],
                )

        await self._run(_put)

    async def delete(self, persona_id: str) -> bool:
        """Remove ``persona_id``; True if it existed."""

        def _del(db: sqlite_utils.Database) -> bool:
            with db.atomic():
                return db.execute("DELETE FROM personas WHERE id = ?", [persona_id]).rowcount > 0

        return await self._run(_del)


class HistoryRepo(_Repo):
    """Typed access to ``histories``, ``messages`` and ``history_summaries``."""

    async def create(self, persona_id: str, title: str = "", history_id: str | None = None) -> HistoryRow:
        """Start a conversation; ``history_id`` defaults to a new random id."""
        now = time.time()
        row = HistoryRow(history_id or uuid.uuid4().hex, title, persona_id, now, now)

        def _create(db: sqlite_utils.Database) -> None:
            try:
                with db.atomic():
                    db.execute(
                        "INSERT INTO histories (id, title, persona_id, created_at, updated_at) "
                        "VALUES (?, ?, ?, ?, ?)",
                        [row.id, row.title, row.persona_id, row.created_at, row.updated_at],
                    )
            except sqlite3.IntegrityError as exc:
                raise StorageError(f"A history with id {row.id!r} exists already.") from exc

        await self._run(_create)
        return row

    async def get(self, history_id: str) -> HistoryRow | None:
        """The history ``history_id`` or ``None``."""

        def _get(db: sqlite_utils.Database) -> HistoryRow | None:
            row = db.execute(
                "SELECT id, title, persona_id, created_at, updated_at FROM histories WHERE id = ?",
                [history_id],
            ).fetchone()
            return None if row is None else _history(row)

        return await self._run(_get)

    async def all(self, persona_id: str | None = None) -> list[HistoryRow]:
        """Histories, most recently updated first (optionally of one persona)."""

        def _all(db: sqlite_utils.Database) -> list[HistoryRow]:
            sql = "SELECT id, title, persona_id, created_at, updated_at FROM histories"
            order = " ORDER BY updated_at DESC, rowid DESC"
            if persona_id:
                cur = db.execute(sql + " WHERE persona_id = ?" + order, [persona_id])
            else:
                cur = db.execute(sql + order)
            return [_history(r) for r in cur.fetchall()]

        return await self._run(_all)

    async def rename(self, history_id: str, title: str) -> bool:
        """Set the title; True if the history exists."""

        def _rename(db: sqlite_utils.Database) -> bool:
            with db.atomic():
                cur = db.execute("UPDATE histories SET title = ? WHERE id = ?", [title, history_id])
                return cur.rowcount > 0

        return await self._run(_rename)

    async def delete(self, history_id: str) -> bool:
        """Delete a history with its messages and summaries; True if it existed."""

        def _del(db: sqlite_utils.Database) -> bool:
            with db.atomic():
                return db.execute("DELETE FROM histories WHERE id = ?", [history_id]).rowcount > 0

        return await self._run(_del)

    async def add_message(
        self,
        history_id: str,
        role: MessageRole,
        text: str,
        *,
        heard_text: str | None = None,
        source: str = "",
    ) -> MessageRow:
        """Append a message (and touch the history's ``updated_at``).

        Raises:
            StorageError: no such history.
        """
        ts = time.time()

        def _add(db: sqlite_utils.Database) -> int:
            try:
                with db.atomic():
                    cur = db.execute(
                        "INSERT INTO messages (history_id, role, text, heard_text, source, ts) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        [history_id, role, text, heard_text, source, ts],
                    )
                    db.execute("UPDATE histories SET updated_at = ? WHERE id = ?", [ts, history_id])
                    return int(cur.lastrowid or 0)
            except sqlite3.IntegrityError as exc:
                raise StorageError(f"Cannot add a message: no history {history_id!r}.") from exc

        message_id = await self._run(_add)
        return MessageRow(message_id, history_id, role, text, heard_text, source, ts)

    async def set_heard(self, message_id: int, heard_text: str) -> bool:
        """Record what was actually spoken of a reply cut by a barge-in; True if it exists."""

        def _set(db: sqlite_utils.Database) -> bool:
            with db.atomic():
                cur = db.execute("UPDATE messages SET heard_text = ? WHERE id = ?", [heard_text, message_id])
                return cur.rowcount > 0

        return await self._run(_set)

    async def messages(
        self, history_id: str, after_id: int = 0, limit: int | None = None
    ) -> list[MessageRow]:
        """Messages with ``id > after_id``, oldest first; ``limit`` keeps the newest ones."""

        def _list(db: sqlite_utils.Database) -> list[MessageRow]:
            sql = (
                "SELECT id, history_id, role, text, heard_text, source, ts FROM messages "
                "WHERE history_id = ? AND id > ? ORDER BY id DESC"
            )
            args: list[Any] = [history_id, after_id]
            if limit is not None:
                sql += " LIMIT ?"
                args.append(limit)
            return [_message(r) for r in reversed(db.execute(sql, args).fetchall())]

        return await self._run(_list)

    async def add_summary(self, history_id: str, upto_message_id: int, text: str) -> SummaryRow:
        """Store a rolling summary covering messages up to ``upto_message_id``."""
        ts = time.time()

        def _add(db: sqlite_utils.Database) -> int:
            with db.atomic():
                cur = db.execute(
                    "INSERT INTO history_summaries (history_id, upto_message_id, text, ts) "
                    "VALUES (?, ?, ?, ?)",
                    [history_id, upto_message_id, text, ts],
                )
                return int(cur.lastrowid or 0)

        return SummaryRow(await self._run(_add), history_id, upto_message_id, text, ts)

    async def latest_summary(self, history_id: str) -> SummaryRow | None:
        """The newest summary of ``history_id`` or ``None``."""

        def _get(db: sqlite_utils.Database) -> SummaryRow | None:
            r = db.execute(
                "SELECT id, history_id, upto_message_id, text, ts FROM history_summaries "
                "WHERE history_id = ? ORDER BY id DESC LIMIT 1",
                [history_id],
            ).fetchone()
            return None if r is None else SummaryRow(int(r[0]), str(r[1]), int(r[2]), str(r[3]), float(r[4]))

        return await self._run(_get)
