"""Preferences per user on a real database and secrets store, through create_app.

The seed's checklist (read, write, validation, merge, reset) on both path families, plus the
write-only secrets: masked in every response, kept in the secrets store, and absent from every
file under STUDIO_HOME (database, WAL, config, logs).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from studio.api.app import create_app
from studio.api.auth import AuthService, auth_service_for
from studio.api.deps import ApiContext
from studio.api.preferences_service import PreferencesService, is_secret_key
from studio.api.routes.preferences import preferences_service_for
from studio.app.container import Container

ENVELOPE_KEYS = {"success", "message", "data", "timestamp", "code"}
PASSWORD = "correct horse 42"
API_KEY = "sk-LIVE-9f8e7d6c5b4a-SECRETVALUE"
STREAM_KEY = "live_4711_STREAMKEY_abcdef"
TOKEN = "tok-NESTED-0123456789"


@dataclass
class Env:
    client: TestClient
    ctx: ApiContext
    auth: AuthService
    container: Container
    ids: dict[str, int] = field(default_factory=dict)

    def run(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        return self.client.portal.call(lambda: fn(*args, **kwargs))

    def user(self, name: str, *, admin: bool = False) -> dict[str, str]:
        """A new account's Authorization header."""
        user = self.run(self.auth.create_user, name, f"{name}@example.org", PASSWORD, is_admin=admin)
        self.ids[name] = user.id
        issued = self.run(self.auth.issue, user)
        return {"Authorization": f"Bearer {issued.token}"}

    @property
    def prefs(self) -> PreferencesService:
        service = preferences_service_for(self.ctx)
        assert service is not None
        return service


def _ctx(container: Container) -> ApiContext:
    return ApiContext(
        version="t",
        config=container.config,
        db=container.db,
        secrets=container.secrets,
        data_dir=container.paths.data_dir,
    )


def _auth(ctx: ApiContext) -> AuthService:
    auth = auth_service_for(ctx)
    assert auth is not None
    return auth


@pytest.fixture
def env(container: Container) -> Iterator[Env]:
    ctx = _ctx(container)
    with TestClient(create_app(ctx)) as client:
        auth = auth_service_for(ctx)
        assert auth is not None
        yield Env(client, ctx, auth, container)


def _data(r: httpx.Response, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) >= ENVELOPE_KEYS
    assert body["success"] is True
    return body["data"]


# --- read / write / merge ---------------------------------------------------------------------------


def test_read_defaults_and_both_readers(env: Env) -> None:
    alice = env.user("alice")
    r = env.client.get("/api/preferences", headers=alice)
    assert r.status_code == 200
    body = r.json()
    assert body["data"] == {"debugMode": False}
    assert body["debugMode"] is False  # StreamCream's reader: the keys at the top level
    assert body["success"] is True and body["code"] == "ok"
    assert body["timestamp"].endswith("Z")


def test_write_shallow_merge_and_free_form(env: Env) -> None:
    alice = env.user("alice")
    first = {
        "debugMode": True,
        "bannerColor": "#ff88aa",
        "aiSettings": {
            "provider": "https://api.example.org/v1/chat/completions",
            "modelName": "m-1",
            "temperature": 0.7,
            "maxTokens": 512,
            "customProvider": "",
        },
        "live2dSettings": {"x": 10, "y": -4.5, "scale": 1.2},
        "layout": {"panels": ["chat", "tts"], "nested": {"deep": [1, 2, {"x": None}]}},
    }
    data = _data(env.client.post("/api/preferences", json=first, headers=alice))
    assert data == first
    data = _data(
        env.client.put(
            "/api/preferences",
            json={"liveSettings": {"resolution": "1920x1080", "fps": 30, "bgPreference": "x.png"}},
            headers=alice,
        )
    )
    assert data["liveSettings"]["fps"] == 30
    assert data["aiSettings"]["modelName"] == "m-1"  # untouched keys stay
    # shallow: a top-level object is replaced as a whole, not merged into
    data = _data(
        env.client.post("/api/preferences", json={"aiSettings": {"modelName": "m-2"}}, headers=alice)
    )
    assert data["aiSettings"] == {"modelName": "m-2"}
    # null is stored as null (dict.update); debugMode null reads as the default false
    data = _data(env.client.post("/api/preferences", json={"layout": None, "debugMode": None}, headers=alice))
    assert data["layout"] is None
    assert data["debugMode"] is False
    body = env.client.get("/api/preferences", headers=alice).json()
    assert body["data"] == data
    assert {k: body[k] for k in data} == data
    assert body["liveSettings"]["resolution"] == "1920x1080"


