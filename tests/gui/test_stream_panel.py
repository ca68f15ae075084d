"""The Stream panel: presets, the stream key in the secrets store only, errors, a real recording."""

from __future__ import annotations

import json
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from studio.app.container import Container
from studio.app.runtime import EngineRuntime
from studio.broadcast.presets import PRESETS
from studio.testing.rtmp import NginxRtmpServer, require_rtmp_tools
from studio.ui.gui_main import create_main_window
from studio.ui.main_window import MainWindow
from studio.ui.panels.stream_panel import StreamPanel

pytestmark = pytest.mark.gui

KEY = "secretkey123-Do-Not-Leak"


@pytest.fixture(autouse=True)
def no_quit_question(container: Container) -> None:
    """A test failing while live must not hang on the modal "Quit while live?" at teardown."""
    ui = container.config.ui.model_copy(update={"confirm_on_quit_while_live": False})
    container.config = container.config.model_copy(update={"ui": ui})


def _window(qtbot, container: Container, runtime: EngineRuntime | None) -> MainWindow:
    window = create_main_window(container, runtime)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def _saved(container: Container) -> dict[str, Any]:
    return tomllib.loads(container.paths.config_file.read_text(encoding="utf-8"))


def _small(panel: StreamPanel) -> None:
    """A tiny, fast encode for these 2 cores: 320x180 at 15 fps."""
    form = panel.form
    form.width_spin.setValue(320)
    form.height_spin.setValue(180)
    form.fps_spin.setValue(15)
    form.video_kbps.setValue(300)


def test_preset_fills_the_fields_and_is_saved(qtbot, container) -> None:
    window = _window(qtbot, container, None)
    panel = window.stream_panel
    form = panel.form
    assert form.server_edit.text() == ""
    form.choose_preset("bilibili")
    bili = PRESETS["bilibili"]
    assert form.server_edit.text() == bili.server
    assert (form.width_spin.value(), form.height_spin.value()) == (bili.width, bili.height)
    assert form.fps_spin.value() == bili.fps
    assert form.video_kbps.value() == bili.video_bitrate_kbps
    assert form.audio_kbps.value() == bili.audio_bitrate_kbps
    assert "串流密钥" in form.key_hint.text()
    qtbot.waitUntil(lambda: _saved(container).get("stream", {}).get("preset") == "bilibili")
    stream = _saved(container)["stream"]
    assert stream["server"] == bili.server
    assert stream["width"] == 1920
    assert container.config.stream.video_bitrate_kbps == bili.video_bitrate_kbps

    # A platform without a fixed address clears another platform's address, keeps a typed one.
    form.choose_preset("douyin")
    assert form.server_edit.text() == ""
    form.server_edit.setText("rtmp://push.example.com/live/")
    form.choose_preset("kuaishou")
    assert form.server_edit.text() == "rtmp://push.example.com/live/"
    assert form.width_spin.value() == PRESETS["kuaishou"].width

    # Settings saved elsewhere (the settings dialog) show in the panel.
    qtbot.waitUntil(lambda: _saved(container)["stream"]["preset"] == "kuaishou")
    stream_settings = container.config.stream.model_copy(update={"server": "rtmp://other/app/", "fps": 25})
    container.config = container.config_store.save_area(container.config, stream_settings)
    window.bridge.config_changed.emit("stream")
    assert form.server_edit.text() == "rtmp://other/app/"
    assert form.fps_spin.value() == 25
    window.close()


