from __future__ import annotations

import asyncio
import threading
import time

import pytest

from studio.inference.host import ThreadModelHost


async def test_calls_run_in_order_on_one_named_daemon_thread() -> None:
    seen: list[tuple[str, bool]] = []

    def loader() -> list[int]:
        seen.append((threading.current_thread().name, threading.current_thread().daemon))
        return []

    host: ThreadModelHost[list[int]] = ThreadModelHost("probe", loader)
    results = await asyncio.gather(*(host.run(lambda m, i=i: (m.append(i), list(m))[1]) for i in range(5)))
    assert results[-1] == [0, 1, 2, 3, 4]
    assert seen == [("model-probe", True)]
    await host.close()
    assert not host.loaded


async def test_errors_propagate_and_the_host_keeps_working() -> None:
    host: ThreadModelHost[int] = ThreadModelHost("err", lambda: 41)

    def boom(model: int) -> int:
        raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input"):
        await host.run(boom)
    assert await host.run(lambda m: m + 1) == 42
    await host.close()


async def test_close_while_a_model_is_still_loading_does_not_hold_the_process() -> None:
    release = threading.Event()

    def slow_loader() -> int:
        release.wait(10)  # a model load that outlives the shutdown
        return 1

    host: ThreadModelHost[int] = ThreadModelHost("slow", slow_loader)
    load = asyncio.ensure_future(host.load())
    await asyncio.sleep(0.05)
    load.cancel()
    started = time.monotonic()
    await host.close()
    assert time.monotonic() - started < 3.0
    worker = next(t for t in threading.enumerate() if t.name == "model-slow")
    assert worker.daemon, "a daemon thread cannot keep the interpreter alive at exit"
    release.set()
    worker.join(5)
    assert not worker.is_alive()
