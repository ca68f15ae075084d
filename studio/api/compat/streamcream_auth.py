"""StreamCream loginBackend's account paths, with its exact shapes (reference-contracts.md 1.1).

Served on the main port beside ``/api/auth/*`` and, when enabled, on legacy port 9080. Bodies are
``{"success": bool, "message": <Chinese text>, ...}``; ``/api/verify-email`` answers 201 with the
token. Differences on purpose: codes go through the configured SMTP server (503 with a clear
message without one), tokens expire (7 days) and can be revoked, unknown input never gives a 500.
These paths take raw JSON (the old back end's field checks and messages), so they are left out of
the OpenAPI document; ``/api/auth/*`` documents the same operations.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from studio.api.auth import auth_problem_response
from studio.api.auth.deps import client_of, get_auth
from studio.api.auth.errors import AuthError
from studio.api.auth.service import AuthService
from studio.api.auth.tokens import bearer_token
from studio.api.deps import get_ctx

router = APIRouter(tags=["streamcream-compat"], include_in_schema=False)

MISSING = "所有字段都是必填的"
BAD_JSON = "请求格式错误"


def _fail(status: int, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"success": False, "message": message})


def _ok(message: str, status: int = 200, **extra: Any) -> JSONResponse:
    return JSONResponse(status_code=status, content={"success": True, "message": message, **extra})


class _RejectError(Exception):
    def __init__(self, response: JSONResponse) -> None:
        super().__init__("rejected")
        self.response = response


async def _fields(request: Request, *names: str) -> list[str]:
    """The named string fields of the JSON body; 400 (legacy shape) when one is missing or empty."""
    try:
        body = json.loads(await request.body() or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise _RejectError(_fail(400, BAD_JSON)) from exc
    if not isinstance(body, dict):
        raise _RejectError(_fail(400, BAD_JSON))
    values = [body.get(n) for n in names]
    if any(not isinstance(v, str) or not v.strip() for v in values):
        raise _RejectError(_fail(400, MISSING))
    return [str(v) for v in values]


def _auth(request: Request) -> AuthService:
    return get_auth(get_ctx(request))


def _legacy(exc: AuthError) -> JSONResponse:
    if exc.code == "mail_failed":  # the old back end answered 500 for a mail failure
        exc = AuthError(500, exc.message, exc.code, legacy_message=exc.legacy_message)
    return auth_problem_response(exc, legacy=True)


async def _run(request: Request, names: tuple[str, ...], step: Any) -> JSONResponse:
    try:
        values = await _fields(request, *names)
        result: JSONResponse = await step(_auth(request), *values)
        return result
    except _RejectError as rej:
        return rej.response
    except AuthError as exc:
        return _legacy(exc)


@router.post("/api/register")
async def register(request: Request) -> JSONResponse:
    """``{username, email, password}`` -> 200 ``{success, message, email}``; the code is mailed."""

    async def step(auth: AuthService, username: str, email: str, password: str) -> JSONResponse:
        sent_to = await auth.register(username, email, password, client_of(request))
        return _ok("验证码已发送，请查收邮箱", email=sent_to)

    return await _run(request, ("username", "email", "password"), step)


@router.post("/api/verify-email")
async def verify_email(request: Request) -> JSONResponse:
    """``{email, code}`` -> **201** ``{success, message, token}``."""

    async def step(auth: AuthService, email: str, code: str) -> JSONResponse:
        issued = await auth.verify_email(email, code)
        return _ok("注册成功！", status=201, token=issued.token)

    return await _run(request, ("email", "code"), step)


@router.post("/api/resend-verification")
async def resend_verification(request: Request) -> JSONResponse:
    """``{email}`` -> 200 ``{success, message}``."""

    async def step(auth: AuthService, email: str) -> JSONResponse:
        await auth.resend_verification(email, client_of(request))
        return _ok("验证码已重新发送")

    return await _run(request, ("email",), step)


@router.post("/api/forgot-password")
async def forgot_password(request: Request) -> JSONResponse:
    """``{username, email}`` (same user) -> 200; 404 when they do not match a user."""

    async def step(auth: AuthService, username: str, email: str) -> JSONResponse:
        await auth.forgot_password(email, username, client_of(request))
        return _ok("重置密码验证码已发送到您的邮箱")

    return await _run(request, ("username", "email"), step)


@router.post("/api/verify-reset-code")
async def verify_reset_code(request: Request) -> JSONResponse:
    """``{username, email, code}`` -> 200 (the code is not used up)."""

    async def step(auth: AuthService, username: str, email: str, code: str) -> JSONResponse:
        try:
            await auth.verify_reset_code(email, code, username)
        except AuthError as exc:
            if exc.status == 400:
                return _fail(400, "验证码错误或已过期")
            raise
        return _ok("验证码验证成功")

    return await _run(request, ("username", "email", "code"), step)


@router.post("/api/reset-password")
async def reset_password(request: Request) -> JSONResponse:
    """``{username, email, code, new_password}`` -> 200; the code is used up."""

    async def step(
        auth: AuthService, username: str, email: str, code: str, new_password: str
    ) -> JSONResponse:
        try:
            await auth.reset_password(email, code, new_password, username)
        except AuthError as exc:
            if exc.status == 400 and exc.code.startswith("code_"):
                return _fail(400, "验证码错误或已过期")
            raise
        return _ok("密码重置成功")

    return await _run(request, ("username", "email", "code", "new_password"), step)


@router.post("/api/login")
async def login(request: Request) -> JSONResponse:
    """``{username, password}`` -> 200 ``{success, message, token}``; 401 wrong credentials."""

    async def step(auth: AuthService, username: str, password: str) -> JSONResponse:
        issued = await auth.login(username, password, client_of(request))
        return _ok("登录成功", token=issued.token)

    return await _run(request, ("username", "password"), step)


async def _whoami(request: Request) -> tuple[dict[str, Any] | None, JSONResponse | None]:
    token = bearer_token(request.headers.get("authorization"))
    if token is None:
        return None, _fail(400, "未提供令牌")
    try:
        principal = await _auth(request).authenticate(token)
    except AuthError as exc:
        return None, _legacy(exc)
    user = principal.user
    return {"id": user.id, "username": user.username, "email": user.email}, None


@router.get("/api/protected")
async def protected(request: Request) -> JSONResponse:
    """Bearer -> 200 ``{success, user: {id, username, email}}``; 400 without a header; 401 invalid."""
    user, error = await _whoami(request)
    if error is not None:
        return error
    return JSONResponse({"success": True, "user": user})


@router.post("/api/verify-token")
async def verify_token(request: Request) -> JSONResponse:
    """Bearer -> 200 ``{success, message, user}``; 400 without a header; 401 invalid or no user."""
    user, error = await _whoami(request)
    if error is not None:
        return error
    return _ok("令牌有效", user=user)
