"""The Chat tab with a real engine, real voices (null sink) and the local OpenAI-compatible test LLM."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from studio.app.container import Container
from studio.app.runtime import EngineRuntime
from studio.brain.persona import PersonaStore
from studio.config.llm_settings import LLM_API_KEY_SECRET
from studio.storage.history_repo import PersonaRepo
from studio.testing.llm_server import LlmTestServer
from studio.ui.gui_main import create_main_window
from studio.ui.main_window import MainWindow
from studio.ui.panels.chat_panel import ChatPanel

pytestmark = pytest.mark.gui

REPLY = "[happy] 你好呀，我是奶油。今天也很开心见到你！"
LONG_REPLY = "".join(f"这是第{n}句比较长的回答，用来测试打断。" for n in range(1, 40))


@pytest.fixture
def llm(studio_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[LlmTestServer, str]]:
    """The test LLM server as the studio's provider in config.toml (before the container is built)."""
    server = LlmTestServer(REPLY, token_delay_s=0.01)
    config = studio_home / "config" / "config.toml"
    with server.running() as url:
        with config.open("a", encoding="utf-8") as f:
            f.write(f'\n[llm]\nprovider = "custom"\nbase_url = "{url}"\nmodel = "test-model"\n')
        yield server, url


def _panel(qtbot, container: Container, runtime: EngineRuntime) -> tuple[MainWindow, ChatPanel]:
    window = create_main_window(container, runtime)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    panel = window.chat_panel
    qtbot.waitUntil(lambda: panel.session.service is not None, timeout=30000)
    return window, panel


def _history(runtime: EngineRuntime, panel: ChatPanel) -> list[tuple[str, str, str | None]]:
    service = panel.session.service
    assert service is not None
    rows = runtime.submit(service.history(50)).result(10)
    return [(r.role, r.text, r.heard_text) for r in rows]


def test_typed_message_streams_a_reply_into_history(
    qtbot, llm, runtime, container, gui_loop, no_devices
) -> None:
    window, panel = _panel(qtbot, container, runtime)
    assert panel.view.messages() == []  # a fresh profile has no history
    panel.tabs.setCurrentIndex(0)
    qtbot.keyClicks(panel.input, "hello there")
    qtbot.keyClick(panel.input, Qt.Key.Key_Return)
    assert panel.input.text() == ""

    def replied() -> bool:
        msgs = panel.view.messages()
        return ("user", "You: hello there") in msgs and any(
            "开心见到你" in t for r, t in msgs if r == "assistant"
        )

    qtbot.waitUntil(replied, timeout=20000)
    qtbot.waitUntil(lambda: len(_history(runtime, panel)) == 2, timeout=20000)
    (role1, text1, _), (role2, text2, _) = _history(runtime, panel)
    assert (role1, text1) == ("user", "hello there")
    assert role2 == "assistant" and "开心见到你" in text2 and "[happy]" not in text2
    assert panel.view.messages()[-1][1].startswith("Cream: ")

    # A newly opened panel shows the stored history.
    panel2 = ChatPanel(container, window.bridge)
    qtbot.addWidget(panel2)
    panel2.show()
    qtbot.waitUntil(lambda: len(panel2.view.messages()) == 2, timeout=20000)
    assert panel2.view.messages()[0] == ("user", "You: hello there")
    panel2.close()
    window.close()


def test_stop_interrupts_and_marks_what_was_heard(
    qtbot, llm, runtime, container, gui_loop, no_devices
) -> None:
    server, _url = llm
    server.token_delay_s = 0.05
    server.queue_reply(LONG_REPLY)
    window, panel = _panel(qtbot, container, runtime)
    assert not panel.stop_button.isEnabled()
    panel.input.setText("tell me a long story")
    panel.send_button.click()
    qtbot.waitUntil(panel.stop_button.isEnabled, timeout=20000)
    qtbot.waitUntil(lambda: any("第3句" in t for _r, t in panel.view.messages()), timeout=20000)
    panel.stop_button.click()
    qtbot.waitUntil(lambda: "interrupted" in panel.view.messages()[-1][1], timeout=10000)
    qtbot.waitUntil(lambda: not panel.stop_button.isEnabled(), timeout=5000)
    reply = panel.view.messages()[-1][1]
    assert "第39句" not in reply
    qtbot.waitUntil(lambda: len(_history(runtime, panel)) == 2, timeout=10000)
    heard = _history(runtime, panel)[1][2]
    assert heard is not None and len(heard) < len(LONG_REPLY)
    window.close()


