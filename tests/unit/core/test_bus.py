"""EventBus: typed subscribe/unsubscribe, isolation of failing handlers, thread-safe publish, queues."""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass

import pytest

from studio.core.bus import EventBus
from studio.core.events import EngineStateEvent, ErrorEvent, Event


@dataclass(frozen=True, slots=True, kw_only=True)
class _Ping(Event):
    n: int


@dataclass(frozen=True, slots=True, kw_only=True)
class _SubPing(_Ping):
    pass


def test_subscriber_receives_events_until_unsubscribed() -> None:
    bus = EventBus()
    got: list[int] = []
    sub = bus.subscribe(_Ping, lambda e: got.append(e.n))
    bus.publish(_Ping(n=1))
    bus.publish(_Ping(n=2))
    sub.close()
    bus.publish(_Ping(n=3))
    sub.close()  # idempotent
    assert got == [1, 2]


def test_handlers_only_see_their_type_and_its_subclasses() -> None:
    bus = EventBus()
    pings: list[Event] = []
    errors: list[Event] = []
    everything: list[Event] = []
    bus.subscribe(_Ping, pings.append)
    bus.subscribe(ErrorEvent, errors.append)
    bus.subscribe(Event, everything.append)
    ping, sub_ping = _Ping(n=1), _SubPing(n=2)
    err = ErrorEvent(source="t", message="m")
    state = EngineStateEvent(state="running")
    for event in (ping, sub_ping, err, state):
        bus.publish(event)
    assert pings == [ping, sub_ping]
    assert errors == [err]
    assert everything == [ping, sub_ping, err, state]


def test_handlers_run_in_subscription_order() -> None:
    bus = EventBus()
    order: list[str] = []
    for name in ("a", "b", "c"):
        bus.subscribe(_Ping, lambda e, name=name: order.append(name))
    bus.publish(_Ping(n=0))
    assert order == ["a", "b", "c"]


def test_failing_handler_is_logged_and_does_not_stop_the_others(caplog: pytest.LogCaptureFixture) -> None:
    bus = EventBus()
    got: list[int] = []

    def broken(event: _Ping) -> None:
        raise ValueError("handler bug")

    bus.subscribe(_Ping, broken)
    bus.subscribe(_Ping, lambda e: got.append(e.n))
    with caplog.at_level(logging.ERROR, logger="studio.core.bus"):
        bus.publish(_Ping(n=7))  # must not raise
        bus.publish(_Ping(n=8))
    assert got == [7, 8]
    failures = [r for r in caplog.records if r.name == "studio.core.bus"]
    assert len(failures) == 2
    assert failures[0].exc_info is not None
    assert failures[0].exc_info[0] is ValueError
    assert failures[0].event == "_Ping"  # structured field names the event type


def test_handler_unsubscribing_itself_during_publish() -> None:
    bus = EventBus()
    got: list[int] = []
    subs = []

    def once(event: _Ping) -> None:
        got.append(event.n)
        subs[0].close()

    subs.append(bus.subscribe(_Ping, once))
    bus.publish(_Ping(n=1))
    bus.publish(_Ping(n=2))
    assert got == [1]


async def test_publish_threadsafe_delivers_on_the_loop_thread() -> None:
    bus = EventBus()
    loop = asyncio.get_running_loop()
    bus.bind_loop(loop)
    loop_thread = threading.get_ident()
    delivered = asyncio.Event()
    seen: list[tuple[int, int]] = []

    def handler(event: _Ping) -> None:
        seen.append((event.n, threading.get_ident()))
        delivered.set()

    bus.subscribe(_Ping, handler)
    publisher_ident: list[int] = []

    def publisher() -> None:
        publisher_ident.append(threading.get_ident())
        bus.publish_threadsafe(_Ping(n=42))

    thread = threading.Thread(target=publisher)
    thread.start()
    thread.join(5)
    assert seen == []  # not delivered on the publishing thread
    await asyncio.wait_for(delivered.wait(), 5)
    assert seen == [(42, loop_thread)]
    assert publisher_ident[0] != loop_thread


def test_publish_threadsafe_without_a_loop_delivers_immediately() -> None:
    bus = EventBus()
    got: list[int] = []
    bus.subscribe(_Ping, lambda e: got.append(e.n))
    bus.publish_threadsafe(_Ping(n=1))
    assert got == [1]

    closed_loop = asyncio.new_event_loop()
    closed_loop.close()
    bus.bind_loop(closed_loop)
    bus.publish_threadsafe(_Ping(n=2))  # a closed loop falls back to direct delivery
    assert got == [1, 2]


async def test_event_queue_drops_the_oldest_when_full() -> None:
    bus = EventBus()
    q = bus.queue(_Ping, maxsize=3)
    for n in range(5):
        bus.publish(_Ping(n=n))
    bus.publish(ErrorEvent(source="x", message="other type"))
    assert q.dropped == 2
    assert [(await q.get()).n for _ in range(3)] == [2, 3, 4]


async def test_event_queue_async_iteration_and_close() -> None:
    bus = EventBus()
    q = bus.queue(_Ping, maxsize=10)
    bus.publish(_Ping(n=1))
    bus.publish(_Ping(n=2))
    received = []
    async for event in q:
        received.append(event.n)
        if len(received) == 2:
            break
    assert received == [1, 2]
    q.close()
    bus.publish(_Ping(n=3))  # publish is synchronous: a subscribed queue would hold it now
    assert q._queue.empty()
    assert q.dropped == 0
