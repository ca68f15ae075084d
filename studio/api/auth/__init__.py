"""Accounts and authentication of the local API.

- :class:`AuthService`: users, e-mail codes (SMTP), session JWTs (HS256, 7 days, revocable),
  plugin API tokens (stored hashed), rate limits.
- Dependencies for other routes: :func:`require_user`, :func:`require_admin`, :func:`legacy_user`
  (or the ``CurrentUser`` / ``AdminUser`` / ``LegacyUser`` annotations), giving a :class:`Principal`.
- :func:`include_auth_routes`: mounts the ``/api/auth/*`` and ``/api/users*`` routes and the legacy
  StreamCream paths, and installs the error handler of :class:`AuthError`.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from studio.api.auth.deps import (
    AdminUser,
    CurrentUser,
    LegacyUser,
    auth_service_for,
    get_auth,
    legacy_user,
    optional_user,
    require_admin,
    require_user,
)
from studio.api.auth.errors import AuthError
from studio.api.auth.service import AuthService, IssuedToken, Principal, UserChanges
from studio.api.schemas import Envelope

__all__ = [
    "AdminUser",
    "AuthError",
    "AuthService",
    "CurrentUser",
    "IssuedToken",
    "LegacyUser",
    "Principal",
    "UserChanges",
    "auth_problem_response",
    "auth_service_for",
    "get_auth",
    "include_auth_routes",
    "install_auth_errors",
    "legacy_user",
    "optional_user",
    "require_admin",
    "require_user",
]


def auth_problem_response(exc: AuthError, *, legacy: bool | None = None) -> JSONResponse:
    """The response for ``exc``: the envelope, or ``{"success": false, "message"}`` for legacy routes."""
    if exc.legacy if legacy is None else legacy:
        content: dict[str, Any] = {"success": False, "message": exc.legacy_message}
    else:
        content = Envelope[Any](success=False, message=exc.message, code=exc.code).model_dump(mode="json")
    return JSONResponse(status_code=exc.status, content=content, headers=exc.headers)


def install_auth_errors(app: FastAPI) -> None:
    """Answer :class:`AuthError` raised by routes and dependencies of ``app`` (idempotent)."""

    async def _handler(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, AuthError)
        return auth_problem_response(exc)

    app.add_exception_handler(AuthError, _handler)


def include_auth_routes(app: FastAPI, *, native: bool = True, legacy: bool = True) -> None:
    """Mount the auth and user routes on ``app``.

    Args:
        native: The seed-documented envelope family (``/api/auth/*``, ``/api/users*``).
        legacy: The StreamCream front end's paths (``/api/login`` ...); a legacy-port app (9080)
            calls this with ``native=False``.
    """
    from studio.api.compat import streamcream_auth
    from studio.api.routes import auth as auth_routes
    from studio.api.routes import users as users_routes

    install_auth_errors(app)
    if native:
        app.include_router(auth_routes.router)
        app.include_router(users_routes.router)
    if legacy:
        app.include_router(streamcream_auth.router)