def test_test_connection_success_and_failure(qtbot, llm, runtime, container, gui_loop, no_devices) -> None:
    _server, url = llm
    window, panel = _panel(qtbot, container, runtime)
    form = panel.provider_form
    assert form.preset_combo.currentData() == "custom"
    assert form.url_edit.text() == url.rstrip("/")
    form.test_button.click()
    qtbot.waitUntil(form.test_button.isEnabled, timeout=15000)
    assert form.result_label.text().startswith("Connection works.")
    assert "test-model" in form.result_label.text() and " ms" in form.result_label.text()

    form.url_edit.setText("http://127.0.0.1:9/v1")  # discard port: nothing listens
    form.test_button.click()
    qtbot.waitUntil(form.test_button.isEnabled, timeout=30000)
    assert form.result_label.text().startswith("Connection failed:")
    form.url_edit.setText("ftp://nowhere")
    form.test_button.click()
    assert "http://" in form.result_label.text()
    window.close()


def test_api_key_goes_only_to_the_secrets_store(qtbot, llm, runtime, container, gui_loop, no_devices) -> None:
    window, panel = _panel(qtbot, container, runtime)
    form = panel.provider_form
    key = "sk-test-3f9a1c"
    form.key_edit.setText(key)
    form.model_edit.setText("other-model")
    form.save_button.click()
    assert form.key_edit.text() == ""
    assert container.secrets.get(LLM_API_KEY_SECRET) == key
    saved = container.paths.config_file.read_text(encoding="utf-8")
    assert 'model = "other-model"' in saved
    assert key not in saved
    assert container.config.llm.model == "other-model"
    window.close()


def test_persona_edit_persists(qtbot, llm, runtime, container, gui_loop, no_devices) -> None:
    window, panel = _panel(qtbot, container, runtime)
    form = panel.persona_form
    qtbot.waitUntil(form.isEnabled, timeout=10000)
    assert form.name_edit.text() == "Cream"
    form.name_edit.setText("Mochi")
    form.style_edit.setPlainText("Very short answers.")
    form.emotion_boxes["angry"].setChecked(False)
    form.save_button.click()
    qtbot.waitUntil(lambda: panel.view.assistant_name == "Mochi", timeout=10000)

    store = PersonaStore(PersonaRepo(container.db))
    stored = runtime.submit(store.get("cream")).result(10)
    assert stored is not None and stored.name == "Mochi"
    assert stored.speaking_style == "Very short answers." and "angry" not in stored.emotions

    form.reset_button.click()
    qtbot.waitUntil(lambda: form.name_edit.text() == "Cream", timeout=10000)
    stored = runtime.submit(store.get("cream")).result(10)
    assert stored is not None and stored.name == "Cream" and "angry" in stored.emotions
    window.close()


def test_partial_transcript_and_mic_mode(qtbot, llm, runtime, container, gui_loop, no_devices) -> None:
    from studio.core.events import TranscriptEvent

    window, panel = _panel(qtbot, container, runtime)
    container.bus.publish_threadsafe(TranscriptEvent(text="今天天气", final=False))
    qtbot.waitUntil(lambda: bool(panel.view.messages()) and panel.view.messages()[-1][0] == "partial")
    assert "今天天气" in panel.view.messages()[-1][1]
    container.bus.publish_threadsafe(TranscriptEvent(text="今天天气怎么样", final=True))
    qtbot.waitUntil(lambda: all(r != "partial" for r, _t in panel.view.messages()))

    assert panel.mic_mode() == "off" and not panel.talk_button.isVisible()
    panel.mic_combo.setCurrentIndex(panel.mic_combo.findData("push_to_talk"))
    assert panel.talk_button.isVisible()
    assert container.config.listen.mode == "push_to_talk"
    assert 'mode = "push_to_talk"' in container.paths.config_file.read_text(encoding="utf-8")
    window.close()


def test_chinese_labels(qtbot, llm, runtime, container, gui_loop, no_devices) -> None:
    window, panel = _panel(qtbot, container, runtime)
    window.set_language("zh_CN")
    try:
        qtbot.waitUntil(lambda: panel.send_button.text() == "发送")
        assert panel.tabs.tabText(1) == "脚本"
        assert panel.provider_form.test_button.text() == "测试连接"
        assert panel.script_panel.outline_button.text() == "生成大纲"
    finally:
        window.set_language("en")
    qtbot.waitUntil(lambda: panel.send_button.text() == "Send")
    window.close()
