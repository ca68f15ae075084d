"""The ``avatars`` table: imported avatars (and the built-in avatar's settings).

Paths are stored relative to the avatar library folder so a profile can move; the settings are
the JSON of ``studio.avatar.settings.AvatarSettings`` (kept as text here, so storage does not
depend on the avatar package).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import sqlite_utils

from studio.storage.db import Database


@dataclass(frozen=True, slots=True)
class AvatarRow:
    """One avatar.

    Attributes:
        id: Stable id, also the folder name (``mao``, ``mao-2``).
        kind: ``live2d`` or ``pngtuber``.
        folder: The avatar's folder, relative to the library folder ("" for the built-in avatar).
        model_file: The model json relative to ``folder`` ("" when there is none).
        settings: ``AvatarSettings`` as JSON.
    """

    id: str
    name: str
    kind: str
    folder: str
    model_file: str
    settings: str
    created_at: float
    updated_at: float


def _row(r: dict[str, Any]) -> AvatarRow:
    return AvatarRow(
        str(r["id"]),
        str(r["name"]),
        str(r["kind"]),
        str(r["folder"]),
        str(r["model_file"]),
        str(r["settings"]),
        float(r["created_at"]),
        float(r["updated_at"]),
    )


class AvatarRepo:
    """Typed access to ``avatars``. Blocking calls (they wait for the DB thread)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def all(self) -> list[AvatarRow]:
        """Every row, oldest first."""
        return self._db.call(
            lambda db: [_row(r) for r in db.table("avatars").rows_where(order_by="created_at, id")]
        )

    def get(self, avatar_id: str) -> AvatarRow | None:
        """The row with ``avatar_id``, or ``None``."""

        def _get(db: sqlite_utils.Database) -> AvatarRow | None:
            rows = list(db.table("avatars").rows_where("id = ?", [avatar_id]))
            return _row(rows[0]) if rows else None

        return self._db.call(_get)

    def insert(self, row: AvatarRow) -> None:
        """Add a row (committed on return).

        Raises:
            sqlite3.IntegrityError: the id exists.
        """

        def _insert(db: sqlite_utils.Database) -> None:
            with db.atomic():
                db.table("avatars").insert(asdict(row))

        self._db.call(_insert)

    def upsert(self, row: AvatarRow) -> None:
        """Add or replace a row (committed on return)."""

        def _upsert(db: sqlite_utils.Database) -> None:
            with db.atomic():
                db.table("avatars").upsert(asdict(row), pk="id")

        self._db.call(_upsert)

    def update(self, avatar_id: str, updated_at: float, **values: str) -> bool:
        """Set ``name`` and/or ``settings`` of a row; False when there is no such row."""
        allowed = {"name", "settings"}
        if not values or set(values) - allowed:
            raise ValueError(f"only {sorted(allowed)} can be updated")

        def _update(db: sqlite_utils.Database) -> bool:
            columns = ", ".join(f"{k} = ?" for k in values)
            with db.atomic():
                cursor = db.execute(
                    f"UPDATE avatars SET {columns}, updated_at = ? WHERE id = ?",  # noqa: S608 (fixed column names)
                    [*values.values(), updated_at, avatar_id],
                )
            return cursor.rowcount > 0

        return self._db.call(_update)

    def delete(self, avatar_id: str) -> bool:
        """Remove a row; False when there was none."""

        def _delete(db: sqlite_utils.Database) -> bool:
            with db.atomic():
                cursor = db.execute("DELETE FROM avatars WHERE id = ?", [avatar_id])
            return cursor.rowcount > 0

        return self._db.call(_delete)
