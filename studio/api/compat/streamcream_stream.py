"""StreamCream's stream relay WebSocket (port 8888; ``/ws/relay`` on the main port).

Protocol (reference-contracts.md 1.3, compat-apis.md 1): the first message is a text frame with
JSON ``{rtmp_url, stream_key}`` (the front end also sends ``action``/``topic``: ignored); then
binary WebM chunks (``MediaRecorder``, one every 100 ms). The chunks go to a
:class:`~studio.broadcast.relay.StreamRelay` (PyAV demux -> H.264 + AAC FLV -> RTMP).

Better than the original on purpose: ``{"status":"started"}`` once the RTMP output is open;
``{"action":"pause_stream"}`` / ``{"action":"resume_stream"}`` pause and resume sending,
``{"action":"end_stream"}`` ends the stream cleanly (``{"status":"stopped"}``, then close); errors
come as ``{"error": ...}`` before the socket closes; the URL is joined without a double slash; the
stream key is never logged; memory is bounded (frame size and unread bytes capped). Closing the
socket stops the output cleanly (trailer written, server told). The two first-frame errors keep
the original's exact messages because clients may compare them.

Engine loop; the relay works on its own threads; blocking calls go through ``asyncio.to_thread``.
"""

from __future__ import annotations

import asyncio
import json
import logging
from contextlib import suppress
from typing import Any, Final

from fastapi import APIRouter, FastAPI, WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

from studio.api.deps import ApiContext
from studio.broadcast.relay import RelayConfig, RelayError, StreamRelay
from studio.core.errors import StudioError
from studio.core.logging import redactor

__all__ = ["MAX_CHUNK_BYTES", "include_legacy_relay", "relay_config", "router", "serve_relay"]

log = logging.getLogger(__name__)

MAX_CHUNK_BYTES: Final = 8 * 1024 * 1024
"""Largest WebSocket message accepted (a 100 ms chunk is a few tens of kB)."""
NOT_JSON: Final = "首条消息必须为JSON，包含rtmp_url和stream_key"
MISSING_FIELDS: Final = "缺少rtmp_url或stream_key"
_FIRST_FRAME_TIMEOUT_S: Final = 30.0

router = APIRouter(tags=["compat: StreamCream relay"])


def relay_config(ctx: ApiContext | None) -> RelayConfig:
    """Encoding for relayed streams from ``[stream]`` (rate, bitrate, keyframes, size cap)."""
    if ctx is None or ctx.config is None:
        return RelayConfig()
    s = ctx.config.stream
    return RelayConfig(
        fps=s.fps,
        video_bitrate_kbps=s.video_bitrate_kbps,
        audio_bitrate_kbps=s.audio_bitrate_kbps,
        keyframe_s=s.keyframe_s,
        max_width=max(s.width, s.height),
        max_height=max(s.width, s.height),
        x264_preset=s.x264_preset,
    )


async def _first_message(ws: WebSocket) -> tuple[str, str] | None:
    """The destination from the first frame, or None after answering the error."""
    try:
        message = await asyncio.wait_for(ws.receive(), _FIRST_FRAME_TIMEOUT_S)
    except TimeoutError:
        await _fail(ws, "No start message within 30 s.")
        return None
    if message["type"] == "websocket.disconnect":
        return None
    text = message.get("text")
    try:
        first = json.loads(text) if text is not None else None
    except ValueError:
        first = None
    if not isinstance(first, dict):
        await _fail(ws, NOT_JSON)
        return None
    url, key = first.get("rtmp_url"), first.get("stream_key")
    if not isinstance(url, str) or not isinstance(key, str) or not url.strip() or not key.strip():
        await _fail(ws, MISSING_FIELDS)
        return None
    redactor.register(key.strip())
    return url, key


async def _send(ws: WebSocket, lock: asyncio.Lock, body: dict[str, Any]) -> None:
    async with lock:
        if ws.application_state == WebSocketState.CONNECTED and ws.client_state == WebSocketState.CONNECTED:
            with suppress(RuntimeError, WebSocketDisconnect, OSError):
                await ws.send_text(json.dumps(body, ensure_ascii=False))


async def _fail(ws: WebSocket, message: str, code: int = 1008) -> None:
    await _send(ws, asyncio.Lock(), {"error": message})
    with suppress(RuntimeError, WebSocketDisconnect, OSError):
        await ws.close(code)


