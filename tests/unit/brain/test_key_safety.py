"""The LLM API key lives in the secrets store only: never in a file under STUDIO_HOME, nor in logs."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from studio.app.container import Container
from studio.brain.llm import ChatMessage, LlmError
from studio.brain.memory import ConversationMemory
from studio.brain.openai_compat import OpenAICompatChat
from studio.config.llm_settings import LLM_API_KEY_SECRET, LlmSettings
from studio.storage.history_repo import HistoryRepo
from tests.unit.brain.conftest import ServedLlm

KEY = "sk-live-Zq8xW3vN5tR7yU1iO9pA2sD4"


def _files_containing(root: Path, needle: bytes) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


async def test_key_never_reaches_files_or_logs(
    container: Container, studio_home: Path, llm: ServedLlm, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, the SDK's and httpx's included
    studio_log = logging.getLogger("studio")
    level = studio_log.level
    studio_log.setLevel(logging.DEBUG)  # and the studio's log file at DEBUG
    container.secrets.set(LLM_API_KEY_SECRET, KEY)
    settings = LlmSettings(provider="custom", base_url=llm.url, model="test-model", retries=1)
    chat = OpenAICompatChat.from_settings(settings, container.secrets)
    chat.backoff_s = 0.01
    memory = ConversationMemory(HistoryRepo(container.db), chat, context_tokens=100_000)
    try:
        history = await memory.repo.create("cream")
        await memory.add_user(history.id, "你好")
        llm.server.inject("429")  # a retry is logged
        reply = await chat.complete(await memory.build_context(history.id, "You are Cream."))
        await memory.add_assistant(history.id, reply)
        report = await chat.test_connection()  # logged
        llm.server.api_key = "another-key"  # the server's 401 repeats the key we sent
        with pytest.raises(LlmError) as err:
            await chat.complete([ChatMessage("user", "hi")])
        logging.getLogger("studio.brain").error("reply failed: %s", err.value, exc_info=err.value)
    finally:
        await chat.aclose()
        studio_log.setLevel(level)
    assert report.ok
    assert llm.server.completions[0].authorization == f"Bearer {KEY}"  # the key was used ...
    container.close()
    assert "retrying" in caplog.text and KEY not in caplog.text  # ... but never logged
    log_file = container.logs.log_file
    assert "reply failed" in log_file.read_text(encoding="utf-8")
    assert _files_containing(studio_home, "你好".encode())  # the scan does see the DB's contents
    assert _files_containing(studio_home, KEY.encode()) == []  # config, DB (+WAL), logs, secrets file
    assert not _files_containing(studio_home, KEY[-12:].encode())
