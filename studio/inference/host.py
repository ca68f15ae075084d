"""ModelHost: runs blocking model work off the engine loop.

Light ONNX models run in a :class:`ThreadModelHost` (one dedicated thread per model, so a model's
session is only ever touched by one thread and calls queue in order). Torch models will get a
process host behind the same protocol.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

from studio.core.errors import EngineError

log = logging.getLogger(__name__)

T = TypeVar("T")
M = TypeVar("M")
M_co = TypeVar("M_co", covariant=True)


class ModelHost(Protocol[M_co]):
    """Loads a model once and runs calls against it without blocking the engine loop."""

    @property
    def loaded(self) -> bool:
        """True once the model is loaded."""
        ...

    async def load(self) -> None:
        """Load the model (idempotent)."""
        ...

    async def run(self, fn: Callable[[M_co], T]) -> T:
        """Run ``fn(model)`` on the host and return its result."""
        ...

    async def close(self) -> None:
        """Release the model and the worker."""
        ...


MODEL_THREAD_PREFIX = "model-"


def busy_model_threads(timeout: float) -> list[str]:
    """Wait up to ``timeout`` s for model worker threads to finish; return the names still running.

    Model threads are daemons; one still inside native inference code when the interpreter
    finalises can abort the process ("terminate called without an active exception"), so the
    process must wait for them, or leave with ``os._exit`` if they do not finish in time.
    """
    deadline = time.monotonic() + timeout
    busy = []
    for thread in threading.enumerate():
        if thread.name.startswith(MODEL_THREAD_PREFIX) and thread is not threading.current_thread():
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                busy.append(thread.name)
    return busy


_Call = tuple["concurrent.futures.Future[Any]", Callable[..., Any], tuple[Any, ...]]


class ModelThread:
    """One daemon worker thread running submitted calls in order.

    Unlike a ThreadPoolExecutor worker it is a daemon: a model still loading when the studio
    quits cannot hold the process open (the call's result is simply never used).
    """

    def __init__(self, name: str) -> None:
        self._queue: queue.SimpleQueue[
            tuple[concurrent.futures.Future[Any], Callable[..., Any], tuple[Any, ...]] | None
        ]
        self._queue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[..., T], *args: Any) -> concurrent.futures.Future[T]:
        """Queue ``fn(*args)``; any thread."""
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._queue.put((future, fn, args))
        return future

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            future, fn, args = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(*args))
            except BaseException as exc:
                future.set_exception(exc)

    def shutdown(self, timeout: float | None = None) -> bool:
        """Finish queued calls, then stop; wait up to ``timeout`` s. True if the thread ended."""
        self._queue.put(None)
        self._thread.join(timeout)
        return not self._thread.is_alive()


class ThreadModelHost(Generic[M]):
    """Hosts a model on one dedicated worker thread.

    Args:
        name: For thread names and logs.
        loader: Builds the model (called on the worker thread, once).
    """

    def __init__(self, name: str, loader: Callable[[], M]) -> None:
        self.name = name
        self._loader = loader
        self._executor: ModelThread | None = None
        self._model: M | None = None
        self._load_lock: asyncio.Lock | None = None

    @property
    def loaded(self) -> bool:
        """True once the model is loaded."""
        return self._model is not None

    def _ensure_executor(self) -> ModelThread:
        if self._executor is None:
            self._executor = ModelThread(f"{MODEL_THREAD_PREFIX}{self.name}")
        return self._executor

    async def load(self) -> None:
        """Load the model on the worker thread (idempotent, concurrency-safe)."""
        if self._model is not None:
            return
        if self._load_lock is None:
            self._load_lock = asyncio.Lock()
        async with self._load_lock:
            if self._model is None:
                executor = self._ensure_executor()
                self._model = await asyncio.wrap_future(executor.submit(self._loader))
                log.info("model loaded", extra={"model": self.name})

    async def run(self, fn: Callable[[M], T]) -> T:
        """Run ``fn(model)`` on the worker thread (loads the model first if needed)."""
        await self.load()
        model = self._model
        if model is None or self._executor is None:
            raise EngineError(f"model {self.name} is not available")
        return await asyncio.wrap_future(self._executor.submit(fn, model))

    def run_sync(self, fn: Callable[[M], Any]) -> Any:
        """Blocking variant for CLI tools and benchmarks (not on the engine loop)."""
        executor = self._ensure_executor()
        if self._model is None:
            self._model = executor.submit(self._loader).result()
        model = self._model
        return executor.submit(fn, model).result()

    async def close(self) -> None:
        """Drop the model and stop the worker thread (waits for a running call to finish)."""
        executor, self._executor = self._executor, None
        self._model = None
        if executor is not None:
            # Waits for a running call (bounded); a model load still running is left to its daemon
            # thread rather than holding up the shutdown.
            await asyncio.to_thread(executor.shutdown, 2.0)
