"""Extra users of the speech stack (the script reader) are closed at shutdown, before it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from studio.app.container import Container
from studio.app.runtime import EngineRuntime


def test_shutdown_hooks_run_in_reverse_order_before_the_engine_stops(container: Container) -> None:
    runtime = EngineRuntime(container, serve_api=False)
    runtime.start()
    seen: list[str] = []

    def hook(name: str, fail: bool = False) -> Callable[[], Awaitable[None]]:
        async def close() -> None:
            seen.append(name)
            if fail:
                raise RuntimeError("broken hook")

        return close

    async def register() -> None:
        runtime.on_shutdown(hook("first"))
        runtime.on_shutdown(hook("second", fail=True))  # a failing hook does not stop the others

    runtime.submit(register()).result(5)
    assert runtime.stop(timeout=5.0)
    assert seen == ["second", "first"]
