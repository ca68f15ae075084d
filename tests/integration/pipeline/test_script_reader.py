"""Script mode end to end: topic -> outline -> chapters through the local OpenAI-compatible test
server, then read aloud with the real default voices into the null-sink playout of a running
engine (``EngineRuntime.speech()``), the next sentence synthesised while the current one plays.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

from studio.app.container import Container
from studio.app.runtime import EngineRuntime
from studio.brain.openai_compat import OpenAICompatChat
from studio.brain.script import Script, parse_pasted_script
from studio.brain.script_writer import ScriptWriter
from studio.brain.tags import EmotionTagEvent
from studio.core.bus import EventBus
from studio.pipeline.script_reader import ScriptProgressEvent, ScriptReader
from studio.pipeline.speaker import SpeechEvent
from studio.testing.llm_server import LlmTestServer

pytestmark = pytest.mark.slow

OUTLINE_REPLY = (
    "好的，这是今天直播的大纲：\n\n# 周末聊天\n\n## 1. **开场**：打招呼\n## 2. 天气\n"
    "## 3. 美食\n  - 推荐一道菜\n## 4. 互动\n## 5. 告别\n\n祝直播顺利！"
)
CHAPTER_REPLIES = [
    "## 开场\n[happy] 大家好，欢迎光临！今天随便聊聊。",
    "今天天气很好。[surprised] 一点风都没有！",
    "我喜欢吃面条。[happy] 真好吃。",
    "欢迎大家留言。我都会看。",
    "[sad] 今天就到这里。下次再见！",
]

ZH_VOICE = "zh_onnx:databaker-female"


@pytest.fixture
def runtime(container: Container) -> Iterator[EngineRuntime]:
    rt = EngineRuntime(container, serve_api=False)
    rt.start()
    try:
        yield rt
    finally:
        assert rt.stop(timeout=5.0)


@dataclass
class Recorder:
    """Bus events in arrival order (handlers run on the engine loop)."""

    events: list[object] = field(default_factory=list)

    def attach(self, bus: EventBus) -> None:
        for kind in (SpeechEvent, EmotionTagEvent, ScriptProgressEvent):
            bus.subscribe(kind, self.events.append)

    def speech(self, state: str) -> list[str]:
        return [e.text for e in self.events if isinstance(e, SpeechEvent) and e.state == state]

    def progress(self) -> list[tuple[str, int, int]]:
        return [(e.state, e.chapter, e.sentence) for e in self.events if isinstance(e, ScriptProgressEvent)]


async def until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


def test_topic_to_script_through_the_test_llm_then_gapless_read_aloud(runtime: EngineRuntime) -> None:
    server = LlmTestServer(token_delay_s=0.001)
    server.queue_reply(OUTLINE_REPLY, *CHAPTER_REPLIES)
    with server.running() as url:

        async def scenario() -> tuple[Script, ScriptReader, Recorder, list[tuple[int, str]]]:
            model = OpenAICompatChat(base_url=url, model="test-model")
            deltas: list[tuple[int, str]] = []
            try:
                writer = ScriptWriter(model, persona="你是主播奶油。", language="zh")
                script = await writer.write("周末聊天", on_delta=lambda i, d: deltas.append((i, d)))
            finally:
                await model.aclose()
            speech = await runtime.speech()
            await speech.tts.service.warm_up([ZH_VOICE])
            recorder = Recorder()
            recorder.attach(runtime.container.bus)
            reader = ScriptReader(
                speech.speaker, runtime.container.bus, sentence_pause=0.2, chapter_pause=0.4
            )
            try:
                await reader.play(script)
                assert await asyncio.wait_for(reader.wait(), 60) == "finished"
            finally:
                await reader.close()
            return script, reader, recorder, deltas

        script, reader, recorder, deltas = runtime.submit(scenario()).result(timeout=90)

    # outline and chapters came from the server, streamed, in order
    prompts = [r.messages[-1]["content"] for r in server.completions]
    assert len(prompts) == 6 and "5 到 8" in prompts[0] and "第 3 章「美食」" in prompts[3]
    assert all(r.body.get("stream") for r in server.completions[1:]), "chapters are streamed"
    assert script.title == "周末聊天" and [c.title for c in script.chapters] == [
        "开场",
        "天气",
        "美食",
        "互动",
        "告别",
    ]
    assert script.chapters[2].summary == "推荐一道菜"
    assert len({i for i, _ in deltas}) == 5 and len(deltas) > 20
    texts = [s.text for c in script.chapters for s in c.sentences]
    assert texts[:2] == ["大家好，欢迎光临！", "今天随便聊聊。"] and len(texts) == 10

    # every sentence heard once, in order; tags went to the director before their sentence
    assert recorder.speech("started") == texts == recorder.speech("finished")
    assert [(s, c, n) for s, c, n in recorder.progress() if s == "playing"] == [
        ("playing", c, n) for c, ch in enumerate(script.chapters) for n in range(len(ch.sentences))
    ]
    assert recorder.progress()[-1][0] == "finished"
    tagged = [(e.text, e.emotion) for e in recorder.events if isinstance(e, EmotionTagEvent)]
    assert tagged == [
        ("大家好，欢迎光临！", "happy"),
        ("一点风都没有！", "surprised"),
        ("真好吃。", "happy"),
        ("今天就到这里。", "sad"),
    ]
    for text, _ in tagged:
        k = recorder.events.index(
            next(e for e in recorder.events if isinstance(e, EmotionTagEvent) and e.text == text)
        )
        assert isinstance(recorder.events[k + 1], SpeechEvent) and recorder.events[k + 1].text == text

    # pre-synthesis: each next sentence was ready before the current one ended; no gap but the pause
    timings = reader.timings
    assert [t.text for t in timings] == texts and all(t.completed for t in timings)
    report = []
    for prev, cur in itertools.pairwise(timings):
        assert prev.end_pts is not None and cur.start_pts is not None
        pause = 0.2 if prev.chapter == cur.chapter else 0.4
        gap = cur.start_pts - prev.end_pts
        report.append(
            f"{cur.chapter}.{cur.sentence}: ready {prev.end_pts - cur.ready_pts:+.2f}s early, gap {gap:.3f}s"
        )
        assert cur.ready_pts < prev.end_pts, (
            f"sentence {cur.text!r} was not ready before the previous one ended"
        )
        assert pause - 0.01 <= gap <= pause + 0.12, f"gap {gap:.3f}s after {prev.text!r}"
        assert cur.synth_start_pts < prev.start_pts + 0.05, (
            "synthesis of the next starts as the current plays"
        )
    print("\n".join(report))
    assert not math.isnan(timings[0].ready_pts)


def test_pause_resume_skip_jump_and_stop(runtime: EngineRuntime) -> None:
    script = parse_pasted_script(
        "## 第一章\n第一句话比较长一些，我们慢慢地说。第二句话。第三句话。\n"
        "## 第二章\n第二章的第一句话。第二章的第二句话。\n"
        "## 第三章\n[happy] 第三章开始了，大家好。最后一句话。\n"
    )
    ch1 = [s.text for s in script.chapters[0].sentences]

    async def scenario() -> tuple[Recorder, list[float]]:
        speech = await runtime.speech()
        await speech.tts.service.warm_up([ZH_VOICE])
        playout = speech.playout
        recorder = Recorder()
        recorder.attach(runtime.container.bus)
        reader = ScriptReader(speech.speaker, runtime.container.bus, sentence_pause=0.1, chapter_pause=0.1)
        marks: list[float] = []
        try:
            await reader.play(script)
            await until(lambda: bool(recorder.speech("started")) and not playout.idle)
            await asyncio.sleep(0.4)

            reader.pause()  # sound stops now, the sentence is kept
            await until(lambda: playout.idle, 0.3)
            assert reader.state == "paused" and reader.position == (0, 0)
            assert recorder.speech("interrupted") == [ch1[0]]
            await asyncio.sleep(0.4)
            assert playout.idle and recorder.speech("started") == [ch1[0]], "nothing is read while paused"

            t0 = playout.clock.now()
            reader.resume()  # the same sentence again, from audio synthesised before
            await until(lambda: len(recorder.speech("started")) == 2)
            await until(lambda: reader.timings[0].start_pts is not None and not playout.idle)
            marks.append(playout.clock.now() - t0)
            assert recorder.speech("started")[-1] == ch1[0]

            reader.skip()  # -> sentence 2 of chapter 1
            await until(lambda: len(recorder.speech("started")) == 3)
            assert recorder.speech("started")[-1] == ch1[1] and reader.position == (0, 1)

            reader.jump(2)  # -> chapter 3
            await until(lambda: len(recorder.speech("started")) == 4)
            assert recorder.speech("started")[-1] == "第三章开始了，大家好。" and reader.position == (2, 0)
            tag = next(e for e in recorder.events if isinstance(e, EmotionTagEvent))
            assert (tag.text, tag.emotion) == ("第三章开始了，大家好。", "happy")

            reader.pause()
            reader.jump(1, 1)  # while paused: moves, stays paused
            await asyncio.sleep(0.2)
            assert reader.state == "paused" and reader.position == (1, 1) and playout.idle
            reader.resume()
            await until(lambda: len(recorder.speech("started")) == 5)
            assert recorder.speech("started")[-1] == "第二章的第二句话。"

            await reader.stop()
            assert reader.state == "stopped" and reader.position is None
            await until(lambda: playout.idle, 0.3)
            assert recorder.progress()[-1][0] == "stopped"
            await asyncio.sleep(0.3)
            assert len(recorder.speech("started")) == 5, "nothing more after stop"
            with pytest.raises(IndexError):
                await reader.play(script, chapter=7)

            reader.voice_id = "nobody:none"  # synthesis fails: reading stops with the reason
            await reader.play(script, chapter=1)
            assert await asyncio.wait_for(reader.wait(), 5) == "failed"
            failed = [e for e in recorder.events if isinstance(e, ScriptProgressEvent)][-1]
            assert failed.state == "failed" and "Unknown voice" in failed.detail
        finally:
            await reader.close()
        return recorder, marks

    recorder, marks = runtime.submit(scenario()).result(timeout=90)
    assert marks[0] < 0.3, f"resume took {marks[0]:.2f}s: the sentence should not be synthesised again"
    interrupted = recorder.speech("interrupted")
    assert interrupted[:3] == [ch1[0], ch1[0], ch1[1]]
