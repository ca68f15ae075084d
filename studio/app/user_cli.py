"""``studio user`` and ``studio token``: accounts of the local API and plugin API tokens.

The first admin: ``studio user add NAME --admin`` (the password from a prompt, or from stdin with
``--password-stdin``). This always works, with or without an SMTP server.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypeVar

import click

from studio.core.errors import StudioError

if TYPE_CHECKING:
    from studio.api.auth.service import AuthService

__all__ = ["token", "user"]

T = TypeVar("T")


@contextmanager
def _service() -> Iterator[AuthService]:
    """An auth service on the profile's database and secrets; errors become a clean exit 1."""
    from studio.api.auth.deps import smtp_settings_of
    from studio.api.auth.errors import AuthError
    from studio.api.auth.service import AuthService
    from studio.api.deps import ApiContext
    from studio.app.container import Container

    try:
        container = Container.build()
    except StudioError as exc:
        raise click.ClickException(exc.user_message) from exc
    ctx = ApiContext(version=container.version, config=container.config)
    try:
        yield AuthService(
            container.db, container.secrets, lambda: smtp_settings_of(ctx), data_dir=container.paths.data_dir
        )
    except AuthError as exc:
        raise click.ClickException(exc.message) from exc
    except StudioError as exc:
        raise click.ClickException(exc.user_message) from exc
    finally:
        container.close()


def _run(step: Callable[[], Awaitable[T]]) -> T:
    async def _main() -> T:
        return await step()

    return asyncio.run(_main())


def _when(ts: float | None) -> str:
    return "-" if ts is None else datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _read_password(from_stdin: bool, confirm: bool = True) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise click.ClickException("No password on stdin.")
        return password
    value = click.prompt("Password", hide_input=True, confirmation_prompt=confirm)
    return str(value)


@click.group()
def user() -> None:
    """Accounts of the local API (admin and normal users)."""


@user.command("add")
@click.argument("name")
@click.option("--admin", is_flag=True, help="Make the user an admin (the first user always is).")
@click.option("--email", default=None, help="E-mail address (default NAME@localhost.invalid).")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
def user_add(name: str, admin: bool, email: str | None, password_stdin: bool) -> None:
    """Create the account NAME (no e-mail code needed)."""
    password = _read_password(password_stdin)
    with _service() as auth:
        row = _run(
            lambda: auth.create_user(
                name, email or f"{name.strip().lower()}@localhost.invalid", password, is_admin=admin
            )
        )
    role = "admin" if row.is_admin else "user"
    click.echo(f"Created {role} {row.username!r} (id {row.id}, {row.email}).")


@user.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the users as JSON.")
def user_list(as_json: bool) -> None:
    """List the accounts."""
    with _service() as auth:
        rows = _run(auth.users.all)
    items = [
        {
            "id": r.id,
            "username": r.username,
            "email": r.email,
            "admin": r.is_admin,
            "email_verified": r.email_verified,
            "created_at": _when(r.created_at),
        }
        for r in rows
    ]
    if as_json:
        click.echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    if not items:
        click.echo("No users yet. Create the first admin: studio user add NAME --admin")
        return
    for it in items:
        flags = ("admin " if it["admin"] else "") + ("" if it["email_verified"] else "(unverified)")
        click.echo(f"{it['id']:>4}  {it['username']:<20} {it['email']:<32} {flags}".rstrip())


async def _user_id(auth: AuthService, name_or_id: str) -> int:
    from studio.api.auth.errors import AuthError

    row = await auth.users.by_username(name_or_id)
    if row is None and name_or_id.isdigit():
        row = await auth.users.get(int(name_or_id))
    if row is None:
        raise AuthError(404, f"No user {name_or_id!r}.", "user_not_found")
    return row.id


@user.command("remove")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def user_remove(name: str, yes: bool) -> None:
    """Remove the account NAME (or id) and its API tokens."""
    if not yes:
        click.confirm(f"Remove user {name!r} and their API tokens?", abort=True)
    with _service() as auth:

        async def _remove() -> None:
            await auth.delete_user(None, await _user_id(auth, name))

        _run(_remove)
    click.echo(f"Removed {name!r}.")


@user.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
def user_passwd(name: str, password_stdin: bool) -> None:
    """Set a new password for NAME (their signed-in sessions end)."""
    password = _read_password(password_stdin)
    with _service() as auth:

        async def _set() -> None:
            await auth.set_password(await _user_id(auth, name), password)

        _run(_set)
    click.echo(f"Password of {name!r} changed.")


@click.group()
def token() -> None:
    """Long-lived API tokens for plugins (stored hashed; shown once)."""


@token.command("create")
@click.argument("name")
@click.option("--user", "user_name", required=True, help="The user the token acts as.")
@click.option("--json", "as_json", is_flag=True, help="Print the token as JSON.")
def token_create(name: str, user_name: str, as_json: bool) -> None:
    """Create a token called NAME for --user; the token is printed once, keep it."""
    with _service() as auth:

        async def _create() -> tuple[int, str]:
            row, value = await auth.create_api_token(await _user_id(auth, user_name), name)
            return row.id, value

        token_id, value = _run(_create)
    if as_json:
        click.echo(json.dumps({"id": token_id, "name": name, "user": user_name, "token": value}))
        return
    click.echo(f"Token {token_id} ({name!r}, acts as {user_name!r}). Shown only now:")
    click.echo(value)


@token.command("list")
@click.option("--user", "user_name", default=None, help="Only this user's tokens.")
@click.option("--json", "as_json", is_flag=True, help="Print the tokens as JSON.")
def token_list(user_name: str | None, as_json: bool) -> None:
    """List the tokens (never their values)."""
    with _service() as auth:

        async def _list() -> list[dict[str, object]]:
            uid = await _user_id(auth, user_name) if user_name else None
            names = {u.id: u.username for u in await auth.users.all()}
            return [
                {
                    "id": t.id,
                    "name": t.name,
                    "user": names.get(t.user_id, str(t.user_id)),
                    "created_at": _when(t.created_at),
                    "last_used_at": _when(t.last_used_at),
                    "revoked": t.revoked,
                }
                for t in await auth.list_api_tokens(uid)
            ]

        items = _run(_list)
    if as_json:
        click.echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    if not items:
        click.echo("No API tokens.")
    for it in items:
        state = "revoked" if it["revoked"] else f"last used {it['last_used_at']}"
        click.echo(f"{it['id']:>4}  {it['name']!s:<24} {it['user']!s:<20} {state}")


@token.command("revoke")
@click.argument("token_id", type=int)
def token_revoke(token_id: int) -> None:
    """Revoke the token TOKEN_ID (plugins using it get 401 from now on)."""
    with _service() as auth:
        done = _run(lambda: auth.revoke_api_token(token_id))
    if not done:
        raise click.ClickException(f"No live token {token_id}.")
    click.echo(f"Token {token_id} revoked.")
