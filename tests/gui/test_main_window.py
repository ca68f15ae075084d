"""The main window with a real engine: API health, clean shutdown, log dock, remembered geometry."""

from __future__ import annotations

import logging
import socket
import threading
import time
from urllib.parse import urlparse

import httpx
import pytest
from PySide6.QtCore import QSize

from studio.app.container import Container
from studio.app.runtime import EngineRuntime
from studio.ui.gui_main import create_main_window
from studio.ui.window_state import state_file

pytestmark = pytest.mark.gui


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def test_window_runs_engine_and_close_stops_it(qtbot, container: Container) -> None:
    runtime = EngineRuntime(container, port=0)
    runtime.start()
    window = create_main_window(container, runtime)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)

    url = runtime.api_url
    assert url is not None
    port = urlparse(url).port
    assert port
    response = httpx.get(f"{url}/health", timeout=5)
    assert response.status_code == 200
    assert url in window.status.api_label.text()
    qtbot.waitUntil(lambda: "Running" in window.status.engine_label.text())
    assert {"chatDock", "voiceDock", "streamDock", "logDock"} == {
        d.objectName() for d in window.docks.values()
    }

    started = time.monotonic()
    window.close()
    assert time.monotonic() - started < 2.0
    assert runtime.wait_stopped(0)
    assert not _accepts(port)

    container.close()
    left = [
        t.name
        for t in threading.enumerate()
        if not t.daemon and t.name in ("studio-engine", "studio-db") and t.is_alive()
    ]
    assert left == []


def test_log_dock_shows_new_log_lines(qtbot, container: Container) -> None:
    logging.getLogger("studio.test").info("line before the window")
    window = create_main_window(container, None)
    qtbot.addWidget(window)
    window.show()
    assert "line before the window" in window.log_panel.text()

    logging.getLogger("studio.test").warning("dock shows this %s", "warning")
    qtbot.waitUntil(lambda: "dock shows this warning" in window.log_panel.text())
    assert window.log_panel.text().count("dock shows this warning") == 1
    assert "Engine: Stopped" in window.status.engine_label.text()


def test_errors_take_one_path(qtbot, container: Container) -> None:
    window = create_main_window(container, None)
    qtbot.addWidget(window)
    window.show()
    window.bridge.error.emit("tts", "voice model missing")
    qtbot.waitUntil(window.notification.isVisible)
    assert "voice model missing" in window.notification.message()
    assert "voice model missing" in window.statusBar().currentMessage()
    assert "[tts] voice model missing" in window.log_panel.text()


def test_engine_errors_reach_the_window(qtbot, container: Container, runtime: EngineRuntime) -> None:
    from studio.core.events import ErrorEvent

    window = create_main_window(container, runtime)
    qtbot.addWidget(window)
    container.bus.publish_threadsafe(ErrorEvent(source="engine-test", message="boom from the engine"))
    qtbot.waitUntil(lambda: "boom from the engine" in window.log_panel.text())
    assert window.notification.message() == "boom from the engine"
    window.close()


def test_geometry_is_restored_in_a_second_window(qtbot, container: Container) -> None:
    first = create_main_window(container, None)
    qtbot.addWidget(first)
    first.resize(720, 500)
    first.move(20, 30)
    first.show()
    qtbot.waitExposed(first)
    qtbot.waitUntil(lambda: first.size() == QSize(720, 500))
    first.docks["voiceDock"].hide()
    first.close()
    assert state_file(container.paths.config_dir).exists()
    assert not (
        container.paths.config_file.exists() and "geometry" in container.paths.config_file.read_text()
    )

    second = create_main_window(container, None)
    qtbot.addWidget(second)
    second.show()
    qtbot.waitExposed(second)
    assert second.size() == QSize(720, 500)
    assert second.docks["voiceDock"].isHidden()
    assert not second.docks["logDock"].isHidden()
    second.close()
