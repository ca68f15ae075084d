"""VoxCPM streaming TTS compatibility (compat-apis.md section 3; seed 001, port 7861).

Routes (under :data:`VOXCPM_PREFIX` on the main port, at the root of the legacy port 7861; the three
``/api/...`` ones also at the main port's root, where nothing else uses them):

* ``POST /api/tts/stream``: multipart form -> ``audio/wav``, chunked: one header with open sizes
  (:mod:`studio.api.compat.voxcpm_wav`), then PCM16 mono at the engine's rate, each chunk written
  as soon as the engine yields it. ``retry_badcase`` is refused (streaming never retries).
* ``POST /api/tts``: the same fields -> one whole WAV (``retry_badcase`` allowed, default true).
* ``GET /health`` -> ``{"status": "ok", "model_loaded": bool, "model": name | null}``.
* ``GET /api/gpu/status`` -> the engine's device (name, memory, utilisation) or ``available: false``.

(``GET /docs`` on port 7861 opens the studio's API docs: :class:`studio.api.server.PrefixOnPort`.)

Form fields: ``text`` (required), ``prompt_audio`` (file) + ``prompt_text`` (continuation cloning),
``cfg_value`` 2.0, ``inference_timesteps`` 10, ``min_len`` 2, ``max_len`` 4096, ``normalize`` and
``denoise`` false. Studio extensions: ``speaker`` (id or name in the speaker library: its recording
and transcript become the prompt; ``prompt_text`` overrides the transcript), ``reference_audio``
(file; VoxCPM2 timbre cloning), ``prompt_wav_path`` / ``reference_wav_path`` (a recording already
in the studio's folders, relative to the data folder; anything else is refused with 403), ``seed``.

Errors are FastAPI-style ``{"detail": "..."}`` (what these clients parse): 400 invalid form, 403
path outside the studio's folders, 503 no VoxCPM model selected, 500 the engine failed. A failure
after the first audio bytes cannot change the status: the stream is cut (the client sees an
incomplete chunked body) and the failure is logged.

Thin: form -> :class:`VoxCpmRequest` -> the shared engine of ``services["voices"]`` -> WAV. Engine
loop; decoding and file work in worker threads, synthesis in the engine's worker process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import platform
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from fastapi import APIRouter, FastAPI, Request, params
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel
from starlette.types import Receive, Scope, Send

from studio.api.compat.voxcpm_wav import (
    PromptFiles,
    RefusedError,
    build_request,
    form_doc,
    pcm16,
    read_form,
    streaming_header,
)
from studio.api.deps import ApiContext, get_ctx
from studio.core.errors import NotFoundError, PathNotAllowedError, ProviderError, StudioError, ValidationError
from studio.speech.tts.voxcpm.request import GpuStatus, VoxCpmRequest
from studio.speech.tts.wav import wav_bytes

log = logging.getLogger(__name__)

VOXCPM_PREFIX = "/voxcpm"
HUB_SERVICE = "voices"
NO_MODEL = (
    "No VoxCPM model is selected. Import a VoxCPM model folder in Voice -> Models and select it "
    "(or set [tts] voxcpm_model), then try again."
)


class SpeakerEntry(Protocol):
    """What the router reads of a speaker of the library."""

    @property
    def file(self) -> Path: ...
    @property
    def transcript(self) -> str: ...


class SpeakerLookup(Protocol):
    """The speaker library: ``resolve`` by id, name or file name (cheap, sync)."""

    def resolve(self, ref: str) -> SpeakerEntry | None: ...


class VoxCpmEngineApi(Protocol):
    """What the router needs of the VoxCPM engine (``VoxCpmEngine``)."""

    @property
    def sample_rate(self) -> int | None: ...
    async def load(self) -> None: ...
    def stream(self, req: VoxCpmRequest) -> AsyncIterator[np.ndarray]: ...
    async def generate(self, req: VoxCpmRequest) -> np.ndarray: ...
    async def gpu_status(self) -> GpuStatus: ...


class VoxCpmHub(Protocol):
    """``services["voices"]`` (``VoiceHub``): the speaker library and the selected engine."""

    @property
    def speakers(self) -> SpeakerLookup: ...
    async def voxcpm(self) -> VoxCpmEngineApi | None: ...
    def voxcpm_status(self) -> Mapping[str, object]: ...
    def confine(self, path: str) -> Path: ...
    def scratch_dir(self) -> Path: ...


class HealthBody(BaseModel):
    """``GET /health``."""

    status: str = "ok"
    model_loaded: bool
    model: str | None = None


class GpuStatusBody(BaseModel):
    """``GET /api/gpu/status``: the device VoxCPM runs on (``available`` false without a GPU)."""

    available: bool
    device: str
    device_name: str
    memory_used_mb: float | None = None
    memory_total_mb: float | None = None
    utilization_pct: float | None = None


class DetailBody(BaseModel):
    """FastAPI-style error body."""

    detail: str


def _detail(status: int, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": message})


def _status(exc: StudioError) -> int:
    if isinstance(exc, PathNotAllowedError):
        return 403
    return 400 if isinstance(exc, ValidationError) else 500


def _hub(ctx: ApiContext) -> VoxCpmHub | None:
    hub: VoxCpmHub | None = ctx.services.get(HUB_SERVICE)
    return hub


async def _engine(hub: VoxCpmHub) -> VoxCpmEngineApi:
    try:
        engine = await hub.voxcpm()
    except (NotFoundError, ValidationError) as exc:  # the selected model is gone or unusable
        raise RefusedError(503, f"{exc.user_message} {NO_MODEL}") from exc
    if engine is None:
        raise RefusedError(503, NO_MODEL)
    await engine.load()
    return engine


async def _prepared(
    request: Request, files: PromptFiles, *, streaming: bool
) -> tuple[VoxCpmEngineApi, VoxCpmRequest]:
    ctx = get_ctx(request)
    hub = _hub(ctx)
    if hub is None:
        raise RefusedError(503, "The voice library is not running in this studio, so VoxCPM is unavailable.")
    files.folder = hub.scratch_dir()  # the studio's cache folder
    speakers = hub.speakers

    def resolve(ref: str) -> tuple[Path, str] | None:
        found = speakers.resolve(ref)
        return None if found is None else (found.file, found.transcript)

    form = await read_form(request)
    req = await build_request(form, files, hub.confine, resolve, streaming=streaming)
    return await _engine(hub), req


def _refusal(exc: BaseException, route: str) -> JSONResponse:
    if isinstance(exc, RefusedError):
        return _detail(exc.status, exc.message)
    if isinstance(exc, StudioError):
        status = _status(exc)
        if status == 500:
            log.error("VoxCPM %s failed: %s", route, exc.user_message, extra={"code": exc.code})
            return _detail(500, f"VoxCPM synthesis failed: {exc.user_message}")
        return _detail(status, exc.user_message)
    log.error("VoxCPM %s failed", route, exc_info=exc)
    return _detail(500, "VoxCPM synthesis failed with an internal error; see the studio log.")


class WavStream(StreamingResponse):
    """A streaming response that always closes its body and runs ``on_close`` (client gone or not).

    Starlette stops iterating when the client disconnects but leaves the generator suspended until
    it is garbage collected; closing it here stops the engine's generation at once.
    """

    def __init__(
        self, body: AsyncIterator[bytes], on_close: Callable[[], Awaitable[None]], **kw: Any
    ) -> None:
        super().__init__(body, **kw)
        self._body = body
        self._on_close = on_close

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            aclose = getattr(self._body, "aclose", None)
            if aclose is not None:
                await aclose()
            await self._on_close()


async def _close(chunks: AsyncIterator[np.ndarray]) -> None:
    aclose = getattr(chunks, "aclose", None)
    if aclose is not None:
        with contextlib.suppress(Exception):
            await aclose()


async def _wav_body(
    header: bytes, first: np.ndarray | None, chunks: AsyncIterator[np.ndarray]
) -> AsyncIterator[bytes]:
    yield header + (pcm16(first) if first is not None else b"")
    if first is None:
        return
    try:
        async for chunk in chunks:
            data = pcm16(chunk)
            if data:
                yield data
    except StudioError as exc:
        log.error("VoxCPM stream cut short: %s", exc.user_message, extra={"code": exc.code})
        raise
    except Exception:
        log.exception("VoxCPM stream cut short by an internal error")
        raise


async def tts_stream(request: Request) -> Response:
    """Synthesize ``text`` and stream it as WAV while it is synthesized (first chunk in the first write)."""
    files = PromptFiles()
    chunks: AsyncIterator[np.ndarray] | None = None
    try:
        engine, req = await _prepared(request, files, streaming=True)
        rate = engine.sample_rate
        if not rate:
            raise ProviderError("The VoxCPM engine did not report its sample rate.", provider="voxcpm")
        chunks = engine.stream(req)
        first = await anext(chunks, None)  # start errors still get a status and a message
    except BaseException as exc:  # cancelled too: nothing may be left behind
        if chunks is not None:
            await _close(chunks)
        files.cleanup()
        if not isinstance(exc, Exception):
            raise
        return _refusal(exc, "/api/tts/stream")
    stream = chunks

    async def on_close() -> None:
        await _close(stream)
        await asyncio.to_thread(files.cleanup)

    return WavStream(
        _wav_body(streaming_header(rate), first, stream),
        on_close,
        media_type="audio/wav",
        headers={"X-Audio-Sample-Rate": str(rate), "Cache-Control": "no-store"},
    )


async def tts_whole(request: Request) -> Response:
    """Synthesize ``text`` and answer one complete WAV file."""
    files = PromptFiles()
    try:
        engine, req = await _prepared(request, files, streaming=False)
        audio = await engine.generate(req)
        rate = engine.sample_rate
        if not rate:
            raise ProviderError("The VoxCPM engine did not report its sample rate.", provider="voxcpm")
        body = await asyncio.to_thread(wav_bytes, np.asarray(audio, dtype=np.float32).reshape(-1), rate)
    except Exception as exc:
        return _refusal(exc, "/api/tts")
    finally:
        await asyncio.to_thread(files.cleanup)
    return Response(body, media_type="audio/wav", headers={"X-Audio-Sample-Rate": str(rate)})


async def health(request: Request) -> HealthBody:
    """``{"status": "ok", "model_loaded": bool}`` (+ the selected model's name); never loads a model."""
    hub = _hub(get_ctx(request))
    status = hub.voxcpm_status() if hub is not None else {}
    model = status.get("model")
    return HealthBody(model_loaded=bool(status.get("loaded")), model=str(model) if model else None)


def _cpu_name() -> str:
    return platform.processor() or platform.machine() or "CPU"


async def gpu_status(request: Request) -> GpuStatusBody:
    """The device of the selected VoxCPM model (starting its engine if needed), else the CPU."""
    hub = _hub(get_ctx(request))
    try:
        engine = await hub.voxcpm() if hub is not None else None
        status = await engine.gpu_status() if engine is not None else None
    except StudioError as exc:
        log.warning("VoxCPM GPU status unavailable: %s", exc.user_message)
        status = None
    if status is None:
        return GpuStatusBody(available=False, device="cpu", device_name=_cpu_name())
    return GpuStatusBody(
        available=status.available,
        device=status.device,
        device_name=status.name,
        memory_used_mb=status.memory_used_mb,
        memory_total_mb=status.memory_total_mb,
        utilization_pct=status.utilization_pct,
    )


_WAV = {"content": {"audio/wav": {"schema": {"type": "string", "format": "binary"}}}}
_TTS_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "WAV audio", **_WAV},
    413: {"description": "Request body over the API's limit (answered before the form is read)"},
    **{
        code: {"model": DetailBody, "description": text}
        for code, text in {
            400: "Invalid form (missing text, prompt without its transcript, values out of range ...)",
            403: "A path outside the studio's folders",
            500: "The engine failed",
            503: "No VoxCPM model selected",
        }.items()
    },
}


