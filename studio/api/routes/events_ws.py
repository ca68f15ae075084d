"""``/v1/ws/events``: the studio's bus events over a WebSocket, for plugins and remote tools.

The client authenticates with its session JWT or plugin API token (``Authorization: Bearer`` or,
as browsers cannot set headers on a WebSocket, ``?token=``). It then receives one JSON text frame
per event, ``{"type": "EngineStateEvent", "ts": ..., "data": {...}}``, and a
``{"type": "heartbeat", "ts": ...}`` frame when nothing happened for :data:`HEARTBEAT_S` seconds.
Frames the client sends are read and ignored (``{"type": "ping"}`` is answered with ``pong``).
A client that cannot keep up loses the oldest events (counted in the heartbeat's ``dropped``).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import time
from collections.abc import Coroutine
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect, status

from studio.api.deps import ApiContext
from studio.core.bus import EventBus, EventQueue
from studio.core.events import Event
from studio.core.tasks import TaskOwner

router = APIRouter(tags=["events"])

EVENTS_PATH = "/v1/ws/events"
BUS_SERVICE_KEY = "bus"
"""``ApiContext.services`` key of the engine's :class:`EventBus` (registered by the runtime)."""
HEARTBEAT_S = 5.0
QUEUE_SIZE = 256


def event_frame(event: Event) -> dict[str, Any]:
    """The JSON frame of one bus event (dataclass fields; anything not JSON-ready as text)."""
    data = {f.name: getattr(event, f.name) for f in dataclasses.fields(event) if f.name != "ts"}
    return {"type": type(event).__name__, "ts": event.ts, "data": data}


def _dumps(frame: dict[str, Any]) -> str:
    return json.dumps(frame, default=str, ensure_ascii=False)


def _token(ws: WebSocket) -> str | None:
    header = ws.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return ws.query_params.get("token") or None


async def _authorized(ws: WebSocket, ctx: ApiContext) -> bool:
    from studio.api.auth import AuthError, auth_service_for

    auth = auth_service_for(ctx)
    token = _token(ws)
    if auth is None or token is None:
        return False
    try:
        await auth.authenticate(token)
    except AuthError:
        return False
    return True


async def _send_events(ws: WebSocket, queue: EventQueue[Event] | None) -> None:
    while True:
        event: Event | None = None
        if queue is None:
            await asyncio.sleep(HEARTBEAT_S)
        else:
            with contextlib.suppress(TimeoutError):
                event = await asyncio.wait_for(queue.get(), HEARTBEAT_S)
        if event is None:
            dropped = queue.dropped if queue is not None else 0
            await ws.send_text(_dumps({"type": "heartbeat", "ts": time.time(), "dropped": dropped}))
        else:
            await ws.send_text(_dumps(event_frame(event)))


async def _read_client(ws: WebSocket) -> None:
    while True:
        text = await ws.receive_text()
        with contextlib.suppress(ValueError, AttributeError):
            if json.loads(text).get("type") == "ping":
                await ws.send_text(_dumps({"type": "pong", "ts": time.time()}))


async def _until_closed(step: Coroutine[Any, Any, None]) -> None:
    """Run one side of the connection; a closed socket ends it quietly."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):  # RuntimeError: sent after close
        await step


@router.websocket(EVENTS_PATH)
async def events(ws: WebSocket) -> None:
    """Stream bus events to a signed-in client until it disconnects (engine loop)."""
    ctx = ws.app.state.ctx
    assert isinstance(ctx, ApiContext)
    if not await _authorized(ws, ctx):
        await ws.close(code=status.WS_1008_POLICY_VIOLATION, reason="A valid token is required.")
        return
    await ws.accept()
    bus = ctx.services.get(BUS_SERVICE_KEY)
    queue = bus.queue(Event, QUEUE_SIZE) if isinstance(bus, EventBus) else None
    owner = TaskOwner("ws-events")
    try:
        await ws.send_text(_dumps({"type": "hello", "ts": time.time(), "events": queue is not None}))
        sides = {
            owner.spawn(_until_closed(_send_events(ws, queue)), "send"),
            owner.spawn(_until_closed(_read_client(ws)), "read"),
        }
        await asyncio.wait(sides, return_when=asyncio.FIRST_COMPLETED)
    except (WebSocketDisconnect, RuntimeError):
        pass  # the client left before the hello
    finally:
        await owner.close(1.0)
        if queue is not None:
            queue.close()
