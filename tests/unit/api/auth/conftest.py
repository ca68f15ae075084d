"""Auth tests: the API on a real container (database, secrets store) with a recording mail sender."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from fastapi.testclient import TestClient

from studio.api.app import create_app
from studio.api.auth import AuthService
from studio.api.auth.deps import AUTH_SERVICE_KEY
from studio.api.deps import ApiContext
from studio.app.container import Container
from studio.config.smtp_settings import SmtpSettings

PASSWORD = "correct horse 42"


@dataclass
class Outbox:
    """Mails 'sent' by the service: (to, subject, text)."""

    mails: list[tuple[str, str, str]] = field(default_factory=list)
    fail: bool = False

    async def send(
        self, settings: SmtpSettings, password: str | None, to: str, subject: str, text: str
    ) -> None:
        from studio.api.auth.mailer import MailError

        if self.fail:
            raise MailError("connection refused")
        self.mails.append((to, subject, text))

    def last_code(self, to: str) -> str:
        for addr, _subject, text in reversed(self.mails):
            if addr == to:
                match = re.search(r"\b(\d{6})\b", text)
                assert match, text
                return match.group(1)
        raise AssertionError(f"no mail to {to}")


@dataclass
class AuthEnv:
    client: TestClient
    auth: AuthService
    outbox: Outbox
    container: Container
    smtp_holder: dict[str, SmtpSettings]

    def run(self, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        """Run a coroutine function of the service on the app's loop."""
        return self.client.portal.call(lambda: fn(*args, **kwargs))

    def add_user(self, name: str, *, admin: bool = False, password: str = PASSWORD):  # type: ignore[no-untyped-def]
        return self.run(self.auth.create_user, name, f"{name}@example.org", password, is_admin=admin)

    def login(self, name: str, password: str = PASSWORD) -> str:
        r = self.client.post("/api/auth/login", json={"username": name, "password": password})
        assert r.status_code == 200, r.text
        token = r.json()["data"]["token"]
        assert isinstance(token, str)
        return token


@pytest.fixture
def env(container: Container) -> Iterator[AuthEnv]:
    outbox = Outbox()
    smtp = SmtpSettings(host="smtp.example.org", from_address="studio@example.org")
    env_holder: dict[str, SmtpSettings] = {"smtp": smtp}
    auth = AuthService(container.db, container.secrets, lambda: env_holder["smtp"], send=outbox.send)
    ctx = ApiContext(
        version="t",
        config=container.config,
        db=container.db,
        secrets=container.secrets,
        data_dir=container.paths.data_dir,
        services={AUTH_SERVICE_KEY: auth},
    )
    with TestClient(create_app(ctx)) as client:
        yield AuthEnv(client, auth, outbox, container, env_holder)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