def test_key_goes_to_the_secrets_store_only(qtbot, container, gui_loop) -> None:
    window = _window(qtbot, container, None)
    form = window.stream_panel.form
    qtbot.waitUntil(lambda: form.key_status.text() == "No stream key saved.")
    assert not form.save_key_button.isEnabled()
    assert form.key_edit.echoMode() == QLineEdit.EchoMode.Password
    form.key_edit.setText(KEY)
    qtbot.mouseClick(form.show_key, Qt.MouseButton.LeftButton)
    assert form.key_edit.echoMode() == QLineEdit.EchoMode.Normal
    assert form.show_key.text() == "Hide"
    qtbot.mouseClick(form.show_key, Qt.MouseButton.LeftButton)
    assert form.key_edit.echoMode() == QLineEdit.EchoMode.Password

    qtbot.mouseClick(form.save_key_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: form.key_status.text() == "✓ A stream key is saved (hidden).")
    assert form.key_edit.text() == ""  # never shown again
    assert form.forget_key_button.isVisible()
    assert container.secrets.get("stream.key") == KEY
    window.stream_panel.save_settings()
    window.close()

    files = [container.paths.config_file, *container.paths.log_dir.rglob("*")]
    for path in files:
        if path.is_file():
            assert KEY not in path.read_text(encoding="utf-8", errors="replace"), path

    # A new window knows a key is saved without showing it; Forget removes it.
    window = _window(qtbot, container, None)
    form = window.stream_panel.form
    qtbot.waitUntil(lambda: form.key_status.text() == "✓ A stream key is saved (hidden).")
    assert form.key_edit.text() == ""
    qtbot.mouseClick(form.forget_key_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: form.key_status.text() == "No stream key saved.")
    assert container.secrets.get("stream.key") is None
    window.close()


def test_go_live_without_a_server_says_what_to_do(qtbot, container, runtime, gui_loop) -> None:
    window = _window(qtbot, container, runtime)
    panel = window.stream_panel
    with qtbot.waitSignal(window.bridge.error) as blocker:
        qtbot.mouseClick(panel.go_live_button, Qt.MouseButton.LeftButton)
    source, message = blocker.args
    assert source == "stream"
    assert "RTMP server URL" in message
    assert panel.error_text() == message
    assert window.notification.isVisible()
    assert panel.go_live_button.text() == "Go live"
    assert runtime.current_broadcast is None  # nothing was started

    # A malformed server is refused by the engine with its reason, through the same path.
    panel.form.server_edit.setText("http://example.com/live")
    with qtbot.waitSignal(window.bridge.error, timeout=60000) as blocker:
        qtbot.mouseClick(panel.go_live_button, Qt.MouseButton.LeftButton)
    assert "rtmp://" in blocker.args[1]
    qtbot.waitUntil(panel.go_live_button.isEnabled, timeout=10000)
    assert panel.go_live_button.text() == "Go live"
    assert not panel.session.active
    window.close()


def test_record_only_writes_a_file_and_the_stats_move(
    qtbot, container, runtime, gui_loop, no_devices
) -> None:
    window = _window(qtbot, container, runtime)
    panel = window.stream_panel
    _small(panel)
    panel.form.format_combo.setCurrentIndex(panel.form.format_combo.findData("mkv"))
    qtbot.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.session.recording, timeout=60000)
    assert container.config.stream.width == 320  # saved before starting
    path = panel.session.recording_path
    assert path is not None and path.suffix == ".mkv"
    assert panel.record_button.text() == "Stop recording"
    assert "Recording to" in panel.status_label.text()

    values = panel.stats_view.values
    qtbot.waitUntil(lambda: panel.session.stats.encoder.frames_encoded >= 30, timeout=30000)
    qtbot.waitUntil(lambda: values["fps"].text().endswith("/ 15"), timeout=5000)
    assert "Recording" in values["outputs"].text()
    qtbot.waitUntil(lambda: values["sent"].text() not in ("0 B", ""), timeout=5000)
    assert values["duration"].text().startswith("0:00:")
    assert values["drift"].text().endswith("ms")
    # A recording alone is not "live": the status bar (and the quit question) only count RTMP outputs.
    assert window.status.stream_state != "live"

    qtbot.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.session.active and not panel.session.busy, timeout=30000)
    assert panel.record_button.text() == "Record"
    assert panel.go_live_button.text() == "Go live"
    assert values["outputs"].text() == "Nothing is running."
    assert panel.form.width_spin.isEnabled()
    assert path.is_file() and path.stat().st_size > 1000
    _check_media(path, 320, 180)
    window.close()


