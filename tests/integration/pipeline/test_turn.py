"""Conversation turns end to end: the local OpenAI-compatible test server, the real default voices,
the null-sink playout of a running engine (``EngineRuntime.conversation()``), SQLite history.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from studio.app.container import Container
from studio.app.runtime import EngineRuntime
from studio.config.settings import LlmSettings
from studio.core.events import Event, UserSpeechEvent
from studio.pipeline.speaker import SpeechEvent
from studio.pipeline.turns import AssistantTurnEvent
from studio.testing.llm_server import LlmTestServer

pytestmark = pytest.mark.slow

ZH_VOICE = "zh_onnx:databaker-female"
LONG_REPLY = (
    "[happy] 你好呀！今天的天气真好，我们一起出去走走吧。"
    "公园里的花都开了，有红的，有黄的，还有白的。"
    "[surprised] 听说湖边还有很多小鸭子，我们可以去喂它们。"
)


@pytest.fixture
def served() -> Iterator[tuple[LlmTestServer, str]]:
    server = LlmTestServer(LONG_REPLY, token_delay_s=0.03)
    with server.running() as url:
        yield server, url


def start_runtime(container: Container, url: str, *, serve_api: bool = False) -> EngineRuntime:
    container.config.llm = LlmSettings(provider="custom", base_url=url, model="test-model")
    rt = EngineRuntime(container, serve_api=serve_api, port=0 if serve_api else None)
    rt.start()
    return rt


async def until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.002)


def record(rt: EngineRuntime) -> list[Event]:
    events: list[Event] = []
    for kind in (AssistantTurnEvent, SpeechEvent):
        rt.container.bus.subscribe(kind, events.append)
    return events


def turn_states(events: list[Event]) -> list[str]:
    return [e.state for e in events if isinstance(e, AssistantTurnEvent) and e.state != "delta"]


def test_first_clause_is_spoken_while_the_llm_still_writes(
    container: Container, served: tuple[LlmTestServer, str]
) -> None:
    server, url = served
    rt = start_runtime(container, url)
    try:
        events = record(rt)

        async def scenario() -> tuple[bool, object]:
            speech = await rt.speech()
            await speech.tts.service.warm_up([ZH_VOICE])
            service = await rt.conversation()
            service.send("你好", "chat")
            await until(lambda: any(isinstance(e, SpeechEvent) and e.state == "started" for e in events))
            llm_busy = not server.completions[-1].completed
            await service.graph.wait_idle(60)
            return llm_busy, service.graph.results[-1]

        llm_busy, result = rt.submit(scenario()).result(timeout=90)
        rows = rt.submit(rt.container.db and _history(rt)).result(timeout=10)
    finally:
        assert rt.stop(timeout=5.0)
    assert llm_busy, "the first clause was heard before the server finished the reply"
    t = result.timings  # type: ignore[attr-defined]
    assert t.first_audio_heard < t.llm_done
    assert turn_states(events) == ["started", "done"]
    spoken = [e.text for e in events if isinstance(e, SpeechEvent) and e.state == "finished"]
    assert spoken[0] == "你好呀！" and "[" not in "".join(spoken)
    reply = "".join(spoken)
    assert [(r.role, r.heard_text) for r in rows] == [("user", None), ("assistant", None)]
    assert rows[1].text.replace(" ", "") == reply.replace(" ", "")


async def _history(rt: EngineRuntime) -> list:  # type: ignore[type-arg]
    service = await rt.conversation()
    return await service.history()


def test_barge_in_stops_output_within_100ms_and_history_holds_the_heard_part(
    container: Container, served: tuple[LlmTestServer, str]
) -> None:
    server, url = served
    rt = start_runtime(container, url)
    try:
        events = record(rt)

        async def scenario() -> tuple[float, list]:  # type: ignore[type-arg]
            speech = await rt.speech()
            await speech.tts.service.warm_up([ZH_VOICE])
            service = await rt.conversation()
            service.send("讲讲公园", "chat")
            await until(lambda: any(isinstance(e, SpeechEvent) and e.state == "started" for e in events))
            await asyncio.sleep(0.3)
            playout = speech.playout
            assert playout.levels().peak > 0, "the reply is being heard"
            t0 = time.perf_counter()
            rt.container.bus.publish(UserSpeechEvent(state="started"))
            while playout.levels().peak > 0.0:  # noqa: ASYNC110 - polls the render thread
                await asyncio.sleep(0.001)
            silent = time.perf_counter() - t0
            await service.graph.wait_idle(10)
            await asyncio.sleep(0.2)
            assert playout.levels().peak == 0.0, "nothing more was played after the cut"
            return silent, await service.history()

        silent, rows = rt.submit(scenario()).result(timeout=90)
    finally:
        assert rt.stop(timeout=5.0)
    assert silent < 0.1, f"output stopped {silent * 1000:.0f} ms after the barge-in"
    assert server.wait_disconnected(5), "the LLM request was closed"
    assert turn_states(events) == ["started", "interrupted"]
    cut = next(e for e in events if isinstance(e, AssistantTurnEvent) and e.state == "interrupted")
    assert cut.heard_text and cut.text.startswith(cut.heard_text) and len(cut.heard_text) < len(cut.text)
    # cut 0.3 s into the first clause (about 0.8 s of speech): part of it was heard, nothing after it
    assert "你好呀！".startswith(cut.heard_text) and len(cut.heard_text) < 4
    assert (rows[-1].role, rows[-1].text, rows[-1].heard_text) == ("assistant", cut.text, cut.heard_text)


def test_chat_api_routes(container: Container, served: tuple[LlmTestServer, str]) -> None:
    server, url = served
    server.reply = "[happy] 好的，收到。"
    rt = start_runtime(container, url, serve_api=True)
    try:
        events = record(rt)
        base = rt.api_url
        assert base is not None
        with httpx.Client(base_url=base, timeout=30) as client:
            assert client.post("/v1/chat", json={"text": ""}).status_code == 422
            r = client.post("/v1/chat", json={"text": "你好，奶油"})
            assert r.status_code == 200, r.text
            turn_id = r.json()["data"]["turn_id"]
            deadline = time.monotonic() + 60
            while "done" not in turn_states(events):
                assert time.monotonic() < deadline
                time.sleep(0.05)
            r = client.post("/v1/chat/interrupt")
            assert r.status_code == 200 and r.json()["data"] == {"interrupted": False}
            r = client.get("/v1/chat/history", params={"limit": 10})
            assert r.status_code == 200
            data = r.json()["data"]
    finally:
        assert rt.stop(timeout=5.0)
    done = next(e for e in events if isinstance(e, AssistantTurnEvent) and e.state == "done")
    assert done.turn_id == turn_id and done.source == "api" and done.text == "好的，收到。"
    assert [(m["role"], m["text"], m["source"]) for m in data["messages"]] == [
        ("user", "你好，奶油", "api"),
        ("assistant", "好的，收到。", ""),
    ]
    assert server.completions[0].messages[-1]["content"] == "你好，奶油"
