"""Open-LLM-VTuber compatibility (compat-apis.md section 4; facts in reference-contracts.md 4).

Routes, at the reference's paths on the main port (and at the root of the legacy port 12393):

* ``/client-ws``: the main protocol (:mod:`studio.api.compat.olv_session`);
* ``/tts-ws``: ``{"text"}`` -> ``{"status": "partial", "audioPath": "cache/<file>", "text"}`` per
  ``.``-sentence, then ``{"status": "complete"}`` (or ``{"status": "error", "message"}``);
* ``POST /asr``: multipart ``file`` (16-bit PCM WAV, 44-byte header, 16 kHz mono) -> ``{"text"}``;
* ``GET /live2d-models/info``: the studio's Cubism 3+ avatars;
* ``/web-tool`` and ``/web_tool``: 302 to ``/web-tool/index.html``;
* static ``/live2d-models`` and ``/avatars`` (the avatar library; ``/avatars`` pictures only),
  ``/bg`` (the background images) and ``/cache`` (synthesized audio), each confined to its folder.

The reference's ``/`` front end is not served (the studio does not bundle the web build) and
``/proxy-ws`` is off, as the reference's default. No authentication, like the reference; the
server binds to loopback by default (compat-apis.md section 0).

Thread: engine loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, UploadFile, WebSocket
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocketDisconnect, WebSocketState

from studio.api.compat.olv_groups import OlvHub
from studio.api.compat.olv_payloads import asr_samples, guess_language, speakable
from studio.api.compat.olv_session import OlvSession
from studio.api.deps import ApiContext
from studio.api.olv_service import ASR_RATE, backend_of, recognizer_of
from studio.api.tts_service import AUDIO_DIR_NAME, AudioStore, SpeechApi
from studio.core.errors import StudioError

log = logging.getLogger(__name__)

CLIENT_WS = "/client-ws"
TTS_WS = "/tts-ws"
MAX_FRAME_CHARS = 8 * 1024 * 1024
"""Longest text frame read from a client (a 4096-sample mic chunk is about 100 KB)."""
PICTURE_TYPES = (".jpg", ".jpeg", ".png", ".gif", ".svg")
BACKGROUND_TYPES = (".jpg", ".jpeg", ".png", ".gif", ".webp")
AUDIO_TYPES = (".wav",)
_ERROR_BODY: dict[str, Any] = {
    "content": {
        "application/json": {
            "schema": {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]}
        }
    }
}


class TypedStaticFiles(StaticFiles):
    """Static files limited to some extensions (others: 403 ``Forbidden file type``)."""

    def __init__(self, directory: Path, extensions: tuple[str, ...] | None) -> None:
        super().__init__(directory=directory, check_dir=False)
        self.extensions = extensions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if self.extensions is not None and not path.lower().endswith(self.extensions):
            await JSONResponse({"detail": "Forbidden file type"}, status_code=403)(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def _ctx(app: Any) -> ApiContext:
    ctx = app.state.ctx
    assert isinstance(ctx, ApiContext)
    return ctx


async def _frames(ws: WebSocket) -> Any:
    """Yields the JSON objects the client sends; invalid JSON and non-objects are skipped."""
    while True:
        event = await ws.receive()
        if event["type"] == "websocket.disconnect":
            return
        raw = event.get("text")
        if raw is None and event.get("bytes") is not None:
            raw = bytes(event["bytes"]).decode("utf-8", "replace")
        if not raw or len(raw) > MAX_FRAME_CHARS:
            continue
        try:
            msg = json.loads(raw)
        except ValueError:
            continue
        if isinstance(msg, dict):
            yield msg


def _sender(ws: WebSocket) -> Any:
    lock = asyncio.Lock()

    async def send(msg: dict[str, Any]) -> None:
        async with lock:
            if ws.application_state != WebSocketState.CONNECTED:
                return
            try:
                await ws.send_text(json.dumps(msg, ensure_ascii=False))
            except (RuntimeError, OSError, WebSocketDisconnect):
                log.debug("olv: client gone; message dropped")

    return send


def include_olv_routes(app: FastAPI) -> None:
    """Add the Open-LLM-VTuber routes and static mounts to ``app`` (its ``state.ctx`` is set)."""
    hub = OlvHub()

    @app.websocket(CLIENT_WS)
    async def client_ws(ws: WebSocket) -> None:
        await ws.accept()
        session = OlvSession(_ctx(ws.app), hub, _sender(ws))
        try:
            await session.connect()
            async for msg in _frames(ws):
                await session.handle(msg)
        except WebSocketDisconnect:
            pass
        finally:
            await session.close()

    @app.websocket(TTS_WS)
    async def tts_ws(ws: WebSocket) -> None:
        await ws.accept()
        send = _sender(ws)
        ctx = _ctx(ws.app)
        with contextlib.suppress(WebSocketDisconnect):
            async for msg in _frames(ws):
                text = msg.get("text")
                if not isinstance(text, str) or not text.strip():
                    continue
                try:
                    await _tts_sentences(ctx, text, send)
                except StudioError as exc:
                    await send({"status": "error", "message": exc.user_message})

    @app.post(
        "/asr",
        tags=["open-llm-vtuber"],
        responses={
            400: {"description": "Not a 16-bit PCM WAV", **_ERROR_BODY},
            500: {"description": "Transcription failed", **_ERROR_BODY},
        },
    )
    async def asr(request: Request, file: UploadFile) -> JSONResponse:
        data = await file.read()
        try:
            pcm = asr_samples(data)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        try:
            text = await recognizer_of(_ctx(request.app).services).transcribe(pcm, ASR_RATE)
        except Exception:
            log.exception("olv: transcription failed")
            return JSONResponse({"error": "Internal server error during transcription"}, status_code=500)
        return JSONResponse({"text": text})

    @app.get(
        "/live2d-models/info",
        tags=["open-llm-vtuber"],
        responses={404: {"description": "No avatar library", **_ERROR_BODY}},
    )
    async def live2d_models_info(request: Request) -> JSONResponse:
        from studio.avatar.model_dict import live2d_models_info as info

        try:
            library = await backend_of(_ctx(request.app).services).avatar_library()
        except StudioError:
            library = None
        if library is None:
            return JSONResponse({"error": "Live2D models directory not found"}, status_code=404)
        return JSONResponse(await asyncio.to_thread(info, library))

    @app.get("/web-tool", include_in_schema=False)
    @app.get("/web_tool", include_in_schema=False)
    async def web_tool() -> Response:
        return RedirectResponse("/web-tool/index.html", status_code=302)

    data_dir = _ctx(app).data_dir
    if data_dir is not None:
        app.mount("/live2d-models", TypedStaticFiles(data_dir / "avatars", None), name="olv-live2d")
        app.mount("/avatars", TypedStaticFiles(data_dir / "avatars", PICTURE_TYPES), name="olv-avatars")
        app.mount("/bg", TypedStaticFiles(data_dir / "backgrounds", BACKGROUND_TYPES), name="olv-bg")
        app.mount("/cache", TypedStaticFiles(data_dir / AUDIO_DIR_NAME, AUDIO_TYPES), name="olv-cache")


async def _tts_sentences(ctx: ApiContext, text: str, send: Any) -> None:
    """``/tts-ws``: one ``partial`` per ``.``-sentence (audio saved under ``/cache``), then
    ``complete``."""
    speech = ctx.services.get("speech")
    if not isinstance(speech, SpeechApi) or ctx.data_dir is None:
        raise StudioError("Speech synthesis is not available.")
    store = AudioStore(ctx.data_dir / AUDIO_DIR_NAME)
    for part in text.split("."):
        sentence = part.strip()
        if not sentence:
            continue
        sentence += "."
        spoken = speakable(sentence)
        if not spoken.strip(". "):
            continue
        result = await speech.synthesize(
            spoken, voice=None, language=guess_language(spoken), speed=1.0, pitch=0.0
        )
        name = await store.save(result.wav, prefix=time.strftime("%Y%m%d_%H%M%S"))
        await send({"status": "partial", "audioPath": f"cache/{name}", "text": sentence})
    await send({"status": "complete"})
