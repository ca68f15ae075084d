"""``studio user`` and ``studio token``: the first admin from the command line, plugin tokens."""

from __future__ import annotations

import asyncio
import json

from click.testing import CliRunner

from studio.api.auth import AuthService
from studio.app.cli import cli
from studio.app.container import Container


def _invoke(*args: str, stdin: str | None = None) -> str:
    result = CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_user_and_token_commands(studio_home: object) -> None:
    assert "No users yet" in _invoke("user", "list")
    out = _invoke("user", "add", "owner", "--admin", "--password-stdin", stdin="owner password 1\n")
    assert "admin 'owner'" in out
    # prompt path (with confirmation)
    out = _invoke(
        "user", "add", "guest", "--email", "guest@example.org", stdin="guest password\nguest password\n"
    )
    assert "user 'guest'" in out
    users = json.loads(_invoke("user", "list", "--json"))
    assert [(u["username"], u["admin"]) for u in users] == [("owner", True), ("guest", False)]
    bad = CliRunner().invoke(cli, ["user", "add", "x", "--password-stdin"], input="long enough pw\n")
    assert bad.exit_code == 1
    assert "3-20" in bad.output

    created = json.loads(_invoke("token", "create", "obs", "--user", "owner", "--json"))
    value = created["token"]
    assert value.startswith("cst_")
    listed = _invoke("token", "list")
    assert "obs" in listed
    assert value not in listed
    assert value not in _invoke("token", "list", "--json")

    c = Container.build()
    try:
        auth = AuthService(c.db, c.secrets)
        principal = asyncio.run(auth.authenticate(value))
        assert principal.user.username == "owner"
        assert principal.via == "api_token"
        assert asyncio.run(auth.login("owner", "owner password 1", "cli")).user.is_admin
    finally:
        c.close()

    assert "revoked" in _invoke("token", "revoke", str(created["id"]))
    again = CliRunner().invoke(cli, ["token", "revoke", str(created["id"])])
    assert again.exit_code == 1

    _invoke("user", "passwd", "guest", "--password-stdin", stdin="changed password\n")
    assert "Removed" in _invoke("user", "remove", "guest", "--yes")
    last = CliRunner().invoke(cli, ["user", "remove", "owner", "--yes"])
    assert last.exit_code == 1
    assert "last admin" in last.output
