"""API response shapes shared by the native routes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


def utc_now_iso() -> str:
    """ISO 8601 UTC timestamp, as the envelope carries it."""
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


class Envelope(BaseModel, Generic[T]):
    """The envelope of native and seed-documented routes: ``{success, message, data, timestamp, code}``."""

    success: bool = True
    message: str = "ok"
    data: T | None = None
    timestamp: str = Field(default_factory=utc_now_iso)
    code: str = "ok"


class HealthResponse(BaseModel):
    """``GET /health``: cheap liveness probe."""

    status: str = "ok"
    version: str
    uptime_s: float


class EngineInfo(BaseModel):
    """One engine the studio can use."""

    kind: str
    name: str
    available: bool
    detail: str = ""


class InfoData(BaseModel):
    """``GET /v1/info`` data."""

    name: str = "Cream Studio"
    version: str
    api_version: str = "1"
    uptime_s: float
    engines: list[EngineInfo]
