"""TaskOwner: owned tasks, failure reporting, cancel with timeout and named stragglers."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
import warnings

import pytest

from studio.core.tasks import TaskOwner, cancel_with_timeout


async def test_failure_is_reported_via_on_error_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    reported: list[tuple[str, BaseException]] = []
    done = asyncio.Event()

    def on_error(name: str, exc: BaseException) -> None:
        reported.append((name, exc))
        done.set()

    owner = TaskOwner("unit", on_error=on_error)

    async def fails() -> None:
        await asyncio.sleep(0)
        raise ValueError("kaputt")

    with caplog.at_level(logging.ERROR, logger="studio.core.tasks"):
        task = owner.spawn(fails(), "worker")
        await asyncio.wait_for(done.wait(), 5)
    assert task.get_name() == "unit:worker"
    assert len(reported) == 1
    name, exc = reported[0]
    assert name == "unit:worker"
    assert isinstance(exc, ValueError)
    assert str(exc) == "kaputt"
    assert any("unit:worker" in r.getMessage() for r in caplog.records)
    assert owner.tasks == frozenset()
    assert await owner.close() == []


async def test_success_and_cancellation_are_not_errors() -> None:
    reported: list[str] = []
    owner = TaskOwner("unit", on_error=lambda n, e: reported.append(n))

    async def ok() -> int:
        return 5

    assert await owner.spawn(ok(), "ok") == 5
    sleeper = owner.spawn(asyncio.sleep(60), "sleeper")
    await asyncio.sleep(0)
    assert sleeper in owner.tasks
    sleeper.cancel()
    with pytest.raises(asyncio.CancelledError):
        await sleeper
    assert reported == []
    assert owner.tasks == frozenset()


async def test_close_cancels_cooperative_tasks_quickly() -> None:
    owner = TaskOwner("unit")
    cleaned: list[str] = []

    async def worker(name: str) -> None:
        try:
            await asyncio.sleep(60)
        finally:
            cleaned.append(name)

    tasks = [owner.spawn(worker(f"w{i}"), f"w{i}") for i in range(3)]
    await asyncio.sleep(0)
    started = time.monotonic()
    assert await owner.close(timeout=2.0) == []
    assert time.monotonic() - started < 1.0
    assert all(t.cancelled() for t in tasks)
    assert sorted(cleaned) == ["w0", "w1", "w2"]


async def test_close_names_tasks_that_ignore_cancellation(caplog: pytest.LogCaptureFixture) -> None:
    owner = TaskOwner("unit")
    release = asyncio.Event()

    async def stubborn() -> None:
        while True:
            try:
                await release.wait()
                return
            except asyncio.CancelledError:
                continue  # swallows cancellation: a bug the owner must name

    async def polite() -> None:
        await asyncio.sleep(60)

    stubborn_task = owner.spawn(stubborn(), "stubborn")
    polite_task = owner.spawn(polite(), "polite")
    await asyncio.sleep(0)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="studio.core.tasks"):
        stragglers = await owner.close(timeout=0.2)
    elapsed = time.monotonic() - started
    assert stragglers == ["unit:stubborn"]
    assert 0.15 <= elapsed < 1.5
    assert polite_task.cancelled()
    assert not stubborn_task.done()
    assert any("unit:stubborn" in r.getMessage() for r in caplog.records)
    release.set()
    await asyncio.wait_for(stubborn_task, 5)


async def test_closed_owner_refuses_new_tasks_without_leaking_the_coroutine() -> None:
    owner = TaskOwner("unit")
    await owner.close()

    async def work() -> None:
        pass

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(RuntimeError, match="closed"):
            owner.spawn(work(), "late")
        gc.collect()


def test_spawn_outside_a_loop_raises_without_leaking_the_coroutine() -> None:
    owner = TaskOwner("unit")

    async def work() -> None:
        pass

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(RuntimeError):
            owner.spawn(work(), "no-loop")
        gc.collect()
    assert not [w for w in caught if "never awaited" in str(w.message)]


async def test_cancel_with_timeout_ignores_finished_tasks() -> None:
    async def quick() -> int:
        return 1

    task = asyncio.get_running_loop().create_task(quick())
    await task
    assert await cancel_with_timeout([task], 0.1) == []
