"""Switching the interface language at runtime retranslates visible texts and is saved."""

from __future__ import annotations

import tomllib

import pytest

from studio.app.container import Container
from studio.ui.gui_main import create_main_window

pytestmark = pytest.mark.gui


def test_switch_to_chinese_and_back(qtbot, container: Container) -> None:
    window = create_main_window(container, None)
    qtbot.addWidget(window)
    window.show()
    log_dock = window.docks["logDock"]

    window.language_actions["en"].trigger()
    qtbot.waitUntil(lambda: log_dock.windowTitle() == "Log")
    assert window.file_menu.title() == "&File"

    window.language_actions["zh_CN"].trigger()
    qtbot.waitUntil(lambda: log_dock.windowTitle() == "日志")
    assert window.file_menu.title() == "文件(&F)"
    assert window.docks["voiceDock"].windowTitle() == "语音"
    assert window.stage.heading() == "虚拟形象舞台"
    assert "引擎" in window.status.engine_label.text()
    assert window.language_actions["zh_CN"].isChecked()
    saved = tomllib.loads(container.paths.config_file.read_text(encoding="utf-8"))
    assert saved["ui"]["language"] == "zh_CN"
    assert container.config.ui.language == "zh_CN"

    window.language_actions["ja"].trigger()
    qtbot.waitUntil(lambda: log_dock.windowTitle() == "ログ")
    assert window.file_menu.title() == "ファイル(&F)"

    window.language_actions["en"].trigger()
    qtbot.waitUntil(lambda: log_dock.windowTitle() == "Log")
    assert window.file_menu.title() == "&File"
    assert window.stage.heading() == "Avatar stage"
    window.close()


def test_open_settings_dialog_follows_language(qtbot, container: Container) -> None:
    window = create_main_window(container, None)
    qtbot.addWidget(window)
    dialog = window.open_settings()
    window.set_language("zh_CN")
    qtbot.waitUntil(lambda: dialog.windowTitle() == "设置")
    window.set_language("en")
    qtbot.waitUntil(lambda: dialog.windowTitle() == "Settings")
    window.close()


def test_language_setting_in_dialog_switches_live(qtbot, container: Container) -> None:
    window = create_main_window(container, None)
    qtbot.addWidget(window)
    dialog = window.open_settings()
    combo = dialog.editor("ui", "language").widget
    combo.setCurrentIndex(combo.findData("ja"))
    assert dialog.apply()
    qtbot.waitUntil(lambda: window.docks["logDock"].windowTitle() == "ログ")
    qtbot.waitUntil(lambda: dialog.windowTitle() == "設定")
    assert combo.itemText(combo.findData("system")) == "システムの既定"
    assert window.language_actions["ja"].isChecked()
    window.set_language("en")
    qtbot.waitUntil(lambda: window.docks["logDock"].windowTitle() == "Log")
    window.close()
