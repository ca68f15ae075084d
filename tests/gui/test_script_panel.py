"""The Script tab with a real engine, real voices (null sink) and the local test LLM."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from studio.app.container import Container
from studio.app.runtime import EngineRuntime
from studio.testing.llm_server import LlmTestServer
from studio.ui.gui_main import create_main_window
from studio.ui.main_window import MainWindow
from studio.ui.panels.script_panel import ScriptPanel

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("no_devices")]

OUTLINE = "标题：春天的早餐\n1. 开场：问候观众\n2. 面包：如何选面包\n3. 牛奶：热牛奶的好处\n4. 结尾：感谢观看"
CHAPTER = "[happy] 大家好！今天我们聊聊早餐。早餐很重要。"
PASTED = "# 直播脚本\n\n## 开场\n大家好，欢迎来到直播间。今天天气很好。\n\n## 结尾\n谢谢大家，我们下次见。"


@pytest.fixture
def llm(studio_home: Path) -> Iterator[LlmTestServer]:
    server = LlmTestServer(CHAPTER, token_delay_s=0.005)
    config = studio_home / "config" / "config.toml"
    with server.running() as url:
        with config.open("a", encoding="utf-8") as f:
            f.write(f'\n[llm]\nprovider = "custom"\nbase_url = "{url}"\nmodel = "test-model"\n')
        yield server


def _panel(qtbot, container: Container, runtime: EngineRuntime) -> tuple[MainWindow, ScriptPanel]:
    window = create_main_window(container, runtime)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    panel = window.chat_panel.script_panel
    window.chat_panel.tabs.setCurrentWidget(panel)
    return window, panel


def test_outline_then_chapters_then_save_and_load(qtbot, llm, runtime, container, gui_loop) -> None:
    llm.queue_reply(OUTLINE)
    window, panel = _panel(qtbot, container, runtime)
    panel.topic_edit.setText("早餐")
    panel.outline_button.click()
    qtbot.waitUntil(lambda: panel.chapter_list.count() == 4, timeout=30000)
    titles = [panel.chapter_list.item(n).text() for n in range(4)]
    assert titles[0].startswith("开场") and titles[3].startswith("结尾")
    assert panel.script is not None and not any(c.sentences for c in panel.script.chapters)

    panel.write_button.click()
    qtbot.waitUntil(lambda: all(c.sentences for c in panel.script.chapters), timeout=30000)  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: not panel.session.busy, timeout=5000)
    panel.chapter_list.setCurrentRow(1)
    assert "早餐很重要" in panel.editor.toPlainText()
    assert panel.script.chapters[1].sentences[0].emotion == "happy"

    panel.editor.setPlainText("改过的第二章。")
    panel.editor.document().setModified(True)
    panel.save_button.click()
    qtbot.waitUntil(lambda: panel.saved_combo.count() == 1, timeout=10000)
    panel.paste_script(PASTED)
    assert panel.script.title == "直播脚本"
    panel.load_button.click()
    qtbot.waitUntil(lambda: panel.chapter_list.count() == 4, timeout=10000)
    assert panel.script.chapters[1].plain_text == "改过的第二章。"
    window.close()


def test_pasted_script_reads_aloud_with_highlight_and_stops(qtbot, llm, runtime, container, gui_loop) -> None:
    window, panel = _panel(qtbot, container, runtime)
    assert panel.paste_script(PASTED)
    assert [panel.chapter_list.item(n).text() for n in range(2)] == ["开场", "结尾"]
    assert [s.text for s in panel.script.chapters[0].sentences] == [
        "大家好，欢迎来到直播间。",
        "今天天气很好。",
    ]  # type: ignore[union-attr]
    assert not panel.stop_button.isEnabled()

    panel.play_button.click()
    qtbot.waitUntil(lambda: panel.highlight == (0, 0), timeout=30000)
    assert panel.highlighted_text() == "大家好，欢迎来到直播间。"
    qtbot.waitUntil(lambda: panel.highlight == (0, 1), timeout=30000)
    assert panel.highlighted_text() == "今天天气很好。"
    assert panel.stop_button.isEnabled()

    panel.stop_button.click()
    qtbot.waitUntil(lambda: panel.highlight is None, timeout=10000)
    assert panel.progress_label.text() == "Reading stopped."
    assert panel.highlighted_text() == ""
    assert panel.play_button.text() == "Read aloud"
    window.close()


def test_paste_without_text_reports_an_error(qtbot, llm, runtime, container, gui_loop) -> None:
    window, panel = _panel(qtbot, container, runtime)
    with qtbot.waitSignal(window.bridge.error, timeout=2000) as blocker:
        assert not panel.paste_script("---\n\n……")
    assert blocker.args[0] == "script"
    assert panel.script is None
    window.close()
