"""GPT-SoVITS ``api_v2`` (compat-apis.md section 2; facts in reference-contracts.md 1.4 and 2).

Upstream's routes with their exact shapes: ``GET/POST /tts`` (every parameter and default,
``streaming_mode`` 0-3, wav/raw/ogg/aac), ``/control``, ``/set_gpt_weights``,
``/set_sovits_weights``, ``/set_refer_audio``, and StreamCream's additions (``/list_model_groups``,
``/get_current_status``, ``/list_available_ref_audios``, ``/set_model_pair``, ``/current_ref_audio``,
``/get_current_ref_audio``, ``POST /upload_ref_audio``). Errors are upstream's: 400
``{"message": ...}``, FastAPI's 422 ``{"detail": [...]}`` and 405 ``{"detail": ...}``.

Mounted under :data:`GPT_SOVITS_PREFIX` on the main port; the legacy port 9880 routes its root
here. The studio answers where upstream would do something harmful: ``/control?command=restart``
reloads the voice engines instead of re-executing the process, and ``exit`` is refused unless the
streamer allowed it. The engine side is a :class:`GptSovitsApi` (``services["gpt_sovits"]``), which
also says in ``X-Studio-Voice`` which engine answered. Engine loop.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Request, UploadFile, params
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.routing import APIRoute
from starlette.types import Receive, Scope, Send

from studio.api.compat.audio_media import MEDIA_TYPES, synthesis_response
from studio.api.compat.gpt_sovits_params import (
    LANGUAGES,
    STREAMING_MODE_MESSAGE,
    GptSovitsApi,
    ModelGroup,
    RefAudioError,
    TtsRequest,
    check_params,
    limits_problem,
    query_request,
    streaming_mode_of,
)
from studio.api.deps import ApiContext
from studio.core.errors import StudioError

log = logging.getLogger(__name__)

GPT_SOVITS_PREFIX = "/gpt-sovits"
VOICE_HEADER = "X-Studio-Voice"


class ForeignShapeRoute(APIRoute):
    """FastAPI's own 422 ``{"detail": [...]}`` and 405 ``{"detail": "Method Not Allowed"}`` bodies,
    as upstream sends them (the studio's app answers those with its envelope elsewhere)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                return JSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)
            except _UnavailableError:
                return _message(503, "The studio's GPT-SoVITS service is not running.")

        return route

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.methods and scope["method"] not in self.methods:
            allow = ", ".join(sorted(self.methods))
            response = JSONResponse(
                {"detail": "Method Not Allowed"}, status_code=405, headers={"Allow": allow}
            )
            await response(scope, receive, send)
            return
        await super().handle(scope, receive, send)


def _message(status: int, message: str, exception: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {"message": message}
    if exception is not None:
        body["Exception"] = exception
    return JSONResponse(body, status_code=status)


def _error_text(exc: BaseException) -> str:
    return exc.user_message if isinstance(exc, StudioError) else str(exc)


class _UnavailableError(Exception):
    """No ``services["gpt_sovits"]`` (answered 503 by :class:`ForeignShapeRoute`)."""


def _backend(request: Request) -> GptSovitsApi:
    ctx = request.app.state.ctx
    assert isinstance(ctx, ApiContext)
    backend = ctx.services.get("gpt_sovits")
    if not isinstance(backend, GptSovitsApi):
        raise _UnavailableError
    return backend


Backend = Annotated[GptSovitsApi, Depends(_backend)]
_MESSAGE: dict[str, Any] = {
    "type": "object",
    "properties": {"message": {"type": "string"}, "Exception": {"type": "string"}},
    "required": ["message"],
}
_JSON_MESSAGE: dict[str, Any] = {"content": {"application/json": {"schema": _MESSAGE}}}
_VOICE_HEADERS = {
    VOICE_HEADER: {"description": "Which engine and voice answered.", "schema": {"type": "string"}}
}
_AUDIO: dict[str, Any] = {
    "description": "Audio: one file (streaming_mode 0) or a chunked stream (1-3).",
    "content": {f"audio/{m}": {"schema": {"type": "string", "format": "binary"}} for m in MEDIA_TYPES},
    "headers": _VOICE_HEADERS,
}
TTS_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: _AUDIO,
    400: {
        "description": 'A check failed or synthesis failed: ``{"message", "Exception"?}``',
        **_JSON_MESSAGE,
    },
    503: {"description": "The GPT-SoVITS service is not running.", **_JSON_MESSAGE},
}
_STATE_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": '``{"message", "Exception"?}``', **_JSON_MESSAGE},
    503: {"description": "The GPT-SoVITS service is not running.", **_JSON_MESSAGE},
}


