"""Seed-documented streaming routes (envelope responses): ``/api/streaming/*``.

``config`` maps StreamConfig onto the ``[stream]`` settings (key -> secrets store), ``status``
reads the broadcast session's stats, ``start``/``stop`` go live and end the stream. Engine loop;
the session's blocking calls run in worker threads. The WebSocket relay (``/ws/relay``) lives in
:mod:`studio.api.compat.streamcream_stream` and is mounted by :func:`include_streaming_routes` too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import pydantic
from fastapi import APIRouter, FastAPI, Request, params
from fastapi.responses import JSONResponse

from studio.api.deps import ApiContext, get_ctx
from studio.api.schemas import Envelope
from studio.api.streaming import (
    MASK,
    BroadcastApi,
    BroadcastUnavailableError,
    ConfigService,
    StreamConfig,
    StreamConfigUpdate,
    StreamStatus,
    parse_resolution,
    status_from_stats,
)
from studio.broadcast.presets import validate_server
from studio.broadcast.session import BroadcastSession, main_key_name
from studio.config.settings import StreamSettings
from studio.core.errors import PathNotAllowedError, StudioError, ValidationError

log = logging.getLogger(__name__)

router = APIRouter(tags=["streaming"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": Envelope[None], "description": text}
    for code, text in {
        400: "Bad URL, key, resolution or codec; nothing to go live to",
        500: "The encoder could not be opened",
        503: "No broadcast engine (or secrets store) in this studio",
    }.items()
}


def _status_for(exc: StudioError) -> int:
    if isinstance(exc, PathNotAllowedError):
        return 403
    if isinstance(exc, ValidationError):
        return 400
    if isinstance(exc, BroadcastUnavailableError):
        return 503
    return 500


def _error(exc: StudioError) -> JSONResponse:
    if _status_for(exc) == 500:
        log.error("streaming request failed: %s", exc, extra={"code": exc.code})
    body = Envelope[Any](success=False, message=exc.user_message, code=exc.code)
    return JSONResponse(status_code=_status_for(exc), content=body.model_dump(mode="json"))


def _config_service(ctx: ApiContext) -> ConfigService | None:
    service = ctx.services.get("config")
    return service if isinstance(service, ConfigService) else None


def _stream_settings(ctx: ApiContext) -> StreamSettings:
    service = _config_service(ctx)
    if service is not None:
        return service.current().stream
    return ctx.config.stream if ctx.config is not None else StreamSettings()


async def _session(ctx: ApiContext) -> BroadcastSession:
    service = ctx.services.get("broadcast")
    if not isinstance(service, BroadcastApi):
        raise BroadcastUnavailableError(
            "Streaming is not available: the broadcast engine is not running in this studio."
        )
    session = await service.session()
    settings = _stream_settings(ctx)
    if session.settings is not settings:  # the settings were changed since the session was built
        session.settings = settings
    return session


def _key_stored(ctx: ApiContext) -> bool:
    return ctx.secrets is not None and bool(ctx.secrets.get(main_key_name()))


def _config_view(settings: StreamSettings, key_stored: bool) -> StreamConfig:
    return StreamConfig(
        rtmp_url=settings.server,
        stream_key=MASK if key_stored else "",
        resolution=f"{settings.width}x{settings.height}",
        fps=settings.fps,
        bitrate=settings.video_bitrate_kbps,
    )


@router.get(
    "/api/streaming/config",
    response_model=Envelope[StreamConfig],
    responses=_ERRORS,
    summary="Stream destination and encoding (key masked)",
)
async def get_config(request: Request) -> Envelope[StreamConfig]:
    """The ``[stream]`` settings as StreamConfig; ``stream_key`` is ``"***"`` when a key is stored."""
    ctx = get_ctx(request)
    stored = await asyncio.to_thread(_key_stored, ctx)
    return Envelope(data=_config_view(_stream_settings(ctx), stored))


def _updated_settings(current: StreamSettings, body: StreamConfigUpdate) -> StreamSettings:
    changes: dict[str, Any] = {}
    if body.rtmp_url is not None:
        changes["server"] = validate_server(body.rtmp_url) if body.rtmp_url.strip() else ""
    if body.resolution is not None:
        changes["width"], changes["height"] = parse_resolution(body.resolution)
    if body.fps is not None:
        changes["fps"] = body.fps
    if body.bitrate is not None:
        changes["video_bitrate_kbps"] = body.bitrate
    if not changes:
        return current
    try:
        return StreamSettings.model_validate({**current.model_dump(), **changes})
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        raise ValidationError(f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from None


def _store_key(ctx: ApiContext, key: str) -> None:
    if ctx.secrets is None:
        raise BroadcastUnavailableError("No secrets store is available to keep the stream key.")
    if not key:
        ctx.secrets.delete(main_key_name())
        return
    if any(ch.isspace() for ch in key):
        raise ValidationError("The stream key must not contain spaces.")
    ctx.secrets.set(main_key_name(), key)


@router.put(
    "/api/streaming/config",
    response_model=Envelope[StreamConfig],
    responses=_ERRORS,
    summary="Change the stream destination and encoding",
)
async def put_config(body: StreamConfigUpdate, request: Request) -> Envelope[StreamConfig] | JSONResponse:
    """Merge the given fields into ``[stream]``; a new ``stream_key`` goes to the secrets store.

    Applies from the next "go live". Answers the stored config (key masked).
    """
    ctx = get_ctx(request)
    try:
        current = _stream_settings(ctx)
        updated = _updated_settings(current, body)
        if body.stream_key is not None and body.stream_key.strip() != MASK:
            await asyncio.to_thread(_store_key, ctx, body.stream_key.strip())
        message = "Stream settings saved."
        if updated is not current:
            service = _config_service(ctx)
            if service is not None:
                await service.save_area(updated)
            elif ctx.config is not None:
                ctx.config.stream = updated
                message = "Stream settings applied for this run (no settings store to save them to)."
            else:
                raise BroadcastUnavailableError("The studio settings are not available to the API.")
        stored = await asyncio.to_thread(_key_stored, ctx)
    except StudioError as exc:
        return _error(exc)
    return Envelope(message=message, data=_config_view(_stream_settings(ctx), stored))


@router.get(
    "/api/streaming/status",
    response_model=Envelope[StreamStatus],
    responses=_ERRORS,
    summary="Whether the studio is live, for how long, how much was sent",
)
async def get_status(request: Request) -> Envelope[StreamStatus] | JSONResponse:
    """StreamStatus from the broadcast session's stats (errors have the key masked)."""
    try:
        session = await _session(get_ctx(request))
    except StudioError as exc:
        return _error(exc)
    return Envelope(data=status_from_stats(session.stats()))


