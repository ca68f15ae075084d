"""EngineRuntime: engine thread + loop, API on a free port, the error journal, clean stops."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from studio.app.container import Container
from studio.app.runtime import EngineRuntime
from studio.core.errors import EngineError, PortInUseError, ProviderError
from studio.core.events import ApiServerEvent, EngineStateEvent, ErrorEvent, Event


def wait_for(condition: Callable[[], object], timeout: float = 5.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.01)


def _engine_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "studio-engine"]


@pytest.fixture
def events(container: Container) -> list[Event]:
    seen: list[Event] = []
    container.bus.subscribe(Event, seen.append)
    return seen


@pytest.fixture
def runtime(container: Container) -> Iterator[EngineRuntime]:
    rt = EngineRuntime(container, port=0)
    try:
        yield rt
    finally:
        rt.stop()


def test_start_and_stop_within_two_seconds(runtime: EngineRuntime, events: list[Event]) -> None:
    started = time.monotonic()
    runtime.start()
    assert time.monotonic() - started < 2.0
    assert runtime.state == "running"
    url = runtime.api_url
    assert url is not None
    assert url.startswith("http://127.0.0.1:")
    assert not url.endswith(":0")
    r = httpx.get(url + "/health", timeout=5)
    assert r.status_code == 200
    assert r.json()["version"] == runtime.container.version

    stopping = time.monotonic()
    assert runtime.stop(timeout=2.0) is True
    assert time.monotonic() - stopping < 2.0
    assert runtime.state == "stopped"
    assert runtime.wait_stopped(0)
    assert _engine_threads() == []
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/health", timeout=2)
    with pytest.raises(EngineError, match="not running"):
        _ = runtime.loop

    states = [e.state for e in events if isinstance(e, EngineStateEvent)]
    assert states == ["starting", "running", "stopping", "stopped"]
    api = [(e.state, e.url) for e in events if isinstance(e, ApiServerEvent)]
    assert api == [("listening", url), ("stopped", "")]
    assert runtime.stop() is True  # idempotent


def test_error_event_is_recorded_in_the_event_log(runtime: EngineRuntime, container: Container) -> None:
    runtime.start()
    event = ErrorEvent(source="tts", message="voice model missing", code="tts_missing")
    container.bus.publish_threadsafe(event)

    def recorded() -> list:
        return [r for r in container.event_log.recent(kind="error") if r.source == "tts"]

    wait_for(recorded, what="the error row")
    row = recorded()[0]
    assert row.message == "voice model missing"
    assert row.data == {"code": "tts_missing"}
    assert row.kind == "error"


def test_failed_owned_task_becomes_an_error_event_and_a_row(
    runtime: EngineRuntime, container: Container
) -> None:
    runtime.start()
    errors: list[ErrorEvent] = []
    container.bus.subscribe(ErrorEvent, errors.append)

    async def start_failing_task() -> None:
        async def fails() -> None:
            raise ProviderError("LLM endpoint refused the request", provider="openai_compat", retryable=True)

        assert runtime._owner is not None
        runtime._owner.spawn(fails(), "brain")

    runtime.submit(start_failing_task()).result(5)
    wait_for(lambda: any(r.source == "engine:brain" for r in container.event_log.recent()), what="the row")
    assert [(e.source, e.code) for e in errors] == [("engine:brain", "provider_error")]
    assert errors[0].message == "LLM endpoint refused the request"


def test_a_failing_error_journal_does_not_spin(container: Container) -> None:
    runtime = EngineRuntime(container, serve_api=False)
    runtime.start()
    try:
        _journal_fails_once(runtime, container)
    finally:
        assert runtime.stop() is True


def _journal_fails_once(runtime: EngineRuntime, container: Container) -> None:
    errors: list[ErrorEvent] = []
    container.bus.subscribe(ErrorEvent, errors.append)
    container.db.close()  # every recording now fails
    container.bus.publish_threadsafe(ErrorEvent(source="x", message="m"))
    wait_for(lambda: errors, what="the event")
    # the recording task fails once and is only logged; nothing republishes it
    wait_for(lambda: runtime._owner is not None and not runtime._owner.tasks, what="no tasks left")
    assert runtime.submit(asyncio.sleep(0, "idle")).result(5) == "idle"
    assert len(errors) == 1


def test_submit_runs_on_the_engine_thread(runtime: EngineRuntime) -> None:
    runtime.start()

    async def where() -> str:
        return threading.current_thread().name

    assert runtime.submit(where()).result(5) == "studio-engine"
    assert runtime.loop.is_running()


def test_headless_without_api(container: Container) -> None:
    rt = EngineRuntime(container, serve_api=False)
    rt.start()
    try:
        assert rt.api_url is None
        assert rt.state == "running"
    finally:
        assert rt.stop() is True


def test_start_twice_is_an_error(runtime: EngineRuntime) -> None:
    runtime.start()
    with pytest.raises(EngineError, match="already running"):
        runtime.start()


def test_port_in_use_fails_the_start_cleanly(container: Container, events: list[Event]) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen(1)
        port = blocker.getsockname()[1]
        rt = EngineRuntime(container, port=port)
        with pytest.raises(PortInUseError) as info:
            rt.start()
    assert info.value.port == port
    assert rt.state == "failed"
    assert _engine_threads() == []
    assert rt.wait_stopped(5)
    failed = [e for e in events if isinstance(e, ApiServerEvent)]
    assert [e.state for e in failed] == ["failed"]
    assert "already in use" in failed[0].detail
    # the runtime can be started again once the port is free
    rt2 = EngineRuntime(container, port=port)
    rt2.start()
    try:
        assert rt2.api_url == f"http://127.0.0.1:{port}"
    finally:
        rt2.stop()


def test_restart_api_moves_to_a_new_port(runtime: EngineRuntime) -> None:
    runtime.start()
    first = runtime.api_url
    assert first is not None
    new_url = runtime.submit(runtime.restart_api(port=0)).result(10)
    assert new_url == runtime.api_url
    assert httpx.get(new_url + "/health", timeout=5).status_code == 200
    if new_url != first:
        with pytest.raises(httpx.ConnectError):
            httpx.get(first + "/health", timeout=2)


def test_stop_api_keeps_engine_running(container) -> None:
    import httpx

    from studio.app.runtime import EngineRuntime as _Runtime

    runtime = _Runtime(container, port=0)
    runtime.start()
    try:
        url = runtime.api_url
        assert url is not None
        assert httpx.get(f"{url}/health", timeout=5).status_code == 200
        runtime.submit(runtime.stop_api()).result(5)
        assert runtime.api_url is None
        assert runtime.state == "running"
        try:
            httpx.get(f"{url}/health", timeout=2)
            answered = True
        except httpx.TransportError:
            answered = False
        assert not answered, "the API must stop listening"
    finally:
        assert runtime.stop(2.0)
