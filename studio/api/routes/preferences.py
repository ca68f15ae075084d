"""Per-user preferences: ``GET``, ``POST``/``PUT`` (shallow merge) ``/api/preferences`` and
``POST /api/preferences/reset`` (seed-documented, envelope responses).

``/api/preferences`` is also StreamCream's legacy path, so ``GET`` answers the envelope *and* the
preference keys at the top level: the envelope reader takes ``data``, the StreamCream front end
reads the keys directly. Secrets inside preferences read back as ``"***"`` (see
:mod:`studio.api.preferences_service`). Engine loop.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import ConfigDict

from studio.api.auth import CurrentUser
from studio.api.deps import ApiContext, get_ctx
from studio.api.preferences_service import PreferencesPatch, PreferencesService, RequestRefusedError
from studio.api.schemas import Envelope
from studio.storage.prefs_repo import PreferencesRepo

PREFERENCES_SERVICE_KEY = "preferences"

router = APIRouter(tags=["preferences"])


def preferences_service_for(ctx: ApiContext) -> PreferencesService | None:
    """The context's shared :class:`PreferencesService` (made on first use); ``None`` without storage."""
    service = ctx.services.get(PREFERENCES_SERVICE_KEY)
    if isinstance(service, PreferencesService):
        return service
    if ctx.db is None or ctx.secrets is None:
        return None
    service = PreferencesService(PreferencesRepo(ctx.db), ctx.secrets)
    ctx.services[PREFERENCES_SERVICE_KEY] = service
    return service


def get_preferences(ctx: Annotated[ApiContext, Depends(get_ctx)]) -> PreferencesService:
    """FastAPI dependency: the preferences service (503 when the studio runs without storage)."""
    service = preferences_service_for(ctx)
    if service is None:
        raise RequestRefusedError(
            "Preferences are not available: the studio has no database here.",
            code="storage_unavailable",
            status=503,
        )
    return service


Prefs = Annotated[PreferencesService, Depends(get_preferences)]


class PreferencesEnvelope(Envelope[dict[str, Any]]):
    """The envelope, with the preference keys repeated at the top level (StreamCream's reader)."""

    model_config = ConfigDict(extra="allow")


def problem_response(exc: RequestRefusedError) -> JSONResponse:
    """The envelope for a refused request, with its status."""
    body = Envelope[Any](success=False, message=exc.user_message, code=exc.code)
    return JSONResponse(status_code=exc.status, content=body.model_dump(mode="json"))


def combined(doc: dict[str, Any], message: str = "ok") -> dict[str, Any]:
    """``{...preferences, success, message, data: preferences, timestamp, code}``."""
    envelope = Envelope[dict[str, Any]](message=message, data=doc).model_dump(mode="json")
    return {**doc, **envelope}


_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": Envelope[None], "description": text}
    for code, text in {
        400: "Invalid known field, reserved name, nesting too deep",
        401: "Not signed in",
        413: "Preferences too large (64 KiB as JSON)",
        503: "No database",
    }.items()
}
_ERRORS[422] = {
    "model": Envelope[dict[str, Any]],
    "description": "The body is not a JSON object or a known field has the wrong type (data.errors)",
}


@router.get(
    "/api/preferences",
    response_model=PreferencesEnvelope,
    responses=_ERRORS,
    summary="Your preferences",
)
async def read_preferences(principal: CurrentUser, prefs: Prefs) -> JSONResponse:
    """The caller's preferences: the envelope (``data``) and the same keys at the top level.
    Secrets read back as ``"***"``; ``debugMode`` defaults to false."""
    return JSONResponse(combined(await prefs.read(principal.user.id)))


async def _merge(request: Request, principal: CurrentUser, prefs: PreferencesService) -> JSONResponse:
    try:
        patch = json.loads(await request.body())
    except (ValueError, RecursionError):  # FastAPI parsed it already; this only re-reads it
        return problem_response(RequestRefusedError("The body is not valid JSON.", code="invalid_input"))
    try:
        doc = await prefs.merge(principal.user.id, patch)
    except RequestRefusedError as exc:
        return problem_response(exc)
    return JSONResponse(
        Envelope[dict[str, Any]](message="Preferences saved.", data=doc).model_dump(mode="json")
    )


@router.post(
    "/api/preferences",
    response_model=Envelope[dict[str, Any]],
    responses=_ERRORS,
    summary="Merge into your preferences",
)
async def post_preferences(
    patch: PreferencesPatch, request: Request, principal: CurrentUser, prefs: Prefs
) -> JSONResponse:
    """Shallow merge: each top-level key of the body replaces the stored one (StreamCream's
    ``dict.update``). Secrets (``aiSettings.apiKey``, ``stream_key`` ...) go to the secrets store;
    send ``"***"`` to keep one, ``""`` to delete it. Returns the merged preferences."""
    return await _merge(request, principal, prefs)


@router.put(
    "/api/preferences",
    response_model=Envelope[dict[str, Any]],
    responses=_ERRORS,
    summary="Merge into your preferences (same as POST)",
)
async def put_preferences(
    patch: PreferencesPatch, request: Request, principal: CurrentUser, prefs: Prefs
) -> JSONResponse:
    """Same as ``POST /api/preferences``."""
    return await _merge(request, principal, prefs)


@router.post(
    "/api/preferences/reset",
    response_model=Envelope[dict[str, Any]],
    responses=_ERRORS,
    summary="Reset your preferences",
)
async def reset_preferences(principal: CurrentUser, prefs: Prefs) -> JSONResponse:
    """Forget every preference of the caller, and the secrets stored with them."""
    doc = await prefs.reset(principal.user.id)
    return JSONResponse(
        Envelope[dict[str, Any]](message="Preferences reset.", data=doc).model_dump(mode="json")
    )
