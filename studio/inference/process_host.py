"""A supervised worker process for heavy (torch) models, driven from the engine loop.

The child is started with the ``spawn`` start method (never ``fork``: the parent has threads,
and a forked copy of a locked mutex deadlocks). A *factory* (a module-level function, run in the
child) loads the model and returns named handlers. The parent sends requests over a
``multiprocessing`` pipe; a reader thread per child turns replies into results on the asyncio
loop, so no call ever blocks the loop.

- ``call`` runs a handler and returns its result; ``stream`` yields the items of a handler that
  returns an iterator, each as soon as the child sends it. Leaving the ``async for`` early (or
  cancelling the task) tells the child to stop at its next item.
- Quick handlers (and ``ping``) run on the child's reader thread, so they answer while a long
  request is running.
- When the child dies (killed, segfault, out of memory) every waiting request fails at once with
  :class:`WorkerCrashedError`, ``on_crash(message)`` is called and the child is restarted in the
  background, unless it crashed ``max_crashes`` times within ``crash_window`` seconds.

The child side and the error types live in :mod:`studio.inference.process_worker` (re-exported
here); the child imports only that module and the factory's module: keep Qt and PyAV out of both.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import logging
import multiprocessing
import threading
import time
from collections.abc import AsyncGenerator, Callable, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

from studio.core.tasks import TaskOwner
from studio.inference.process_worker import (
    RequestContext,
    WorkerClosedError,
    WorkerCrashedError,
    WorkerError,
    WorkerFailedError,
    WorkerRemoteError,
    WorkerSetup,
    WorkerStartError,
    WorkerTimeoutError,
    _child_main,
    _terminate,
    describe_exit,
)

__all__ = [
    "ProcessHost",
    "RequestContext",
    "WorkerClosedError",
    "WorkerCrashedError",
    "WorkerError",
    "WorkerFailedError",
    "WorkerRemoteError",
    "WorkerSetup",
    "WorkerStartError",
    "WorkerTimeoutError",
    "describe_exit",
]

log = logging.getLogger(__name__)


@dataclass(eq=False, slots=True)
class _Child:
    process: BaseProcess
    conn: Connection
    ready: asyncio.Future[dict[str, Any]]
    reader: threading.Thread | None = None
    stopping: bool = False  # a deliberate stop: its exit is not a crash
    kill_reason: str = ""


class ProcessHost:
    """Runs a factory's handlers in a supervised spawned process. Engine loop only.

    Args:
        name: Shown in messages and logs ("VoxCPM worker").
        factory: Module-level function run in the child; returns a :class:`WorkerSetup`.
        args: Picklable arguments for ``factory``.
        env: Environment variables set in the child before ``factory`` runs.
        start_timeout: Seconds to wait for the factory (model load) to finish.
        max_crashes: Crashes within ``crash_window`` seconds after which no restart is tried.
        crash_window: See ``max_crashes``.
        stop_timeout: Seconds a stop waits for a clean exit before terminating, then killing.
        on_crash: Called on the loop with a message each time the child dies unexpectedly.
    """

    def __init__(
        self,
        name: str,
        factory: Callable[..., WorkerSetup],
        args: tuple[Any, ...] = (),
        *,
        env: Mapping[str, str] | None = None,
        start_timeout: float = 300.0,
        max_crashes: int = 3,
        crash_window: float = 60.0,
        stop_timeout: float = 3.0,
        on_crash: Callable[[str], None] | None = None,
    ) -> None:
        self.name = name
        self._factory, self._args, self._env = factory, args, dict(env or {})
        self._start_timeout, self._stop_timeout = start_timeout, stop_timeout
        self._max_crashes, self._crash_window = max_crashes, crash_window
        self.on_crash = on_crash
        self._ctx = multiprocessing.get_context("spawn")
        self._child: _Child | None = None
        # A call's future, or a stream's queue of ("item" | "end" | "error", value).
        self._pending: dict[int, asyncio.Future[Any] | asyncio.Queue[tuple[str, Any]]] = {}
        self._ids = itertools.count(1)
        self._crashes: collections.deque[float] = collections.deque()
        self._failed: str | None = None
        self._closed = False
        self.restarts = 0  #: How many times the child was restarted after a crash.
        self.info: dict[str, Any] = {}  #: What the factory reported when the child became ready.
        self._tasks = TaskOwner(f"process-host-{name}")
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def running(self) -> bool:
        """True while a started child is ready for requests."""
        child = self._child
        ready = child is not None and child.ready.done() and child.ready.exception() is None
        return ready and child is not None and child.process.is_alive()

    @property
    def pid(self) -> int | None:
        """The child's process id (None when there is no child)."""
        return self._child.process.pid if self._child is not None else None

    @property
    def failure(self) -> str | None:
        """Why the host gave up restarting, or None."""
        return self._failed

    async def start(self, *, retry_failed: bool = True) -> dict[str, Any]:
        """Start the child unless it runs, wait until it is ready and return its info.

        Idempotent and safe to call concurrently.

        Args:
            retry_failed: Clear a "given up after repeated crashes" state and try again.

        Raises:
            WorkerStartError: the factory raised, the child died while starting, or it timed out.
            WorkerFailedError: given up and ``retry_failed`` is False. WorkerClosedError: closed.
        """
        if retry_failed:
            self._failed = None
        return await self._ensure_child()

    async def _ensure_child(self) -> dict[str, Any]:
        if self._closed:
            raise WorkerClosedError(f"The {self.name} is closed.")
        if self._failed is not None:
            raise WorkerFailedError(self._failed)
        child = self._child or await self._spawn()
        try:
            return await asyncio.wait_for(asyncio.shield(child.ready), self._start_timeout)
        except TimeoutError:
            if self._child is child:
                await self._stop_child(child, "did not finish starting in time")
            raise WorkerStartError(
                f"The {self.name} did not start within {self._start_timeout:.0f} s."
            ) from None

    async def _spawn(self) -> _Child:
        loop = self._loop = asyncio.get_running_loop()
        parent_conn, child_conn = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(
            target=_child_main,
            args=(child_conn, self._factory, self._args, self._env),
            name=f"studio-{self.name.replace(' ', '-').lower()}",
            daemon=True,
        )
        child = self._child = _Child(process, parent_conn, loop.create_future())
        try:
            # Spawning writes the pickled arguments to the new interpreter: not on the loop.
            await asyncio.to_thread(process.start)
        except BaseException as exc:
            if self._child is child:
                self._child = None
            parent_conn.close()
            _settle(child.ready, WorkerStartError(f"The {self.name} could not be started: {exc}"))
            raise
        finally:
            child_conn.close()  # so the parent's recv sees EOF when the child dies
        child.reader = threading.Thread(
            target=self._read, args=(child,), name=f"host-{process.pid}", daemon=True
        )
        child.reader.start()
        log.info("worker process started", extra={"worker": self.name, "pid": process.pid})
        return child

    def _read(self, child: _Child) -> None:
        """Reader thread: forward the child's messages, then its exit, to the loop."""
        conn = child.conn
        while True:
            try:
                if conn not in wait([conn, child.process.sentinel]) and not conn.poll(0):
                    break
                msg = conn.recv()
            except (EOFError, OSError):
                break
            except Exception:
                log.exception("unreadable message from the worker", extra={"worker": self.name})
                continue
            self._post(self._on_message, child, msg)
        child.process.join(5.0)
        self._post(self._on_exit, child, child.process.exitcode)

    def _post(self, fn: Callable[..., None], *args: Any) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop is closing
                loop.call_soon_threadsafe(fn, *args)

    def _on_message(self, child: _Child, msg: tuple[Any, ...]) -> None:
        kind = msg[0]
        if kind == "ready":
            self.info = dict(msg[1])
            if not child.ready.done():
                child.ready.set_result(self.info)
            return
        if kind == "start_failed":
            log.error("worker failed to start: %s", msg[3], extra={"worker": self.name})
            child.stopping = True
            _settle(child.ready, WorkerStartError(msg[2], kind=msg[1]))
            return
        pending = self._pending.get(msg[1])
        error = WorkerRemoteError(msg[2], msg[3], msg[4]) if kind == "error" else None
        if isinstance(pending, asyncio.Queue):
            pending.put_nowait((kind, error or (msg[2] if kind == "item" else None)))
        elif pending is not None and not pending.done():
            if error is not None:
                pending.set_exception(error)
            else:
                pending.set_result(msg[2])

    def _on_exit(self, child: _Child, exitcode: int | None) -> None:
        if self._child is child:
            self._child = None
        how = child.kill_reason or describe_exit(exitcode)
        started = child.ready.done()
        _settle(child.ready, WorkerStartError(f"The {self.name} stopped while starting ({how})."))
        if child.stopping or self._closed or not started:
            self._fail_pending(WorkerClosedError(f"The {self.name} was stopped ({how})."))
            return
        now = time.monotonic()
        self._crashes.append(now)
        while self._crashes and now - self._crashes[0] > self._crash_window:
            self._crashes.popleft()
        if len(self._crashes) >= self._max_crashes:
            message = self._failed = (
                f"The {self.name} stopped unexpectedly ({how}), {len(self._crashes)} times within "
                f"{self._crash_window:.0f} s; it is not restarted again. Check the log, then load it again."
            )
        else:
            message = f"The {self.name} stopped unexpectedly ({how}) and is restarting."
            self._tasks.spawn(self._restart(), "restart")
        log.error("worker process died: %s", message, extra={"worker": self.name, "exitcode": exitcode})
        self._fail_pending(WorkerCrashedError(message))
        if self.on_crash is not None:
            try:
                self.on_crash(message)
            except Exception:
                log.exception("on_crash callback failed", extra={"worker": self.name})

    async def _restart(self) -> None:
        try:
            await self._ensure_child()
            self.restarts += 1
            log.info("worker process restarted", extra={"worker": self.name, "restarts": self.restarts})
        except WorkerError as exc:
            if self._failed is None and not self._closed:
                self._failed = f"The {self.name} could not be restarted: {exc}"

    def _fail_pending(self, error: WorkerError) -> None:
        pending, self._pending = self._pending, {}
        for entry in pending.values():
            if isinstance(entry, asyncio.Queue):
                entry.put_nowait(("error", error))
            elif not entry.done():
                entry.set_exception(error)

    async def _submit(
        self, method: str, payload: Any, pending: asyncio.Future[Any] | asyncio.Queue[tuple[str, Any]]
    ) -> tuple[_Child, int]:
        await self._ensure_child()
        child = self._child
        if child is None:
            raise WorkerCrashedError(f"The {self.name} stopped before the request could be sent.")
        request_id = next(self._ids)
        self._pending[request_id] = pending
        self._send(child, ("call", request_id, method, payload, isinstance(pending, asyncio.Queue)))
        return child, request_id

    @staticmethod
    def _send(child: _Child, msg: tuple[Any, ...]) -> None:
        with contextlib.suppress(OSError, ValueError):  # dying: the reader reports it and fails the request
            child.conn.send(msg)

    async def call(self, method: str, payload: Any = None, *, timeout: float | None = None) -> Any:
        """Run ``method`` in the child and return its result (starts the child if needed).

        Args:
            timeout: Seconds to wait for the answer; on expiry the child is stopped (it is
                single-threaded: a stuck request would block every later one) and restarted.

        Raises:
            WorkerRemoteError: the handler raised. WorkerCrashedError: the child died meanwhile.
            WorkerTimeoutError, WorkerFailedError, WorkerStartError, WorkerClosedError.
        """
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        child, request_id = await self._submit(method, payload, future)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            if method == "__ping__":
                raise WorkerTimeoutError(
                    f"The {self.name} did not answer a ping within {timeout} s."
                ) from None
            if self._child is child:
                await self._stop_child(child, f"did not answer within {timeout} s", crash=True)
            raise WorkerTimeoutError(
                f"The {self.name} did not answer {method!r} within {timeout} s."
            ) from None
        finally:
            self._pending.pop(request_id, None)

    async def stream(self, method: str, payload: Any = None) -> AsyncGenerator[Any, None]:
        """Yield the items of ``method`` (a handler returning an iterator) as the child sends them.

        Closing the generator or cancelling the consumer asks the child to stop at its next item.

        Raises:
            The same errors as :meth:`call` (``WorkerCrashedError`` mid-stream when the child dies).
        """
        items: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        child, request_id = await self._submit(method, payload, items)
        finished = False
        try:
            while True:
                kind, value = await items.get()
                if kind != "item":
                    finished = True
                    if kind == "error":
                        raise value
                    return
                yield value
        finally:
            self._pending.pop(request_id, None)
            if not finished and self._child is child:
                self._send(child, ("cancel", request_id))

    async def ping(self, timeout: float = 5.0) -> float:
        """Round trip to the child's reader thread in seconds (it answers even while busy).

        Raises:
            WorkerTimeoutError: no answer in time (the child is left running).
        """
        await self._ensure_child()
        started = time.perf_counter()
        await self.call("__ping__", timeout=timeout)
        return time.perf_counter() - started

    async def _stop_child(self, child: _Child, reason: str, *, crash: bool = False) -> None:
        """Stop ``child``: ask, then terminate, then kill. ``crash`` reports it like a crash."""
        child.stopping, child.kill_reason = not crash, reason
        self._send(child, ("stop",))
        await asyncio.to_thread(_terminate, child.process, self._stop_timeout)
        if child.reader is not None:
            await asyncio.to_thread(child.reader.join, 5.0)
        child.conn.close()

    async def close(self) -> None:
        """Stop the child (clean exit, else terminate, else kill) and fail waiting requests."""
        self._closed = True
        await self._tasks.close()
        child, self._child = self._child, None
        if child is not None:
            await self._stop_child(child, "closed")
        self._fail_pending(WorkerClosedError(f"The {self.name} is closed."))


def _settle(future: asyncio.Future[Any], error: BaseException) -> None:
    """Fail ``future`` unless done; mark the error retrieved (nobody may be waiting for it)."""
    if not future.done():
        future.set_exception(error)
        future.exception()