async def serve_relay(ws: WebSocket, config: RelayConfig) -> None:
    """Run one relay session on an accepted-to-be WebSocket (engine loop)."""
    await ws.accept()
    destination = await _first_message(ws)
    if destination is None:
        return
    loop = asyncio.get_running_loop()
    events: asyncio.Queue[tuple[str, str]] = asyncio.Queue()

    def on_event(kind: str, detail: str) -> None:  # relay/output thread
        loop.call_soon_threadsafe(events.put_nowait, (kind, detail))

    try:
        relay = StreamRelay(*destination, config, on_event=on_event)
    except StudioError as exc:
        await _fail(ws, exc.user_message)
        return
    session = _Session(ws)
    relay.start()
    log.info("relay session started", extra={"target": relay.shown_url})
    reporter = asyncio.create_task(session.report(events), name="relay-report")
    ended = False
    try:
        ended = await _pump(session, relay)
    except RelayError as exc:
        await session.error(relay.error or exc.user_message)
    except (WebSocketDisconnect, RuntimeError):  # the socket went away (or was closed on an error)
        pass
    finally:
        # A clean end (end_stream or the socket closed): send what was received, then the trailer.
        await asyncio.to_thread(relay.finish, 10.0)
        await asyncio.sleep(0)  # let the reporter forward the last events
        reporter.cancel()
        with suppress(asyncio.CancelledError):
            await reporter
        if relay.error:
            await session.error(relay.error)
        elif ended:
            await session.send({"status": "stopped"})
        with suppress(RuntimeError, WebSocketDisconnect, OSError):
            await ws.close(1011 if relay.error else 1000)
        log.info("relay session ended", extra={"target": relay.shown_url, "error": relay.error})


class _Session:
    """Sending on one relay socket: one sender at a time, at most one error message."""

    def __init__(self, ws: WebSocket) -> None:
        self.ws = ws
        self.lock = asyncio.Lock()
        self.error_sent = False

    async def send(self, body: dict[str, Any]) -> None:
        await _send(self.ws, self.lock, body)

    async def error(self, message: str) -> None:
        if not self.error_sent:
            self.error_sent = True
            await self.send({"error": message})

    async def report(self, events: asyncio.Queue[tuple[str, str]]) -> None:
        """Forward the relay's events: started -> status, error -> error + close."""
        while True:
            kind, detail = await events.get()
            if kind == "started":
                await self.send({"status": "started"})
            elif kind == "error":
                await self.error(detail)
                with suppress(RuntimeError, WebSocketDisconnect, OSError):
                    await self.ws.close(1011)
                return


async def _pump(session: _Session, relay: StreamRelay) -> bool:
    """Chunks to the relay until the socket closes (False) or the client ends the stream (True)."""
    while True:
        message = await session.ws.receive()
        if message["type"] == "websocket.disconnect":
            return False
        data = message.get("bytes")
        if data is not None:
            if len(data) > MAX_CHUNK_BYTES:
                raise RelayError(f"A chunk may be at most {MAX_CHUNK_BYTES // (1024 * 1024)} MiB.")
            if relay.error is not None:
                return False
            if not relay.offer(data):
                await asyncio.to_thread(relay.feed, data)
            continue
        action = _action(message.get("text"))
        if action == "pause_stream":
            relay.pause()
            await session.send({"status": "paused"})
        elif action in ("resume_stream", "start_stream"):
            relay.resume()
            await session.send({"status": "resumed"})
        elif action == "end_stream":
            return True


def _action(text: str | None) -> str | None:
    try:
        body = json.loads(text or "")
    except ValueError:
        return None
    action = body.get("action") if isinstance(body, dict) else None
    return action if isinstance(action, str) else None


@router.websocket("/ws/relay")
async def relay_socket(ws: WebSocket) -> None:
    """StreamCream relay: first JSON ``{rtmp_url, stream_key}``, then binary WebM chunks."""
    ctx = getattr(ws.app.state, "ctx", None)
    await serve_relay(ws, relay_config(ctx if isinstance(ctx, ApiContext) else None))


legacy_router = APIRouter(tags=["compat: StreamCream relay"])


@legacy_router.websocket("/{path:path}")
async def legacy_relay_socket(ws: WebSocket, path: str) -> None:
    """The original relay (port 8888) accepted any path: so does this one."""
    await relay_socket(ws)


def include_legacy_relay(app: FastAPI) -> None:
    """Mount the relay at every path (the legacy port 8888 app, which serves nothing else)."""
    app.include_router(legacy_router)
