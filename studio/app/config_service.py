"""Settings for the API: the settings in force now, and saving one area as the settings dialog does.

The GUI replaces ``container.config`` when it saves an area and announces it with a
:class:`~studio.core.events.ConfigChangedEvent`; :func:`follow_config` keeps the API context and
the broadcast session pointed at the new settings. API routes that change settings go through
:class:`ContainerConfigService`, which writes ``config.toml`` atomically and announces the change
the same way, so the GUI and the API never disagree.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

from studio.app.container import Container
from studio.config.settings import AreaSettings, StudioConfig
from studio.core.bus import Subscription
from studio.core.events import ConfigChangedEvent

if TYPE_CHECKING:
    from studio.api.deps import ApiContext
    from studio.broadcast.session import BroadcastSession

__all__ = ["ContainerConfigService", "follow_config"]


class ContainerConfigService:
    """The ``services["config"]`` of the API (:class:`studio.api.streaming.ConfigService`)."""

    def __init__(self, container: Container) -> None:
        self._container = container
        self._lock = asyncio.Lock()

    def current(self) -> StudioConfig:
        """The settings in force now (any thread)."""
        return self._container.config

    async def save_area(self, area: AreaSettings) -> None:
        """Replace one area, write ``config.toml`` atomically, announce it (engine loop)."""
        c = self._container
        async with self._lock:
            c.config = await asyncio.to_thread(c.config_store.save_area, c.config, area)
        c.bus.publish(ConfigChangedEvent(area=area.area))


def follow_config(
    container: Container,
    ctx: Callable[[], ApiContext | None],
    broadcast: Callable[[], BroadcastSession | None],
) -> Subscription:
    """Keep the API context's and the broadcast session's settings current (engine loop)."""

    def changed(event: ConfigChangedEvent) -> None:
        config = container.config
        api_ctx = ctx()
        if api_ctx is not None:
            api_ctx.config = config
        session = broadcast()
        if session is not None and event.area == "stream":
            session.settings = config.stream

    return container.bus.subscribe(ConfigChangedEvent, changed)
