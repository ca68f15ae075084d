"""The Voice panel with a real engine and real voices, played into the null sink in real time."""

from __future__ import annotations

import time
import tomllib
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from studio.app.container import Container
from studio.app.runtime import EngineRuntime
from studio.audio import devices
from studio.core.events import ConfigChangedEvent
from studio.pipeline.speaker import SpeechEvent
from studio.ui.gui_main import create_main_window
from studio.ui.main_window import MainWindow
from studio.ui.panels.voice_panel import VoicePanel

pytestmark = pytest.mark.gui

SHORT_ZH = "你好。"
LONG_ZH = "今天天气很好，我们一起去公园散步吧。然后去吃午饭，下午再回家休息，晚上看一部电影。"


class FakePortAudioError(Exception):
    pass


def _fake_portaudio(outputs: list[dict[str, Any]]) -> SimpleNamespace:
    """A sounddevice stand-in listing ``outputs`` (and no way to open them)."""

    def query_devices(device: int | None = None, kind: str | None = None) -> Any:
        if kind == "output":
            if not outputs:
                raise FakePortAudioError("Error querying device -1")
            return {**outputs[0], "index": 0}
        return outputs

    return SimpleNamespace(
        query_devices=query_devices,
        query_hostapis=lambda index=None: [{"name": "ALSA"}],
        PortAudioError=FakePortAudioError,
    )


@pytest.fixture
def no_devices(monkeypatch: pytest.MonkeyPatch) -> None:
    """No sound card, as on a headless server (the null sink plays in real time)."""
    monkeypatch.setattr(devices._PortAudio, "module", _fake_portaudio([]))
    monkeypatch.setattr(devices._PortAudio, "error", "")


@pytest.fixture
def speech_events(container: Container) -> Iterator[list[SpeechEvent]]:
    events: list[SpeechEvent] = []
    sub = container.bus.subscribe(SpeechEvent, events.append)
    yield events
    sub.close()


def _window(qtbot, container: Container, runtime: EngineRuntime | None) -> MainWindow:
    window = create_main_window(container, runtime)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def _loaded(qtbot, panel: VoicePanel) -> None:
    qtbot.waitUntil(lambda: panel.session.stack is not None, timeout=15000)


def _type_with_input_method(panel: VoicePanel, text: str) -> None:
    """Type ``text`` the way a Chinese input method commits it (QTest only sends Latin-1 keys)."""
    panel.text_edit.setFocus()
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(panel.text_edit, event)


def _states(events: list[SpeechEvent]) -> list[str]:
    return [e.state for e in events]


def _saved(container: Container) -> dict[str, Any]:
    return tomllib.loads(container.paths.config_file.read_text(encoding="utf-8"))


def test_lists_the_real_voices_by_language(qtbot, container, runtime, gui_loop, no_devices) -> None:
    window = _window(qtbot, container, runtime)
    panel = window.voice_panel
    _loaded(qtbot, panel)
    combo = panel.voice_combo
    ids = combo.voice_ids()
    for voice in ("zh_onnx:databaker-female", "piper:en_US-joe-medium", "kokoro:jf_alpha"):
        assert voice in ids
    assert combo.itemText(0) == "Automatic (by language)"
    assert combo.itemData(0, Qt.ItemDataRole.UserRole) == ""
    assert panel.voice_id() == ""
    texts = [combo.itemText(i) for i in range(combo.count())]
    assert texts.index("Chinese") < texts.index("English") < texts.index("Japanese")
    zh = combo.findData("zh_onnx:databaker-female", Qt.ItemDataRole.UserRole)
    assert texts.index("Chinese") < zh < texts.index("English")
    assert "non-commercial" in combo.itemData(zh, Qt.ItemDataRole.ToolTipRole)
    heading = combo.model().item(texts.index("Chinese"))  # type: ignore[attr-defined]
    assert not heading.isEnabled()

    # The meter polls the playout only while the panel can be seen.
    qtbot.waitUntil(panel._meter_timer.isActive)
    window.docks["voiceDock"].hide()
    assert not panel._meter_timer.isActive()
    window.docks["voiceDock"].show()
    qtbot.waitUntil(panel._meter_timer.isActive)
    window.close()


