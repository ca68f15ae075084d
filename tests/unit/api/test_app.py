"""create_app over real HTTP: uvicorn on a free port (ApiServer), httpx as the client."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI, Request
from pydantic import BaseModel
from starlette.types import Receive, Scope, Send

from studio.api.app import BodyLimitMiddleware, create_app
from studio.api.deps import ApiContext
from studio.api.schemas import EngineInfo
from studio.config.settings import ApiSettings
from studio.core.errors import PathNotAllowedError, StudioError, ValidationError
from tests.unit.api._live_server import serve_in_thread

ENVELOPE_KEYS = {"success", "message", "data", "timestamp", "code"}
LEAK = "INTERNAL-DETAIL-7f3a"  # text of an unexpected exception: must never reach a client


class _Item(BaseModel):
    text: str


def _build(settings: ApiSettings) -> FastAPI:
    ctx = ApiContext(
        version="9.8.7-test",
        engines=lambda: [EngineInfo(kind="tts", name="fake", available=True, detail="test double")],
    )
    app = create_app(ctx, settings)

    @app.get("/test/boom")
    async def boom() -> None:
        raise RuntimeError(f"{LEAK} at /secret/path/module.py line 3")

    @app.get("/test/studio-error")
    async def studio_error() -> None:
        raise StudioError("The TTS engine is not loaded.", code="tts_not_loaded")

    @app.get("/test/invalid")
    async def invalid() -> None:
        raise ValidationError("Voice name is empty.")

    @app.get("/test/forbidden-path")
    async def forbidden_path() -> None:
        raise PathNotAllowedError("Path not allowed: '../x'")

    @app.post("/test/echo")
    async def echo(item: _Item) -> dict[str, int]:
        return {"length": len(item.text)}

    @app.post("/test/raw")
    async def raw(request: Request) -> dict[str, int]:
        return {"length": len(await request.body())}

    return app


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    settings = ApiSettings(max_body_mb=1, allowed_origins=["https://allowed.example"])
    with serve_in_thread(_build(settings)) as url:
        yield url


@pytest.fixture
async def client(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as c:
        yield c


def _assert_error_envelope(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == ENVELOPE_KEYS
    assert body["success"] is False
    assert body["code"] == code
    assert "Traceback" not in response.text
    assert 'File "' not in response.text
    return body


async def test_health(client: httpx.AsyncClient) -> None:
    r = await client.get("/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["version"] == "9.8.7-test"
    assert isinstance(body["uptime_s"], float)
    assert body["uptime_s"] >= 0


async def test_info_envelope(client: httpx.AsyncClient) -> None:
    r = await client.get("/v1/info")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == ENVELOPE_KEYS
    assert body["success"] is True
    assert body["code"] == "ok"
    assert body["message"] == "ok"
    assert body["timestamp"].endswith("Z")
    stamp = datetime.fromisoformat(body["timestamp"])
    assert stamp.tzinfo is not None
    assert abs(datetime.now(UTC) - stamp) < timedelta(seconds=30)
    data = body["data"]
    assert data["name"] == "Cream Studio"
    assert data["version"] == "9.8.7-test"
    assert data["api_version"] == "1"
    assert data["engines"] == [{"kind": "tts", "name": "fake", "available": True, "detail": "test double"}]


async def test_openapi_and_docs(client: httpx.AsyncClient) -> None:
    r = await client.get("/openapi.json")
    assert r.status_code == 200
    spec = r.json()
    assert spec["info"]["title"] == "Cream Studio API"
    assert spec["info"]["version"] == "9.8.7-test"
    assert {"/health", "/v1/info"} <= set(spec["paths"])
    docs = await client.get("/api-docs")
    assert docs.status_code == 200
    assert "text/html" in docs.headers["content-type"]
    assert "/openapi.json" in docs.text


async def test_not_found_is_an_envelope(client: httpx.AsyncClient) -> None:
    body = _assert_error_envelope(await client.get("/no/such/route"), 404, "http_404")
    assert body["message"] == "Not Found"
    _assert_error_envelope(await client.delete("/health"), 405, "http_405")


async def test_unexpected_exception_is_a_plain_500(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    uvicorn_records: list[logging.LogRecord] = []
    catcher = logging.Handler()
    catcher.emit = uvicorn_records.append  # type: ignore[method-assign]
    logging.getLogger("uvicorn.error").addHandler(catcher)
    try:
        with caplog.at_level(logging.ERROR, logger="studio.api.app"):
            r = await client.get("/test/boom")
    finally:
        logging.getLogger("uvicorn.error").removeHandler(catcher)
    body = _assert_error_envelope(r, 500, "internal_error")
    assert body["message"] == "Internal error; see the studio log."
    assert LEAK not in r.text
    assert "RuntimeError" not in r.text
    assert "/secret/path" not in r.text
    # ... while our side logged it with the traceback
    logged = [rec for rec in caplog.records if rec.name == "studio.api.app"]
    assert len(logged) == 1
    assert logged[0].exc_info is not None
    assert uvicorn_records == []  # logged once, by us, not again by uvicorn
    assert getattr(logged[0], "path", None) == "/test/boom"
    # the server survived, and the keep-alive connection stays usable (uvicorn used to drop it)
    for _ in range(5):
        assert (await client.get("/test/boom")).status_code == 500
        assert (await client.get("/health")).status_code == 200
    boom = await client.get("/test/boom", headers={"Origin": "http://localhost:5173"})
    assert boom.headers["access-control-allow-origin"] == "http://localhost:5173"  # readable by the page


async def test_studio_errors_keep_their_code_and_message(client: httpx.AsyncClient) -> None:
    body = _assert_error_envelope(await client.get("/test/studio-error"), 500, "tts_not_loaded")
    assert body["message"] == "The TTS engine is not loaded."
    body = _assert_error_envelope(await client.get("/test/invalid"), 400, "invalid_input")
    assert body["message"] == "Voice name is empty."
    _assert_error_envelope(await client.get("/test/forbidden-path"), 403, "path_not_allowed")


async def test_request_validation_is_a_422_envelope(client: httpx.AsyncClient) -> None:
    r = await client.post("/test/echo", json={"wrong": 1})
    body = _assert_error_envelope(r, 422, "invalid_input")
    assert body["data"]["errors"][0]["loc"] == ["body", "text"]
    r = await client.post("/test/echo", content=b"{not json", headers={"content-type": "application/json"})
    _assert_error_envelope(r, 422, "invalid_input")


async def test_body_within_the_limit_is_accepted(client: httpx.AsyncClient) -> None:
    r = await client.post("/test/echo", json={"text": "x" * 500_000})
    assert r.status_code == 200
    assert r.json() == {"length": 500_000}


@pytest.mark.parametrize("route", ["/test/echo", "/test/raw", "/no/such/route"])
async def test_body_over_the_limit_by_content_length_is_413(client: httpx.AsyncClient, route: str) -> None:
    big = json.dumps({"text": "x" * (1024 * 1024 + 10)}).encode()
    r = await client.post(route, content=big, headers={"content-type": "application/json"})
    body = _assert_error_envelope(r, 413, "body_too_large")
    assert body["message"] == "Request body too large (limit 1 MiB)."


@pytest.mark.parametrize("route", ["/test/echo", "/test/raw"])
async def test_body_over_the_limit_while_streaming_is_413(client: httpx.AsyncClient, route: str) -> None:
    big = json.dumps({"text": "x" * (2 * 1024 * 1024)}).encode()

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: chunked transfer encoding
        for start in range(0, len(big), 64 * 1024):
            yield big[start : start + 64 * 1024]

    r = await client.post(route, content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in r.request.headers
    _assert_error_envelope(r, 413, "body_too_large")


def _preflight(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }


@pytest.mark.parametrize(
    "origin",
    [
        "http://localhost:5173",
        "http://127.0.0.1:12393",
        "http://[::1]:3000",
        "https://localhost",
        "http://localhost",
    ],
)
async def test_cors_allows_loopback_origins_on_any_port(client: httpx.AsyncClient, origin: str) -> None:
    pre = await client.options("/test/echo", headers=_preflight(origin))
    assert pre.status_code == 200
    assert pre.headers["access-control-allow-origin"] == origin
    r = await client.get("/v1/info", headers={"Origin": origin})
    assert r.headers["access-control-allow-origin"] == origin
    assert r.headers["access-control-allow-credentials"] == "true"


async def test_cors_allows_configured_origins(client: httpx.AsyncClient) -> None:
    r = await client.get("/v1/info", headers={"Origin": "https://allowed.example"})
    assert r.headers["access-control-allow-origin"] == "https://allowed.example"


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "http://localhost.evil.example",
        "http://127.0.0.1.evil.example:80",
        "http://evil.example/?http://localhost",
        "http://192.168.1.20:8080",
        "null",
    ],
)
async def test_cors_refuses_foreign_origins(client: httpx.AsyncClient, origin: str) -> None:
    pre = await client.options("/test/echo", headers=_preflight(origin))
    assert pre.status_code == 400
    assert "access-control-allow-origin" not in pre.headers
    r = await client.get("/v1/info", headers={"Origin": origin})
    assert r.status_code == 200  # the server answers; the browser withholds it from the page
    assert "access-control-allow-origin" not in r.headers


def test_loopback_origins_can_be_switched_off() -> None:
    with serve_in_thread(_build(ApiSettings(allow_loopback_origins=False))) as url:
        r = httpx.get(url + "/health", headers={"Origin": "http://localhost:5173"})
        assert r.status_code == 200
        assert "access-control-allow-origin" not in r.headers


async def test_model_archives_get_their_own_body_limit() -> None:
    """A voice model zip is GBs: the import route has its own limit, every other route keeps 1 MiB."""
    seen: list[int] = []

    async def sink(scope: Scope, receive: Receive, send: Send) -> None:
        size = 0
        while True:
            message = await receive()
            size += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        seen.append(size)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    limited = BodyLimitMiddleware(sink, max_bytes=1024, large={"/v1/voices/models/import": 4096})
    transport = httpx.ASGITransport(app=limited)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        assert (await c.post("/v1/voices/models/import", content=b"x" * 3000)).status_code == 200
        assert (await c.post("/v1/voices/models/import", content=b"x" * 5000)).status_code == 413
        assert (await c.post("/v1/voices/speakers", content=b"x" * 3000)).status_code == 413
    assert seen == [3000]