def test_preferences_are_per_user(env: Env) -> None:
    alice, bob = env.user("alice"), env.user("bob")
    _data(env.client.post("/api/preferences", json={"bannerColor": "red"}, headers=alice))
    assert env.client.get("/api/preferences", headers=bob).json()["data"] == {"debugMode": False}
    _data(env.client.post("/api/preferences", json={"bannerColor": "blue"}, headers=bob))
    assert env.client.get("/api/preferences", headers=alice).json()["bannerColor"] == "red"


def test_stored_across_restart(container: Container) -> None:
    ctx = _ctx(container)
    with TestClient(create_app(ctx)) as client:
        auth = _auth(ctx)
        user = client.portal.call(lambda: auth.create_user("alice", "a@example.org", PASSWORD))
        token = client.portal.call(lambda: auth.issue(user)).token
        r = client.post(
            "/api/preferences", json={"bannerColor": "#123"}, headers={"Authorization": f"Bearer {token}"}
        )
        assert r.status_code == 200
    ctx2 = _ctx(container)  # a new app, new services: only the database remembers
    with TestClient(create_app(ctx2)) as client:
        r = client.get("/api/preferences", headers={"Authorization": f"Bearer {token}"})
        assert r.json()["data"]["bannerColor"] == "#123"


# --- validation -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"debugMode": "yes"}, "debugMode"),
        ({"debugMode": 1}, "debugMode"),
        ({"bannerColor": "red; background:url(x)"}, "bannerColor"),
        ({"bannerColor": 5}, "bannerColor"),
        ({"aiSettings": "openai"}, "aiSettings"),
        ({"aiSettings": {"temperature": 3}}, "temperature"),
        ({"aiSettings": {"temperature": "hot"}}, "temperature"),
        ({"aiSettings": {"maxTokens": 0}}, "maxTokens"),
        ({"aiSettings": {"maxTokens": 1.5}}, "maxTokens"),
        ({"aiSettings": {"apiKey": 123}}, "apiKey"),
        ({"liveSettings": {"fps": 0}}, "fps"),
        ({"liveSettings": {"fps": "30"}}, "fps"),
        ({"liveSettings": {"resolution": "x" * 100}}, "resolution"),
        ({"live2dSettings": {"scale": -1}}, "scale"),
    ],
)
def test_known_fields_are_validated(env: Env, body: dict[str, Any], field: str) -> None:
    alice = env.user("alice")
    _data(env.client.post("/api/preferences", json={"bannerColor": "#abc"}, headers=alice))
    for method in ("post", "put"):
        r = env.client.request(method, "/api/preferences", json=body, headers=alice)
        assert r.status_code == 422, r.text
        out = r.json()
        assert out["success"] is False and out["code"] == "invalid_input"
        assert any(field in err["loc"] for err in out["data"]["errors"]), out
    assert env.client.get("/api/preferences", headers=alice).json()["data"] == {
        "bannerColor": "#abc",
        "debugMode": False,
    }


def test_body_shape_and_limits(env: Env) -> None:
    alice = env.user("alice")
    for content in (b"[1, 2]", b"null", b'"text"', b"{not json", b""):
        r = env.client.post(
            "/api/preferences", content=content, headers={**alice, "Content-Type": "application/json"}
        )
        assert r.status_code in (400, 422), (content, r.text)
        assert r.json()["success"] is False
    r = env.client.post("/api/preferences", json={"success": False, "a": 1}, headers=alice)
    assert r.status_code == 400
    assert "reserved" in r.json()["message"]
    deep: Any = "leaf"
    for _ in range(40):
        deep = {"d": deep}
    r = env.client.post("/api/preferences", json={"deep": deep}, headers=alice)
    assert r.status_code == 400 and r.json()["code"] == "invalid_preferences"
    very_deep = b'{"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    r = env.client.post(
        "/api/preferences", content=very_deep, headers={**alice, "Content-Type": "application/json"}
    )
    assert r.status_code in (400, 422)
    r = env.client.post("/api/preferences", json={"blob": "x" * (70 * 1024)}, headers=alice)
    assert r.status_code == 413 and r.json()["code"] == "preferences_too_large"
    # the limit is on the merged document: two halves that fit alone do not fit together
    _data(env.client.post("/api/preferences", json={"a": "x" * (40 * 1024)}, headers=alice))
    r = env.client.post("/api/preferences", json={"b": "x" * (40 * 1024)}, headers=alice)
    assert r.status_code == 413
    assert set(env.client.get("/api/preferences", headers=alice).json()["data"]) == {"a", "debugMode"}