@router.post(
    "/api/streaming/start",
    response_model=Envelope[StreamStatus],
    responses=_ERRORS,
    summary="Go live with the configured destination",
)
async def start(request: Request) -> Envelope[StreamStatus] | JSONResponse:
    """Start streaming to ``[stream]`` (key from the secrets store); connecting continues in the
    background: watch ``/api/streaming/status``."""
    try:
        session = await _session(get_ctx(request))
        await asyncio.to_thread(session.go_live)
    except StudioError as exc:
        return _error(exc)
    return Envelope(message="Going live.", data=status_from_stats(session.stats()))


@router.post(
    "/api/streaming/stop",
    response_model=Envelope[StreamStatus],
    responses=_ERRORS,
    summary="End the stream (a running recording continues)",
)
async def stop(request: Request) -> Envelope[StreamStatus] | JSONResponse:
    """Stop every RTMP output cleanly (each server is told the stream ended)."""
    try:
        session = await _session(get_ctx(request))
        await asyncio.to_thread(session.stop_live)
    except StudioError as exc:
        return _error(exc)
    return Envelope(message="Stream stopped.", data=status_from_stats(session.stats()))


def include_streaming_routes(app: FastAPI, dependencies: Sequence[params.Depends] = ()) -> None:
    """Mount ``/api/streaming/*`` and the WebSocket relay ``/ws/relay``.

    Args:
        app: The API application.
        dependencies: Run before every HTTP streaming route (e.g. ``Depends(require_user)`` from
            ``studio.api.auth`` for a non-loopback bind). The relay WebSocket takes none: its
            clients (StreamCream's front end) send no credentials.
    """
    from studio.api.compat import streamcream_stream

    app.include_router(router, dependencies=list(dependencies))
    app.include_router(streamcream_stream.router)
