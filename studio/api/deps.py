"""Dependencies the routes receive: the :class:`ApiContext` built by the composition root."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import Request

from studio.api.schemas import EngineInfo


@dataclass(slots=True)
class ApiContext:
    """What the API needs from the engine. Built by ``studio.app.container``; read-only for routes.

    Args:
        version: Studio version string.
        engines: Returns the engines known right now (called per request, cheap).
        started_monotonic: When the engine started.
    """

    version: str
    engines: Callable[[], list[EngineInfo]] = field(default=lambda: [])
    started_monotonic: float = field(default_factory=time.monotonic)

    @property
    def uptime_s(self) -> float:
        """Seconds since the engine started."""
        return round(time.monotonic() - self.started_monotonic, 3)


def get_ctx(request: Request) -> ApiContext:
    """FastAPI dependency: the context attached by :func:`studio.api.app.create_app`."""
    ctx = request.app.state.ctx
    assert isinstance(ctx, ApiContext)
    return ctx
