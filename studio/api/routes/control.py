"""``/control/*``: engine status and restarting one engine (seed-documented, envelope responses).

``GET /control/status`` needs a signed-in user; ``POST /control/restart`` an admin (a restart
cuts off whatever that engine is doing: speech, the conversation, a live stream). The engine side
is a :class:`ControlApi` registered as ``services["control"]``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Protocol, runtime_checkable

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from studio.api.auth.deps import require_admin, require_user
from studio.api.auth.service import Principal
from studio.api.deps import get_ctx
from studio.api.schemas import Envelope

__all__ = ["ControlApi", "EngineName", "EngineStatus", "RestartRequest", "router"]

EngineName = Literal["conversation", "broadcast", "avatar", "speech"]


class EngineStatus(BaseModel):
    """One engine: whether it is built and running, and a short human detail."""

    name: str
    running: bool
    detail: str = ""


class ControlStatus(BaseModel):
    """``GET /control/status`` data."""

    state: str = Field(description="The engine runtime: starting, running, stopping ...")
    engines: list[EngineStatus]


class RestartRequest(BaseModel):
    """``POST /control/restart`` body."""

    engine: EngineName = Field(description="Which engine (and what is built on it) to restart.")


class RestartResult(BaseModel):
    """``POST /control/restart`` data."""

    closed: list[str] = Field(description="Engines that were running and were closed.")
    started: list[str] = Field(description="Engines started again at once (the rest start on use).")


@runtime_checkable
class ControlApi(Protocol):
    """What ``/control`` needs from the engine (engine loop)."""

    def status(self) -> tuple[str, list[EngineStatus]]:
        """The runtime state and each engine's status."""
        ...

    async def restart(self, engine: EngineName) -> tuple[list[str], list[str]]:
        """Close ``engine`` and its dependents, start again what should run; (closed, started)."""
        ...


router = APIRouter(prefix="/control", tags=["control"])

_UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    401: {"model": Envelope[None], "description": "Not signed in or invalid token"},
    503: {"model": Envelope[None], "description": "No engine control in this studio."},
}
_ADMIN: dict[int | str, dict[str, Any]] = {
    **_UNAVAILABLE,
    403: {"model": Envelope[None], "description": "Not an admin"},
}


def _control(request: Request) -> ControlApi | None:
    service = get_ctx(request).services.get("control")
    return service if isinstance(service, ControlApi) else None


def _unavailable() -> JSONResponse:
    body = Envelope[None](success=False, message="Engine control is not available here.", code="unavailable")
    return JSONResponse(status_code=503, content=body.model_dump(mode="json"))


@router.get("/status", response_model=Envelope[ControlStatus], responses=_UNAVAILABLE)
async def control_status(
    request: Request, _user: Annotated[Principal, Depends(require_user)]
) -> Envelope[ControlStatus] | JSONResponse:
    """The engine runtime's state and each engine's status."""
    control = _control(request)
    if control is None:
        return _unavailable()
    state, engines = control.status()
    return Envelope(data=ControlStatus(state=state, engines=engines))


@router.post("/restart", response_model=Envelope[RestartResult], responses=_ADMIN)
async def control_restart(
    request: Request, body: RestartRequest, _admin: Annotated[Principal, Depends(require_admin)]
) -> Envelope[RestartResult] | JSONResponse:
    """Restart one engine and what is built on it (admin)."""
    control = _control(request)
    if control is None:
        return _unavailable()
    closed, started = await control.restart(body.engine)
    return Envelope(data=RestartResult(closed=closed, started=started), message=f"{body.engine} restarted")
