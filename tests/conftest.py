"""Shared fixtures: every test gets its own STUDIO_HOME, so no test touches the user's folders."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from studio.app.container import Container
from studio.config.settings import AREAS
from studio.core.logging import redactor


@pytest.fixture(autouse=True)
def _fresh_redactor() -> Iterator[None]:
    """Secrets registered by one test (e.g. a key "turn") must not mask words in the next's logs."""
    yield
    redactor.forget_all()


@pytest.fixture(autouse=True)
def studio_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh profile folder for each test (config, data, cache, logs), with the file secrets backend."""
    home = tmp_path / "home"
    monkeypatch.setenv("STUDIO_HOME", str(home))
    monkeypatch.setenv("STUDIO_SECRETS_BACKEND", "file")
    for key in list(os.environ):
        areas = tuple(area.area.upper() for area in AREAS)
        if key.startswith(tuple(f"STUDIO_{area}_" for area in areas)):
            monkeypatch.delenv(key)
    return home


@pytest.fixture
def container(studio_home: Path) -> Iterator[Container]:
    """A built container on the test's profile; closed afterwards."""
    c = Container.build()
    try:
        yield c
    finally:
        c.close()