def test_go_live_to_a_real_server_reconnects_and_stops(
    qtbot, container, runtime, gui_loop, no_devices, tmp_path
) -> None:
    require_rtmp_tools()
    with NginxRtmpServer(tmp_path / "nginx") as server:
        window = _window(qtbot, container, runtime)
        panel = window.stream_panel
        _small(panel)
        panel.form.server_edit.setText(server.url)
        panel.form.key_edit.setText(KEY)  # typed, not saved: Go live saves it first
        qtbot.mouseClick(panel.go_live_button, Qt.MouseButton.LeftButton)
        outputs = panel.stats_view.values["outputs"]
        qtbot.waitUntil(lambda: outputs.text().startswith("Stream: Live"), timeout=60000)
        assert container.secrets.get("stream.key") == KEY
        assert KEY not in outputs.text() and "/live/***" in outputs.text()
        assert panel.go_live_button.text() == "Stop stream"
        qtbot.waitUntil(lambda: window.status.stream_state == "live")  # the bus event follows
        assert not panel.form.width_spin.isEnabled()  # the encode size is fixed while it runs
        qtbot.waitUntil(lambda: server.publishers() == [KEY], timeout=10000)
        values = panel.stats_view.values
        qtbot.waitUntil(lambda: values["sent"].text() not in ("0 B", ""), timeout=10000)
        assert values["bitrate"].text() != "0 kb/s"

        server.stop()  # the connection is lost: the panel says so and the output retries
        qtbot.waitUntil(lambda: "Reconnecting" in outputs.text(), timeout=30000)
        qtbot.waitUntil(lambda: window.status.stream_state == "reconnecting")
        server.start()
        qtbot.waitUntil(lambda: outputs.text().startswith("Stream: Live"), timeout=40000)

        qtbot.mouseClick(panel.go_live_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not panel.session.active and not panel.session.busy, timeout=30000)
        assert panel.go_live_button.text() == "Go live"
        assert outputs.text() == "Nothing is running."
        qtbot.waitUntil(lambda: window.status.stream_state == "offline")
        window.close()
    for path in [container.paths.config_file, *container.paths.log_dir.rglob("*")]:
        if path.is_file():
            assert KEY not in path.read_text(encoding="utf-8", errors="replace"), path


def test_extra_output_shares_the_encode(qtbot, container, runtime, gui_loop, no_devices, tmp_path) -> None:
    require_rtmp_tools()
    other_key = "otherkey456-Do-Not-Leak"
    with NginxRtmpServer(tmp_path / "nginx") as server:
        window = _window(qtbot, container, runtime)
        panel = window.stream_panel
        _small(panel)
        panel.form.server_edit.setText(server.url)
        panel.form.key_edit.setText(KEY)
        row = panel.outputs.add_output()
        row.id_edit.setText("second")
        row.server_edit.setText(server.url)
        row.key_edit.setText(other_key)
        row.key_edit.editingFinished.emit()
        qtbot.waitUntil(lambda: container.secrets.get("stream.key.second") == other_key)
        qtbot.waitUntil(lambda: row.key_edit.text() == "")
        assert "saved" in row.key_edit.placeholderText()
        qtbot.mouseClick(panel.go_live_button, Qt.MouseButton.LeftButton)
        outputs = panel.stats_view.values["outputs"]
        qtbot.waitUntil(lambda: outputs.text().count(": Live") == 2, timeout=60000)
        assert "second: Live" in outputs.text()
        qtbot.waitUntil(lambda: sorted(server.publishers()) == sorted([KEY, other_key]), timeout=10000)
        saved = _saved(container)["stream"]["extra_outputs"]
        assert saved == [{"id": "second", "preset": "custom", "server": server.url, "enabled": True}]
        qtbot.mouseClick(panel.go_live_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not panel.session.active and not panel.session.busy, timeout=30000)

        # Removing the output forgets its key.
        qtbot.mouseClick(row.remove_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: container.secrets.get("stream.key.second") is None)
        qtbot.waitUntil(lambda: _saved(container)["stream"].get("extra_outputs", []) == [])
        window.close()
    assert other_key not in container.paths.config_file.read_text(encoding="utf-8")


