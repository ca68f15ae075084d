"""``/v1/ws/events``: a token is required; bus events arrive as JSON frames; heartbeats; ping/pong."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import websockets

from studio.api.routes import events_ws
from studio.app.container import Container
from studio.app.runtime import EngineRuntime
from studio.core.events import ErrorEvent


@dataclass
class Live:
    runtime: EngineRuntime
    ws_url: str
    token: str


@pytest.fixture
def live(container: Container, monkeypatch: pytest.MonkeyPatch) -> Iterator[Live]:
    from studio.api.auth.service import AuthService

    monkeypatch.setattr(events_ws, "HEARTBEAT_S", 0.3)
    runtime = EngineRuntime(container, port=0)
    runtime.start()
    try:
        auth = AuthService(container.db, container.secrets)

        async def token() -> str:
            user = await auth.create_user("viewer", "viewer@example.com", "a-long-password")
            return (await auth.issue(user)).token

        assert runtime.api_url is not None
        yield Live(
            runtime,
            runtime.api_url.replace("http", "ws") + events_ws.EVENTS_PATH,
            runtime.submit(token()).result(30),
        )
    finally:
        assert runtime.stop(timeout=3.0)


async def _frames(ws: websockets.ClientConnection, until: str, limit: int = 50) -> list[dict[str, object]]:
    seen = []
    for _ in range(limit):
        frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
        seen.append(frame)
        if frame["type"] == until:
            return seen
    raise AssertionError(f"no {until} frame in {seen}")


@pytest.mark.parametrize("how", ["none", "forged", "garbage-header"])
async def test_a_client_without_a_valid_token_is_refused(live: Live, how: str) -> None:
    headers = {"none": {}, "forged": {"Authorization": "Bearer " + live.token[:-4] + "AAAA"}}.get(
        how, {"Authorization": "Basic dXNlcjpwYXNz"}
    )
    with pytest.raises(websockets.InvalidStatus) as info:
        async with websockets.connect(live.ws_url, additional_headers=headers, open_timeout=5):
            pass
    assert info.value.response.status_code == 403


async def test_events_heartbeats_and_pong(live: Live) -> None:
    async with websockets.connect(live.ws_url + f"?token={live.token}", open_timeout=5) as ws:
        hello = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert hello["type"] == "hello" and hello["events"] is True
        bus = live.runtime.container.bus
        bus.publish_threadsafe(ErrorEvent(source="test", message="boom", code="x_failed"))
        frames = await _frames(ws, "ErrorEvent")
        data = frames[-1]["data"]
        assert isinstance(data, dict)
        assert (data["source"], data["message"], data["code"]) == ("test", "boom", "x_failed")
        await _frames(ws, "heartbeat")
        await ws.send(json.dumps({"type": "ping"}))
        await _frames(ws, "pong")
