"""Legacy ports: the same API also on the compatible servers' ports, each optional, all stopped with
the engine; the GPT-SoVITS and VoxCPM ports serve their router at the root.

The real ports (9080, 5001, 8888, 9880, 7861, 12393) are replaced by free ones through
``EngineRuntime(legacy_ports=)``.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets
from fastapi import FastAPI, WebSocket

from studio.api.app import create_app
from studio.api.deps import ApiContext
from studio.api.server import LEGACY_PORTS, ApiServer, bind_socket, port_is_free
from studio.app.container import Container
from studio.app.runtime import EngineRuntime
from studio.core.events import ErrorEvent, Event
from studio.core.tasks import TaskOwner

FREE = {name: 0 for name in LEGACY_PORTS}


@pytest.fixture
def legacy_on(studio_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Container]:
    monkeypatch.setenv("STUDIO_API_LEGACY_PORTS", "true")
    c = Container.build()
    assert c.config.api.legacy_ports is True
    try:
        yield c
    finally:
        c.close()


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port held by another program."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        yield sock.getsockname()[1]


def _engine_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "studio-engine"]


def _health(url: str) -> int:
    return httpx.get(url + "/health", timeout=5).status_code


def test_the_default_ports_are_streamcreams() -> None:
    assert dict(LEGACY_PORTS) == {
        "loginBackend": 9080,
        "streamTTSBackend": 5001,
        "streamingBackend": 8888,
        "gptSovits": 9880,
        "voxcpm": 7861,
        "openLlmVtuber": 12393,
    }


def test_all_legacy_ports_serve_the_same_api_and_stop_with_the_engine(legacy_on: Container) -> None:
    runtime = EngineRuntime(legacy_on, port=0, legacy_ports=FREE)
    runtime.start()
    try:
        statuses = runtime.legacy_ports
        assert [s.name for s in statuses] == list(LEGACY_PORTS)
        assert all(s.ok and not s.error for s in statuses), statuses
        urls = [runtime.api_url, *(s.url for s in statuses)]
        assert len({u for u in urls if u}) == 1 + len(LEGACY_PORTS)  # distinct listening ports
        for url in urls:
            assert url is not None and _health(url) == 200
        # the same application: the docs and a versioned route answer on a legacy port too
        info = httpx.get(statuses[0].url + "/v1/info", timeout=5)
        assert info.status_code == 200 and info.json()["data"]["version"] == legacy_on.version
    finally:
        assert runtime.stop(timeout=3.0)
    assert _engine_threads() == []
    for status in statuses:
        assert port_is_free("127.0.0.1", status.port), f"{status.name} still bound"
        with pytest.raises(httpx.ConnectError):
            httpx.get(status.url + "/health", timeout=2)


def test_a_taken_legacy_port_is_reported_and_the_others_serve(legacy_on: Container, taken_port: int) -> None:
    seen: list[Event] = []
    legacy_on.bus.subscribe(Event, seen.append)
    ports = {"loginBackend": 0, "streamTTSBackend": taken_port, "streamingBackend": 0}
    runtime = EngineRuntime(legacy_on, port=0, legacy_ports=ports)
    runtime.start()  # a taken legacy port never stops the engine
    try:
        assert runtime.state == "running"
        by_name = {s.name: s for s in runtime.legacy_ports}
        bad = by_name["streamTTSBackend"]
        assert not bad.ok and bad.url == ""
        assert f"Legacy port {taken_port} (streamTTSBackend)" in bad.error
        assert "already in use" in bad.error and "Settings -> API" in bad.error
        assert runtime.api_url is not None and _health(runtime.api_url) == 200
        for name in ("loginBackend", "streamingBackend"):
            assert by_name[name].ok and _health(by_name[name].url) == 200
        errors = [e for e in seen if isinstance(e, ErrorEvent) and e.source == "api:legacy-ports"]
        assert [(e.code, e.message) for e in errors] == [("port_in_use", bad.error)]
    finally:
        assert runtime.stop(timeout=3.0)
    assert _engine_threads() == []


def test_restart_api_keeps_the_legacy_ports_and_stop_api_closes_them(legacy_on: Container) -> None:
    runtime = EngineRuntime(legacy_on, port=0, legacy_ports=FREE)
    runtime.start()
    try:
        runtime.submit(runtime.restart_api(port=0)).result(10)
        statuses = runtime.legacy_ports
        assert len(statuses) == len(LEGACY_PORTS) and all(s.ok for s in statuses)
        for status in statuses:
            assert _health(status.url) == 200
        runtime.submit(runtime.stop_api()).result(10)
        assert runtime.legacy_ports == []
        for status in statuses:
            assert port_is_free("127.0.0.1", status.port)
    finally:
        assert runtime.stop(timeout=3.0)


def test_legacy_ports_off_serves_only_the_main_port(container: Container) -> None:
    assert container.config.api.legacy_ports is False
    runtime = EngineRuntime(container, port=0, legacy_ports=FREE)
    runtime.start()
    try:
        assert runtime.legacy_ports == []
        assert runtime.api_url is not None and _health(runtime.api_url) == 200
    finally:
        assert runtime.stop(timeout=3.0)


def _relay_app() -> FastAPI:
    app = FastAPI()

    @app.websocket("/ws/relay")
    async def relay(ws: WebSocket) -> None:
        await ws.accept()
        await ws.send_text(f"relay:{ws.scope['path']}")
        await ws.close()

    @app.websocket("/ws/other")
    async def other(ws: WebSocket) -> None:
        await ws.accept()
        await ws.send_text("other")
        await ws.close()

    return app


async def test_the_relay_port_takes_a_websocket_on_any_path() -> None:
    """StreamCream's front end opens ``ws://localhost:8888`` (any path reached the relay)."""
    owner = TaskOwner("test")
    server = ApiServer(_relay_app(), "127.0.0.1", 0, owner, legacy_ports={"streamingBackend": 0})
    await server.start()
    try:
        relay = server.legacy[0].url.replace("http://", "ws://")
        main = server.url.replace("http://", "ws://")
        for path in ("", "/", "/anything/at/all"):
            async with websockets.connect(relay + path, open_timeout=5) as ws:
                assert await asyncio.wait_for(ws.recv(), 5) == "relay:/ws/relay"
        async with websockets.connect(relay + "/ws/other", open_timeout=5) as ws:
            assert await asyncio.wait_for(ws.recv(), 5) == "other"  # a real route is left alone
        with pytest.raises(websockets.InvalidStatus):  # the main port keeps exact paths
            async with websockets.connect(main + "/anything", open_timeout=5):
                pass
    finally:
        await server.stop()
    assert await owner.close() == []


