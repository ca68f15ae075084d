"""Users, e-mail codes, revoked tokens and plugin API tokens (tables of migration 3).

Only hashes are stored here: password hashes (argon2), keyed hashes of e-mail codes and SHA-256
hashes of API tokens; never a password, code or token in plain text. Every query runs on the DB
thread; the repository's methods are coroutines for the engine loop (``await repo.get(1)``); the
CLI runs them with ``asyncio.run``.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import sqlite_utils

from studio.storage.db import Database

T = TypeVar("T")
CodePurpose = Literal["register", "reset"]


@dataclass(frozen=True, slots=True)
class UserRow:
    """One user account.

    Attributes:
        tokens_valid_after: Tokens issued before this time (epoch seconds) are refused (set when
            the password changes).
    """

    id: int
    username: str
    email: str
    password_hash: str
    email_verified: bool
    is_admin: bool
    created_at: float
    tokens_valid_after: float = 0.0


@dataclass(frozen=True, slots=True)
class EmailCodeRow:
    """One e-mailed code (registration or password reset); ``code_hash`` is a keyed hash."""

    id: int
    purpose: str
    email: str
    code_hash: str
    created_at: float
    expires_at: float
    attempts: int
    used: bool


@dataclass(frozen=True, slots=True)
class ApiTokenRow:
    """One long-lived plugin API token; ``token_hash`` is the SHA-256 hex of the token."""

    id: int
    user_id: int
    name: str
    token_hash: str
    created_at: float
    last_used_at: float | None
    revoked: bool


@dataclass(frozen=True, slots=True)
class UserAuthState:
    """What a request's authentication needs in one DB round trip."""

    user: UserRow | None
    jti_revoked: bool


class DuplicateUserError(Exception):
    """The username or e-mail is taken (``field`` says which)."""

    def __init__(self, field: Literal["username", "email"]) -> None:
        super().__init__(f"{field} already in use")
        self.field: Literal["username", "email"] = field


def _user(r: dict[str, Any]) -> UserRow:
    return UserRow(
        int(r["id"]),
        str(r["username"]),
        str(r["email"]),
        str(r["password_hash"]),
        bool(r["email_verified"]),
        bool(r["is_admin"]),
        float(r["created_at"]),
        float(r["tokens_valid_after"] or 0.0),
    )


def _code(r: dict[str, Any]) -> EmailCodeRow:
    return EmailCodeRow(
        int(r["id"]),
        str(r["purpose"]),
        str(r["email"]),
        str(r["code_hash"]),
        float(r["created_at"]),
        float(r["expires_at"]),
        int(r["attempts"]),
        bool(r["used"]),
    )


def _token(r: dict[str, Any]) -> ApiTokenRow:
    last = r["last_used_at"]
    return ApiTokenRow(
        int(r["id"]),
        int(r["user_id"]),
        str(r["name"]),
        str(r["token_hash"]),
        float(r["created_at"]),
        None if last is None else float(last),
        bool(r["revoked"]),
    )


def _one_user(db: sqlite_utils.Database, where: str, args: list[Any]) -> UserRow | None:
    rows = list(db.table("users").rows_where(where, args, limit=1))
    return _user(rows[0]) if rows else None


def _duplicate(exc: sqlite3.IntegrityError) -> DuplicateUserError | None:
    text = str(exc)
    if "users.username" in text:
        return DuplicateUserError("username")
    if "users.email" in text:
        return DuplicateUserError("email")
    return None


