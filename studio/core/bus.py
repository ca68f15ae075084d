"""A small typed publish/subscribe bus that lives on the engine loop.

Handlers are plain callables run on the engine loop, in order of subscription. They must be quick
(no blocking I/O); consumers that do real work take a bounded :class:`EventQueue` instead.
A handler that raises is logged and kept; it never breaks the publisher.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from studio.core.events import Event

log = logging.getLogger(__name__)

E = TypeVar("E", bound=Event)


class Subscription:
    """Handle returned by :meth:`EventBus.subscribe`; call :meth:`close` to unsubscribe."""

    def __init__(self, bus: EventBus, key: int) -> None:
        self._bus = bus
        self._key = key

    def close(self) -> None:
        """Stop receiving events. Idempotent; callable from any thread."""
        self._bus._remove(self._key)


class EventQueue(Generic[E]):
    """A bounded queue of events of one type; when full the oldest event is dropped.

    Created by :meth:`EventBus.queue`; read it with ``await q.get()`` or ``async for`` on the
    engine loop.
    """

    def __init__(self, maxsize: int) -> None:
        self._queue: asyncio.Queue[E] = asyncio.Queue(maxsize=maxsize)
        self.dropped = 0
        self.subscription: Subscription | None = None

    def _put(self, event: E) -> None:
        if self._queue.full():
            self._queue.get_nowait()
            self.dropped += 1
        self._queue.put_nowait(event)

    async def get(self) -> E:
        """Wait for the next event."""
        return await self._queue.get()

    def __aiter__(self) -> EventQueue[E]:
        return self

    async def __anext__(self) -> E:
        return await self._queue.get()

    def close(self) -> None:
        """Unsubscribe the queue from its bus."""
        if self.subscription is not None:
            self.subscription.close()


class EventBus:
    """Typed pub/sub. Publish on the engine loop, or from any thread with :meth:`publish_threadsafe`."""

    def __init__(self) -> None:
        self._handlers: dict[int, tuple[type[Event], Callable[[Event], None]]] = {}
        self._next = 0
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind_loop(self, loop: asyncio.AbstractEventLoop | None) -> None:
        """Attach the engine loop (done by the runtime); ``None`` detaches it on shutdown."""
        self._loop = loop

    def subscribe(self, event_type: type[E], handler: Callable[[E], None]) -> Subscription:
        """Call ``handler(event)`` for every published event that is an instance of ``event_type``.

        Any thread may subscribe. The handler runs on the thread that publishes (the engine loop).
        """
        with self._lock:
            key = self._next
            self._next += 1
            self._handlers[key] = (event_type, handler)  # type: ignore[assignment]
        return Subscription(self, key)

    def queue(self, event_type: type[E], maxsize: int = 256) -> EventQueue[E]:
        """Subscribe a bounded queue (engine loop only)."""
        q: EventQueue[E] = EventQueue(maxsize)
        q.subscription = self.subscribe(event_type, q._put)
        return q

    def _remove(self, key: int) -> None:
        with self._lock:
            self._handlers.pop(key, None)

    def publish(self, event: Event) -> None:
        """Deliver ``event`` to matching handlers now, on the calling thread."""
        with self._lock:
            handlers = [h for t, h in self._handlers.values() if isinstance(event, t)]
        for handler in handlers:
            try:
                handler(event)
            except Exception:
                log.exception("event handler failed", extra={"event": type(event).__name__})

    def publish_threadsafe(self, event: Event) -> None:
        """Deliver ``event`` on the engine loop; from any thread. Delivered now if no loop is bound."""
        loop = self._loop
        if loop is None or loop.is_closed():
            self.publish(event)
            return
        try:
            loop.call_soon_threadsafe(self.publish, event)
        except RuntimeError:  # loop closed between the check and the call
            self.publish(event)
