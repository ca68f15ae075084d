"""The settings dialog writes config.toml through the models and refuses invalid input."""

from __future__ import annotations

import socket
import tomllib

import pytest
from PySide6.QtCore import Qt

from studio.app.container import Container
from studio.app.runtime import EngineRuntime
from studio.ui.gui_main import create_main_window

pytestmark = pytest.mark.gui


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _saved(container: Container) -> dict:
    return tomllib.loads(container.paths.config_file.read_text(encoding="utf-8"))


def test_apply_writes_config_and_restarts_api(
    qtbot, container: Container, runtime: EngineRuntime, gui_loop
) -> None:
    window = create_main_window(container, runtime)
    qtbot.addWidget(window)
    window.show()
    dialog = window.open_settings()
    port = _free_port()
    dialog.editor("api", "port").widget.setValue(port)
    theme = dialog.editor("ui", "theme").widget
    theme.setCurrentIndex(theme.findData("dark"))
    assert dialog.editor("api", "port").widget.toolTip() == "Main API port."

    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)

    saved = _saved(container)
    assert saved["api"]["port"] == port
    assert saved["ui"]["theme"] == "dark"
    assert container.config.api.port == port
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: f"127.0.0.1:{port}" in window.status.api_label.text(), timeout=10000)
    assert runtime.api_url == f"http://127.0.0.1:{port}"
    qtbot.waitUntil(window.theme_actions["dark"].isChecked)
    window.close()


def test_invalid_host_shows_error_and_writes_nothing(qtbot, container: Container) -> None:
    window = create_main_window(container, None)
    qtbot.addWidget(window)
    dialog = window.open_settings()
    dialog.editor("api", "max_body_mb").widget.setValue(20)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    before = container.paths.config_file.read_bytes()
    assert _saved(container)["api"]["max_body_mb"] == 20

    dialog = window.open_settings()
    dialog.editor("api", "host").widget.setText("   ")
    dialog.editor("api", "port").widget.setValue(9999)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    assert dialog.isVisible()
    assert "api.host" in dialog.error_text()
    assert "Host" in dialog.error_text()
    assert dialog.editor("api", "host").widget.property("invalid") is True
    assert container.paths.config_file.read_bytes() == before
    assert container.config.api.port != 9999
    dialog.reject()
    window.close()


def test_port_taken_on_restart_offers_a_free_one(
    qtbot, container: Container, runtime: EngineRuntime, gui_loop
) -> None:
    window = create_main_window(container, runtime)
    qtbot.addWidget(window)
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen(1)
        taken = blocker.getsockname()[1]
        dialog = window.open_settings()
        dialog.editor("api", "port").widget.setValue(taken)
        with qtbot.waitSignal(window.bridge.api_port_conflict, timeout=10000) as blocker_signal:
            qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        assert blocker_signal.args[0] == taken
        qtbot.waitUntil(lambda: window.findChild(object, "portConflictBox") is not None)
        qtbot.waitUntil(lambda: "API failed" in window.status.api_label.text())
    window.close()


def test_field_set_by_environment_is_read_only(qtbot, monkeypatch, studio_home) -> None:
    monkeypatch.setenv("STUDIO_API_MAX_BODY_MB", "12")
    container = Container.build()
    try:
        window = create_main_window(container, None)
        qtbot.addWidget(window)
        dialog = window.open_settings()
        widget = dialog.editor("api", "max_body_mb").widget
        assert not widget.isEnabled()
        assert widget.value() == 12
        assert "STUDIO_API_MAX_BODY_MB" in widget.toolTip()
        assert dialog.editor("api", "port").widget.isEnabled()
        window.close()
    finally:
        container.close()


def test_turning_the_api_off_stops_it_at_once(
    qtbot, container: Container, runtime: EngineRuntime, gui_loop
) -> None:
    window = create_main_window(container, runtime)
    qtbot.addWidget(window)
    window.show()
    assert runtime.api_url is not None
    dialog = window.open_settings()
    dialog.editor("api", "enabled").widget.setChecked(False)
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    assert _saved(container)["api"]["enabled"] is False
    qtbot.waitUntil(lambda: runtime.api_url is None, timeout=5000)
    assert runtime.state == "running"
    window.close()


def test_apply_does_not_overwrite_values_saved_elsewhere_meanwhile(qtbot, container: Container) -> None:
    window = create_main_window(container, None)
    qtbot.addWidget(window)
    dialog = window.open_settings()
    # While the dialog is open, the Voice panel (say) saves a new speed.
    tts = container.config.tts.model_copy(update={"speed": 1.5})
    container.config = container.config_store.save_area(container.config, tts)
    theme = dialog.editor("ui", "theme").widget
    theme.setCurrentIndex(theme.findData("dark"))
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    saved = _saved(container)
    assert saved["ui"]["theme"] == "dark"
    assert saved["tts"]["speed"] == 1.5, "the dialog must not write back the speed it showed when opened"
    window.close()