def _synthesis_routes(router: APIRouter, tag: str) -> None:
    router.add_api_route(
        "/api/tts/stream",
        tts_stream,
        methods=["POST"],
        response_class=StreamingResponse,
        responses=_TTS_RESPONSES,
        openapi_extra=form_doc(streaming=True),
        summary=f"{tag}Stream speech as chunked WAV",
    )
    router.add_api_route(
        "/api/tts",
        tts_whole,
        methods=["POST"],
        response_class=Response,
        responses=_TTS_RESPONSES,
        openapi_extra=form_doc(streaming=False),
        summary=f"{tag}Synthesize one WAV file",
    )
    router.add_api_route("/api/gpu/status", gpu_status, methods=["GET"], summary=f"{tag}Inference device")


def include_voxcpm_routes(app: FastAPI, dependencies: Sequence[params.Depends] = ()) -> None:
    """Mount the VoxCPM routes under :data:`VOXCPM_PREFIX` and the ``/api/...`` ones at the root too.

    Args:
        app: The API application.
        dependencies: Run before the synthesis and status routes (``/health`` stays public).
            Loopback binds need none; for another interface pass ``[Depends(require_user)]``.
    """
    tags: list[str | Any] = ["compat: VoxCPM"]
    prefixed = APIRouter(tags=tags)
    _synthesis_routes(prefixed, "")
    root = APIRouter(tags=tags)
    _synthesis_routes(root, "(root alias) ")
    app.include_router(prefixed, prefix=VOXCPM_PREFIX, dependencies=list(dependencies))
    app.include_router(root, dependencies=list(dependencies))
    app.add_api_route(
        VOXCPM_PREFIX + "/health",
        health,
        methods=["GET"],
        tags=tags,
        name="voxcpm_health",
        summary="VoxCPM liveness and model state",
    )
