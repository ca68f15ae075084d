"""Security of the local API over real HTTP on a served engine.

Path traversal in every path/filename parameter the API has (found in ``/openapi.json`` plus the
legacy StreamCream paths), oversized and wrong-type uploads, injection-looking strings, expired /
revoked / forged tokens, a foreign CORS origin, the login rate limit; secrets never in responses,
logs, config or the database; no stack trace in any error body.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx
import jwt
import pytest
import websockets
from PIL import Image

from studio.api.app import create_app
from studio.api.deps import ApiContext
from studio.app.container import Container
from studio.app.runtime import EngineRuntime

pytestmark = pytest.mark.slow

PASSWORD = "correct-horse-battery-9"
API_KEY = "sk-test-DO-NOT-LEAK-4f9c2a71b3"
OUTSIDE = "outside-secret.txt"
MARKER = "TOP-SECRET-OUTSIDE-THE-DATA-FOLDER"
TRACE = re.compile(r"Traceback \(most recent call last\)|File \"[^\"]+\.py\", line \d+")


def _doc_ops() -> list[tuple[str, str, str, str]]:
    """(method, path, parameter, where) for every path parameter and file-name query parameter."""
    spec = create_app(ApiContext(version="t")).openapi()
    found = []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            for p in op.get("parameters", []):
                if p["in"] == "path" or (p["in"] == "query" and re.search("name|file|path", p["name"])):
                    found.append((method.upper(), path, p["name"], p["in"]))
    return found


LEGACY_OPS = [
    ("GET", "/api/get-background", "name", "query"),
    ("GET", "/static/audio/{file}", "file", "path"),
    ("DELETE", "/delete-audio/{file}", "file", "path"),
]
FILE_OPS = sorted(set(_doc_ops()) | set(LEGACY_OPS))
REQUIRED_PARAMS = {"/gpt-sovits/tts": {"text": "hello", "text_lang": "en", "prompt_lang": "en"}}
"""Parameters a route needs before it looks at a path (GPT-SoVITS answers a GET /tts without its
languages with upstream's documented 500, before any path is read)."""
TRAVERSALS = [
    "../../../../etc/passwd",
    "..%2F..%2F..%2Fetc%2Fpasswd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "....//....//etc/passwd",
    "..\\..\\..\\windows\\win.ini",
    "/etc/passwd",
    "%2Fetc%2Fpasswd",
    "a.wav%00.png",
    f"../../{OUTSIDE}",
    f"..%2F..%2F..%2F{OUTSIDE}",
]


@dataclass
class Live:
    runtime: EngineRuntime
    url: str
    home: Path
    user_id: int
    token: str
    admin_token: str
    seen: list[httpx.Response] = field(default_factory=list)

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}

        def keep(response: httpx.Response) -> None:
            response.read()
            self.seen.append(response)

        return httpx.Client(base_url=self.url, headers=headers, timeout=30, event_hooks={"response": [keep]})


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    from studio.api.auth.service import AuthService

    home = tmp_path_factory.mktemp("sec-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STUDIO_HOME", str(home))
        mp.setenv("STUDIO_SECRETS_BACKEND", "file")
        container = Container.build()
    (home / OUTSIDE).write_text(MARKER)
    (home.parent / OUTSIDE).write_text(MARKER)
    runtime = EngineRuntime(container, port=0)
    runtime.start()
    try:
        auth = AuthService(container.db, container.secrets)

        async def accounts() -> tuple[int, str, str]:
            admin = await auth.create_user("owner", "owner@example.com", PASSWORD, is_admin=True)
            user = await auth.create_user("alice", "alice@example.com", PASSWORD)
            return user.id, (await auth.issue(user)).token, (await auth.issue(admin)).token

        user_id, token, admin_token = runtime.submit(accounts()).result(30)
        assert runtime.api_url is not None
        yield Live(runtime, runtime.api_url, home, user_id, token, admin_token)
    finally:
        assert runtime.stop(timeout=5.0)
        container.close()


