"""System routes: health and information."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from studio.api.deps import ApiContext, get_ctx
from studio.api.schemas import Envelope, HealthResponse, InfoData

router = APIRouter(tags=["system"])
Ctx = Annotated[ApiContext, Depends(get_ctx)]


@router.get("/health", response_model=HealthResponse, summary="Liveness probe (public)")
async def health(ctx: Ctx) -> HealthResponse:
    """Answers as soon as the API is up."""
    return HealthResponse(version=ctx.version, uptime_s=ctx.uptime_s)


@router.get("/v1/info", response_model=Envelope[InfoData], summary="Version, engines and uptime")
async def info(ctx: Ctx) -> Envelope[InfoData]:
    """What this studio is and which engines it has."""
    return Envelope(data=InfoData(version=ctx.version, uptime_s=ctx.uptime_s, engines=ctx.engines()))