async def _speak(backend: GptSovitsApi, req: TtsRequest, given_ref: str | None) -> Response:
    """Upstream's ``tts_handle``: the checks in order, then the audio (or 400 "tts failed")."""
    try:
        ref = await backend.reference(given_ref)
    except RefAudioError as exc:
        return _message(400, str(exc))
    problem = check_params(req)
    if problem is not None:
        return _message(400, problem)
    mode = streaming_mode_of(req.streaming_mode)
    if mode is None:
        return _message(400, STREAMING_MODE_MESSAGE)
    problem = limits_problem(req)
    if problem is not None:
        return _message(400, "tts failed", problem)
    try:
        synthesis = await backend.synthesize(req, mode, ref)
    except Exception as exc:
        return _failed(exc)
    headers = {VOICE_HEADER: quote(synthesis.voice, safe=" :/@,;=+-_.()")}
    try:
        return await synthesis_response(synthesis, req.media_type, mode, req.fragment_interval, headers)
    except Exception as exc:
        return _failed(exc)


def _failed(exc: BaseException) -> JSONResponse:
    if not isinstance(exc, StudioError):
        log.exception("gpt-sovits: synthesis failed")
    else:
        log.warning("gpt-sovits: synthesis failed: %s", exc.user_message)
    return _message(400, "tts failed", _error_text(exc))


def _groups_json(groups: list[ModelGroup]) -> list[dict[str, Any]]:
    return [
        {
            "name": g.name,
            "pairs": {k: {"gpt_path": p.gpt_path, "sovits_path": p.sovits_path} for k, p in g.pairs.items()},
        }
        for g in groups
    ]


router = APIRouter(route_class=ForeignShapeRoute, tags=["compat: GPT-SoVITS api_v2"])


@router.get(
    "/tts",
    response_class=Response,
    responses={
        **TTS_RESPONSES,
        500: {
            "description": "text_lang or prompt_lang missing (upstream fails the same way)",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        },
    },
)
async def tts_get(
    backend: Backend,
    text: str | None = None,
    text_lang: str | None = None,
    ref_audio_path: str | None = None,
    prompt_lang: str | None = None,
    prompt_text: str = "",
    top_k: int = 15,
    top_p: float = 1,
    temperature: float = 1,
    text_split_method: str = "cut5",
    batch_size: int = 1,
    batch_threshold: float = 0.75,
    split_bucket: bool = True,
    speed_factor: float = 1.0,
    fragment_interval: float = 0.3,
    seed: int = -1,
    media_type: str = "wav",
    parallel_infer: bool = True,
    repetition_penalty: float = 1.35,
    sample_steps: int = 32,
    super_sampling: bool = False,
    streaming_mode: bool | int = False,
    overlap_length: int = 2,
    min_chunk_length: int = 16,
) -> Response:
    """Speak ``text`` (query parameters; languages are lower-cased as upstream does)."""
    if text_lang is None or prompt_lang is None:  # upstream calls .lower() on None here
        return PlainTextResponse("Internal Server Error", status_code=500)
    values = dict(locals())
    values.pop("backend")
    return await _speak(backend, query_request(values), ref_audio_path)


@router.post("/tts", response_class=Response, responses=TTS_RESPONSES)
async def tts_post(backend: Backend, body: TtsRequest) -> Response:
    """Speak ``body.text`` (upstream's ``TTS_Request`` JSON body)."""
    for name in ("text_lang", "prompt_lang"):  # upstream accepts any case here, then needs lower case
        value = getattr(body, name)
        if isinstance(value, str) and value.lower() != value and value.lower() in LANGUAGES:
            body = body.model_copy(update={name: value.lower()})
    return await _speak(backend, body, body.ref_audio_path)


@router.get(
    "/control",
    responses={
        200: {"description": "restart: the voice engines were reloaded; other commands: ``null``"},
        400: {"description": '``{"message": "command is required"}``', **_JSON_MESSAGE},
        403: {"description": "exit is not allowed in the studio's settings", **_JSON_MESSAGE},
        503: _STATE_RESPONSES[503],
    },
)
async def control(backend: Backend, command: str | None = None) -> JSONResponse:
    """``restart`` reloads the studio's voice engines; ``exit`` stops the engine only when allowed."""
    if command is None:
        return _message(400, "command is required")
    if command == "restart":
        try:
            return _message(200, await backend.restart())
        except StudioError as exc:
            return _message(400, "restart failed", exc.user_message)
    if command == "exit":
        if not backend.exit_allowed():
            return _message(
                403,
                "exit is refused: this GPT-SoVITS API is part of Cream Studio, and stopping it would stop "
                "the studio. Allow it in Settings -> API (GPT-SoVITS /control exit) if a tool needs it.",
            )
        await backend.exit()
        return _message(200, "exiting: the studio's engine stops now")
    return JSONResponse(None)


async def _set_weights(
    backend: GptSovitsApi, kind: Literal["gpt", "sovits"], weights_path: str | None
) -> JSONResponse:
    if weights_path in (None, ""):
        return _message(400, f"{kind} weight path is required")
    try:
        await backend.set_weights(kind, weights_path)
    except StudioError as exc:
        return _message(400, f"change {kind} weight failed", exc.user_message)
    return _message(200, "success")