def _png(size: tuple[int, int] = (8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


# ---- path traversal ---------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "param", "where"), FILE_OPS, ids=str)
def test_path_traversal_is_refused(live: Live, method: str, path: str, param: str, where: str) -> None:
    with live.client(live.token) as http:
        for attack in TRAVERSALS:
            if where == "path":
                url, params = path.replace("{" + param + "}", attack), None
            else:
                url, params = path, {param: attack.replace("%2F", "/").replace("%2f", "/")}
                params.update(REQUIRED_PARAMS.get(path, {}))
            r = http.request(method, url, params=params)
            assert r.status_code in (400, 403, 404, 405, 422), (
                method,
                url,
                attack,
                r.status_code,
                r.text[:200],
            )
            assert "root:x:0:0" not in r.text and MARKER not in r.text
    assert (live.home / OUTSIDE).read_text() == MARKER  # nothing deleted outside either


# ---- uploads ----------------------------------------------------------------------------------

UPLOADS = ["/api/files/upload-background", "/api/upload-background"]


@pytest.mark.parametrize("route", UPLOADS)
def test_wrong_type_uploads_are_refused(live: Live, route: str) -> None:
    bad = [
        ("notes.png", b"just text, not an image", "image/png"),
        (
            "x.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "image/svg+xml",
        ),
        ("page.html", b"<html><script>alert(1)</script></html>", "text/html"),
        ("../../evil.png", _png(), "image/png"),  # a real image: stored under a safe name, or refused
        ("truncated.png", _png()[:40], "image/png"),
    ]
    with live.client(live.token) as http:
        for name, data, ctype in bad:
            r = http.post(route, files={"file": (name, data, ctype)})
            if name.startswith("../"):
                assert r.status_code in (200, 201, 400), r.text
                if r.status_code < 300:
                    stored = r.json().get("filename") or r.json()["data"]["name"]
                    assert "/" not in stored and ".." not in stored
                continue
            assert r.status_code in (400, 415, 422), (route, name, r.status_code, r.text[:200])
        r = http.post(route, content=b"not multipart", headers={"Content-Type": "application/json"})
        assert r.status_code in (400, 415, 422)
    assert not list(live.home.parent.glob("evil.png")) and not list(live.home.glob("evil.png"))


@pytest.mark.parametrize("route", UPLOADS)
def test_oversized_uploads_are_refused(live: Live, route: str) -> None:
    limit = live.runtime.container.config.api.max_body_mb * 1024 * 1024
    blob = b"\x89PNG\r\n\x1a\n" + b"\0" * limit
    with live.client(live.token) as http:
        r = http.post(route, files={"file": ("big.png", blob, "image/png")})
        assert r.status_code == 413, r.text[:200]

        def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds while streaming
            yield b'--x\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\n'
            yield b"Content-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n"
            for _ in range(limit // (1 << 20) + 2):
                yield b"\0" * (1 << 20)
            yield b"\r\n--x--\r\n"

        r = http.post(route, content=chunks(), headers={"Content-Type": "multipart/form-data; boundary=x"})
        assert not list(live.home.rglob("big*.png"))  # refused either way: nothing stored
        assert r.status_code == 413


# ---- injection-looking strings ----------------------------------------------------------------

INJECTIONS = [
    "' OR '1'='1",
    "admin'--",
    '"; DROP TABLE users; --',
    "<script>alert(1)</script>",
    "${jndi:ldap://x/a}",
    "{{7*7}}",
    "owner\x00",
    "$(reboot)",
]


def test_injection_strings_never_sign_in_or_crash(live: Live) -> None:
    with live.client() as http:
        for text in INJECTIONS:
            for route in ("/api/auth/login", "/api/login"):
                r = http.post(route, json={"username": text, "password": text})
                assert r.status_code in (400, 401, 422, 429), (route, text, r.status_code)
            r = http.post("/api/auth/login", json={"username": "owner", "password": {"$gt": ""}})
            assert r.status_code == 422
    with live.client(live.admin_token) as http:
        for text in INJECTIONS:
            r = http.get(f"/api/users/{quote(text, safe='')}")
            assert r.status_code in (404, 422), r.status_code
            r = http.put("/api/preferences", json={"bannerColor": text, text[:50] or "k": text})
            assert r.status_code in (200, 400, 422), r.text[:200]
        assert len(http.get("/api/users").json()["data"]) == 2  # the table is still there


# ---- tokens -----------------------------------------------------------------------------------


def _forgeries(token: str) -> dict[str, str]:
    header, payload, _ = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    none_header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    admin_payload = (
        base64.urlsafe_b64encode(json.dumps({**claims, "user_id": 1}).encode()).rstrip(b"=").decode()
    )
    return {
        "other key": jwt.encode(claims, "not-the-studio-key-0123456789abcdef", algorithm="HS256"),
        "alg none": f"{none_header}.{payload}.",
        "payload swapped": f"{header}.{admin_payload}.{token.split('.')[2]}",
        "garbage": "abc.def.ghi",
        "fake api token": "cst_" + "A" * 40,
    }


def test_expired_revoked_and_forged_tokens_get_401(live: Live) -> None:
    from studio.api.auth.service import AuthService

    c = live.runtime.container
    auth = AuthService(c.db, c.secrets)

    async def tokens() -> tuple[str, str]:
        row = await auth.users.get(live.user_id)
        assert row is not None
        return (await auth.issue(row, ttl_s=-30)).token, (await auth.issue(row)).token

    expired, to_revoke = live.runtime.submit(tokens()).result(30)
    with live.client(to_revoke) as http:
        assert http.post("/api/auth/logout").status_code == 200
    cases = {"expired": expired, "revoked": to_revoke, **_forgeries(live.token)}
    for what, token in cases.items():
        with live.client(token) as http:
            for method, route in (
                ("POST", "/api/auth/verify-token"),
                ("GET", f"/api/users/{live.user_id}"),
                ("GET", "/api/preferences"),
                ("GET", "/api/protected"),
            ):
                r = http.request(method, route)
                assert r.status_code == 401, (what, route, r.status_code, r.text[:200])
        ws_url = live.url.replace("http", "ws") + f"/v1/ws/events?token={token}"

        async def ws_refused(url: str = ws_url) -> None:
            with pytest.raises(websockets.InvalidStatus):
                async with websockets.connect(url, open_timeout=5):
                    pass

        asyncio.run(ws_refused())
    with live.client(live.token) as http:  # the real one still works
        assert http.post("/api/auth/verify-token").status_code == 200


# ---- CORS, rate limit -------------------------------------------------------------------------


def test_a_foreign_origin_is_not_allowed_and_loopback_is(live: Live) -> None:
    with live.client() as http:
        for origin in ("https://evil.example", "http://127.0.0.1.evil.example", "null"):
            pre = http.options(
                "/api/auth/login",
                headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
            )
            assert pre.headers.get("access-control-allow-origin") is None, origin
            r = http.get("/health", headers={"Origin": origin})
            assert r.headers.get("access-control-allow-origin") is None, origin
        ok = http.get("/health", headers={"Origin": "http://localhost:5173"})
        assert ok.headers.get("access-control-allow-origin") == "http://localhost:5173"


def test_login_is_rate_limited_per_account(live: Live) -> None:
    with live.client() as http:
        codes = [
            http.post("/api/auth/login", json={"username": "owner", "password": f"wrong-{i}"}).status_code
            for i in range(8)
        ]
        assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}, codes
        r = http.post("/api/auth/login", json={"username": "owner", "password": PASSWORD})
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0  # locked even when right
        legacy = http.post("/api/login", json={"username": "owner", "password": PASSWORD})
        assert legacy.status_code == 429 and legacy.json()["success"] is False


# ---- secrets and stack traces (last: they look at everything the module did) -----------------


def test_zz_secrets_stay_out_of_responses_files_and_the_database(live: Live) -> None:
    with live.client(live.token) as http:
        r = http.put("/api/preferences", json={"aiSettings": {"provider": "openai", "apiKey": API_KEY}})
        assert r.status_code == 200, r.text
        read = http.get("/api/preferences").json()
        assert read["data"]["aiSettings"]["apiKey"] == "***"
        users = http.get(f"/api/users/{live.user_id}").text
        assert "argon2" not in users and "password" not in users.lower()
    live.runtime.submit(asyncio.sleep(0.2)).result(5)  # let the log handler and DB thread catch up
    c = live.runtime.container
    jwt_secret = c.secrets.get("api.jwt_secret")
    assert jwt_secret
    needles = {"password": PASSWORD, "api key": API_KEY, "jwt key": jwt_secret, "session token": live.token}
    for response in live.seen:
        for what, value in needles.items():
            if what != "session token":
                assert value not in response.text, (what, response.request.url)
    secrets_files = {p.resolve() for p in live.home.rglob("*") if "secret" in p.name.lower()}
    checked = 0
    for path in live.home.rglob("*"):
        if not path.is_file() or path.resolve() in secrets_files or path.name == OUTSIDE:
            continue
        data = path.read_bytes()
        checked += 1
        for what, value in needles.items():
            assert value.encode() not in data, f"{what} found in {path.relative_to(live.home)}"
    assert checked >= 3  # config, database (+ WAL), log


def test_zz_no_error_body_carries_a_stack_trace(live: Live) -> None:
    errors = [r for r in live.seen if r.status_code >= 400]
    assert len(errors) > 50  # the tests above produced plenty
    for response in errors:
        assert not TRACE.search(response.text), (response.request.url, response.text[:300])
    assert not [r for r in live.seen if r.status_code >= 500], "no 5xx anywhere"