HARU = Path("/work/shared/live2d/Haru")


@pytest.mark.skipif(not (HARU / "Haru.model3.json").is_file(), reason="the Live2D test model Haru is absent")
def test_live2d_is_lent_to_the_broadcast_and_previewed(
    qtbot, container, runtime, gui_loop, no_devices
) -> None:
    from studio.app.avatar import open_library

    haru = open_library(container.paths, container.db).import_model(HARU).avatar
    area = container.config.avatar.model_copy(update={"current": haru.id})
    container.config = container.config_store.save_area(container.config, area)
    window = _window(qtbot, container, runtime)
    view = window.stage.view
    qtbot.waitUntil(lambda: type(view.renderer).__name__ == "Live2DRenderer", timeout=60000)
    panel = window.stream_panel
    _small(panel)
    qtbot.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.session.recording, timeout=60000)
    assert window.scene.live2d_lent
    qtbot.waitUntil(lambda: view.renderer is None)  # the on-screen view gave the model away
    qtbot.waitUntil(lambda: panel.preview.frames_shown >= 3, timeout=30000)
    assert not panel.preview.isHidden()
    assert not panel.preview.pixmap().isNull()
    qtbot.waitUntil(lambda: panel.session.stats.encoder.frames_encoded >= 15, timeout=30000)
    start = view.frames
    qtbot.waitUntil(lambda: view.frames > start + 2)
    assert view.renderer is None and view.error == ""

    qtbot.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.session.active and not panel.session.busy, timeout=30000)
    assert not window.scene.live2d_lent
    assert panel.preview.isHidden()
    qtbot.waitUntil(lambda: type(view.renderer).__name__ == "Live2DRenderer", timeout=10000)
    path = next((container.paths.data_dir / "recordings").glob("cream-*"))
    _check_media(path, 320, 180)
    window.close()


def _check_media(path: Path, width: int, height: int) -> None:
    if shutil.which("ffprobe") is None:
        pytest.skip("ffprobe is not installed (apt-get install ffmpeg) to check the recording")
    probe = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-show_entries",
            "stream=codec_name,width,height",
            "-of",
            "json",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    streams = json.loads(probe.stdout)["streams"]
    codecs = {s["codec_name"] for s in streams}
    assert codecs == {"h264", "aac"}
    video = next(s for s in streams if s["codec_name"] == "h264")
    assert (video["width"], video["height"]) == (width, height)


def test_panel_follows_the_language(qtbot, container) -> None:
    window = _window(qtbot, container, None)
    panel = window.stream_panel
    window.set_language("zh_CN")
    qtbot.waitUntil(lambda: panel.go_live_button.text() == "开始直播")
    assert panel.record_button.text() == "录制"
    assert panel.form.save_key_button.text() == "保存密钥"
    assert panel.form.show_key.text() == "显示"
    assert panel.stats_view._labels["dropped"].text() == "丢帧（网络）"
    assert panel.stats_view.values["outputs"].text() == "当前没有直播或录制。"
    assert (
        panel.form.preset_combo.itemText(panel.form.preset_combo.findData("custom")) == "自定义 RTMP 服务器"
    )
    window.set_language("ja")
    qtbot.waitUntil(lambda: panel.go_live_button.text() == "配信開始")
    assert panel.stats_view._labels["skipped"].text() == "スキップ（エンコーダー）"
    window.set_language("en")
    qtbot.waitUntil(lambda: panel.go_live_button.text() == "Go live")
    window.close()
