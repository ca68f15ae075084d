"""Startup: a taken API port is offered a free one, declining runs without API, failures still open."""

from __future__ import annotations

import socket
import tomllib
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

from studio.app.container import Container
from studio.app.runtime import EngineRuntime
from studio.ui import gui_main
from studio.ui.gui_main import create_main_window, start_engine

pytestmark = pytest.mark.gui


@pytest.fixture
def taken_port(container: Container) -> Iterator[int]:
    """A port another program listens on, saved as the configured API port."""
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen(1)
        port = int(blocker.getsockname()[1])
        api = container.config.api.model_copy(update={"port": port})
        container.config = container.config_store.save_area(container.config, api)
        yield port


def test_taken_port_accepts_the_suggested_one(
    qtbot, container: Container, taken_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[int, int]] = []
    monkeypatch.setattr(gui_main, "_ask_use_port", lambda port, free: asked.append((port, free)) or True)
    started = start_engine(container)
    assert started.runtime is not None
    try:
        assert asked and asked[0][0] == taken_port
        suggestion = asked[0][1]
        assert urlparse(started.runtime.api_url).port == suggestion
        saved = tomllib.loads(container.paths.config_file.read_text(encoding="utf-8"))
        assert saved["api"]["port"] == suggestion
    finally:
        started.runtime.stop(2.0)


def test_declining_runs_without_api(
    qtbot, container: Container, taken_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gui_main, "_ask_use_port", lambda port, free: False)
    started = start_engine(container)
    assert started.runtime is not None
    assert started.runtime.api_url is None
    window = create_main_window(container, started.runtime, api_problem=started.api_problem)
    qtbot.addWidget(window)
    assert "API failed" in window.status.api_label.text()
    assert str(taken_port) in window.status.api_label.text()
    qtbot.waitUntil(lambda: "Running" in window.status.engine_label.text())
    window.close()
    assert started.runtime.wait_stopped(0)


def test_engine_failure_still_opens_the_window(
    qtbot, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_start(self: EngineRuntime, timeout: float = 15.0) -> None:
        raise RuntimeError("engine exploded")

    shown: list[str] = []
    monkeypatch.setattr(EngineRuntime, "start", broken_start)
    monkeypatch.setattr(gui_main.QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    started = start_engine(container)
    assert started.runtime is None
    assert shown and "engine exploded" in shown[0]
    window = create_main_window(container, None, engine_problem=started.engine_problem)
    qtbot.addWidget(window)
    assert "Failed" in window.status.engine_label.text()
    assert "engine exploded" in window.status.engine_label.toolTip()
    window.close()
