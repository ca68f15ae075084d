"""Queue policy of the input sources: bursts are merged or dropped, the microphone goes first."""

from __future__ import annotations

import pytest

from studio.pipeline.inputs import InputPolicy, InputQueue, TurnRequest


def texts(q: InputQueue) -> list[str]:
    return [r.text for r in q.pending]


def test_a_burst_is_merged_into_at_most_max_pending_requests() -> None:
    q = InputQueue(InputPolicy(max_pending=2))
    reqs = [TurnRequest(f"m{i}") for i in range(5)]
    dropped = [d for r in reqs for d in q.put(r)]
    assert dropped == [] and texts(q) == ["m0\nm1\nm2\nm3", "m4"]
    assert q.pending[0].id == reqs[3].id and q.pending[0].merged == (reqs[0].id, reqs[1].id, reqs[2].id)
    assert q.pending[0].queued_at == reqs[0].queued_at


def test_merging_stops_at_max_merged_chars_then_the_oldest_is_dropped() -> None:
    q = InputQueue(InputPolicy(max_pending=1, max_merged_chars=5))
    q.put(TurnRequest("aaa"))
    dropped = q.put(TurnRequest("bbb"))
    assert [d.text for d in dropped] == ["aaa"] and texts(q) == ["bbb"]


def test_drop_oldest_policy() -> None:
    q = InputQueue(InputPolicy(max_pending=2, overflow="drop_oldest"))
    dropped = [d.text for t in ("a", "b", "c", "d") for d in q.put(TurnRequest(t, "api"))]
    assert dropped == ["a", "b"] and texts(q) == ["c", "d"]


def test_the_microphone_goes_first_and_may_clear_chat() -> None:
    q = InputQueue(InputPolicy(max_pending=3))
    q.put(TurnRequest("typed"))
    q.put(TurnRequest("spoken 1", "mic"))
    q.put(TurnRequest("api", "api"))
    q.put(TurnRequest("spoken 2", "mic"))
    assert texts(q) == ["spoken 1", "spoken 2", "typed", "api"]
    clearing = InputQueue(InputPolicy(mic_clears_chat=True))
    clearing.put(TurnRequest("typed"))
    assert [d.text for d in clearing.put(TurnRequest("spoken", "mic"))] == ["typed"]
    assert texts(clearing) == ["spoken"]


def test_stale_typed_requests_are_dropped_when_they_come_up() -> None:
    now = [100.0]
    q = InputQueue(InputPolicy(max_age_s=10), monotonic=lambda: now[0])
    q.put(TurnRequest("old", queued_at=80.0))
    q.put(TurnRequest("fresh", queued_at=95.0))
    request, stale = q.take()
    assert request is not None and request.text == "fresh" and [s.text for s in stale] == ["old"]
    assert q.take() == (None, [])
    with pytest.raises(ValueError):
        InputPolicy(max_pending=0)
