"""Serving the API with uvicorn on the engine loop.

The socket is bound here, before uvicorn starts, so a taken port becomes a clear
:class:`PortInUseError` (with a free port to offer) instead of uvicorn's ``sys.exit``.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
import sys
from typing import Any

import uvicorn
from fastapi import FastAPI

from studio.core.errors import EngineError, PortInUseError
from studio.core.tasks import TaskOwner

log = logging.getLogger(__name__)


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _exclusive(sock: socket.socket) -> None:
    # On Windows SO_REUSEADDR lets a second program bind a taken port; exclusive use is the
    # equivalent of the POSIX behaviour. Elsewhere SO_REUSEADDR only skips TIME_WAIT.
    if sys.platform == "win32":
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)  # type: ignore[attr-defined]
    else:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)


def bind_socket(host: str, port: int) -> socket.socket:
    """Bind and listen on ``host:port``.

    Raises:
        PortInUseError: the port is taken (the error suggests a free one nearby).
    """
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    _exclusive(sock)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno in (errno.EADDRINUSE, errno.EACCES):
            raise PortInUseError(host, port, find_free_port(host, port + 1)) from exc
        raise EngineError(f"Cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    sock.listen(128)
    sock.setblocking(False)
    return sock


def port_is_free(host: str, port: int) -> bool:
    """True if ``host:port`` can be bound now."""
    try:
        bind_socket(host, port).close()
    except (PortInUseError, EngineError):
        return False
    return True


def find_free_port(host: str, start: int, attempts: int = 50) -> int | None:
    """The first bindable port in ``start .. start+attempts``, or ``None``."""
    for port in range(start, min(start + attempts, 65536)):
        try:
            with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
                _exclusive(probe)
                probe.bind((host, port))
                return port
        except OSError:
            continue
    return None


class ApiServer:
    """One uvicorn server for ``app`` on ``host:port``, run as an owned task on the engine loop."""

    def __init__(self, app: FastAPI, host: str, port: int, owner: TaskOwner) -> None:
        self.app = app
        self.host = host
        self.port = port
        self._owner = owner
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[Any] | None = None

    @property
    def url(self) -> str:
        """Base URL of the server."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def start(self, timeout: float = 10.0) -> None:
        """Bind, start serving and wait until uvicorn says it is up (engine loop).

        Raises:
            PortInUseError: the port is taken.
            EngineError: uvicorn failed to start within ``timeout``.
        """
        sock = bind_socket(self.host, self.port)
        self.port = sock.getsockname()[1]  # port 0 = any free port
        config = uvicorn.Config(
            self.app,
            log_config=None,
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
            ws_max_size=16 * 1024 * 1024,
        )
        server = uvicorn.Server(config)
        self._server = server
        self._task = self._owner.spawn(server.serve(sockets=[sock]), f"uvicorn:{self.port}")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not server.started:
            if self._task.done():
                sock.close()
                exc = self._task.exception() if not self._task.cancelled() else None
                raise EngineError(f"The API server stopped while starting: {exc!r}")
            if loop.time() > deadline:
                raise EngineError(f"The API server did not start within {timeout:.0f} s.")
            await asyncio.sleep(0.02)
        log.info("API listening", extra={"url": self.url})

    async def stop(self, timeout: float = 3.0) -> None:
        """Stop accepting, finish in-flight requests (briefly), close (engine loop; idempotent)."""
        server, task = self._server, self._task
        self._server = self._task = None
        if server is None or task is None:
            return
        server.should_exit = True
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout)
        except (TimeoutError, asyncio.CancelledError):
            server.force_exit = True
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        except Exception:
            log.exception("API server failed while stopping")
        log.info("API stopped", extra={"port": self.port})
