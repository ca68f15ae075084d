"""OpenAICompatChat against the real local test server over HTTP: streaming, barge-in, retries, errors."""

from __future__ import annotations

import asyncio
import socket
import time
import traceback

import pytest

from studio.brain.llm import ChatMessage, LlmError
from studio.brain.openai_compat import OpenAICompatChat
from studio.testing.llm_server import DEFAULT_REPLY, split_tokens
from tests.unit.brain.conftest import ServedLlm

KEY = "sk-test-0123456789abcdefSECRET"
HI = [ChatMessage("system", "You are Cream."), ChatMessage("user", "你好")]


def _chat(llm: ServedLlm, **kw: object) -> OpenAICompatChat:
    args: dict[str, object] = {"base_url": llm.url, "model": "test-model", "api_key": KEY, "backoff_s": 0.01}
    args.update(kw)
    return OpenAICompatChat(**args)  # type: ignore[arg-type]


async def test_stream_yields_the_reply_as_deltas(llm: ServedLlm) -> None:
    chat = _chat(llm, temperature=0.5, max_tokens=100)
    try:
        deltas = [d async for d in chat.stream(HI)]
    finally:
        await chat.aclose()
    assert "".join(deltas) == DEFAULT_REPLY
    assert deltas == split_tokens(DEFAULT_REPLY)  # one delta per streamed chunk, none merged or lost
    (req,) = llm.server.completions
    assert req.body["stream"] is True and req.body["model"] == "test-model"
    assert req.body["messages"] == [
        {"role": "system", "content": "You are Cream."},
        {"role": "user", "content": "你好"},
    ]
    assert (req.body["temperature"], req.body["max_tokens"]) == (0.5, 100)
    assert req.authorization == f"Bearer {KEY}" and req.completed


async def test_first_delta_arrives_while_the_reply_is_still_generated(llm: ServedLlm) -> None:
    llm.server.token_delay_s = 0.02
    chat = _chat(llm)
    deltas = chat.stream(HI)
    try:
        first = await anext(deltas)
        (req,) = llm.server.completions
        assert first == split_tokens(DEFAULT_REPLY)[0]
        assert not req.completed and req.tokens_sent < len(split_tokens(DEFAULT_REPLY)) // 2
        rest = [d async for d in deltas]
    finally:
        await deltas.aclose()
        await chat.aclose()
    assert first + "".join(rest) == DEFAULT_REPLY


async def test_cancelling_the_consumer_closes_the_upstream_connection(llm: ServedLlm) -> None:
    llm.server.token_delay_s = 0.5  # the reply would take ~10 s; the consumer waits inside the stream
    chat = _chat(llm)
    got_first = asyncio.Event()

    async def consume() -> None:
        async for _ in chat.stream(HI):
            got_first.set()

    task = asyncio.create_task(consume())
    try:
        await asyncio.wait_for(got_first.wait(), 5)
        started = time.monotonic()
        task.cancel()  # barge-in
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await asyncio.to_thread(llm.server.wait_disconnected, 3.0)
        assert time.monotonic() - started < 0.4  # the server saw the close, not the end of the reply
    finally:
        await chat.aclose()
    (req,) = llm.server.completions
    assert req.disconnected and not req.completed and req.tokens_sent < 3


async def test_closing_the_iterator_closes_the_upstream_connection(llm: ServedLlm) -> None:
    llm.server.token_delay_s = 0.5
    chat = _chat(llm)
    deltas = chat.stream(HI)
    try:
        await anext(deltas)
        started = time.monotonic()
        await deltas.aclose()
        assert await asyncio.to_thread(llm.server.wait_disconnected, 3.0)
        assert time.monotonic() - started < 0.4
    finally:
        await chat.aclose()
    (req,) = llm.server.completions
    assert req.disconnected and not req.completed


async def test_retryable_errors_before_the_first_delta_are_retried(llm: ServedLlm) -> None:
    llm.server.inject("429", "500")
    chat = _chat(llm, retries=2)
    try:
        assert await chat.complete(HI) == DEFAULT_REPLY
    finally:
        await chat.aclose()
    assert [r.fault for r in llm.server.completions] == ["429", "500", None]


async def test_retries_are_bounded(llm: ServedLlm) -> None:
    llm.server.inject("503", "503", "503", "503")
    chat = _chat(llm, retries=2)
    try:
        with pytest.raises(LlmError, match=r"server error \(HTTP 503\)") as err:
            await chat.complete(HI)
    finally:
        await chat.aclose()
    assert err.value.retryable
    assert len(llm.server.completions) == 3


async def test_a_drop_before_any_text_is_retried(llm: ServedLlm) -> None:
    llm.server.disconnect_after = 0
    llm.server.inject("disconnect")
    chat = _chat(llm)
    try:
        assert "".join([d async for d in chat.stream(HI)]) == DEFAULT_REPLY
    finally:
        await chat.aclose()
    assert [r.fault for r in llm.server.completions] == ["disconnect", None]


