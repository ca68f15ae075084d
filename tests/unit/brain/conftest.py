"""Fixtures of the brain tests: a real local OpenAI-compatible server and a real database."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from studio.storage.db import Database
from studio.testing.llm_server import LlmTestServer


@dataclass
class ServedLlm:
    """The test server's knobs and its base URL."""

    server: LlmTestServer
    url: str


@pytest.fixture
def llm() -> Iterator[ServedLlm]:
    """A fresh LLM test server on a free loopback port."""
    server = LlmTestServer()
    with server.running() as url:
        yield ServedLlm(server, url)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """An open, migrated database file."""
    database = Database(tmp_path / "studio.db", synchronous="NORMAL")
    database.open()
    try:
        yield database
    finally:
        database.close()
