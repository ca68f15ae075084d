"""Dependencies the routes receive: the :class:`ApiContext` built by the composition root."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Request

from studio.api.schemas import EngineInfo
from studio.config.secrets import SecretStore
from studio.config.settings import StudioConfig
from studio.storage.db import Database


@dataclass(slots=True)
class ApiContext:
    """What the API needs from the engine. Built by ``studio.app.container``; read-only for routes.

    Args:
        version: Studio version string.
        engines: Returns the engines known right now (called per request, cheap).
        started_monotonic: When the engine started.
        config: The live settings (read-only for routes; the GUI/CLI change them).
        db: The studio database (``None`` in tests that need no storage).
        secrets: The secrets store (keyring or encrypted file); keys never go to the DB or config.
        data_dir: The studio's data folder: every file a request names resolves inside it.
        services: Engine-side services the routes use, by name (``"speech"``, ``"broadcast"`` ...),
            registered by the composition root; each feature defines the Protocol it needs.
    """

    version: str
    engines: Callable[[], list[EngineInfo]] = field(default=lambda: [])
    started_monotonic: float = field(default_factory=time.monotonic)
    config: StudioConfig | None = None
    db: Database | None = None
    secrets: SecretStore | None = None
    data_dir: Path | None = None
    services: dict[str, Any] = field(default_factory=dict)

    @property
    def uptime_s(self) -> float:
        """Seconds since the engine started."""
        return round(time.monotonic() - self.started_monotonic, 3)


def get_ctx(request: Request) -> ApiContext:
    """FastAPI dependency: the context attached by :func:`studio.api.app.create_app`."""
    ctx = request.app.state.ctx
    assert isinstance(ctx, ApiContext)
    return ctx


def is_loopback(host: str) -> bool:
    """True when ``host`` (an API bind address) is reachable only from this computer."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
