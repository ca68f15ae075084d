"""Owned asyncio tasks: every background task has an owner that cancels it with a timeout.

No bare ``asyncio.create_task`` in the studio: a forgotten task swallows its exception and keeps
the loop (and the process) alive at shutdown. A :class:`TaskOwner` keeps a strong reference, logs
failures, reports them to an optional callback, and cancels everything on :meth:`TaskOwner.close`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class TaskOwner:
    """Owns tasks on one event loop (the engine loop, or the GUI's qasync loop).

    Args:
        name: Shown in logs and task names.
        on_error: Called with ``(task_name, exception)`` when an owned task fails.
    """

    def __init__(self, name: str, on_error: Callable[[str, BaseException], None] | None = None) -> None:
        self.name = name
        self._tasks: set[asyncio.Task[Any]] = set()
        self._on_error = on_error
        self._closed = False

    def spawn(self, coro: Coroutine[Any, Any, T], name: str) -> asyncio.Task[T]:
        """Start ``coro`` as an owned task (engine loop only)."""
        if self._closed:
            coro.close()
            raise RuntimeError(f"task owner {self.name!r} is closed")
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # called off the loop: close the coroutine so it is not left un-awaited
            coro.close()
            raise
        task = loop.create_task(coro, name=f"{self.name}:{name}")
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            log.error("task %s failed: %r", task.get_name(), exc, exc_info=exc)
            if self._on_error is not None:
                self._on_error(task.get_name(), exc)

    @property
    def tasks(self) -> frozenset[asyncio.Task[Any]]:
        """The tasks still running."""
        return frozenset(self._tasks)

    async def close(self, timeout: float = 2.0) -> list[str]:
        """Cancel every owned task and wait up to ``timeout`` seconds.

        Returns:
            Names of tasks that did not finish in time (also logged).
        """
        self._closed = True
        return await cancel_with_timeout(list(self._tasks), timeout)


async def cancel_with_timeout(tasks: list[asyncio.Task[Any]], timeout: float) -> list[str]:
    """Cancel ``tasks`` and wait at most ``timeout`` s; return the names of stragglers."""
    pending = [t for t in tasks if not t.done()]
    for task in pending:
        task.cancel()
    if not pending:
        return []
    _, still = await asyncio.wait(pending, timeout=timeout)
    names = sorted(t.get_name() for t in still)
    if names:
        log.warning("tasks did not stop within %.1fs: %s", timeout, ", ".join(names))
    return names
