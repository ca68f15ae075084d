"""``create_app``: the FastAPI application factory.

Errors never leak a stack trace: a :class:`StudioError` becomes the envelope with its code, anything
unexpected becomes a plain 500 envelope and is logged with its traceback on our side only.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Depends, FastAPI, Request, params
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from studio.api.auth import include_auth_routes, require_user
from studio.api.compat.gpt_sovits import include_gpt_sovits_routes
from studio.api.compat.olv import include_olv_routes
from studio.api.compat.streamcream_prefs import include_prefs_routes
from studio.api.compat.voxcpm import include_voxcpm_routes
from studio.api.deps import ApiContext, is_loopback
from studio.api.routes import control, events_ws, system
from studio.api.routes.chat import include_chat_routes
from studio.api.routes.listen import include_listen_routes
from studio.api.routes.streaming import include_streaming_routes
from studio.api.routes.tts import include_tts_routes
from studio.api.routes.voices import include_voices_routes
from studio.api.schemas import Envelope
from studio.config.settings import ApiSettings
from studio.core.errors import NotFoundError, PathNotAllowedError, StudioError, ValidationError

log = logging.getLogger(__name__)

INTERNAL_ERROR_MESSAGE = "Internal error; see the studio log."
LOOPBACK_ORIGINS = r"^https?://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$"


def _envelope(status: int, message: str, code: str, data: Any = None) -> JSONResponse:
    body = Envelope[Any](success=False, message=message, code=code, data=data)
    return JSONResponse(status_code=status, content=body.model_dump(mode="json"))


MODEL_UPLOAD_PATHS = frozenset({"/v1/voices/models/import"})
"""Routes that take voice model archives (GBs): they get ``max_model_upload_mb`` instead."""


class BodyLimitMiddleware:
    """Rejects request bodies over ``max_bytes`` with 413, by header and while streaming.

    Args:
        app: The application.
        max_bytes: Limit of every route...
        large: ...except these paths, which get their own limit (model archives).
    """

    def __init__(self, app: ASGIApp, max_bytes: int, large: dict[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.large = dict(large or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.large.get(scope.get("path", ""), self.max_bytes)
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await self._reject(scope, receive, send, limit)
                return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _BodyTooLargeError(limit)
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _BodyTooLargeError:
            await self._reject(scope, receive, send, limit)

    async def _reject(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = _envelope(413, _BodyTooLargeError(limit).detail, "body_too_large")
        await response(scope, receive, send)


class UnexpectedErrorMiddleware:
    """Answers an unexpected exception with the plain 500 envelope and does not re-raise it.

    Starlette's catch-all handler re-raises after responding; uvicorn then logs the traceback a
    second time and drops the connection, so a keep-alive client's next request fails.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            if started:  # too late for an error response: let the server close the connection
                raise
            log.exception("unhandled error", extra={"path": scope.get("path", "")})
            await _envelope(500, INTERNAL_ERROR_MESSAGE, "internal_error")(scope, receive, send)


class _BodyTooLargeError(StarletteHTTPException):
    """A streamed body went over the limit. An HTTP exception, so FastAPI's body parsing re-raises it
    (any other exception there becomes "400 error parsing the body")."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"Request body too large (limit {max_bytes / (1024 * 1024):g} MiB).")


def speech_route_guard(settings: ApiSettings) -> list[params.Depends]:
    """Dependencies of the speech routes whose foreign clients send no credentials (GPT-SoVITS,
    VoxCPM, StreamCream TTS): none on a loopback bind, a signed-in user on any other interface."""
    return [] if is_loopback(settings.host) else [Depends(require_user)]


def create_app(ctx: ApiContext, settings: ApiSettings | None = None) -> FastAPI:
    """Build the API application.

    Args:
        ctx: What the routes need from the engine.
        settings: API settings (CORS origins, body limit); defaults when omitted.
    """
    settings = settings or ApiSettings()
    app = FastAPI(
        title="Cream Studio API",
        version=ctx.version,
        docs_url="/api-docs",
        redoc_url="/redoc",
        openapi_url="/openapi.json",
        description="Local API of Cream Studio: native routes under /v1, compatible routes beside them.",
    )
    app.state.ctx = ctx
    app.add_middleware(UnexpectedErrorMiddleware)  # innermost: its 500s get CORS headers too
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.allowed_origins),
        allow_origin_regex=LOOPBACK_ORIGINS if settings.allow_loopback_origins else None,
        allow_credentials=True,
        allow_methods=["*"],
        allow_headers=["*"],
    )
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_mb * 1024 * 1024,
        large=dict.fromkeys(MODEL_UPLOAD_PATHS, settings.max_model_upload_mb * 1024 * 1024),
    )

    @app.exception_handler(StudioError)
    async def _studio_error(request: Request, exc: StudioError) -> JSONResponse:
        status = (
            403
            if isinstance(exc, PathNotAllowedError)
            else 404
            if isinstance(exc, NotFoundError)
            else 400
            if isinstance(exc, ValidationError)
            else 500
        )
        if status == 500:
            log.error("request failed: %s", exc, extra={"path": request.url.path, "code": exc.code})
        return _envelope(status, exc.user_message, exc.code)

    @app.exception_handler(_BodyTooLargeError)
    async def _too_large(request: Request, exc: _BodyTooLargeError) -> JSONResponse:
        return _envelope(413, str(exc.detail), "body_too_large")

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _envelope(exc.status_code, str(exc.detail), f"http_{exc.status_code}")

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))} for e in exc.errors()
        ]
        return _envelope(422, "Invalid request.", "invalid_input", {"errors": errors})

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Only reached for errors outside UnexpectedErrorMiddleware (the outer middlewares).
        log.exception("unhandled error", extra={"path": request.url.path})
        return _envelope(500, INTERNAL_ERROR_MESSAGE, "internal_error")

    app.include_router(system.router)
    include_auth_routes(app)
    include_prefs_routes(app)
    guard = speech_route_guard(settings)
    include_tts_routes(app, guard)
    include_gpt_sovits_routes(app, guard)
    include_voxcpm_routes(app, guard)
    include_voices_routes(app)
    include_streaming_routes(app)
    include_chat_routes(app)
    include_listen_routes(app)
    app.include_router(events_ws.router)
    app.include_router(control.router)
    include_olv_routes(app)
    return app
