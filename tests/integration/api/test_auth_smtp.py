"""Registration and password reset with codes delivered to a real local SMTP server (aiosmtpd).

The studio is built from a real container (database, secrets store, logs) with the SMTP settings
from the environment (``STUDIO_SMTP_*``), served through ``create_app``; the codes are read from
the mails the server received. Afterwards no file of the profile holds a password, the JWT
signing key, a session or API token, a code or the SMTP password in plain text.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import re
import socket
import ssl
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from studio.api.app import create_app
from studio.api.auth import auth_service_for
from studio.api.deps import ApiContext
from studio.app.container import Container
from studio.config.settings import SmtpSettings
from studio.config.smtp_settings import SMTP_PASSWORD_SECRET

PASSWORD = "a long user password 1"
NEW_PASSWORD = "another user password 2"
SMTP_USER = "mailer@studio.test"
SMTP_PASSWORD = "smtp-pw-" + "Zq8" * 8


@dataclass
class Mailbox:
    """What the SMTP server received."""

    messages: list[email.message.EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    tls_sessions: list[bool] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        assert isinstance(msg, email.message.EmailMessage)
        self.messages.append(msg)
        self.recipients.append(list(envelope.rcpt_tos))
        self.tls_sessions.append(session.ssl is not None)
        return "250 OK"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode(),
            auth_data.password.decode(),
        ) == (
            SMTP_USER,
            SMTP_PASSWORD,
        )
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)

    def code_for(self, to: str) -> str:
        for msg, rcpt in zip(reversed(self.messages), reversed(self.recipients), strict=True):
            if to in rcpt:
                body = msg.get_body(("plain",))
                assert body is not None
                match = re.search(r"\b(\d{6})\b", body.get_content())
                assert match is not None
                return match.group(1)
        raise AssertionError(f"no mail to {to}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_file, key_file


@pytest.fixture
def plain_smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    """A plain local SMTP server (no TLS, no login), configured through the environment."""
    box = Mailbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("STUDIO_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("STUDIO_SMTP_PORT", str(port))
    monkeypatch.setenv("STUDIO_SMTP_SECURITY", "none")
    monkeypatch.setenv("STUDIO_SMTP_FROM_ADDRESS", "studio@studio.test")
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def tls_smtp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Mailbox]:
    """A local SMTP server that requires STARTTLS and a login (its own CA, trusted via ca_file)."""
    box = Mailbox()
    port = _free_port()
    certs = tmp_path / "certs"
    certs.mkdir()
    cert_file, key_file = _self_signed(certs)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    controller = Controller(
        box,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=box.authenticate,
        auth_required=True,
        auth_require_tls=True,
    )
    controller.start()
    monkeypatch.setenv("STUDIO_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("STUDIO_SMTP_PORT", str(port))
    monkeypatch.setenv("STUDIO_SMTP_SECURITY", "starttls")
    monkeypatch.setenv("STUDIO_SMTP_USERNAME", SMTP_USER)
    monkeypatch.setenv("STUDIO_SMTP_CA_FILE", str(cert_file))
    try:
        yield box
    finally:
        controller.stop()


@dataclass
class Studio:
    container: Container
    client: httpx.AsyncClient
    ctx: ApiContext


@pytest.fixture
async def studio(studio_home: Path) -> AsyncIterator[Studio]:
    c = Container.build()
    ctx = ApiContext(
        version="t", config=c.config, db=c.db, secrets=c.secrets, data_dir=c.paths.data_dir, services={}
    )
    transport = httpx.ASGITransport(app=create_app(ctx, c.config.api), client=("127.0.0.1", 50000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8765") as client:
            yield Studio(c, client, ctx)
    finally:
        c.close()


async def test_registration_code_arrives_by_smtp(plain_smtp: Mailbox, studio: Studio) -> None:
    r = await studio.client.post(
        "/api/auth/register", json={"username": "alice", "email": "alice@viewer.test", "password": PASSWORD}
    )
    assert r.status_code == 200, r.text
    assert plain_smtp.recipients == [["alice@viewer.test"]]
    msg = plain_smtp.messages[0]
    assert "studio@studio.test" in str(msg["From"])
    assert "code" in str(msg["Subject"])
    code = plain_smtp.code_for("alice@viewer.test")
    r = await studio.client.post("/api/auth/verify-email", json={"email": "alice@viewer.test", "code": code})
    assert r.status_code == 201
    token = r.json()["data"]["token"]
    r = await studio.client.post("/api/auth/verify-token", headers={"Authorization": f"Bearer {token}"})
    assert r.json()["data"]["user"]["username"] == "alice"

    # legacy front-end path, same server
    r = await studio.client.post(
        "/api/register", json={"username": "bob", "email": "bob@viewer.test", "password": PASSWORD}
    )
    assert r.json() == {"success": True, "message": "验证码已发送，请查收邮箱", "email": "bob@viewer.test"}
    r = await studio.client.post(
        "/api/verify-email", json={"email": "bob@viewer.test", "code": plain_smtp.code_for("bob@viewer.test")}
    )
    assert r.status_code == 201
    assert r.json()["message"] == "注册成功！"


async def test_password_reset_code_arrives_by_smtp(plain_smtp: Mailbox, studio: Studio) -> None:
    auth = auth_service_for(studio.ctx)
    assert auth is not None
    await auth.create_user("carol", "carol@viewer.test", PASSWORD)
    r = await studio.client.post(
        "/api/forgot-password", json={"username": "carol", "email": "carol@viewer.test"}
    )
    assert r.status_code == 200
    code = plain_smtp.code_for("carol@viewer.test")
    fields = {"username": "carol", "email": "carol@viewer.test", "code": code}
    r = await studio.client.post("/api/verify-reset-code", json=fields)
    assert r.json()["success"] is True
    r = await studio.client.post("/api/reset-password", json={**fields, "new_password": NEW_PASSWORD})
    assert r.json() == {"success": True, "message": "密码重置成功"}
    r = await studio.client.post("/api/login", json={"username": "carol", "password": NEW_PASSWORD})
    assert r.status_code == 200
    r = await studio.client.post("/api/login", json={"username": "carol", "password": PASSWORD})
    assert r.status_code == 401


async def test_starttls_with_login_and_a_secret_password(tls_smtp: Mailbox, studio: Studio) -> None:
    # no SMTP password in the secrets store: a clear 503 before any connection
    r = await studio.client.post(
        "/api/auth/register", json={"username": "dora", "email": "dora@viewer.test", "password": PASSWORD}
    )
    assert r.status_code == 503
    assert "smtp.password" in r.json()["message"]
    # a wrong SMTP password: the server refuses the login, a clear 502
    studio.container.secrets.set(SMTP_PASSWORD_SECRET, "wrong-smtp-password")
    r = await studio.client.post(
        "/api/auth/register", json={"username": "dora", "email": "dora@viewer.test", "password": PASSWORD}
    )
    assert r.status_code == 502, r.text
    assert r.json()["code"] == "mail_failed"
    assert SMTP_PASSWORD not in r.text
    studio.container.secrets.set(SMTP_PASSWORD_SECRET, SMTP_PASSWORD)
    r = await studio.client.post(
        "/api/auth/register", json={"username": "dora", "email": "dora@viewer.test", "password": PASSWORD}
    )
    assert r.status_code == 200, r.text
    assert tls_smtp.logins == [SMTP_USER]
    assert tls_smtp.tls_sessions == [True]
    code = tls_smtp.code_for("dora@viewer.test")
    r = await studio.client.post("/api/auth/verify-email", json={"email": "dora@viewer.test", "code": code})
    assert r.status_code == 201


async def test_unreachable_smtp_server_is_a_clear_error(
    studio: Studio, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STUDIO_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("STUDIO_SMTP_PORT", str(_free_port()))  # nobody listens
    monkeypatch.setenv("STUDIO_SMTP_SECURITY", "none")
    monkeypatch.setenv("STUDIO_SMTP_FROM_ADDRESS", "studio@studio.test")
    monkeypatch.setenv("STUDIO_SMTP_TIMEOUT_S", "3")
    assert studio.ctx.config is not None
    studio.ctx.config.smtp = SmtpSettings()  # what a settings change does (the API follows it)
    r = await studio.client.post(
        "/api/auth/register", json={"username": "erik", "email": "erik@viewer.test", "password": PASSWORD}
    )
    assert r.status_code == 502
    assert "Traceback" not in r.text
    r = await studio.client.post(
        "/api/auth/register", json={"username": "erik", "email": "erik@viewer.test", "password": PASSWORD}
    )
    assert r.status_code == 502  # no half-made account blocks the retry


async def test_login_rate_limit_over_http(studio: Studio) -> None:
    auth = auth_service_for(studio.ctx)
    assert auth is not None
    await auth.create_user("fred", "fred@viewer.test", PASSWORD)
    codes = []
    for _ in range(6):
        r = await studio.client.post(
            "/api/auth/login", json={"username": "fred", "password": "not the password"}
        )
        codes.append(r.status_code)
    assert codes == [401] * 5 + [429]
    assert int(r.headers["Retry-After"]) > 0


def _files_containing(root: Path, needle: bytes) -> list[Path]:
    files = [p for p in root.rglob("*") if p.is_file()]
    assert files
    return [p for p in files if needle in p.read_bytes()]


async def test_no_secret_in_any_file_of_the_profile(
    tls_smtp: Mailbox, studio: Studio, studio_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = studio.container
    c.secrets.set(SMTP_PASSWORD_SECRET, SMTP_PASSWORD)
    client = studio.client
    r = await client.post(
        "/api/auth/register", json={"username": "gwen", "email": "gwen@viewer.test", "password": PASSWORD}
    )
    assert r.status_code == 200
    reg_code = tls_smtp.code_for("gwen@viewer.test")
    r = await client.post("/api/auth/verify-email", json={"email": "gwen@viewer.test", "code": reg_code})
    session = r.json()["data"]["token"]
    headers = {"Authorization": f"Bearer {session}"}
    await client.post("/api/login", json={"username": "gwen", "password": "wrong " + PASSWORD})
    await client.post(
        "/api/auth/login", json={"username": PASSWORD, "password": PASSWORD}
    )  # password as name
    r = await client.post("/api/auth/forgot-password", json={"email": "gwen@viewer.test"})
    reset_code = tls_smtp.code_for("gwen@viewer.test")
    r = await client.post(
        "/api/auth/reset-password",
        json={"email": "gwen@viewer.test", "code": reset_code, "new_password": NEW_PASSWORD},
    )
    assert r.status_code == 200
    r = await client.post("/api/auth/login", json={"username": "gwen", "password": NEW_PASSWORD})
    session2 = r.json()["data"]["token"]
    await client.post("/api/auth/logout", headers={"Authorization": f"Bearer {session2}"})
    auth = auth_service_for(studio.ctx)
    assert auth is not None
    user = await auth.users.by_username("gwen")
    assert user is not None
    _, api_token = await auth.create_api_token(user.id, "plugin")
    r = await client.get("/api/protected", headers={"Authorization": f"Bearer {api_token}"})
    assert r.status_code == 200
    r = await client.get("/api/users/1", headers=headers)
    jwt_secret = await auth.jwt_secret()
    c.config_store.save(c.config)

    needles = {
        "password": PASSWORD,
        "new password": NEW_PASSWORD,
        "smtp password": SMTP_PASSWORD,
        "jwt secret": jwt_secret,
        "session token": session,
        "session token 2": session2,
        "api token": api_token,
        "api token body": api_token.removeprefix("cst_"),
        "token signature": session.rsplit(".", 1)[1],
    }
    wal = c.paths.database_file.with_name("studio.db-wal")
    assert wal.exists()
    assert wal.stat().st_size > 0
    logs = list(c.paths.log_dir.rglob("*"))
    assert any(p.is_file() and p.stat().st_size > 0 for p in logs)
    for name, value in needles.items():
        assert _files_containing(studio_home, value.encode()) == [], name  # while open: DB + WAL + logs
    for name, code in (("registration code", reg_code), ("reset code", reset_code)):
        # 6 digits can occur by chance in binary files; they must not be in the DB or the logs
        hits = [
            p
            for p in _files_containing(studio_home, code.encode())
            if p.suffix in {".db", ".log", ".toml", ".db-wal"}
        ]
        assert hits == [], name
    c.close()
    for name, value in needles.items():
        assert _files_containing(studio_home, value.encode()) == [], name  # after checkpoint and close