class UserRepo:
    """Typed access to ``users``, ``email_codes``, ``revoked_tokens`` and ``api_tokens``."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def _run(self, fn: Callable[[sqlite_utils.Database], T]) -> T:
        return await self._db.run(fn)

    # --- users -----------------------------------------------------------------------------------

    async def count(self) -> int:
        """Number of users."""
        return await self._run(lambda db: int(db.execute("SELECT COUNT(*) FROM users").fetchone()[0]))

    async def count_admins(self) -> int:
        """Number of admin users."""
        return await self._run(
            lambda db: int(db.execute("SELECT COUNT(*) FROM users WHERE is_admin = 1").fetchone()[0])
        )

    async def all(self) -> list[UserRow]:
        """Every user, oldest first."""
        return await self._run(lambda db: [_user(r) for r in db.table("users").rows_where(order_by="id")])

    async def get(self, user_id: int) -> UserRow | None:
        """The user with ``user_id``, or ``None``."""
        return await self._run(lambda db: _one_user(db, "id = ?", [user_id]))

    async def by_username(self, username: str) -> UserRow | None:
        """The user called ``username`` (case-insensitive), or ``None``."""
        return await self._run(lambda db: _one_user(db, "username = ?", [username]))

    async def by_email(self, email: str) -> UserRow | None:
        """The user with ``email`` (case-insensitive), or ``None``."""
        return await self._run(lambda db: _one_user(db, "email = ?", [email]))

    async def insert(
        self,
        username: str,
        email: str,
        password_hash: str,
        *,
        email_verified: bool,
        is_admin: bool,
        first_is_admin: bool = False,
    ) -> UserRow:
        """Add a user (committed on return).

        Args:
            first_is_admin: Make the user admin if the table is empty (checked in the same
                transaction, so two first registrations cannot both become admin).

        Raises:
            DuplicateUserError: the username or e-mail is taken.
        """

        def _insert(db: sqlite_utils.Database) -> UserRow:
            try:
                with db.atomic():
                    admin = is_admin
                    if first_is_admin and not admin:
                        admin = db.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 0
                    cursor = db.execute(
                        "INSERT INTO users (username, email, password_hash, email_verified, is_admin,"
                        " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                        [username, email, password_hash, int(email_verified), int(admin), time.time()],
                    )
                    new_id = cursor.lastrowid
            except sqlite3.IntegrityError as exc:
                dup = _duplicate(exc)
                if dup is None:
                    raise
                raise dup from exc
            row = _one_user(db, "id = ?", [new_id])
            assert row is not None
            return row

        return await self._run(_insert)

    async def update(self, user_id: int, **values: object) -> UserRow | None:
        """Change columns of a user; returns the new row, ``None`` when there is no such user.

        Allowed: ``username``, ``email``, ``password_hash``, ``email_verified``, ``is_admin``,
        ``tokens_valid_after``.

        Raises:
            DuplicateUserError: the new username or e-mail is taken.
        """
        allowed = {"username", "email", "password_hash", "email_verified", "is_admin", "tokens_valid_after"}
        if set(values) - allowed:
            raise ValueError(f"only {sorted(allowed)} can be updated")
        params = [int(v) if isinstance(v, bool) else v for v in values.values()]

        def _update(db: sqlite_utils.Database) -> UserRow | None:
            if values:
                columns = ", ".join(f"{k} = ?" for k in values)
                try:
                    with db.atomic():
                        db.execute(
                            f"UPDATE users SET {columns} WHERE id = ?",  # noqa: S608 (fixed column names)
                            [*params, user_id],
                        )
                except sqlite3.IntegrityError as exc:
                    dup = _duplicate(exc)
                    if dup is None:
                        raise
                    raise dup from exc
            return _one_user(db, "id = ?", [user_id])

        return await self._run(_update)

    async def delete(self, user_id: int) -> bool:
        """Remove a user (and their API tokens); False when there was none."""

        def _delete(db: sqlite_utils.Database) -> bool:
            with db.atomic():
                db.execute("DELETE FROM api_tokens WHERE user_id = ?", [user_id])
                cursor = db.execute("DELETE FROM users WHERE id = ?", [user_id])
            return cursor.rowcount > 0

        return await self._run(_delete)

    async def auth_state(self, user_id: int, jti: str) -> UserAuthState:
        """The user and whether ``jti`` is revoked, in one DB call (every authenticated request)."""

        def _state(db: sqlite_utils.Database) -> UserAuthState:
            revoked = db.execute("SELECT 1 FROM revoked_tokens WHERE jti = ?", [jti]).fetchone()
            return UserAuthState(_one_user(db, "id = ?", [user_id]), revoked is not None)

        return await self._run(_state)

    # --- e-mail codes ----------------------------------------------------------------------------

    async def add_code(self, purpose: CodePurpose, email: str, code_hash: str, ttl_s: float) -> EmailCodeRow:
        """Store a new code for ``email``; earlier unused codes of the same purpose stop working."""

        def _add(db: sqlite_utils.Database) -> EmailCodeRow:
            now = time.time()
            with db.atomic():
                db.execute(
                    "UPDATE email_codes SET used = 1 WHERE email = ? AND purpose = ? AND used = 0",
                    [email, purpose],
                )
                # Old rows are worth nothing: keep the table small.
                db.execute("DELETE FROM email_codes WHERE expires_at < ?", [now - 86400])
                cursor = db.execute(
                    "INSERT INTO email_codes (purpose, email, code_hash, created_at, expires_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    [purpose, email, code_hash, now, now + ttl_s],
                )
            return _code(next(iter(db.table("email_codes").rows_where("id = ?", [cursor.lastrowid]))))

        return await self._run(_add)

    async def live_code(self, purpose: CodePurpose, email: str) -> EmailCodeRow | None:
        """The newest unused code of ``email`` for ``purpose`` (expired or not), or ``None``."""

        def _live(db: sqlite_utils.Database) -> EmailCodeRow | None:
            rows = list(
                db.table("email_codes").rows_where(
                    "email = ? AND purpose = ? AND used = 0", [email, purpose], order_by="id desc", limit=1
                )
            )
            return _code(rows[0]) if rows else None

        return await self._run(_live)

    async def code_failed(self, code_id: int, max_attempts: int) -> int:
        """Count a wrong guess; the code is spent after ``max_attempts``. Returns the attempts so far."""

        def _failed(db: sqlite_utils.Database) -> int:
            with db.atomic():
                db.execute(
                    "UPDATE email_codes SET attempts = attempts + 1,"
                    " used = CASE WHEN attempts + 1 >= ? THEN 1 ELSE used END WHERE id = ?",
                    [max_attempts, code_id],
                )
            row = db.execute("SELECT attempts FROM email_codes WHERE id = ?", [code_id]).fetchone()
            return int(row[0]) if row else max_attempts

        return await self._run(_failed)

    async def use_code(self, code_id: int) -> bool:
        """Spend a code; False when it was already used (single use, also under a race)."""

        def _use(db: sqlite_utils.Database) -> bool:
            with db.atomic():
                cursor = db.execute("UPDATE email_codes SET used = 1 WHERE id = ? AND used = 0", [code_id])
            return cursor.rowcount > 0

        return await self._run(_use)

    # --- revoked tokens --------------------------------------------------------------------------

    async def revoke_jti(self, jti: str, expires_at: float) -> None:
        """Refuse the JWT ``jti`` from now on (kept until it would have expired anyway)."""

        def _revoke(db: sqlite_utils.Database) -> None:
            with db.atomic():
                db.execute("DELETE FROM revoked_tokens WHERE expires_at < ?", [time.time()])
                db.execute(
                    "INSERT OR REPLACE INTO revoked_tokens (jti, expires_at) VALUES (?, ?)", [jti, expires_at]
                )

        await self._run(_revoke)

    async def is_revoked(self, jti: str) -> bool:
        """True if ``jti`` was revoked."""
        return await self._run(
            lambda db: db.execute("SELECT 1 FROM revoked_tokens WHERE jti = ?", [jti]).fetchone() is not None
        )

    # --- API tokens ------------------------------------------------------------------------------

    async def add_api_token(self, user_id: int, name: str, token_hash: str) -> ApiTokenRow:
        """Store a new API token (its hash)."""

        def _add(db: sqlite_utils.Database) -> ApiTokenRow:
            with db.atomic():
                cursor = db.execute(
                    "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?)",
                    [user_id, name, token_hash, time.time()],
                )
            return _token(next(iter(db.table("api_tokens").rows_where("id = ?", [cursor.lastrowid]))))

        return await self._run(_add)

    async def api_tokens(self, user_id: int | None = None) -> list[ApiTokenRow]:
        """API tokens (of one user, or all), oldest first, revoked ones included."""

        def _list(db: sqlite_utils.Database) -> list[ApiTokenRow]:
            where, args = ("user_id = ?", [user_id]) if user_id is not None else (None, [])
            return [_token(r) for r in db.table("api_tokens").rows_where(where, args, order_by="id")]

        return await self._run(_list)

    async def api_token(self, token_id: int) -> ApiTokenRow | None:
        """The API token ``token_id``, or ``None``."""

        def _get(db: sqlite_utils.Database) -> ApiTokenRow | None:
            rows = list(db.table("api_tokens").rows_where("id = ?", [token_id], limit=1))
            return _token(rows[0]) if rows else None

        return await self._run(_get)

    async def api_token_auth(
        self, token_hash: str, touch_after_s: float = 60.0
    ) -> tuple[ApiTokenRow, UserRow] | None:
        """The live token with ``token_hash`` and its user, or ``None``; notes the use (at most once a
        minute, so a busy plugin does not write on every request)."""

        def _auth(db: sqlite_utils.Database) -> tuple[ApiTokenRow, UserRow] | None:
            rows = list(
                db.table("api_tokens").rows_where("token_hash = ? AND revoked = 0", [token_hash], limit=1)
            )
            if not rows:
                return None
            token = _token(rows[0])
            user = _one_user(db, "id = ?", [token.user_id])
            if user is None:
                return None
            now = time.time()
            if token.last_used_at is None or now - token.last_used_at > touch_after_s:
                with db.atomic():
                    db.execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", [now, token.id])
            return token, user

        return await self._run(_auth)

    async def revoke_api_token(self, token_id: int) -> bool:
        """Revoke an API token; False when there is no such live token."""

        def _revoke(db: sqlite_utils.Database) -> bool:
            with db.atomic():
                cursor = db.execute(
                    "UPDATE api_tokens SET revoked = 1 WHERE id = ? AND revoked = 0", [token_id]
                )
            return cursor.rowcount > 0

        return await self._run(_revoke)
