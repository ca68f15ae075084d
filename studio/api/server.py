"""Serving the API with uvicorn on the engine loop.

The socket is bound here, before uvicorn starts, so a taken port becomes a clear
:class:`PortInUseError` (with a free port to offer) instead of uvicorn's ``sys.exit``.

With legacy ports on, the same application is also served on StreamCream's original ports
(:data:`LEGACY_PORTS`) by the same uvicorn server: one more listening socket each. Each of them is
optional: a taken one is reported (:attr:`ApiServer.legacy`) and the others still serve.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from studio.core.errors import EngineError, PortInUseError, StudioError
from studio.core.tasks import TaskOwner

log = logging.getLogger(__name__)

LEGACY_PORTS: Mapping[str, int] = {
    "loginBackend": 9080,
    "streamTTSBackend": 5001,
    "streamingBackend": 8888,
    "gptSovits": 9880,
    "voxcpm": 7861,
    "openLlmVtuber": 12393,
}
"""StreamCream's back ends, GPT-SoVITS api_v2, the VoxCPM streaming server and Open-LLM-VTuber's
server with their usual ports (their clients call ``localhost:<port>``)."""
PORT_PREFIXES: Mapping[str, str] = {"gptSovits": "/gpt-sovits", "voxcpm": "/voxcpm"}
"""Legacy ports that serve one compat router at their root: on the main port the router lives under
this prefix (``/gpt-sovits/tts``); a request on the legacy port (``:9880/tts``) is routed there."""
RELAY_BACKEND = "streamingBackend"
RELAY_PATH = "/ws/relay"
"""Where the stream relay WebSocket lives on the main port; on 8888 it answered on any path."""


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
    # IPPROTO_TCP, not 0: asyncio turns Nagle off (TCP_NODELAY) only on sockets that say TCP. With
    # Nagle on, a response written in two parts waited for the client's delayed ACK: 40 ms each.
    sock = socket.socket(_family(host), socket.SOCK_STREAM, socket.IPPROTO_TCP)
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


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@dataclass(slots=True)
class LegacyPortStatus:
    """One legacy port: serving (``url``) or not (``error``, a message for the streamer).

    Args:
        name: The StreamCream back end the port stands for (``loginBackend`` ...).
        port: The port asked for (after start: the port bound, which differs only for port 0).
        url: Base URL while it serves; empty if it could not be bound.
        error: Why it is not served; empty if it serves.
    """

    name: str
    port: int
    url: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        """True if the port serves."""
        return bool(self.url)


class RelayOnAnyPath:
    """ASGI wrapper: on the relay's legacy port, a WebSocket on a path the app has no route for goes
    to :data:`RELAY_PATH`, as StreamCream's relay (``ws://localhost:8888``) accepted any path.

    Args:
        app: The application (a Starlette/FastAPI app, whose routes are consulted).
        relay_port: The bound port of the relay's legacy socket.
    """

    def __init__(self, app: ASGIApp, relay_port: int) -> None:
        self.app = app
        self.relay_port = relay_port

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and self._on_relay_port(scope) and not self._routed(scope):
            scope = {**scope, "path": RELAY_PATH, "raw_path": RELAY_PATH.encode()}
        await self.app(scope, receive, send)

    def _on_relay_port(self, scope: Scope) -> bool:
        server = scope.get("server")
        return server is not None and server[1] == self.relay_port

    def _routed(self, scope: Scope) -> bool:
        routes = getattr(getattr(self.app, "router", None), "routes", [])
        return any(route.matches(scope)[0] is Match.FULL for route in routes)


class PrefixOnPort:
    """ASGI wrapper: requests arriving on certain ports are routed under a path prefix.

    GPT-SoVITS clients call ``http://127.0.0.1:9880/tts``; the studio serves that router under
    ``/gpt-sovits`` on its main port. On the legacy port a path that the prefixed router serves goes
    there; any other path (``/health``, ``/v1/...``) reaches the studio's app as on the main port, and
    ``/docs`` opens the studio's API docs (both upstream servers are FastAPI apps with ``/docs``).

    Args:
        app: The application to call.
        prefixes: Bound port -> path prefix.
        routed: The Starlette/FastAPI app whose routes decide whether a prefixed path exists.
    """

    def __init__(self, app: ASGIApp, prefixes: Mapping[int, str], routed: ASGIApp) -> None:
        self.app = app
        self.prefixes = dict(prefixes)
        self._routes = getattr(getattr(routed, "router", None), "routes", [])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        server = scope.get("server") if scope["type"] in ("http", "websocket") else None
        prefix = self.prefixes.get(server[1]) if server is not None else None
        if prefix is not None:
            path: str = scope["path"]
            if path == "/docs":
                scope = {**scope, "path": "/api-docs", "raw_path": b"/api-docs"}
            elif not (path == prefix or path.startswith(prefix + "/")):
                moved = {**scope, "path": prefix + path, "raw_path": (prefix + path).encode()}
                if any(route.matches(moved)[0] is not Match.NONE for route in self._routes):
                    scope = moved
        await self.app(scope, receive, send)


class ApiServer:
    """One uvicorn server for ``app`` on ``host:port``, run as an owned task on the engine loop.

    Args:
        app: The ASGI application (``create_app``).
        host: Interface to listen on (the legacy ports use the same one).
        port: Main port (``0`` = any free port).
        owner: Owns the serving task.
        legacy_ports: Extra ports serving the same app, by StreamCream back-end name
            (:data:`LEGACY_PORTS` in the studio; free ports in tests). Each one is optional.
    """

    def __init__(
        self,
        app: ASGIApp,
        host: str,
        port: int,
        owner: TaskOwner,
        *,
        legacy_ports: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.host = host
        self.port = port
        self._owner = owner
        self._legacy_asked = dict(legacy_ports or {})
        self.legacy: list[LegacyPortStatus] = []
        """Status of each legacy port after :meth:`start` (empty without legacy ports)."""
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[Any] | None = None

    @property
    def url(self) -> str:
        """Base URL of the server."""
        return _url(self.host, self.port)

    def _bind_legacy(self) -> list[socket.socket]:
        socks: list[socket.socket] = []
        self.legacy = []
        for name, port in self._legacy_asked.items():
            status = LegacyPortStatus(name, port)
            try:
                sock = bind_socket(self.host, port)
            except StudioError as exc:
                why = (
                    f"{self.host}:{port} is already in use by another program"
                    if isinstance(exc, PortInUseError)
                    else exc.user_message.rstrip(".")
                )
                status.error = (
                    f"Legacy port {port} ({name}) is not served: {why}. The other ports "
                    "still serve; free this one or turn legacy ports off in Settings -> API."
                )
                log.warning("legacy port not served", extra={"port": port, "backend": name})
            else:
                status.port = sock.getsockname()[1]
                status.url = _url(self.host, status.port)
                socks.append(sock)
            self.legacy.append(status)
        return socks

    async def start(self, timeout: float = 10.0) -> None:
        """Bind, start serving and wait until uvicorn says it is up (engine loop).

        Raises:
            PortInUseError: the port is taken.
            EngineError: uvicorn failed to start within ``timeout``.
        """
        sock = bind_socket(self.host, self.port)
        self.port = sock.getsockname()[1]  # port 0 = any free port
        socks = [sock, *self._bind_legacy()]
        app = self.app
        relay = next((s for s in self.legacy if s.name == RELAY_BACKEND and s.ok), None)
        if relay is not None:
            app = RelayOnAnyPath(app, relay.port)
        prefixed = {s.port: PORT_PREFIXES[s.name] for s in self.legacy if s.ok and s.name in PORT_PREFIXES}
        if prefixed:
            app = PrefixOnPort(app, prefixed, routed=self.app)
        config = uvicorn.Config(
            app,
            log_config=None,
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
            ws_max_size=16 * 1024 * 1024,
        )
        server = uvicorn.Server(config)
        self._server = server
        self._task = self._owner.spawn(server.serve(sockets=socks), f"uvicorn:{self.port}")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not server.started:
            if self._task.done():
                for each in socks:
                    each.close()
                exc = self._task.exception() if not self._task.cancelled() else None
                raise EngineError(f"The API server stopped while starting: {exc!r}")
            if loop.time() > deadline:
                raise EngineError(f"The API server did not start within {timeout:.0f} s.")
            await asyncio.sleep(0.02)
        log.info("API listening", extra={"url": self.url})
        for status in self.legacy:
            if status.ok:
                log.info("API also on a legacy port", extra={"url": status.url, "backend": status.name})

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