def _prefixed_app() -> FastAPI:
    app = FastAPI()

    @app.get("/gpt-sovits/tts")
    async def tts() -> dict[str, str]:
        return {"served": "gpt-sovits"}

    @app.get("/voxcpm/health")
    async def vox_health() -> dict[str, str]:
        return {"served": "voxcpm"}

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"served": "studio"}

    @app.get("/api-docs")
    async def docs() -> dict[str, str]:
        return {"served": "docs"}

    return app


async def test_the_gpt_sovits_and_voxcpm_ports_serve_their_router_at_the_root() -> None:
    owner = TaskOwner("test")
    server = ApiServer(_prefixed_app(), "127.0.0.1", 0, owner, legacy_ports={"gptSovits": 0, "voxcpm": 0})
    await server.start()
    try:
        sovits, vox = (s.url for s in server.legacy)
        async with httpx.AsyncClient(timeout=5) as client:
            assert (await client.get(sovits + "/tts")).json() == {"served": "gpt-sovits"}
            assert (await client.get(sovits + "/gpt-sovits/tts")).json() == {"served": "gpt-sovits"}
            assert (await client.get(sovits + "/health")).json() == {"served": "studio"}  # not a router path
            assert (await client.post(sovits + "/tts")).status_code == 405  # the router's path, wrong method
            assert (await client.get(sovits + "/docs")).json() == {"served": "docs"}
            assert (await client.get(vox + "/health")).json() == {"served": "voxcpm"}
            assert (await client.get(server.url + "/health")).json() == {"served": "studio"}
            assert (await client.get(server.url + "/tts")).status_code == 404  # the main port keeps paths
    finally:
        await server.stop()
    assert await owner.close() == []


def test_served_sockets_are_tcp_so_nagle_is_off() -> None:
    """asyncio sets TCP_NODELAY only on sockets created with IPPROTO_TCP; with Nagle on, every
    keep-alive response waited ~40 ms for the client's delayed ACK."""
    sock = bind_socket("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()


async def test_keep_alive_requests_do_not_wait_for_delayed_acks() -> None:
    owner = TaskOwner("test")
    server = ApiServer(create_app(ApiContext(version="t")), "127.0.0.1", 0, owner)
    await server.start()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        times = []
        for _ in range(7):
            started = time.perf_counter()
            writer.write(b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(
                next(h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")).split(b":")[1]
            )
            await reader.readexactly(length)
            times.append(time.perf_counter() - started)
        writer.close()
        await writer.wait_closed()
        assert sorted(times)[3] < 0.02, times  # the median; 0.04+ with Nagle on
    finally:
        await server.stop()
    assert await owner.close() == []