def test_speak_chinese_finishes_and_the_meter_moves(
    qtbot, container, runtime, gui_loop, no_devices, speech_events
) -> None:
    window = _window(qtbot, container, runtime)
    panel = window.voice_panel
    _loaded(qtbot, panel)
    _type_with_input_method(panel, SHORT_ZH)
    assert panel.text_edit.toPlainText() == SHORT_ZH

    loudest = [0.0]

    def finished() -> bool:
        loudest[0] = max(loudest[0], panel.meter.rms)
        return "finished" in _states(speech_events)

    qtbot.mouseClick(panel.speak_button, Qt.MouseButton.LeftButton)
    assert not panel.speak_button.isEnabled()
    qtbot.waitUntil(finished, timeout=60000)
    assert _states(speech_events) == ["started", "finished"]
    assert speech_events[-1].voices == ("zh_onnx:databaker-female",)
    assert loudest[0] > 0.0
    qtbot.waitUntil(lambda: panel.speech_status.text() == "Finished speaking.")
    qtbot.waitUntil(panel.speak_button.isEnabled)

    # Ctrl+Enter speaks too.
    speech_events.clear()
    qtbot.keyClick(panel.text_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "finished" in _states(speech_events), timeout=30000)
    assert panel.text_edit.toPlainText() == SHORT_ZH  # the shortcut did not type a new line
    window.close()


def test_stop_interrupts_at_once(qtbot, container, runtime, gui_loop, no_devices, speech_events) -> None:
    window = _window(qtbot, container, runtime)
    panel = window.voice_panel
    _loaded(qtbot, panel)
    panel.text_edit.setPlainText(LONG_ZH)
    qtbot.mouseClick(panel.speak_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.meter.peak > 0.0, timeout=60000)  # being heard now
    assert _states(speech_events) == ["started"]
    assert panel.speech_status.text() == "Speaking…"
    assert panel.stop_button.isEnabled()

    stopped = time.monotonic()
    qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "interrupted" in _states(speech_events), timeout=5000)
    assert time.monotonic() - stopped < 1.0
    stack = panel.session.stack
    assert stack is not None
    qtbot.waitUntil(lambda: stack.playout.idle, timeout=1000)
    qtbot.waitUntil(lambda: panel.speech_status.text() == "Interrupted.")
    qtbot.waitUntil(panel.speak_button.isEnabled)
    assert "finished" not in _states(speech_events)
    window.close()


def test_voice_and_prosody_are_saved_to_tts(qtbot, container, runtime, gui_loop, no_devices) -> None:
    window = _window(qtbot, container, runtime)
    panel = window.voice_panel
    _loaded(qtbot, panel)
    panel.speed_slider.setValue(150)
    panel.pitch_slider.setValue(-3)
    panel.volume_slider.setValue(80)
    combo = panel.voice_combo
    combo.setCurrentIndex(combo.findData("piper:en_US-joe-medium", Qt.ItemDataRole.UserRole))
    assert panel._speed_value.text() == "1.50×"
    assert panel._pitch_value.text() == "-3 semitones"
    assert "Licence" in combo.toolTip()
    assert "speed" not in _saved(container).get("tts", {})  # debounced: written a moment later

    qtbot.waitUntil(lambda: _saved(container).get("tts", {}).get("voice") == "piper:en_US-joe-medium")
    tts = _saved(container)["tts"]
    assert (tts["speed"], tts["pitch"], tts["volume"]) == (1.5, -3.0, 0.8)
    assert container.config.tts.speed == 1.5
    assert container.config.tts.voice == "piper:en_US-joe-medium"
    window.close()


def test_without_audio_devices_the_status_says_so(qtbot, container, runtime, gui_loop, no_devices) -> None:
    window = _window(qtbot, container, runtime)
    panel = window.voice_panel
    _loaded(qtbot, panel)
    qtbot.waitUntil(lambda: panel.audio_status.text() == "No audio output device; playing silently")
    assert "no audio output device" in panel.audio_status.toolTip()
    assert [panel.device_combo.itemText(i) for i in range(panel.device_combo.count())] == ["System default"]
    window.close()


