"""Per-user preferences and background-image records (tables of migration 4).

The preferences are one JSON document per user, stored as text. Secrets never arrive here: the API
layer moves API keys, stream keys, tokens and passwords to the secrets store first and keeps only a
``"***"`` placeholder in the document. Background images live as files under the data folder; this
table records which files each user uploaded (name, type, size), so "latest" is the last upload
and a request can only name a file it knows.

Every query runs on the DB thread; the methods are coroutines for the engine loop.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlite_utils

from studio.core.errors import StorageError
from studio.storage.db import Database

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class BackgroundRow:
    """One uploaded background image.

    Attributes:
        name: The stored file name inside the user's background folder (made by the studio).
        content_type: ``image/png``, ``image/jpeg``, ``image/webp`` or ``image/gif``.
        size: Bytes of the file.
    """

    id: int
    user_id: int
    name: str
    content_type: str
    size: int
    width: int
    height: int
    created_at: float


def _background(r: dict[str, Any]) -> BackgroundRow:
    return BackgroundRow(
        int(r["id"]),
        int(r["user_id"]),
        str(r["name"]),
        str(r["content_type"]),
        int(r["size"]),
        int(r["width"]),
        int(r["height"]),
        float(r["created_at"]),
    )


class DuplicateBackgroundError(StorageError):
    """The user already has a background with this file name."""

    code = "duplicate_background"


class _Repo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def _run(self, fn: Callable[[sqlite_utils.Database], T]) -> T:
        return await self._db.run(fn)


class PreferencesRepo(_Repo):
    """Typed access to ``user_preferences`` (one JSON object per user)."""

    async def get(self, user_id: int) -> dict[str, Any] | None:
        """The stored document of ``user_id``, or ``None`` when the user never saved one."""

        def _get(db: sqlite_utils.Database) -> str | None:
            row = db.execute("SELECT json FROM user_preferences WHERE user_id = ?", [user_id]).fetchone()
            return None if row is None else str(row[0])

        text = await self._run(_get)
        if text is None:
            return None
        try:
            doc = json.loads(text)
        except ValueError as exc:
            raise StorageError(f"The stored preferences of user {user_id} are damaged.") from exc
        if not isinstance(doc, dict):
            raise StorageError(f"The stored preferences of user {user_id} are damaged.")
        return doc

    async def put(self, user_id: int, doc: dict[str, Any]) -> None:
        """Replace the document of ``user_id`` (committed on return).

        Raises:
            StorageError: no such user (the row references ``users``).
        """
        text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))

        def _put(db: sqlite_utils.Database) -> None:
            try:
                with db.atomic():
                    db.execute(
                        "INSERT INTO user_preferences (user_id, json, updated_at) VALUES (?, ?, ?) "
                        "ON CONFLICT (user_id) DO UPDATE SET json = excluded.json, "
                        "updated_at = excluded.updated_at",
                        [user_id, text, time.time()],
                    )
            except sqlite3.IntegrityError as exc:
                raise StorageError(f"Cannot save preferences: no user {user_id}.") from exc

        await self._run(_put)

    async def delete(self, user_id: int) -> bool:
        """Forget the document of ``user_id``; True if there was one."""

        def _delete(db: sqlite_utils.Database) -> bool:
            with db.atomic():
                cur = db.execute("DELETE FROM user_preferences WHERE user_id = ?", [user_id])
            return bool(cur.rowcount)

        return await self._run(_delete)


class BackgroundRepo(_Repo):
    """Typed access to ``backgrounds`` (records of uploaded background images)."""

    async def add(
        self, user_id: int, name: str, content_type: str, size: int, width: int, height: int
    ) -> BackgroundRow:
        """Record an uploaded file (committed on return).

        Raises:
            DuplicateBackgroundError: the user already has a file called ``name``.
        """

        def _add(db: sqlite_utils.Database) -> BackgroundRow:
            now = time.time()
            try:
                with db.atomic():
                    cur = db.execute(
                        "INSERT INTO backgrounds (user_id, name, content_type, size, width, height, "
                        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [user_id, name, content_type, size, width, height, now],
                    )
            except sqlite3.IntegrityError as exc:
                raise DuplicateBackgroundError(f"Background {name!r} exists already.") from exc
            assert cur.lastrowid is not None
            return BackgroundRow(int(cur.lastrowid), user_id, name, content_type, size, width, height, now)

        return await self._run(_add)

    async def list(self, user_id: int) -> list[BackgroundRow]:
        """The user's backgrounds, newest first."""
        return await self._run(
            lambda db: [
                _background(r)
                for r in db.table("backgrounds").rows_where("user_id = ?", [user_id], order_by="id DESC")
            ]
        )

    async def get(self, user_id: int, name: str) -> BackgroundRow | None:
        """The user's background called ``name``, or ``None``."""

        def _get(db: sqlite_utils.Database) -> BackgroundRow | None:
            rows = list(
                db.table("backgrounds").rows_where("user_id = ? AND name = ?", [user_id, name], limit=1)
            )
            return _background(rows[0]) if rows else None

        return await self._run(_get)

    async def latest(self, user_id: int) -> BackgroundRow | None:
        """The user's most recent upload, or ``None``."""

        def _latest(db: sqlite_utils.Database) -> BackgroundRow | None:
            rows = list(
                db.table("backgrounds").rows_where("user_id = ?", [user_id], order_by="id DESC", limit=1)
            )
            return _background(rows[0]) if rows else None

        return await self._run(_latest)

    async def delete(self, user_id: int, name: str) -> bool:
        """Forget the record of ``name``; True if there was one."""

        def _delete(db: sqlite_utils.Database) -> bool:
            with db.atomic():
                cur = db.execute("DELETE FROM backgrounds WHERE user_id = ? AND name = ?", [user_id, name])
            return bool(cur.rowcount)

        return await self._run(_delete)

    async def owner_id(self) -> int | None:
        """The studio owner's user id: the oldest admin account (``None`` when there is none)."""

        def _owner(db: sqlite_utils.Database) -> int | None:
            row = db.execute("SELECT id FROM users WHERE is_admin = 1 ORDER BY id LIMIT 1").fetchone()
            return None if row is None else int(row[0])

        return await self._run(_owner)
