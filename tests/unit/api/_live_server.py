"""A real uvicorn (through ApiServer) on a free port, on its own loop thread, for the API tests."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import FastAPI

from studio.api.server import ApiServer
from studio.core.tasks import TaskOwner


@contextmanager
def serve_in_thread(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 (any free port) from a loop thread; yields the base URL."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="test-api-loop", daemon=True)
    thread.start()
    owner = TaskOwner("test-api")
    server = ApiServer(app, "127.0.0.1", 0, owner)

    async def _start() -> None:
        await server.start()

    async def _stop() -> list[str]:
        await server.stop()
        return await owner.close()

    try:
        asyncio.run_coroutine_threadsafe(_start(), loop).result(10)
        yield server.url
    finally:
        stragglers = asyncio.run_coroutine_threadsafe(_stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()
        assert stragglers == []
        assert not thread.is_alive()
