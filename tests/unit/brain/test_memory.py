"""History in SQLite and the context builder with rolling summaries (real DB, real HTTP summariser)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from studio.brain.llm import ChatMessage
from studio.brain.memory import ConversationMemory, estimate_tokens, message_tokens
from studio.brain.openai_compat import OpenAICompatChat
from studio.core.errors import StorageError
from studio.storage.db import Database
from studio.storage.history_repo import HistoryRepo
from tests.unit.brain.conftest import ServedLlm

SYSTEM = "You are Cream."


def test_token_estimate_counts_cjk_per_character() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("你好世界") == 4
    assert estimate_tokens("こんにちは") == 5
    assert estimate_tokens("hello world!") == 3  # 12 characters / 4
    assert estimate_tokens("我爱 Python") == 2 + 2
    assert message_tokens(ChatMessage("user", "你好")) == 6


async def test_history_rows_round_trip(db: Database) -> None:
    repo = HistoryRepo(db)
    h = await repo.create("cream", "first stream")
    other = await repo.create("luna", history_id="fixed-id")
    with pytest.raises(StorageError, match="exists already"):
        await repo.create("luna", history_id="fixed-id")
    u = await repo.add_message(h.id, "user", "你好", source="mic")
    a = await repo.add_message(h.id, "assistant", "[happy] 你好呀！今天聊什么？")
    assert await repo.set_heard(a.id, "[happy] 你好呀！")
    rows = await repo.messages(h.id)
    assert [(r.role, r.text, r.heard_text, r.source) for r in rows] == [
        ("user", "你好", None, "mic"),
        ("assistant", "[happy] 你好呀！今天聊什么？", "[happy] 你好呀！", ""),
    ]
    assert [r.id for r in await repo.messages(h.id, after_id=u.id)] == [a.id]
    assert [r.id for r in await repo.messages(h.id, limit=1)] == [a.id]
    assert [x.id for x in await repo.all()] == [h.id, other.id]  # most recently updated first
    assert [x.id for x in await repo.all("luna")] == ["fixed-id"]
    assert await repo.rename(h.id, "renamed") and (await repo.get(h.id)).title == "renamed"  # type: ignore[union-attr]
    await repo.add_summary(h.id, u.id, "They said hello.")
    with pytest.raises(StorageError, match="no history"):
        await repo.add_message("missing", "user", "x")
    assert await repo.delete(h.id) and await repo.get(h.id) is None
    assert await repo.messages(h.id) == [] and await repo.latest_summary(h.id) is None  # cascaded


async def test_short_history_goes_in_verbatim_with_heard_text(db: Database) -> None:
    memory = ConversationMemory(HistoryRepo(db), None, context_tokens=2000, reply_tokens=200)
    h = await memory.repo.create("cream")
    await memory.add_user(h.id, "讲个故事")
    reply = await memory.add_assistant(h.id, "从前有座山，山里有座庙，庙里有个老和尚。")
    await memory.set_heard(reply.id, "从前有座山，")  # barge-in after the first clause
    await memory.add_user(h.id, "等等，换一个")
    ctx = await memory.build_context(h.id, SYSTEM)
    assert ctx == [
        ChatMessage("system", SYSTEM),
        ChatMessage("user", "讲个故事"),
        ChatMessage("assistant", "从前有座山，"),
        ChatMessage("user", "等等，换一个"),
    ]


def _summariser(calls: list[list[dict[str, Any]]]) -> Any:
    def respond(messages: list[dict[str, Any]]) -> str:
        calls.append(messages)
        return f"摘要{len(calls)}: the viewer Alice likes cats."

    return respond


async def _fill(memory: ConversationMemory, history_id: str, start: int, n: int) -> None:
    for i in range(start, start + n):
        await memory.add_user(history_id, f"第{i}个问题：你觉得今天的直播怎么样呢？我很喜欢。")
        await memory.add_assistant(history_id, f"Answer {i}: thank you so much, I am glad you enjoy it!")


def _tokens(ctx: list[ChatMessage]) -> int:
    return sum(message_tokens(m) for m in ctx)


async def test_rolling_summary_keeps_the_prompt_within_budget(db: Database, llm: ServedLlm) -> None:
    calls: list[list[dict[str, Any]]] = []
    llm.server.responder = _summariser(calls)
    model = OpenAICompatChat(base_url=llm.url, model="test-model", backoff_s=0.01)
    memory = ConversationMemory(
        HistoryRepo(db), model, context_tokens=700, reply_tokens=100, summary_tokens=120
    )
    h = await memory.repo.create("cream")
    try:
        await _fill(memory, h.id, 0, 4)
        small = await memory.build_context(h.id, SYSTEM)
        assert calls == [] and len(small) == 9  # within budget: no summary yet

        await _fill(memory, h.id, 4, 26)
        ctx = await memory.build_context(h.id, SYSTEM)
        assert _tokens(ctx) <= memory.budget
        assert len(calls) == 1
        summary = await memory.repo.latest_summary(h.id)
        assert summary is not None and summary.text.startswith("摘要1")
        assert ctx[0].role == "system" and ctx[0].content.startswith(SYSTEM) and "摘要1" in ctx[0].content
        assert ctx[-1].content.startswith("Answer 29")  # the newest turns verbatim
        summarised = calls[0][1]["content"]
        assert "第0个问题" in summarised and "Answer 0" in summarised  # the oldest turns went in
        last_kept = (await memory.repo.messages(h.id, after_id=summary.upto_message_id))[0]
        assert ctx[1].content == last_kept.text  # nothing between the summary and the kept turns is lost

        again = await memory.build_context(h.id, SYSTEM)
        assert again == ctx and len(calls) == 1  # the stored summary is reused, not rewritten

        await _fill(memory, h.id, 30, 20)
        ctx2 = await memory.build_context(h.id, SYSTEM)
        assert _tokens(ctx2) <= memory.budget and len(calls) == 2
        assert "摘要1" in calls[1][1]["content"]  # the new summary rolls the previous one in
        assert "摘要2" in ctx2[0].content and "摘要1" not in ctx2[0].content
        assert calls[1][0]["role"] == "system" and "summary" in calls[1][0]["content"]
    finally:
        await model.aclose()


async def test_failed_summary_drops_old_turns_instead(db: Database, llm: ServedLlm) -> None:
    llm.server.inject("500")
    model = OpenAICompatChat(base_url=llm.url, model="test-model", retries=0)
    memory = ConversationMemory(HistoryRepo(db), model, context_tokens=600, reply_tokens=100)
    h = await memory.repo.create("cream")
    try:
        await _fill(memory, h.id, 0, 30)
        ctx = await memory.build_context(h.id, SYSTEM)
    finally:
        await model.aclose()
    assert _tokens(ctx) <= memory.budget and ctx[0] == ChatMessage("system", SYSTEM)
    assert ctx[-1].content.startswith("Answer 29")
    assert await memory.repo.latest_summary(h.id) is None


async def test_one_huge_message_is_cut_to_its_end(db: Database) -> None:
    memory = ConversationMemory(HistoryRepo(db), None, context_tokens=300, reply_tokens=100)
    h = await memory.repo.create("cream")
    await memory.add_user(h.id, "开头" + "很长的一段话。" * 200 + "最后一句")
    ctx = await memory.build_context(h.id, SYSTEM)
    assert _tokens(ctx) <= memory.budget
    assert ctx[-1].role == "user" and ctx[-1].content.endswith("最后一句") and "开头" not in ctx[-1].content


class _Counting:
    """A ChatModel stand-in that must never be called (the budget is never exceeded)."""

    name = "never"

    def stream(self, messages: object, **kw: object) -> AsyncIterator[str]:
        raise AssertionError("summariser called")

    async def complete(self, messages: object, **kw: object) -> str:
        raise AssertionError("summariser called")


async def test_no_summary_while_within_budget(db: Database) -> None:
    memory = ConversationMemory(HistoryRepo(db), _Counting(), context_tokens=100_000)
    h = await memory.repo.create("cream")
    await _fill(memory, h.id, 0, 50)
    ctx = await memory.build_context(h.id, SYSTEM)
    assert len(ctx) == 101
