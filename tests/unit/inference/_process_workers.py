"""Trivial worker factories for the process host tests (imported in the spawned child; no torch)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from typing import Any

from studio.inference.process_host import RequestContext, WorkerSetup

_produced: list[int] = []


def _count(payload: dict[str, Any], ctx: RequestContext) -> Iterator[int]:
    _produced.clear()
    for i in range(payload["n"]):
        time.sleep(payload.get("delay", 0.0))
        _produced.append(i)
        yield i


def _fail(payload: Any, ctx: RequestContext) -> None:
    raise ValueError(f"bad input: {payload}")


def _crash(payload: Any, ctx: RequestContext) -> None:
    os._exit(3)


def _sleep(payload: float, ctx: RequestContext) -> str:
    time.sleep(payload)
    return "slept"


def _ignore_stop(payload: Any, ctx: RequestContext) -> str:
    time.sleep(3600)
    return "never"


def basic_worker(tag: str = "basic", start_delay: float = 0.0) -> WorkerSetup:
    """Echo, counting streams, errors, crashes and sleeps."""
    time.sleep(start_delay)
    return WorkerSetup(
        handlers={
            "echo": lambda payload, ctx: payload,
            "pid": lambda payload, ctx: os.getpid(),
            "count": _count,
            "produced": lambda payload, ctx: list(_produced),
            "fail": _fail,
            "crash": _crash,
            "sleep": _sleep,
            "hang": _ignore_stop,
            "modules": lambda payload, ctx: sorted(m for m in payload if m in sys.modules),
            "env": lambda payload, ctx: os.environ.get(payload),
        },
        quick={"status": lambda payload, ctx: {"tag": tag, "pid": os.getpid()}},
        info={"tag": tag, "pid": os.getpid()},
    )


def failing_worker(message: str) -> WorkerSetup:
    """A factory that cannot load its model."""
    raise FileNotFoundError(message)


def dying_worker() -> WorkerSetup:
    """A factory whose process dies while loading."""
    os._exit(7)