def test_output_device_is_saved_and_applied_live(
    qtbot, container, runtime, gui_loop, monkeypatch: pytest.MonkeyPatch
) -> None:
    hda = {"name": "HDA Intel PCH (hw:0,0)", "hostapi": 0, "max_output_channels": 2}
    usb = {"name": "USB Audio Device (hw:1,0)", "hostapi": 0, "max_output_channels": 2}
    monkeypatch.setattr(devices._PortAudio, "module", _fake_portaudio([hda, usb]))
    monkeypatch.setattr(devices._PortAudio, "error", "")
    window = _window(qtbot, container, runtime)
    panel = window.voice_panel
    _loaded(qtbot, panel)
    # The fake devices cannot be opened: the playout says so and keeps playing silently.
    qtbot.waitUntil(lambda: panel.audio_status.text().startswith("Cannot open HDA Intel"))
    combo = panel.device_combo
    assert combo.isEnabled()
    texts = [combo.itemText(i) for i in range(combo.count())]
    assert texts == [
        "System default",
        "HDA Intel PCH (hw:0,0) (ALSA) (default)",
        "USB Audio Device (hw:1,0) (ALSA)",
    ]
    combo.setCurrentIndex(2)
    assert _saved(container)["audio"]["output_device"] == usb["name"]
    assert container.config.audio.output_device == usb["name"]
    qtbot.waitUntil(lambda: panel.audio_status.text().startswith("Cannot open USB Audio"), timeout=5000)
    window.close()


def test_speak_without_engine_reports_through_the_error_path(qtbot, container) -> None:
    window = _window(qtbot, container, None)
    panel = window.voice_panel
    panel.text_edit.setPlainText("hello")
    with qtbot.waitSignal(window.bridge.error) as blocker:
        qtbot.mouseClick(panel.speak_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["voice", "The engine is not running, so nothing can be spoken."]
    assert "not running" in window.notification.message()
    assert panel.speech_status.text() == "The engine is not running."
    window.close()


def test_unknown_saved_voice_is_kept_and_reported(qtbot, container, runtime, gui_loop, no_devices) -> None:
    tts = container.config.tts.model_copy(update={"voice": "piper:nobody"})
    container.config = container.config_store.save_area(container.config, tts)
    window = _window(qtbot, container, runtime)
    panel = window.voice_panel
    with qtbot.waitSignal(window.bridge.error, timeout=15000) as blocker:
        _loaded(qtbot, panel)
    assert "piper:nobody" in blocker.args[1]
    assert panel.voice_id() == "piper:nobody"
    assert panel.voice_combo.currentText() == "piper:nobody (not available)"
    window.close()


def test_panel_follows_the_language(qtbot, container) -> None:
    window = _window(qtbot, container, None)
    panel = window.voice_panel
    window.set_language("zh_CN")
    qtbot.waitUntil(lambda: panel.speak_button.text() == "朗读")
    assert panel.voice_combo.itemText(0) == "自动（按语言）"
    assert panel.stop_button.text() == "停止"
    assert panel.device_combo.itemText(0) == "系统默认"
    assert panel.audio_status.text() == "音频输出：虚拟形象第一次说话时启动。"
    window.set_language("ja")
    qtbot.waitUntil(lambda: panel.speak_button.text() == "読み上げ")
    assert panel.voice_combo.itemText(0) == "自動（言語別）"
    window.set_language("en")
    qtbot.waitUntil(lambda: panel.speak_button.text() == "Speak")
    window.close()


def test_settings_saved_elsewhere_show_in_the_panel(qtbot, container) -> None:
    window = _window(qtbot, container, None)
    panel = window.voice_panel
    tts = container.config.tts.model_copy(update={"speed": 0.8, "pitch": 2.0, "voice": "kokoro:jf_alpha"})
    container.config = container.config_store.save_area(container.config, tts)
    container.bus.publish_threadsafe(ConfigChangedEvent(area="tts"))
    qtbot.waitUntil(lambda: panel.speed_slider.value() == 80)
    assert panel.prosody() == (0.8, 2.0, 1.0)
    assert panel.voice_id() == "kokoro:jf_alpha"
    assert panel._pitch_value.text() == "+2 semitones"
    window.close()