def test_auth_required(env: Env) -> None:
    for method, path in [
        ("GET", "/api/preferences"),
        ("POST", "/api/preferences"),
        ("PUT", "/api/preferences"),
        ("POST", "/api/preferences/reset"),
    ]:
        r = env.client.request(method, path, json={})
        assert r.status_code == 401, (method, path)
        assert r.json()["success"] is False
        r = env.client.request(method, path, json={}, headers={"Authorization": "Bearer forged.token.here"})
        assert r.status_code == 401
    r = env.client.post("/api/reset-preferences")
    assert r.status_code == 401
    assert r.json() == {"success": False, "message": "未登录"}


# --- reset ------------------------------------------------------------------------------------------


def test_reset_both_families(env: Env) -> None:
    alice = env.user("alice")
    _data(env.client.post("/api/preferences", json={"bannerColor": "red", "x": 1}, headers=alice))
    assert _data(env.client.post("/api/preferences/reset", headers=alice)) == {"debugMode": False}
    assert env.client.get("/api/preferences", headers=alice).json()["data"] == {"debugMode": False}
    _data(env.client.post("/api/preferences", json={"bannerColor": "red"}, headers=alice))
    r = env.client.post("/api/reset-preferences", headers=alice)
    assert r.status_code == 200 and r.json() == {"success": True}
    assert env.client.get("/api/preferences", headers=alice).json()["data"] == {"debugMode": False}


