"""FastAPI dependencies for authentication: ``require_user``, ``require_admin`` and the legacy variant.

Routes of other features protect themselves with::

    from studio.api.auth import Principal, require_user

    @router.get("/api/preferences")
    async def read(principal: Annotated[Principal, Depends(require_user)]) -> ...:
        principal.user.id ...

Missing, malformed, forged, expired or revoked tokens -> 401; a non-admin on an admin route -> 403.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from studio.api.auth.errors import AuthError
from studio.api.auth.service import AuthService, Principal
from studio.api.auth.tokens import bearer_token
from studio.api.deps import ApiContext, get_ctx
from studio.config.smtp_settings import SmtpSettings

AUTH_SERVICE_KEY = "auth"

# Documents the scheme in OpenAPI (the "Authorize" button of /api-docs); parsing is ours, so a
# bare token without "Bearer " also works, as StreamCream's back end accepted it.
_bearer_scheme = HTTPBearer(auto_error=False, description="Session JWT or plugin API token (cst_...)")


def smtp_settings_of(ctx: ApiContext) -> SmtpSettings:
    """The SMTP settings: the live config's ``smtp`` area, else the environment (``STUDIO_SMTP_*``)."""
    area = getattr(ctx.config, "smtp", None) if ctx.config is not None else None
    return area if isinstance(area, SmtpSettings) else SmtpSettings()


def auth_service_for(ctx: ApiContext) -> AuthService | None:
    """The context's shared :class:`AuthService` (created on first use); ``None`` without storage."""
    service = ctx.services.get(AUTH_SERVICE_KEY)
    if isinstance(service, AuthService):
        return service
    if ctx.db is None or ctx.secrets is None:
        return None
    service = AuthService(ctx.db, ctx.secrets, lambda: smtp_settings_of(ctx), data_dir=ctx.data_dir)
    ctx.services[AUTH_SERVICE_KEY] = service
    return service


def get_auth(ctx: Annotated[ApiContext, Depends(get_ctx)]) -> AuthService:
    """FastAPI dependency: the auth service (503 when the studio runs without its database)."""
    service = auth_service_for(ctx)
    if service is None:
        raise AuthError(
            503, "Accounts are not available: the studio has no database here.", "auth_unavailable"
        )
    return service


def client_of(request: Request) -> str:
    """The client address (rate-limit key)."""
    return request.client.host if request.client else "unknown"


Auth = Annotated[AuthService, Depends(get_auth)]


async def require_user(
    request: Request,
    auth: Auth,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer_scheme)] = None,
) -> Principal:
    """The signed-in caller; 401 without a valid token."""
    token = bearer_token(request.headers.get("authorization"))
    if token is None:
        raise AuthError(
            401,
            "Not signed in: send 'Authorization: Bearer <token>'.",
            "not_authenticated",
            legacy_message="未提供令牌",
        )
    return await auth.authenticate(token)


async def require_admin(principal: Annotated[Principal, Depends(require_user)]) -> Principal:
    """The signed-in caller if admin; 401 without a valid token, 403 for other users."""
    if not principal.is_admin:
        raise AuthError(403, "This needs an admin account.", "forbidden", legacy_message="需要管理员权限")
    return principal


async def optional_user(request: Request, auth: Auth) -> Principal | None:
    """The caller if a token is sent (invalid tokens still 401), else ``None`` (public routes)."""
    token = bearer_token(request.headers.get("authorization"))
    return None if token is None else await auth.authenticate(token)


async def legacy_user(request: Request, auth: Auth) -> Principal:
    """``require_user`` for legacy StreamCream routes: errors in their shape,
    ``401 {"success": false, "message": "未登录"}``."""
    token = bearer_token(request.headers.get("authorization"))
    try:
        if token is None:
            raise AuthError(401, "Not signed in.", "not_authenticated")
        return await auth.authenticate(token)
    except AuthError as exc:
        if exc.status == 401:
            exc.legacy_message = "未登录"
        exc.legacy = True
        raise


CurrentUser = Annotated[Principal, Depends(require_user)]
AdminUser = Annotated[Principal, Depends(require_admin)]
LegacyUser = Annotated[Principal, Depends(legacy_user)]
