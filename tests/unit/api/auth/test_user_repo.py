"""The users/codes/tokens tables (migration 3) and their repository."""

from __future__ import annotations

import asyncio
import sqlite3
import time

import pytest

from studio.app.container import Container
from studio.storage.user_repo import DuplicateUserError, UserRepo


def _run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


def test_tables_and_uniqueness(container: Container) -> None:
    repo = UserRepo(container.db)
    names = container.db.call(lambda d: set(d.table_names()))
    assert {"users", "email_codes", "revoked_tokens", "api_tokens"} <= names

    async def scenario() -> None:
        first = await repo.insert(
            "Alice", "alice@example.org", "h", email_verified=True, is_admin=False, first_is_admin=True
        )
        assert first.is_admin  # the first user becomes admin
        second = await repo.insert(
            "bob", "bob@example.org", "h", email_verified=False, is_admin=False, first_is_admin=True
        )
        assert not second.is_admin
        with pytest.raises(DuplicateUserError) as info:
            await repo.insert("ALICE", "other@example.org", "h", email_verified=True, is_admin=False)
        assert info.value.field == "username"
        with pytest.raises(DuplicateUserError) as info:
            await repo.insert("carol", "BOB@example.org", "h", email_verified=True, is_admin=False)
        assert info.value.field == "email"
        with pytest.raises(sqlite3.IntegrityError):  # the 3-20 characters rule is also in the schema
            await repo.insert("xy", "xy@example.org", "h", email_verified=True, is_admin=False)
        assert (await repo.by_username("alice")) == first
        assert (await repo.by_email("Alice@Example.org")) == first
        with pytest.raises(DuplicateUserError):
            await repo.update(second.id, username="alice")
        changed = await repo.update(second.id, email_verified=True)
        assert changed is not None
        assert changed.email_verified
        assert await repo.count() == 2
        assert await repo.count_admins() == 1

    _run(scenario())


def test_codes_are_single_use_and_replace_each_other(container: Container) -> None:
    repo = UserRepo(container.db)

    async def scenario() -> None:
        a = await repo.add_code("register", "a@x.org", "hash-a", 600)
        b = await repo.add_code("register", "a@x.org", "hash-b", 600)
        live = await repo.live_code("register", "a@x.org")
        assert live is not None
        assert live.id == b.id  # the newer code replaces the older one
        assert await repo.live_code("reset", "a@x.org") is None
        assert not await repo.use_code(a.id)
        assert await repo.use_code(b.id)
        assert not await repo.use_code(b.id)  # single use
        assert await repo.live_code("register", "a@x.org") is None
        c = await repo.add_code("reset", "a@x.org", "hash-c", 600)
        for n in range(1, 5):
            assert await repo.code_failed(c.id, 5) == n
        assert await repo.live_code("reset", "a@x.org") is not None
        assert await repo.code_failed(c.id, 5) == 5
        assert await repo.live_code("reset", "a@x.org") is None  # void after 5 wrong guesses

    _run(scenario())


def test_revocations_and_api_tokens(container: Container) -> None:
    repo = UserRepo(container.db)

    async def scenario() -> None:
        user = await repo.insert("alice", "a@x.org", "h", email_verified=True, is_admin=True)
        await repo.revoke_jti("j1", time.time() + 60)
        await repo.revoke_jti("old", time.time() - 60)
        assert await repo.is_revoked("j1")
        await repo.revoke_jti("j2", time.time() + 60)  # sweeps expired entries
        assert not await repo.is_revoked("old")
        state = await repo.auth_state(user.id, "j1")
        assert state.user == user
        assert state.jti_revoked
        token = await repo.add_api_token(user.id, "obs plugin", "ab" * 32)
        found = await repo.api_token_auth("ab" * 32)
        assert found is not None
        assert found[1] == user
        again = await repo.api_token(token.id)
        assert again is not None
        assert again.last_used_at is not None
        assert await repo.revoke_api_token(token.id)
        assert not await repo.revoke_api_token(token.id)
        assert await repo.api_token_auth("ab" * 32) is None
        await repo.add_api_token(user.id, "second", "cd" * 32)
        assert await repo.delete(user.id)
        assert await repo.api_tokens() == []  # tokens go with their user

    _run(scenario())