async def test_a_drop_after_text_is_never_retried(llm: ServedLlm) -> None:
    llm.server.disconnect_after = 3
    llm.server.inject("disconnect")
    chat = _chat(llm, retries=3)
    got: list[str] = []
    try:
        with pytest.raises(LlmError, match="broke off") as err:
            async for delta in chat.stream(HI):
                got.append(delta)
    finally:
        await chat.aclose()
    assert got == split_tokens(DEFAULT_REPLY)[:3]  # nothing repeated, nothing after the drop
    assert err.value.retryable
    assert len(llm.server.completions) == 1


async def test_bad_key_gives_a_clear_message_without_the_key(llm: ServedLlm) -> None:
    llm.server.api_key = "the-right-key"  # the server's 401 message repeats the key it was sent
    chat = _chat(llm, provider="DeepSeek", retries=3)
    try:
        with pytest.raises(LlmError) as err:
            await chat.complete(HI)
    finally:
        await chat.aclose()
    assert "rejected the API key" in str(err.value) and "DeepSeek" in str(err.value)
    assert not err.value.retryable
    assert len(llm.server.completions) == 1  # 401 is not retried
    text = "".join(traceback.format_exception(err.value))
    assert KEY not in text and KEY not in repr(err.value)


async def test_unknown_model_names_the_model(llm: ServedLlm) -> None:
    llm.server.inject("404")
    chat = _chat(llm, model="gpt-nonexistent")
    try:
        with pytest.raises(LlmError, match=r"'gpt-nonexistent'.*HTTP 404") as err:
            await chat.complete(HI)
    finally:
        await chat.aclose()
    assert not err.value.retryable and "does not exist" in str(err.value)  # provider's words kept


async def test_rate_limit_without_retries_is_retryable(llm: ServedLlm) -> None:
    llm.server.inject("429")
    chat = _chat(llm, retries=0)
    try:
        with pytest.raises(LlmError, match="rate-limiting") as err:
            await chat.complete(HI)
    finally:
        await chat.aclose()
    assert err.value.retryable


async def test_silence_times_out(llm: ServedLlm) -> None:
    llm.server.first_token_delay_s = 3.0
    chat = _chat(llm, timeout_s=0.3, retries=0)
    started = time.monotonic()
    try:
        with pytest.raises(LlmError, match="timeout") as err:
            await chat.complete(HI)
    finally:
        await chat.aclose()
    assert err.value.retryable and time.monotonic() - started < 2.0


async def test_unreachable_server_is_a_retryable_connection_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    chat = OpenAICompatChat(base_url=f"http://127.0.0.1:{port}/v1", model="m", retries=1, backoff_s=0.01)
    try:
        with pytest.raises(LlmError, match="Cannot reach") as err:
            await chat.complete(HI)
    finally:
        await chat.aclose()
    assert err.value.retryable


async def test_cloud_provider_without_key_fails_before_any_request(llm: ServedLlm) -> None:
    chat = OpenAICompatChat(base_url=llm.url, model="m", provider="OpenAI", needs_key=True)
    try:
        with pytest.raises(LlmError, match="No API key for OpenAI"):
            await chat.complete(HI)
    finally:
        await chat.aclose()
    assert llm.server.requests == []


async def test_empty_model_takes_the_servers_first_model(llm: ServedLlm) -> None:
    llm.server.models = ("loaded-model", "other")
    chat = _chat(llm, model="")
    try:
        await chat.complete(HI)
    finally:
        await chat.aclose()
    assert chat.model == "loaded-model"
    assert llm.server.completions[0].body["model"] == "loaded-model"


async def test_connection_test_reports_models_reply_and_latency(llm: ServedLlm) -> None:
    llm.server.first_token_delay_s = 0.05
    chat = _chat(llm)
    try:
        report = await chat.test_connection()
    finally:
        await chat.aclose()
    assert report.ok and report.models == ("test-model",) and report.reply == DEFAULT_REPLY
    assert report.first_token_s is not None and 0.05 <= report.first_token_s <= report.total_s
    assert report.message == ""
    assert llm.server.completions[0].body["max_tokens"] == 16


async def test_connection_test_explains_a_bad_key(llm: ServedLlm) -> None:
    llm.server.api_key = "other"
    chat = _chat(llm)
    try:
        report = await chat.test_connection()
    finally:
        await chat.aclose()
    assert not report.ok and "API key" in report.message and KEY not in report.message
    assert llm.server.completions == []  # stopped after the model list was refused


async def test_connection_test_flags_an_unlisted_model(llm: ServedLlm) -> None:
    chat = _chat(llm, model="typo-model")
    try:
        report = await chat.test_connection()
    finally:
        await chat.aclose()
    assert report.ok and "'typo-model' is not in the provider's list" in report.message
