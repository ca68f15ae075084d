"""ApiServer: binding, a taken port as PortInUseError with a suggestion, start/stop."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator

import httpx
import pytest

from studio.api.app import create_app
from studio.api.deps import ApiContext
from studio.api.server import ApiServer, bind_socket, find_free_port, port_is_free
from studio.core.errors import PortInUseError
from studio.core.tasks import TaskOwner


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port held by another listener (as another program would)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        yield sock.getsockname()[1]


def test_bind_socket_on_a_taken_port_suggests_a_free_one(taken_port: int) -> None:
    with pytest.raises(PortInUseError) as info:
        bind_socket("127.0.0.1", taken_port)
    err = info.value
    assert err.port == taken_port
    assert err.host == "127.0.0.1"
    assert err.code == "port_in_use"
    assert err.suggestion is not None
    assert err.suggestion != taken_port
    assert taken_port < err.suggestion <= taken_port + 50
    message = err.user_message
    assert f"Port {taken_port} on 127.0.0.1 is already in use" in message
    assert f"--port {err.suggestion}" in message
    assert port_is_free("127.0.0.1", err.suggestion)


def test_port_is_free_and_find_free_port(taken_port: int) -> None:
    assert not port_is_free("127.0.0.1", taken_port)
    free = find_free_port("127.0.0.1", taken_port)
    assert free is not None
    assert free != taken_port
    assert find_free_port("127.0.0.1", 65536) is None


def test_bind_socket_port_zero_listens() -> None:
    sock = bind_socket("127.0.0.1", 0)
    try:
        port = sock.getsockname()[1]
        assert port > 0
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
    finally:
        sock.close()


def _server(port: int, owner: TaskOwner) -> ApiServer:
    return ApiServer(create_app(ApiContext(version="t")), "127.0.0.1", port, owner)


async def test_start_on_a_taken_port_raises_port_in_use(taken_port: int) -> None:
    owner = TaskOwner("test")
    server = _server(taken_port, owner)
    with pytest.raises(PortInUseError, match="already in use") as info:
        await server.start()
    assert info.value.suggestion is not None
    assert owner.tasks == frozenset()  # nothing was left running
    await server.stop()  # harmless after a failed start


async def test_start_serve_stop_and_the_port_is_released() -> None:
    owner = TaskOwner("test")
    server = _server(0, owner)
    await server.start()
    assert server.port > 0
    assert server.url == f"http://127.0.0.1:{server.port}"
    async with httpx.AsyncClient() as client:
        r = await client.get(server.url + "/health")
    assert r.status_code == 200
    loop = asyncio.get_running_loop()
    started = loop.time()
    await server.stop()
    assert loop.time() - started < 2.0
    await server.stop()  # idempotent
    assert owner.tasks == frozenset()
    assert port_is_free("127.0.0.1", server.port)
    assert await owner.close() == []


def test_ipv6_url_is_bracketed() -> None:
    server = ApiServer(create_app(ApiContext(version="t")), "::1", 8765, TaskOwner("t"))
    assert server.url == "http://[::1]:8765"
