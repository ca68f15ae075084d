"""StreamCream loginBackend's preference and background paths, with its shapes (reference-contracts 1.1).

- ``POST /api/reset-preferences`` -> ``{"success": true}``
- ``POST /api/upload-background`` (multipart ``file``) -> ``{"success": true, "filename"}``
- ``GET /api/get-background[?name=]`` -> the image (the latest upload without ``name``)
- ``GET /api/list-backgrounds`` -> ``{"backgrounds": [names]}``

Errors are ``{"success": false, "message": <Chinese text>}``. ``/api/preferences`` itself is shared
with the seed-documented family (:mod:`studio.api.routes.preferences`).

Differences on purpose: backgrounds are per user and checked (real PNG/JPEG/WebP/GIF, 10 MB) and
stored under names the studio makes; names in requests never leave the user's folder. The old
front end loads the background as a CSS ``url(/api/get-background)`` and lists them with a bare
``fetch``, neither of which can send a token: without a token these two read the studio owner's
(the oldest admin's) backgrounds, and only while the API listens on loopback; on any other
interface they need a token like every other route.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from studio.api.auth import LegacyUser, auth_problem_response
from studio.api.auth.deps import get_auth
from studio.api.auth.errors import AuthError
from studio.api.auth.tokens import bearer_token
from studio.api.deps import ApiContext, get_ctx, is_loopback
from studio.api.preferences_service import RequestRefusedError
from studio.api.routes import files, preferences
from studio.api.routes.files import image_response, read_upload, require_store
from studio.api.routes.preferences import get_preferences

router = APIRouter(tags=["streamcream-compat"], include_in_schema=False)

NOT_SIGNED_IN = "未登录"
NO_FILE_PART = "没有文件上传"
NO_FILE_NAME = "没有选择文件"
UPLOAD_FAILED = "上传失败"
_LEGACY_TEXT = {
    "file_too_large": "文件过大（最大 10 MB）",
    "image_too_large": "图片像素过多",
    "unsupported_image_type": "不支持的图片格式（仅支持 PNG、JPEG、WebP、GIF）",
    "invalid_image": "文件不是有效的图片",
    "empty_file": "文件为空",
    "path_not_allowed": "文件名不合法",
    "invalid_name": "文件名不合法",
    "background_not_found": "背景图片不存在",
    "storage_unavailable": "服务不可用",
}


def _fail(status: int, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"success": False, "message": message})


def _legacy_problem(exc: RequestRefusedError) -> JSONResponse:
    text = _LEGACY_TEXT.get(exc.code)
    return _fail(exc.status, f"{text} ({exc.user_message})" if text else exc.user_message)


async def _reader_id(request: Request, ctx: ApiContext) -> int:
    """Whose backgrounds a legacy read shows: the token's user, else the owner (loopback only).

    Raises:
        AuthError: a bad token, or no token while the API is exposed beyond loopback (401).
        RequestRefusedError: no owner account yet (404).
    """
    token = bearer_token(request.headers.get("authorization"))
    if token is not None:
        principal = await get_auth(ctx).authenticate(token)
        return principal.user.id
    host = ctx.config.api.host if ctx.config is not None else "127.0.0.1"
    if not is_loopback(host):
        raise AuthError(401, "Not signed in.", "not_authenticated", legacy_message=NOT_SIGNED_IN)
    owner = await require_store(ctx).repo.owner_id()
    if owner is None:
        raise RequestRefusedError("No background uploaded yet.", code="background_not_found", status=404)
    return owner


@router.post("/api/reset-preferences")
async def legacy_reset_preferences(request: Request, principal: LegacyUser) -> JSONResponse:
    """``{"success": true}``; the preferences (and their secrets) are gone."""
    try:
        await get_preferences(get_ctx(request)).reset(principal.user.id)
    except RequestRefusedError as exc:
        return _legacy_problem(exc)
    return JSONResponse({"success": True})


@router.post("/api/upload-background")
async def legacy_upload_background(request: Request, principal: LegacyUser) -> JSONResponse:
    """Multipart field ``file`` -> ``{"success": true, "filename": <stored name>}``."""
    try:
        form = await request.form(max_files=1, max_fields=20)
    except StarletteHTTPException:  # the body limit's 413 stays a 413
        raise
    except Exception:  # not multipart, malformed, too many parts: the old back end said "no file"
        return _fail(400, NO_FILE_PART)
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            return _fail(400, NO_FILE_PART)
        if not upload.filename:
            return _fail(400, NO_FILE_NAME)
        store = require_store(get_ctx(request))
        row = await store.save(principal.user.id, upload.filename, await read_upload(upload))
    except RequestRefusedError as exc:
        return _legacy_problem(exc)
    finally:
        await form.close()
    return JSONResponse({"success": True, "filename": row.name})


@router.get("/api/get-background")
async def legacy_get_background(request: Request, name: str | None = None) -> Response:
    """The image ``name``, or the latest upload; 404 ``{"success": false, ...}`` when there is none."""
    ctx = get_ctx(request)
    try:
        user_id = await _reader_id(request, ctx)
        row, path = await require_store(ctx).find(user_id, name)
    except AuthError as exc:
        return _legacy_auth(exc)
    except RequestRefusedError as exc:
        return _legacy_problem(exc)
    return image_response(row, path)


@router.get("/api/list-backgrounds")
async def legacy_list_backgrounds(request: Request) -> JSONResponse:
    """``{"backgrounds": [file names]}``, newest first."""
    ctx = get_ctx(request)
    try:
        user_id = await _reader_id(request, ctx)
        rows = await require_store(ctx).list(user_id)
    except AuthError as exc:
        return _legacy_auth(exc)
    except RequestRefusedError as exc:
        if exc.code == "background_not_found":  # no owner yet: nothing to list
            return JSONResponse({"backgrounds": []})
        return _legacy_problem(exc)
    return JSONResponse({"backgrounds": [r.name for r in rows]})


def _legacy_auth(exc: AuthError) -> JSONResponse:
    if exc.status == 401:
        exc.legacy_message = NOT_SIGNED_IN
    return auth_problem_response(exc, legacy=True)


def include_prefs_routes(app: FastAPI) -> None:
    """Mount the preference and background routes: the seed-documented family (``/api/preferences``,
    ``/api/files/*``) and StreamCream's legacy paths, and answer their refusals (:class:`RequestRefusedError`)
    with the envelope and its status."""

    async def _problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestRefusedError)
        return preferences.problem_response(exc)

    app.add_exception_handler(RequestRefusedError, _problem)
    app.include_router(preferences.router)
    app.include_router(files.router)
    app.include_router(router)


__all__ = ["include_prefs_routes", "router"]
