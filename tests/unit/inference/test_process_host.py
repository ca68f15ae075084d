"""ProcessHost with real spawned processes and trivial workers (no torch): calls, streams,
cancellation, crashes, restarts, timeouts and clean shutdown."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import AsyncIterator

import pytest

from studio.inference.process_host import (
    ProcessHost,
    WorkerClosedError,
    WorkerCrashedError,
    WorkerFailedError,
    WorkerRemoteError,
    WorkerStartError,
    WorkerTimeoutError,
    describe_exit,
)
from tests.unit.inference._process_workers import basic_worker, dying_worker, failing_worker


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); the host reaps its children, so look at the state too.
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


async def _wait_for(predicate: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


@pytest.fixture
async def host() -> AsyncIterator[ProcessHost]:
    crashes: list[str] = []
    h = ProcessHost("test worker", basic_worker, ("t",), env={"STUDIO_PROBE": "yes"}, on_crash=crashes.append)
    h.crashes = crashes  # type: ignore[attr-defined]
    yield h
    pid = h.pid
    await h.close()
    if pid is not None:
        assert not _alive(pid)


async def test_call_returns_results_and_reports_info(host: ProcessHost) -> None:
    info = await host.start()
    assert info["tag"] == "t"
    assert info["pid"] == host.pid != os.getpid()
    assert await host.call("echo", {"a": [1, 2]}) == {"a": [1, 2]}
    assert await host.call("env", "STUDIO_PROBE") == "yes"
    assert host.running


async def test_the_child_is_spawned_without_qt_or_pyav(host: ProcessHost) -> None:
    loaded = await host.call("modules", ["PySide6", "av", "torch", "studio.inference.process_host"])
    assert loaded == ["studio.inference.process_host"]


async def test_handler_errors_come_back_and_the_worker_keeps_going(host: ProcessHost) -> None:
    with pytest.raises(WorkerRemoteError, match="bad input: 7") as info:
        await host.call("fail", 7)
    assert info.value.kind == "ValueError"
    assert "Traceback" in info.value.remote_traceback
    assert await host.call("echo", 1) == 1


async def test_stream_items_arrive_as_they_are_produced(host: ProcessHost) -> None:
    await host.start()
    t0 = time.perf_counter()
    arrivals = []
    async for item in host.stream("count", {"n": 8, "delay": 0.05}):
        arrivals.append((item, time.perf_counter() - t0))
    assert [i for i, _ in arrivals] == list(range(8))
    assert arrivals[0][1] < arrivals[-1][1] / 2


async def test_leaving_a_stream_early_stops_the_worker(host: ProcessHost) -> None:
    await host.start()
    got = []
    async for item in host.stream("count", {"n": 10_000, "delay": 0.01}):
        got.append(item)
        if len(got) == 3:
            break
    t0 = time.perf_counter()
    produced = await host.call("produced")
    assert time.perf_counter() - t0 < 1.0  # the child was not still counting to 10 000
    assert 3 <= len(produced) < 50


async def test_cancelling_the_consumer_task_stops_the_stream(host: ProcessHost) -> None:
    await host.start()
    seen: list[int] = []

    async def consume() -> None:
        async for item in host.stream("count", {"n": 10_000, "delay": 0.01}):
            seen.append(item)

    task = asyncio.create_task(consume())
    await _wait_for(lambda: len(seen) >= 2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    produced = await asyncio.wait_for(host.call("produced"), 2.0)
    assert len(produced) < 100


async def test_ping_and_quick_handlers_answer_while_the_worker_is_busy(host: ProcessHost) -> None:
    await host.start()
    busy = asyncio.create_task(host.call("sleep", 1.5))
    await asyncio.sleep(0.2)
    assert await host.ping(timeout=1.0) < 0.5
    status = await asyncio.wait_for(host.call("status"), 0.5)
    assert status["tag"] == "t"
    assert await busy == "slept"


async def test_a_crash_during_a_call_fails_it_promptly_and_the_worker_restarts(host: ProcessHost) -> None:
    first_pid = (await host.start())["pid"]
    t0 = time.perf_counter()
    with pytest.raises(WorkerCrashedError, match="exit code 3") as info:
        await host.call("crash")
    assert time.perf_counter() - t0 < 3.0
    assert "restarting" in str(info.value)
    assert host.crashes == [str(info.value)]  # type: ignore[attr-defined]
    assert await host.call("echo", "again") == "again"
    assert host.pid != first_pid
    await _wait_for(lambda: host.restarts == 1)


async def test_sigkill_during_a_stream_is_reported_not_hung(host: ProcessHost) -> None:
    await host.start()
    pid = host.pid
    assert pid is not None
    got = []
    t0 = time.perf_counter()
    with pytest.raises(WorkerCrashedError, match="SIGKILL"):
        async for item in host.stream("count", {"n": 10_000, "delay": 0.01}):
            got.append(item)
            if len(got) == 2:
                t0 = time.perf_counter()
                os.kill(pid, signal.SIGKILL)
    assert time.perf_counter() - t0 < 3.0
    assert await host.call("echo", 5) == 5


async def test_a_kill_between_requests_is_reported_and_the_next_request_succeeds(host: ProcessHost) -> None:
    await host.start()
    pid = host.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    await _wait_for(lambda: host.crashes)  # type: ignore[attr-defined]
    assert "SIGKILL" in host.crashes[0]  # type: ignore[attr-defined]
    assert await host.call("pid") != pid
    assert host.restarts == 1


async def test_repeated_crashes_give_up_with_a_clear_error_until_started_again() -> None:
    crashes: list[str] = []
    host = ProcessHost("flaky worker", basic_worker, max_crashes=2, crash_window=60, on_crash=crashes.append)
    try:
        for _ in range(2):
            with pytest.raises(WorkerCrashedError):
                await host.call("crash")
        assert "2 times within 60 s" in crashes[-1]
        with pytest.raises(WorkerFailedError, match="not restarted again"):
            await host.call("echo", 1)
        assert host.failure is not None
        await host.start()  # an explicit start clears the given-up state
        assert await host.call("echo", 2) == 2
    finally:
        await host.close()


async def test_a_factory_error_fails_the_start_with_its_message() -> None:
    host = ProcessHost("broken worker", failing_worker, ("model folder /x has no config.json",))
    try:
        with pytest.raises(WorkerStartError, match=r"no config\.json") as info:
            await host.start()
        assert info.value.kind == "FileNotFoundError"
    finally:
        await host.close()


async def test_a_child_dying_while_starting_fails_the_start() -> None:
    host = ProcessHost("dying worker", dying_worker)
    try:
        with pytest.raises(WorkerStartError, match="exit code 7"):
            await host.start()
    finally:
        await host.close()


async def test_a_slow_start_times_out() -> None:
    host = ProcessHost("slow worker", basic_worker, ("slow", 30.0), start_timeout=1.0, stop_timeout=0.5)
    try:
        t0 = time.perf_counter()
        with pytest.raises(WorkerStartError, match="did not start within 1 s"):
            await host.start()
        assert time.perf_counter() - t0 < 5.0
    finally:
        await host.close()


async def test_a_call_timeout_restarts_the_stuck_worker(host: ProcessHost) -> None:
    host._stop_timeout = 0.5
    await host.start()
    with pytest.raises(WorkerTimeoutError, match=r"did not answer 'hang' within 0\.5 s"):
        await host.call("hang", timeout=0.5)
    assert await asyncio.wait_for(host.call("echo", 3), 10.0) == 3
    assert "did not answer" in host.crashes[0]  # type: ignore[attr-defined]


async def test_close_fails_waiting_requests_and_kills_a_stuck_child() -> None:
    host = ProcessHost("stuck worker", basic_worker, stop_timeout=0.5)
    await host.start()
    pid = host.pid
    assert pid is not None
    waiting = asyncio.create_task(host.call("hang"))
    await asyncio.sleep(0.2)
    t0 = time.perf_counter()
    await host.close()
    assert time.perf_counter() - t0 < 3.0
    with pytest.raises(WorkerClosedError):
        await waiting
    assert not _alive(pid)
    with pytest.raises(WorkerClosedError):
        await host.call("echo", 1)


def test_describe_exit() -> None:
    assert describe_exit(-9) == "killed by signal SIGKILL"
    assert describe_exit(-11) == "killed by signal SIGSEGV"
    assert describe_exit(2) == "exit code 2"
    assert describe_exit(None) == "unknown exit status"
