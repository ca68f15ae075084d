"""The local OpenAI-compatible test server: tokens, scripted replies, non-streaming answers, records."""

from __future__ import annotations

import httpx
import pytest

from studio.testing.llm_server import LlmTestServer, split_tokens
from tests.unit.brain.conftest import ServedLlm


@pytest.mark.parametrize(
    "text", ["", "Hello, world!  ", "[happy] 你好呀！Nice to meet you.", "こんにちは、元気?", "a\nb\n\n"]
)
def test_split_tokens_loses_nothing(text: str) -> None:
    tokens = split_tokens(text)
    assert "".join(tokens) == text
    assert all(tokens)


def test_cjk_is_split_per_character_and_words_keep_their_space() -> None:
    assert split_tokens("你好 big world") == ["你", "好", " big", " world"]


def test_unknown_faults_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        LlmTestServer().inject("418")


async def test_non_streaming_completion_and_queued_replies(llm: ServedLlm) -> None:
    llm.server.queue_reply("first", "second")
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    async with httpx.AsyncClient(base_url=llm.url) as client:
        one = (await client.post("/chat/completions", json=body)).json()
        two = (await client.post("/chat/completions", json={**body, "stream": False})).json()
        three = (await client.post("/chat/completions", json=body)).json()
        models = (await client.get("/models")).json()
    texts = [r["choices"][0]["message"]["content"] for r in (one, two, three)]
    assert texts == ["first", "second", llm.server.reply]
    assert models["data"][0]["id"] == "test-model"
    assert [r.path for r in llm.server.requests] == ["/v1/chat/completions"] * 3 + ["/v1/models"]
    assert llm.server.completions[0].messages == [{"role": "user", "content": "hi"}]
    assert all(r.completed for r in llm.server.requests)


async def test_stream_is_server_sent_events_ending_with_done(llm: ServedLlm) -> None:
    llm.server.reply = "你好 there"
    body = {"model": "m", "stream": True, "messages": []}
    async with httpx.AsyncClient(base_url=llm.url) as client:
        response = await client.post("/chat/completions", json=body)
    assert response.headers["content-type"].startswith("text/event-stream")
    events = [line for line in response.text.split("\n\n") if line]
    assert all(e.startswith("data: ") for e in events) and events[-1] == "data: [DONE]"
    assert len(events) == 1 + 3 + 2  # role chunk, three tokens, finish chunk, [DONE]
