"""Password hashing with argon2id (argon2-cffi).

Parameters are OWASP's minimum for argon2id (19 MiB, 2 passes, 1 lane): about 25 ms per hash on
one core. Hashing runs in a worker thread (argon2 releases the GIL) and at most ``os.cpu_count()``
hashes run at once, so a burst of logins queues instead of eating memory.
"""

from __future__ import annotations

import asyncio
import os
import re
import weakref

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256

_HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
# A hash of a random password: verifying against it when a user does not exist keeps the time of
# "no such user" equal to "wrong password" (no username probing by timing).
_DUMMY_HASH = _HASHER.hash(os.urandom(16).hex())
_USERNAME = re.compile(r"^[\w.\-]{3,20}$")
_EMAIL = re.compile(r"^[^@\s<>,;:\"]{1,64}@[^@\s<>,;:\"]+\.[^@\s<>,;:\".]{2,}$")


def password_problem(password: str) -> str | None:
    """Why ``password`` is not acceptable, or ``None``."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"The password must have at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"The password must have at most {MAX_PASSWORD_LENGTH} characters."
    return None


def username_problem(username: str) -> str | None:
    """Why ``username`` is not acceptable (3-20 letters, digits, ``_ . -``), or ``None``."""
    if not _USERNAME.fullmatch(username):
        return "The username must be 3-20 characters: letters, digits, '_', '.' or '-'."
    return None


def normalize_email(email: str) -> str:
    """The stored form of an address (trimmed, lower case)."""
    return email.strip().lower()


def email_problem(email: str) -> str | None:
    """Why ``email`` is not a usable address, or ``None``."""
    if len(email) > 254 or not _EMAIL.fullmatch(email):
        return "The e-mail address is not valid."
    return None


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (blocking, ~25 ms)."""
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if ``password`` matches ``password_hash`` (blocking). ``None`` hash: always False, same cost."""
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True if the hash was made with weaker parameters than today's."""
    try:
        return _HASHER.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


class PasswordWorker:
    """Runs hashing off the event loop, at most ``limit`` at a time."""

    def __init__(self, limit: int | None = None) -> None:
        self._limit = limit or max(1, os.cpu_count() or 1)
        # One semaphore per event loop (the CLI and tests may use several loops over time).
        self._sems: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        sem = self._sems.get(loop)
        if sem is None:
            sem = self._sems[loop] = asyncio.Semaphore(self._limit)
        return sem

    async def hash(self, password: str) -> str:
        """:func:`hash_password` in a worker thread."""
        async with self._semaphore():
            return await asyncio.to_thread(hash_password, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """:func:`verify_password` in a worker thread."""
        async with self._semaphore():
            return await asyncio.to_thread(verify_password, password_hash, password)
