"""The conversation graph with a scripted chat model and a tone TTS, through the real null-sink
playout, lip-sync timeline, bus, avatar director and SQLite history."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from studio.avatar.director import AvatarDirector
from studio.brain.memory import ConversationMemory
from studio.brain.tags import EmotionTagEvent
from studio.core.bus import EventBus
from studio.core.events import ErrorEvent, Event, TranscriptEvent, UserSpeechEvent
from studio.pipeline.graph import ConversationGraph
from studio.pipeline.speaker import SpeechEvent
from studio.pipeline.turns import AssistantTurnEvent
from studio.storage.db import Database
from studio.storage.history_repo import HistoryRepo
from tests.unit.pipeline.conftest import FakeChat, FakeSpeech

REPLY = ["[happy] 你好", "呀！", "今天", "天气", "真不错。", "[sad]可惜", "我要", "下播了。"]


async def until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.002)


async def build(
    db: Database, speech: FakeSpeech, llm: FakeChat, **kw: object
) -> tuple[ConversationGraph, EventBus, list[Event]]:
    bus = EventBus()
    events: list[Event] = []
    for kind in (AssistantTurnEvent, SpeechEvent, EmotionTagEvent, ErrorEvent):
        bus.subscribe(kind, events.append)
    memory = ConversationMemory(HistoryRepo(db), None, context_tokens=4000)
    history = await memory.repo.create("cream")
    graph = ConversationGraph(
        llm=llm,
        memory=memory,
        speech=speech,
        bus=bus,
        history_id=history.id,
        system_prompt="You are Cream.",
        **kw,  # type: ignore[arg-type]
    )
    graph.start()
    return graph, bus, events


def states(events: list[Event]) -> list[str]:
    return [e.state for e in events if isinstance(e, AssistantTurnEvent) and e.state != "delta"]


async def test_first_clause_is_heard_before_the_llm_finishes_and_history_holds_both_turns(
    db: Database, speech: FakeSpeech
) -> None:
    llm = FakeChat(REPLY, hold_after=3)  # the model stalls after "今天"
    graph, bus, events = await build(db, speech, llm)
    director = AvatarDirector(speech.lipsync, seed=0)
    director.attach(bus)
    shown: list[tuple[str, str]] = []
    bus.subscribe(
        SpeechEvent, lambda e: shown.append((e.text, director.emotion)) if e.state == "started" else None
    )
    try:
        request = graph.submit("讲讲今天的天气", "chat")
        await until(lambda: any(isinstance(e, SpeechEvent) and e.state == "started" for e in events))
        assert not llm.finished, "the first clause is heard while the model is still writing"
        llm.gate.set()
        await graph.wait_idle(10)
    finally:
        await graph.close()
        await director.close()
    assert states(events) == ["started", "done"]
    done = next(e for e in events if isinstance(e, AssistantTurnEvent) and e.state == "done")
    assert done.turn_id == request.id and done.text == "你好呀！今天天气真不错。可惜我要下播了。"
    assert done.heard_text == done.text and done.emotion == "sad"
    deltas = "".join(e.delta for e in events if isinstance(e, AssistantTurnEvent) and e.state == "delta")
    assert deltas == done.text
    # clauses spoken in order, tags out of the spoken text, each tag shown while its clause plays
    assert speech.tts.texts == ["你好呀！", "今天天气真不错。", "可惜我要下播了。"]
    assert shown == [("你好呀！", "happy"), ("今天天气真不错。", "happy"), ("可惜我要下播了。", "sad")]
    speech_states = [(e.state, e.text) for e in events if isinstance(e, SpeechEvent)]
    assert [s for s, _ in speech_states] == ["started", "finished"] * 3
    tag_then_speech = [
        (type(e).__name__, e.text)
        for e in events
        if isinstance(e, EmotionTagEvent) or (isinstance(e, SpeechEvent) and e.state == "started")
    ]
    assert tag_then_speech[:2] == [("EmotionTagEvent", "你好呀！"), ("SpeechEvent", "你好呀！")]
    rows = await graph.memory.repo.messages(graph.history_id)
    assert [(r.role, r.text, r.heard_text, r.source) for r in rows] == [
        ("user", "讲讲今天的天气", None, "chat"),
        ("assistant", done.text, None, ""),
    ]
    assert llm.requests[0][0].content == "You are Cream." and llm.requests[0][-1].content == "讲讲今天的天气"
    r = graph.results[-1]
    t = r.timings
    assert t.first_delta and t.first_clause and t.first_audio_queued and t.first_audio_heard and t.llm_done
    assert t.first_audio_heard < t.llm_done


async def test_barge_in_silences_at_once_and_stores_the_heard_part(db: Database, speech: FakeSpeech) -> None:
    llm = FakeChat(REPLY, hold_after=6)  # "你好呀！今天天气真不错。[sad]可惜" is written, then it stalls
    graph, bus, events = await build(db, speech, llm)
    try:
        graph.submit("你好", "chat")

        def second_started() -> bool:
            return any(
                isinstance(e, SpeechEvent) and e.state == "started" and e.text.startswith("今天")
                for e in events
            )

        await until(second_started)
        await asyncio.sleep(0.05)  # some of the second clause is heard
        assert not speech.playout.idle and speech.playout.levels().peak > 0
        t0 = time.perf_counter()
        bus.publish(UserSpeechEvent(state="started"))
        await until(lambda: speech.playout.levels().peak == 0.0, timeout=1.0)
        silent_after = time.perf_counter() - t0
        await graph.wait_idle(5)
    finally:
        await graph.close()
    assert silent_after < 0.1
    assert llm.closed_early and not llm.finished, "the LLM stream was closed"
    assert states(events) == ["started", "interrupted"]
    cut = next(e for e in events if isinstance(e, AssistantTurnEvent) and e.state == "interrupted")
    assert cut.text == "你好呀！今天天气真不错。可惜"
    assert (
        cut.heard_text is not None
        and cut.heard_text.startswith("你好呀！今")
        and len(cut.heard_text) < len("你好呀！今天天气真不错。")
    )
    assert ("interrupted", "今天天气真不错。") in [
        (e.state, e.text) for e in events if isinstance(e, SpeechEvent)
    ]
    rows = await graph.memory.repo.messages(graph.history_id)
    assert (rows[-1].role, rows[-1].text, rows[-1].heard_text) == ("assistant", cut.text, cut.heard_text)
    # the next prompt carries what was heard, not what was written
    graph2 = ConversationGraph(
        llm=FakeChat(["好的。"]),
        memory=graph.memory,
        speech=speech,
        bus=bus,
        history_id=graph.history_id,
        system_prompt="You are Cream.",
    )
    graph2.start()
    try:
        graph2.submit("继续", "api")
        await graph2.wait_idle(5)
    finally:
        await graph2.close()
    prompt = graph2.llm.requests[0]  # type: ignore[attr-defined]
    assert [m.content for m in prompt[1:]] == ["你好", cut.heard_text, "继续"]


async def test_user_speech_does_not_interrupt_when_barge_in_is_off_but_the_api_does(
    db: Database, speech: FakeSpeech
) -> None:
    llm = FakeChat(REPLY, hold_after=3)
    graph, bus, events = await build(db, speech, llm, barge_in=False)
    try:
        graph.submit("你好", "api")
        await until(lambda: any(isinstance(e, SpeechEvent) and e.state == "started" for e in events))
        bus.publish(UserSpeechEvent(state="started"))
        await asyncio.sleep(0.05)
        assert graph.current is not None and not speech.playout.idle
        assert graph.interrupt("api")
        await until(lambda: speech.playout.levels().peak == 0.0, timeout=0.1)
        await graph.wait_idle(5)
        assert not graph.interrupt("api"), "nothing left to cut"
    finally:
        await graph.close()
    assert states(events) == ["started", "interrupted"]


async def test_final_transcripts_are_answered_and_partials_are_not(db: Database, speech: FakeSpeech) -> None:
    llm = FakeChat(["好的。"])
    graph, bus, events = await build(db, speech, llm)
    try:
        bus.publish(TranscriptEvent(text="你好", final=False))
        bus.publish(TranscriptEvent(text="你好吗", final=True, language="zh"))
        await until(lambda: "done" in states(events))
        await graph.wait_idle(5)
    finally:
        await graph.close()
    assert [e.source for e in events if isinstance(e, AssistantTurnEvent) and e.state == "done"] == ["mic"]
    assert len(llm.requests) == 1 and llm.requests[0][-1].content == "你好吗"


async def test_llm_failure_is_reported_and_the_spoken_part_kept(db: Database, speech: FakeSpeech) -> None:
    llm = FakeChat(REPLY, fail_after=5)
    graph, _bus, events = await build(db, speech, llm)
    try:
        graph.submit("你好")
        await graph.wait_idle(10)
    finally:
        await graph.close()
    assert states(events) == ["started", "failed"]
    errors = [e for e in events if isinstance(e, ErrorEvent)]
    assert errors and errors[0].source == "conversation" and errors[0].retryable
    failed = next(e for e in events if isinstance(e, AssistantTurnEvent) and e.state == "failed")
    assert failed.heard_text == "你好呀！今天天气真不错。"  # what was written was spoken to the end


async def test_a_burst_of_chat_is_merged_not_queued_for_minutes(db: Database, speech: FakeSpeech) -> None:
    llm = FakeChat(["好。"], hold_after=0)
    graph, _bus, events = await build(db, speech, llm)
    try:
        graph.submit("first")
        await until(lambda: graph.current is not None)
        ids = [graph.submit(f"m{i}").id for i in range(6)]
        assert len(graph.inputs) == 3
        llm.gate.set()
        await graph.wait_idle(10)
    finally:
        await graph.close()
    answered = [e for e in events if isinstance(e, AssistantTurnEvent) and e.state == "done"]
    assert len(answered) == 4  # "first" + 3 pending (the burst of 6 folded into 3)
    assert [m.content for m in llm.requests[1] if m.role == "user"][-1] == "m0\nm1\nm2\nm3"
    assert answered[1].merged == tuple(ids[:3]) and answered[1].turn_id == ids[3]
