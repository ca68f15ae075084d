"""Schema migrations, applied in order and recorded in ``schema_migrations``.

Append new steps to :data:`MIGRATIONS`; never edit a released one. Each step runs in its own
transaction together with the row that records it, so a crash leaves the schema at a clean step.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlite_utils

from studio.core.errors import StorageError


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema step."""

    version: int
    name: str
    apply: Callable[[sqlite_utils.Database], None]


def _m1_initial(db: sqlite_utils.Database) -> None:
    db.table("meta").create({"key": str, "value": str, "updated_at": float}, pk="key")
    db.table("event_log").create(
        {"id": int, "ts": float, "kind": str, "source": str, "message": str, "data": str},
        pk="id",
    )
    db.table("event_log").create_index(["ts"])
    db.table("event_log").create_index(["kind", "ts"])


def _m2_avatars(db: sqlite_utils.Database) -> None:
    db.table("avatars").create(
        {
            "id": str,
            "name": str,
            "kind": str,
            "folder": str,
            "model_file": str,
            "settings": str,
            "created_at": float,
            "updated_at": float,
        },
        pk="id",
        not_null={"name", "kind", "folder", "model_file", "settings", "created_at", "updated_at"},
    )


def _m3_users(db: sqlite_utils.Database) -> None:
    # Raw SQL: the CHECK constraints, NOCASE uniqueness and the cascade need it.
    db.execute(
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            username TEXT NOT NULL COLLATE NOCASE UNIQUE
                CHECK (length(username) BETWEEN 3 AND 20),
            email TEXT NOT NULL COLLATE NOCASE UNIQUE,
            password_hash TEXT NOT NULL,
            email_verified INTEGER NOT NULL DEFAULT 0,
            is_admin INTEGER NOT NULL DEFAULT 0,
            created_at REAL NOT NULL,
            tokens_valid_after REAL NOT NULL DEFAULT 0
        )
        """
    )
    db.execute(
        """
        CREATE TABLE email_codes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            purpose TEXT NOT NULL CHECK (purpose IN ('register', 'reset')),
            email TEXT NOT NULL COLLATE NOCASE,
            code_hash TEXT NOT NULL,
            created_at REAL NOT NULL,
            expires_at REAL NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            used INTEGER NOT NULL DEFAULT 0
        )
        """
    )
    db.execute("CREATE INDEX idx_email_codes_email ON email_codes (email, purpose)")
    db.execute("CREATE TABLE revoked_tokens (jti TEXT PRIMARY KEY, expires_at REAL NOT NULL)")
    db.execute("CREATE INDEX idx_revoked_tokens_expires ON revoked_tokens (expires_at)")
    db.execute(
        """
        CREATE TABLE api_tokens (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            token_hash TEXT NOT NULL UNIQUE,
            created_at REAL NOT NULL,
            last_used_at REAL,
            revoked INTEGER NOT NULL DEFAULT 0
        )
        """
    )
    db.execute("CREATE INDEX idx_api_tokens_user ON api_tokens (user_id)")


def _m4_preferences(db: sqlite_utils.Database) -> None:
    # Secrets never land here: the API keeps "***" placeholders and the values in the secrets store.
    db.execute(
        """
        CREATE TABLE user_preferences (
            user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
            json TEXT NOT NULL,
            updated_at REAL NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE backgrounds (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            content_type TEXT NOT NULL,
            size INTEGER NOT NULL,
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            created_at REAL NOT NULL,
            UNIQUE (user_id, name)
        )
        """
    )
    db.execute("CREATE INDEX idx_backgrounds_user ON backgrounds (user_id, id)")


def _m5_conversations(db: sqlite_utils.Database) -> None:
    # Personas (character cards), chat histories, their messages and rolling summaries.
    db.execute(
        """
        CREATE TABLE personas (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            system_prompt TEXT NOT NULL,
            speaking_style TEXT NOT NULL DEFAULT '',
            emotions TEXT NOT NULL DEFAULT '[]',
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE histories (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL DEFAULT '',
            persona_id TEXT NOT NULL,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX idx_histories_updated ON histories (updated_at)")
    db.execute(
        """
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            history_id TEXT NOT NULL REFERENCES histories (id) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
            text TEXT NOT NULL,
            heard_text TEXT,
            source TEXT NOT NULL DEFAULT '',
            ts REAL NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX idx_messages_history ON messages (history_id, id)")
    db.execute(
        """
        CREATE TABLE history_summaries (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            history_id TEXT NOT NULL REFERENCES histories (id) ON DELETE CASCADE,
            upto_message_id INTEGER NOT NULL,
            text TEXT NOT NULL,
            ts REAL NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX idx_history_summaries ON history_summaries (history_id, id)")


def _m6_scripts(db: sqlite_utils.Database) -> None:
    # Script mode's scripts; the chapters and sentences are the script's JSON (studio.brain.script).
    db.execute(
        """
        CREATE TABLE scripts (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            topic TEXT NOT NULL DEFAULT '',
            language TEXT NOT NULL DEFAULT 'zh',
            json TEXT NOT NULL,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX idx_scripts_updated ON scripts (updated_at)")


def _m7_speakers(db: sqlite_utils.Database) -> None:
    # The voice cloning library: reference recordings (files under data/voices/speakers) and their
    # editable transcripts. ``file`` is the stored file's name, relative to that folder.
    db.execute(
        """
        CREATE TABLE speakers (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            file TEXT NOT NULL UNIQUE,
            transcript TEXT NOT NULL DEFAULT '',
            language TEXT NOT NULL DEFAULT '',
            duration_s REAL NOT NULL,
            sample_rate INTEGER NOT NULL,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX idx_speakers_created ON speakers (created_at)")


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial: meta, event_log", _m1_initial),
    Migration(2, "avatars", _m2_avatars),
    Migration(3, "users, email codes, revoked tokens, API tokens", _m3_users),
    Migration(4, "user preferences, background images", _m4_preferences),
    Migration(5, "personas, chat histories, messages, rolling summaries", _m5_conversations),
    Migration(6, "scripts", _m6_scripts),
    Migration(7, "speakers (voice cloning library)", _m7_speakers),
)


def current_version(db: sqlite_utils.Database) -> int:
    """Highest applied migration (0 for a new database)."""
    if "schema_migrations" not in db.table_names():
        return 0
    row = db.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
    return int(row[0] or 0)


def apply_migrations(db: sqlite_utils.Database, migrations: tuple[Migration, ...]) -> list[int]:
    """Apply the steps newer than the database; return the versions applied.

    Raises:
        StorageError: the database was written by a newer studio.
    """
    versions = [m.version for m in migrations]
    if versions != sorted(set(versions)):
        raise StorageError("migrations must have unique, increasing versions")
    with db.atomic():
        if "schema_migrations" not in db.table_names():
            db.table("schema_migrations").create(
                {"version": int, "name": str, "applied_at": float}, pk="version"
            )
    have = current_version(db)
    newest = versions[-1] if versions else 0
    if have > newest:
        raise StorageError(
            f"The database is at schema version {have}, newer than this studio knows ({newest}). "
            "Update Cream Studio, or use another STUDIO_HOME."
        )
    applied: list[int] = []
    for migration in migrations:
        if migration.version <= have:
            continue
        with db.atomic():
            migration.apply(db)
            db.table("schema_migrations").insert(
                {"version": migration.version, "name": migration.name, "applied_at": time.time()}
            )
        applied.append(migration.version)
    return applied
