"""The worker side of :class:`~studio.inference.process_host.ProcessHost`, and what both sides share.

- In the child: a factory (a module-level function) returns a :class:`WorkerSetup`; its handlers
  receive the request payload and a :class:`RequestContext`. :func:`_child_main` is the worker
  process's entry point: it runs the factory, answers quick requests on a reader thread and runs
  the others one at a time on the main thread.
- For the parent: the :class:`WorkerError` family (how a worker's failures reach callers) and how
  a worker process ends (:func:`describe_exit`, :func:`_terminate`).

This module is imported in the spawned child: keep it light (standard library and studio.core
only), and keep Qt and PyAV out of it and out of the factory's module.
"""

from __future__ import annotations

import os
import queue
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, NoReturn

from studio.core.errors import EngineError

Handler = Callable[[Any, "RequestContext"], Any]


@dataclass(frozen=True, slots=True)
class WorkerSetup:
    """What a factory returns in the child.

    Attributes:
        handlers: Run one at a time on the child's main thread, in arrival order.
        quick: Run on the child's reader thread as soon as they arrive (fast and thread-safe only).
        info: Sent to the parent once ready (builtins only), e.g. the device the model runs on.
    """

    handlers: Mapping[str, Handler]
    quick: Mapping[str, Handler] = field(default_factory=dict)
    info: Mapping[str, Any] = field(default_factory=dict)


class RequestContext:
    """Passed to handlers in the child: ``cancelled`` turns True when the parent cancels."""

    def __init__(self, request_id: int, cancelled: set[int]) -> None:
        self._id = request_id
        self._cancelled = cancelled

    @property
    def cancelled(self) -> bool:
        """True once the parent no longer wants this request."""
        return self._id in self._cancelled


# --------------------------------------------------------------------------------------------
# Errors and process exits (used by the parent)


class WorkerError(EngineError):
    """A worker process failed; the subclass tells how."""

    code = "worker_error"


class WorkerStartError(WorkerError):
    """The worker did not start: its factory raised (``kind`` names the exception), died or timed out."""

    def __init__(self, message: str, *, kind: str = "") -> None:
        super().__init__(message)
        self.kind = kind


class WorkerCrashedError(WorkerError):
    """The worker process died while this request was waiting."""


class WorkerFailedError(WorkerError):
    """The worker crashed too often (or could not be restarted) and was given up."""


class WorkerTimeoutError(WorkerError):
    """The worker did not answer in time."""


class WorkerClosedError(WorkerError):
    """The host was closed."""


class WorkerRemoteError(WorkerError):
    """A handler raised in the worker; ``kind`` is the exception's class name there."""

    def __init__(self, kind: str, message: str, remote_traceback: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.remote_traceback = remote_traceback


def describe_exit(exitcode: int | None) -> str:
    """How a process ended: "killed by signal SIGKILL", "exit code 3" or "unknown exit status"."""
    if exitcode is None:
        return "unknown exit status"
    if exitcode < 0:
        try:
            return f"killed by signal {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit code {exitcode}"


def _terminate(process: BaseProcess, timeout: float) -> None:
    """Wait ``timeout`` s for ``process`` to exit, then terminate it, then kill it (parent side)."""
    process.join(timeout)
    if process.is_alive():
        process.terminate()
        process.join(timeout)
    if process.is_alive():
        process.kill()
        process.join(timeout)


# --------------------------------------------------------------------------------------------
# Child side


def _child_main(
    conn: Connection, factory: Callable[..., WorkerSetup], args: tuple[Any, ...], env: dict[str, str]
) -> None:
    """Entry point of the worker process."""
    os.environ.update(env)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's business
    lock = threading.Lock()

    def send(msg: tuple[Any, ...]) -> None:
        with lock:
            conn.send(msg)

    try:
        setup = factory(*args)
    except BaseException as exc:
        send(("start_failed", type(exc).__name__, str(exc) or type(exc).__name__, traceback.format_exc()))
        _exit_now(conn)
    work: queue.SimpleQueue[tuple[Any, ...] | None] = queue.SimpleQueue()
    cancelled: set[int] = set()
    quick = {"__ping__": lambda payload, ctx: None, **setup.quick}
    reader_args = (conn, send, work, cancelled, quick)
    threading.Thread(target=_child_reader, args=reader_args, name="worker-reader", daemon=True).start()
    send(("ready", dict(setup.info)))
    while (msg := work.get()) is not None:
        _, request_id, method, payload, streaming = msg
        try:
            if request_id not in cancelled:
                result = setup.handlers[method](payload, RequestContext(request_id, cancelled))
                if not streaming:
                    send(("reply", request_id, result))
                    continue
                iterator = iter(result)
                try:
                    for item in iterator:
                        if request_id in cancelled:
                            break
                        send(("item", request_id, item))
                finally:
                    getattr(iterator, "close", lambda: None)()
            send(("end", request_id))
        except (BrokenPipeError, EOFError):
            return
        except BaseException as exc:
            send(
                (
                    "error",
                    request_id,
                    type(exc).__name__,
                    str(exc) or type(exc).__name__,
                    traceback.format_exc(),
                )
            )
        finally:
            cancelled.discard(request_id)
    _exit_now(conn)


def _exit_now(conn: Connection) -> NoReturn:
    """Leave the worker without interpreter teardown (seconds with torch loaded; nothing to save)."""
    conn.close()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _child_reader(
    conn: Connection,
    send: Callable[[tuple[Any, ...]], None],
    work: queue.SimpleQueue[tuple[Any, ...] | None],
    cancelled: set[int],
    quick: Mapping[str, Handler],
) -> None:
    try:
        while (msg := conn.recv())[0] != "stop":
            if msg[0] == "cancel":
                cancelled.add(msg[1])
            elif msg[2] not in quick:
                work.put(msg)
            else:
                try:
                    send(("reply", msg[1], quick[msg[2]](msg[3], RequestContext(msg[1], cancelled))))
                except Exception as exc:
                    send(("error", msg[1], type(exc).__name__, str(exc), traceback.format_exc()))
    except (EOFError, OSError):
        pass  # the parent is gone: stop
    work.put(None)