def test_concurrent_writes_lose_nothing(env: Env) -> None:
    alice = env.user("alice")

    async def main() -> list[int]:
        transport = httpx.ASGITransport(app=env.client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            rs = await asyncio.gather(
                *(client.post("/api/preferences", json={f"k{i}": i}, headers=alice) for i in range(25))
            )
        return [r.status_code for r in rs]

    assert env.client.portal.call(main) == [200] * 25
    data = env.client.get("/api/preferences", headers=alice).json()["data"]
    assert {f"k{i}": i for i in range(25)}.items() <= data.items()


# --- secrets ----------------------------------------------------------------------------------------


def test_secret_key_names() -> None:
    for key in (
        "apiKey",
        "api_key",
        "stream_key",
        "streamKey",
        "accessToken",
        "x_token",
        "password",
        "clientSecret",
        "bilibiliSecret",
        "privateKey",
    ):
        assert is_secret_key(key), key
    for key in ("maxTokens", "modelName", "provider", "tokenizer", "keyboard", "debugMode", "rtmp_url"):
        assert not is_secret_key(key), key


def test_secrets_masked_kept_deleted(env: Env) -> None:
    alice = env.user("alice")
    uid = env.ids["alice"]
    r = env.client.post(
        "/api/preferences",
        json={
            "aiSettings": {"provider": "p", "apiKey": API_KEY, "modelName": "m"},
            "stream_key": STREAM_KEY,
            "accounts": [{"name": "bili", "access_token": TOKEN}],
        },
        headers=alice,
    )
    data = _data(r)
    assert API_KEY not in r.text and STREAM_KEY not in r.text and TOKEN not in r.text
    assert data["aiSettings"]["apiKey"] == "***"
    assert data["stream_key"] == "***"
    assert data["accounts"][0]["access_token"] == "***"
    assert env.run(env.prefs.secret, uid, "aiSettings", "apiKey") == API_KEY
    assert env.run(env.prefs.secret, uid, "accounts", "0", "access_token") == TOKEN
    got = env.client.get("/api/preferences", headers=alice)
    assert API_KEY not in got.text and got.json()["aiSettings"]["apiKey"] == "***"
    # "***" written back (the GUI round trip) keeps the stored value
    back = got.json()["data"]["aiSettings"] | {"modelName": "m2"}
    _data(env.client.post("/api/preferences", json={"aiSettings": back}, headers=alice))
    assert env.run(env.prefs.secret, uid, "aiSettings", "apiKey") == API_KEY
    # a new value replaces it
    _data(
        env.client.post(
            "/api/preferences", json={"aiSettings": back | {"apiKey": "sk-second"}}, headers=alice
        )
    )
    assert env.run(env.prefs.secret, uid, "aiSettings", "apiKey") == "sk-second"
    # "" deletes it
    data = _data(env.client.post("/api/preferences", json={"stream_key": ""}, headers=alice))
    assert data["stream_key"] == ""
    assert env.run(env.prefs.secret, uid, "stream_key") is None
    # "***" with nothing stored keeps nothing
    data = _data(env.client.post("/api/preferences", json={"streamKey": "***"}, headers=alice))
    assert "streamKey" not in data
    # replacing the object that held a secret (shallow merge) deletes the secret
    _data(env.client.post("/api/preferences", json={"aiSettings": {"modelName": "m3"}}, headers=alice))
    assert env.run(env.prefs.secret, uid, "aiSettings", "apiKey") is None
    # reset deletes the rest
    assert env.run(env.prefs.secret, uid, "accounts", "0", "access_token") == TOKEN
    _data(env.client.post("/api/preferences/reset", headers=alice))
    assert env.run(env.prefs.secret, uid, "accounts", "0", "access_token") is None


def test_secrets_are_per_user(env: Env) -> None:
    alice, bob = env.user("alice"), env.user("bob")
    _data(env.client.post("/api/preferences", json={"stream_key": "alice-key"}, headers=alice))
    _data(env.client.post("/api/preferences", json={"stream_key": "***"}, headers=bob))
    assert "stream_key" not in env.client.get("/api/preferences", headers=bob).json()["data"]
    assert env.run(env.prefs.secret, env.ids["bob"], "stream_key") is None
    assert env.run(env.prefs.secret, env.ids["alice"], "stream_key") == "alice-key"


def _files_containing(root: Path, needles: list[bytes]) -> list[str]:
    hits = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            blob = path.read_bytes()
            hits += [f"{path}: {n!r}" for n in needles if n in blob]
    return hits


def test_secrets_never_on_disk_or_in_logs(
    studio_home: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("STUDIO_LOGGING_LEVEL", "DEBUG")
    caplog.set_level(logging.DEBUG)
    container = Container.build()
    try:
        ctx = _ctx(container)
        with TestClient(create_app(ctx)) as client:
            auth = _auth(ctx)
            user = client.portal.call(lambda: auth.create_user("alice", "a@example.org", PASSWORD))
            headers = {"Authorization": f"Bearer {client.portal.call(lambda: auth.issue(user)).token}"}
            body = {
                "aiSettings": {"apiKey": API_KEY, "modelName": "m"},
                "stream_key": STREAM_KEY,
                "nested": {"deep": {"refreshToken": TOKEN}},
            }
            for method in ("post", "put"):
                r = client.request(method, "/api/preferences", json=body, headers=headers)
                assert r.status_code == 200
            r = client.post(
                "/api/preferences",
                json={"aiSettings": {"apiKey": API_KEY, "temperature": 9}},
                headers=headers,
            )
            assert r.status_code == 422 and API_KEY not in r.text
            r = client.post("/api/reset-preferences", headers=headers)
            assert r.status_code == 200
            r = client.post("/api/preferences", json=body, headers=headers)  # stored again, then scanned
            assert r.status_code == 200
            needles = [s.encode() for s in (API_KEY, STREAM_KEY, TOKEN)]
            assert _files_containing(studio_home, needles) == []  # DB and WAL while open
            assert len(list(studio_home.rglob("*.db-wal"))) + len(list(studio_home.rglob("*.db"))) >= 1
    finally:
        container.close()
    assert _files_containing(studio_home, needles) == []  # after the checkpoint, logs flushed
    assert any(studio_home.rglob("*.log")), "the test expects a log file to scan"
    for record in caplog.records:
        text = record.getMessage() + repr(record.__dict__)
        assert all(s not in text for s in (API_KEY, STREAM_KEY, TOKEN)), record


# --- OpenAPI: property-based run over these routes ----------------------------------------------


def test_openapi_property_run_no_5xx_and_schema_conformance(env: Env) -> None:
    """schemathesis over /openapi.json for the preference and file operations: no 5xx, every
    response matches its documented status, content type and schema."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    alice = env.user("alice")
    checks = [
        not_a_server_error,
        response_schema_conformance,
        status_code_conformance,
        content_type_conformance,
    ]
    schema = schemathesis.openapi.from_asgi("/openapi.json", env.client.app)
    ops = [r.ok() for r in schema.get_all_operations()]
    ops = [op for op in ops if op.path.startswith(("/api/preferences", "/api/files/"))]
    assert len(ops) == 8

    for op in ops:

        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=op.as_strategy())
        def run(case: Any) -> None:
            case.headers = {**(case.headers or {}), **alice}
            case.validate_response(case.call(), checks=checks)

        run()
