"""The studio database: SQLite through sqlite-utils, used only on its own thread.

Every call runs on one dedicated thread (SQLite connections are not shared between threads here),
so the engine loop never blocks on disk: ``await db.run(fn)`` from the loop, ``db.call(fn)`` from
other threads. A write returns only after its transaction has committed, so "acknowledged" always
means "on disk" (WAL; ``synchronous=FULL`` by default, so also after a power cut).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Literal, ParamSpec, TypeVar

import sqlite_utils

from studio.core.errors import StorageError
from studio.storage.migrations import MIGRATIONS, Migration, apply_migrations

log = logging.getLogger(__name__)

T = TypeVar("T")
P = ParamSpec("P")

DbFn = Callable[[sqlite_utils.Database], T]


class Database:
    """Owns the SQLite connection and the thread it lives on.

    Args:
        path: Database file (created if missing).
        synchronous: ``FULL`` (durable across power loss) or ``NORMAL`` (durable across app crashes).
        migrations: Schema steps to apply on :meth:`open` (the studio's by default).
    """

    def __init__(
        self,
        path: Path,
        synchronous: Literal["FULL", "NORMAL"] = "FULL",
        migrations: tuple[Migration, ...] = MIGRATIONS,
    ) -> None:
        self.path = path
        self._synchronous = synchronous
        self._migrations = migrations
        self._executor: ThreadPoolExecutor | None = None
        self._db: sqlite_utils.Database | None = None
        self._thread_id: int | None = None

    @property
    def is_open(self) -> bool:
        """True between :meth:`open` and :meth:`close`."""
        return self._executor is not None

    def open(self) -> None:
        """Start the DB thread, open the file, set WAL and apply pending migrations (blocking)."""
        if self._executor is not None:
            return
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="studio-db")
        try:
            self._executor.submit(self._open_on_thread).result()
        except BaseException:
            self._executor.shutdown(wait=True)
            self._executor = None
            raise

    def _open_on_thread(self) -> None:
        self._thread_id = threading.get_ident()
        conn: sqlite3.Connection | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=10)
            db = sqlite_utils.Database(conn, execute_plugins=False)
            mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                log.warning("database is not in WAL mode", extra={"journal_mode": mode})
            db.execute(f"PRAGMA synchronous={self._synchronous}")
            db.execute("PRAGMA foreign_keys=ON")
            db.execute("PRAGMA busy_timeout=10000")
            applied = apply_migrations(db, self._migrations)
        except BaseException as exc:
            if conn is not None:  # don't leave the file open until the GC finds the connection
                conn.close()
            if isinstance(exc, sqlite3.DatabaseError | OSError):
                raise StorageError(f"Cannot open the database {self.path}: {exc}") from exc
            raise
        self._db = db
        if applied:
            log.info("database migrated", extra={"applied": applied, "path": str(self.path)})

    def _execute(self, fn: DbFn[T]) -> T:
        if self._db is None:
            raise StorageError("The database is closed.")
        return fn(self._db)

    def call(self, fn: DbFn[T]) -> T:
        """Run ``fn(db)`` on the DB thread and wait for it (any thread except the DB thread)."""
        if self._executor is None:
            raise StorageError("The database is not open.")
        if threading.get_ident() == self._thread_id:
            return self._execute(fn)
        return self._executor.submit(self._execute, fn).result()

    async def run(self, fn: DbFn[T]) -> T:
        """Run ``fn(db)`` on the DB thread without blocking the calling event loop."""
        if self._executor is None:
            raise StorageError("The database is not open.")
        return await asyncio.wrap_future(self._executor.submit(self._execute, fn))

    def close(self) -> None:
        """Checkpoint, close the connection and stop the DB thread (blocking, idempotent)."""
        executor, self._executor = self._executor, None
        if executor is None:
            return

        def _close() -> None:
            if self._db is not None:
                try:
                    self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                finally:
                    self._db.conn.close()
                    self._db = None

        try:
            executor.submit(_close).result()
        finally:
            executor.shutdown(wait=True)