@router.get("/set_gpt_weights", responses=_STATE_RESPONSES)
async def set_gpt_weights(backend: Backend, weights_path: str | None = None) -> JSONResponse:
    """Select GPT weights (``.ckpt``, relative to the model folder); the model pair follows the name."""
    return await _set_weights(backend, "gpt", weights_path)


@router.get("/set_sovits_weights", responses=_STATE_RESPONSES)
async def set_sovits_weights(backend: Backend, weights_path: str | None = None) -> JSONResponse:
    """Select SoVITS weights (``.pth``); the model pair follows the name."""
    return await _set_weights(backend, "sovits", weights_path)


@router.get("/set_refer_audio", responses=_STATE_RESPONSES)
async def set_refer_audio(backend: Backend, refer_audio_path: str | None = None) -> JSONResponse:
    """Set the reference audio ``/tts`` uses when it names none (StreamCream's ``current_ref_audio``)."""
    try:
        await backend.set_refer_audio(refer_audio_path)
    except StudioError as exc:
        return _message(400, "set refer audio failed", exc.user_message)
    return _message(200, "success")


@router.get("/current_ref_audio", responses=_STATE_RESPONSES)
async def current_ref_audio(backend: Backend) -> JSONResponse:
    """``{"current_ref_audio": str | null}``: the reference set by hand."""
    return JSONResponse({"current_ref_audio": (await backend.status()).current_ref_audio})


@router.get("/get_current_ref_audio", responses=_STATE_RESPONSES)
async def get_current_ref_audio(backend: Backend) -> JSONResponse:
    """``{"model_pair", "ref_audio"}``: the model pair's reference audio."""
    pair = (await backend.status()).current_model_pair
    return JSONResponse({"model_pair": pair, "ref_audio": await backend.pair_ref_audio(pair)})


@router.get("/set_model_pair", responses=_STATE_RESPONSES)
async def set_model_pair(backend: Backend, pair_name: str | None = None) -> JSONResponse:
    """Select a model pair: ``{"message": "success", "model_pair", "ref_audio"}``."""
    if pair_name is None:
        return _message(400, "pair_name is required")
    try:
        ref = await backend.set_model_pair(pair_name)
    except StudioError as exc:
        return _message(400, "set model pair failed", exc.user_message)
    return JSONResponse({"message": "success", "model_pair": pair_name, "ref_audio": ref})


@router.get("/list_available_ref_audios", responses=_STATE_RESPONSES)
async def list_available_ref_audios(backend: Backend) -> JSONResponse:
    """``{"available_audios": [{"pair_name", "file_name", "path"}], "current_model_pair"}``."""
    audios = [
        {"pair_name": pair, "file_name": name, "path": path}
        for pair, name, path in await backend.reference_audios()
    ]
    status = await backend.status()
    return JSONResponse({"available_audios": audios, "current_model_pair": status.current_model_pair})


@router.get("/list_model_groups", responses=_STATE_RESPONSES)
async def list_model_groups(backend: Backend) -> JSONResponse:
    """A JSON array ``[{"name", "pairs": {<base>: {"gpt_path", "sovits_path"}}}]``."""
    return JSONResponse(_groups_json(await backend.model_groups()))


@router.get(
    "/get_current_status",
    responses={
        500: {"description": '``{"message": "get status failed", "Exception"}``', **_JSON_MESSAGE},
        503: _STATE_RESPONSES[503],
    },
)
async def get_current_status(backend: Backend) -> JSONResponse:
    """``{"current_model_pair", "current_ref_audio", "model_groups"}`` (reference: by hand, pair, default)."""
    try:
        status = await backend.status()
        ref = status.current_ref_audio or await backend.pair_ref_audio(status.current_model_pair)
        groups = _groups_json(await backend.model_groups())
    except StudioError as exc:
        return _message(500, "get status failed", exc.user_message)
    return JSONResponse(
        {"current_model_pair": status.current_model_pair, "current_ref_audio": ref, "model_groups": groups}
    )


@router.post(
    "/upload_ref_audio",
    responses={
        200: {"description": '``{"success": true, "filename", "speaker"}``'},
        400: {"description": "Not a usable recording", **_JSON_MESSAGE},
        503: _STATE_RESPONSES[503],
    },
)
async def upload_ref_audio(backend: Backend, file: UploadFile) -> JSONResponse:
    """Store a reference recording (multipart ``file``) in ``参考音频/`` and the speaker library."""
    try:
        stored, speaker = await backend.upload_ref_audio(file.filename or "", await file.read())
    except StudioError as exc:
        return _message(400, "upload ref audio failed", exc.user_message)
    return JSONResponse({"success": True, "filename": stored, "speaker": speaker})


def include_gpt_sovits_routes(app: FastAPI, dependencies: Sequence[params.Depends] = ()) -> None:
    """Add the GPT-SoVITS routes to ``app`` under :data:`GPT_SOVITS_PREFIX` (``app.state.ctx`` set).

    Args:
        app: The API application.
        dependencies: Run before every route (a signed-in user when the API is not on loopback).
    """
    app.include_router(router, prefix=GPT_SOVITS_PREFIX, dependencies=list(dependencies))
