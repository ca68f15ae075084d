"""Native listening routes: the microphone mode and push-to-talk.

``POST /v1/listen/mode`` switches between ``hands_free``, ``push_to_talk`` and ``off`` live and saves
it in ``[listen]``; ``POST /v1/listen/push-to-talk`` presses or releases the talk button. Thin: the
routes call the ``listen`` service registered by the composition root (:class:`ListenApi`).
Engine loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, Protocol, runtime_checkable

from fastapi import APIRouter, FastAPI, Request, params
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from studio.api.deps import get_ctx
from studio.api.schemas import Envelope
from studio.core.errors import EngineError, StudioError, ValidationError

router = APIRouter(prefix="/v1/listen", tags=["listen"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": Envelope[None], "description": text}
    for code, text in {
        409: "Not listening (the microphone is off)",
        503: "No listening service in this studio",
    }.items()
}


@runtime_checkable
class ListenApi(Protocol):
    """What the routes need from the engine (``services["listen"]``)."""

    async def set_mode(self, mode: str) -> str:
        """Switch and save the mode; return it."""
        ...

    async def push_to_talk(self, pressed: bool) -> bool:
        """Press/release; False when the mode is not push-to-talk."""
        ...


class ModeIn(BaseModel):
    """``POST /v1/listen/mode`` body."""

    mode: Literal["hands_free", "push_to_talk", "off"] = Field(description="The listening mode.")


class ModeOut(BaseModel):
    """The mode in force."""

    mode: str


class PushToTalkIn(BaseModel):
    """``POST /v1/listen/push-to-talk`` body."""

    pressed: bool = Field(description="True starts an utterance, False ends and transcribes it.")


class PushToTalkOut(BaseModel):
    """Whether the press was taken (the mode is push-to-talk)."""

    accepted: bool


class _UnavailableError(StudioError):
    code = "listen_unavailable"


def _service(request: Request) -> ListenApi:
    service = get_ctx(request).services.get("listen")
    if not isinstance(service, ListenApi):
        raise _UnavailableError("Listening is not available in this studio.")
    return service


def _error(exc: StudioError) -> JSONResponse:
    status = (
        400
        if isinstance(exc, ValidationError)
        else 503
        if isinstance(exc, _UnavailableError)
        else 409
        if isinstance(exc, EngineError)
        else 500
    )
    body = Envelope[Any](success=False, message=exc.user_message, code=exc.code)
    return JSONResponse(status_code=status, content=body.model_dump(mode="json"))


@router.post("/mode", response_model=Envelope[ModeOut], summary="Set the listening mode", responses=_ERRORS)
async def set_mode(body: ModeIn, request: Request) -> Envelope[ModeOut] | JSONResponse:
    """Switch to ``hands_free``, ``push_to_talk`` or ``off`` now; the choice is saved."""
    try:
        mode = await _service(request).set_mode(body.mode)
    except StudioError as exc:
        return _error(exc)
    return Envelope(data=ModeOut(mode=mode))


@router.post(
    "/push-to-talk", response_model=Envelope[PushToTalkOut], summary="Push-to-talk", responses=_ERRORS
)
async def push_to_talk(body: PushToTalkIn, request: Request) -> Envelope[PushToTalkOut] | JSONResponse:
    """Press (``true``) or release (``false``) the talk button; releasing transcribes what was said."""
    try:
        accepted = await _service(request).push_to_talk(body.pressed)
    except StudioError as exc:
        return _error(exc)
    return Envelope(data=PushToTalkOut(accepted=accepted))


def include_listen_routes(app: FastAPI, dependencies: Sequence[params.Depends] = ()) -> None:
    """Mount ``/v1/listen``."""
    app.include_router(router, dependencies=list(dependencies))
