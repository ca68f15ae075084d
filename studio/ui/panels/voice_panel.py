"""Voice: pick the avatar's voice, tune speed, pitch and volume, try it out, choose the speaker.

Tabs *Voice* (here), *Models*, *Speakers* (``voice_models_page``, ``voice_speakers_page``). Engine
work goes through ``VoiceSession`` / ``VoiceLibrarySession`` (engine loop via the bridge); this
module is the view: controls, saving ``[tts]`` / ``[audio]``, level meter, status.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSlider,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from studio.ui.panels.voice_library_session import VoiceLibrarySession, save_area
from studio.ui.panels.voice_models_page import VoiceModelsPage
from studio.ui.panels.voice_session import Prosody, VoiceSession
from studio.ui.panels.voice_speakers_page import CloneSpeakerCombo, VoiceSpeakersPage
from studio.ui.widgets.level_meter import LevelMeter
from studio.ui.widgets.voice_combos import DeviceCombo, VoiceCombo

if TYPE_CHECKING:
    from studio.app.container import Container
    from studio.ui.bridge import EngineBridge

SAVE_DELAY_MS = 400
METER_INTERVAL_MS = 50


class _SpeakText(QPlainTextEdit):
    """The text box: a few lines tall by default (buttons stay in a short dock); Ctrl+Enter submits."""

    submitted = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
        if ctrl and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.submitted.emit()
            return
        super().keyPressEvent(event)

    def sizeHint(self) -> QSize:
        lines = self.fontMetrics().lineSpacing() * 4
        return QSize(super().sizeHint().width(), lines + 2 * self.frameWidth() + 8)


class VoicePanel(QWidget):
    """The avatar's voice and speaker output. GUI thread.

    Args:
        container: Config, its store and the bus (for ``ConfigChangedEvent``).
        bridge: The GUI's only link to the engine.
        parent: Qt parent.
    """

    def __init__(self, container: Container, bridge: EngineBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("voicePanel")
        self.container = container
        self.bridge = bridge
        self.session = VoiceSession(bridge, self)
        self.library = VoiceLibrarySession(container, bridge, self)
        self._speech_state = ("idle", "")
        self._audio_state: tuple[str, str, str] | None = None

        config = container.config
        self.voice_combo = VoiceCombo(config.tts.voice, self)
        self.voice_combo.setObjectName("voiceCombo")
        self.speed_slider, self._speed_value = self._slider(50, 200, 5)
        self.pitch_slider, self._pitch_value = self._slider(-12, 12, 1)
        self.volume_slider, self._volume_value = self._slider(0, 200, 5)
        self.device_combo = DeviceCombo(config.audio.output_device, self)
        self.device_combo.setObjectName("deviceCombo")
        self.device_combo.setEnabled(False)  # until the playout is there to switch
        self.clone_combo = CloneSpeakerCombo(container, bridge, self.library, self)
        self.text_edit = _SpeakText(self)
        self.text_edit.setObjectName("speakText")
        self.text_edit.setTabChangesFocus(True)
        self.speak_button = QPushButton(self)
        self.speak_button.setObjectName("speakButton")
        self.speak_button.setDefault(True)
        self.stop_button = QPushButton(self)
        self.stop_button.setObjectName("stopButton")
        self.meter = LevelMeter(self)
        self.meter.setObjectName("levelMeter")
        self.speech_status = QLabel(self)
        self.speech_status.setObjectName("speechStatus")
        self.audio_status = QLabel(self)
        self.audio_status.setObjectName("audioStatus")
        self.engines_note = QLabel(self)
        self.engines_note.setObjectName("enginesNote")
        for label in (self.speech_status, self.audio_status, self.engines_note):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.engines_note.hide()

        self._form = QFormLayout()
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._row_labels = [QLabel(self) for _ in range(7)]
        rows: list[QWidget | QHBoxLayout] = [
            self.voice_combo,
            self.clone_combo,
            self._pair(self.speed_slider, self._speed_value),
            self._pair(self.pitch_slider, self._pitch_value),
            self._pair(self.volume_slider, self._volume_value),
            self.device_combo,
            self.meter,
        ]
        for label, field in zip(self._row_labels, rows, strict=True):
            self._form.addRow(label, field)
            label.setBuddy(field if isinstance(field, QWidget) else field.itemAt(0).widget())
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.speak_button)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(self._form)
        layout.addWidget(self.engines_note)
        layout.addWidget(self.text_edit, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.speech_status)
        layout.addWidget(self.audio_status)
        scroll = QScrollArea(self)  # a short dock scrolls instead of forcing the window taller
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(content)
        self.models_page = VoiceModelsPage(container, bridge, self.library, self)
        self.speakers_page = VoiceSpeakersPage(container, bridge, self.library, self)
        self.tabs = QTabWidget(self)
        for page in (scroll, self.models_page, self.speakers_page):
            self.tabs.addTab(page, "")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.tabs)

        self._save_timer = QTimer(self, singleShot=True, interval=SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.save_tts)
        self._meter_timer = QTimer(self, interval=METER_INTERVAL_MS)
        self._meter_timer.timeout.connect(self._tick_meter)
        self.text_edit.submitted.connect(self.speak)

        self._show_tts_settings()
        self.voice_combo.currentIndexChanged.connect(lambda _index: self._save_timer.start())
        for slider in (self.speed_slider, self.pitch_slider, self.volume_slider):
            slider.valueChanged.connect(self._on_prosody_changed)
        self.device_combo.currentIndexChanged.connect(self._on_device_changed)
        self.speak_button.clicked.connect(self.speak)
        self.stop_button.clicked.connect(self.stop)
        bridge.config_changed.connect(self._on_config_changed)
        self.session.loaded.connect(self._on_loaded)
        self.session.speech_state.connect(self._set_speech)
        self.session.audio_state.connect(self._on_audio_state)
        self.session.busy_changed.connect(self._update_buttons)
        self._auto_load_pending = True
        self.retranslate_ui()

    def _slider(self, low: int, high: int, step: int) -> tuple[QSlider, QLabel]:
        slider = QSlider(Qt.Orientation.Horizontal, self)
        slider.setRange(low, high)
        slider.setSingleStep(step)
        slider.setPageStep(step * 4)
        value = QLabel(self)
        value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        value.setMinimumWidth(value.fontMetrics().horizontalAdvance("-12 semitones"))
        return slider, value

    @staticmethod
    def _pair(slider: QSlider, value: QLabel) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(slider, 1)
        row.addWidget(value)
        return row

    # ---- values -----------------------------------------------------------------------------

    def voice_id(self) -> str:
        """The chosen voice id; ``""`` = automatic (the default voice of each language)."""
        return self.voice_combo.voice_id()

    def prosody(self) -> Prosody:
        """Speed, pitch (semitones) and volume as set on the sliders."""
        speed, pitch, volume = (s.value() for s in (self.speed_slider, self.pitch_slider, self.volume_slider))
        return (speed / 100, float(pitch), volume / 100)

    def _show_tts_settings(self) -> None:
        tts = self.container.config.tts
        for slider, value in (
            (self.speed_slider, round(tts.speed * 100)),
            (self.pitch_slider, round(tts.pitch)),
            (self.volume_slider, round(tts.volume * 100)),
        ):
            slider.blockSignals(True)
            slider.setValue(value)
            slider.blockSignals(False)
        self._render_values()

    def _render_values(self) -> None:
        speed, pitch, volume = self.prosody()
        self._speed_value.setText(f"{speed:.2f}×")
        self._pitch_value.setText(self.tr("{value} semitones").format(value=f"{int(pitch):+d}"))
        self._volume_value.setText(f"{round(volume * 100)} %")

    # ---- config -----------------------------------------------------------------------------

    def _on_prosody_changed(self) -> None:
        self._render_values()
        self._save_timer.start()

    def save_tts(self) -> None:
        """Save voice, speed, pitch and volume to ``[tts]`` now (normally debounced)."""
        self._save_timer.stop()
        current = self.container.config.tts
        speed, pitch, volume = self.prosody()
        changes = {"voice": self.voice_id(), "speed": speed, "pitch": pitch, "volume": volume}
        if all(getattr(current, key) == value for key, value in changes.items()):
            return
        save_area(self.container, self.bridge, current.model_copy(update=changes))

    def _on_device_changed(self) -> None:
        device, audio = self.device_combo.device(), self.container.config.audio
        save_area(self.container, self.bridge, audio.model_copy(update={"output_device": device}))
        self.session.set_device(device)

    def _on_config_changed(self, area: str) -> None:
        if area == "tts" and not self._save_timer.isActive():  # pending edits win
            self._show_tts_settings()
            self.voice_combo.select(self.container.config.tts.voice)
        elif area == "audio":
            device = self.container.config.audio.output_device
            if device != self.device_combo.device():
                self.device_combo.select(device)
                self.session.set_device(device)

    # ---- speech -----------------------------------------------------------------------------

    def speak(self) -> None:
        """Speak the text box through the Speaker on the engine loop (Speak button, Ctrl+Enter)."""
        text = self.text_edit.toPlainText().strip()
        if not text:
            self._set_speech("empty")
            return
        self.session.speak(text, self.voice_id(), self.prosody())

    def stop(self) -> None:
        """Barge-in: stop speaking at once (always available)."""
        self.session.stop()

    def _on_loaded(self) -> None:
        session = self.session
        self.voice_combo.set_voices(session.voices)
        self.device_combo.set_devices(session.devices)
        self.device_combo.setEnabled(True)
        saved = self.container.config.tts.voice
        if saved and saved not in self.voice_combo.voice_ids():
            self.bridge.report_error(
                "voice",
                self.tr("The saved voice {voice} is not available. Pick another voice.").format(voice=saved),
            )
        if self.isVisible():
            self._meter_timer.start()
        self._render_status()

    def _on_audio_state(self, state: str, device: str, detail: str) -> None:
        self._audio_state = (state, device, detail)
        self._render_status()

    def _set_speech(self, state: str, detail: str = "") -> None:
        self._speech_state = (state, detail)
        self._render_status()

    def _update_buttons(self) -> None:
        self.speak_button.setEnabled(not self.session.busy)

    def _render_status(self) -> None:
        state, detail = self._speech_state
        texts = {
            "loading": self.tr("Preparing the voices…"),
            "started": self.tr("Speaking…"),
            "finished": self.tr("Finished speaking."),
            "interrupted": self.tr("Interrupted."),
            "failed": self.tr("Could not speak: {detail}").format(detail=detail),
            "no-engine": self.tr("The engine is not running."),
            "empty": self.tr("Type something to say first."),
        }
        self.speech_status.setText(texts.get(state, ""))
        self.speech_status.setVisible(state in texts)
        self.audio_status.setText(self._audio_text())
        self.audio_status.setToolTip(self._audio_state[2] if self._audio_state else "")
        unavailable = self.session.unavailable
        if unavailable:
            reasons = "; ".join(f"{name} ({why})" for name, why in unavailable.items())
            self.engines_note.setText(self.tr("Unavailable voice engines: {reasons}").format(reasons=reasons))
        self.engines_note.setVisible(bool(unavailable))

    def _audio_text(self) -> str:
        if self._audio_state is None:
            return self.tr("Audio output: starts when the avatar first speaks.")
        state, device, detail = self._audio_state
        if state == "playing":
            return self.tr("Playing on {device}").format(device=device)
        if state == "lost":
            return self.tr("Audio device lost: {device}; playing silently").format(device=device)
        if state == "disabled":
            return self.tr("Audio output is off; playing silently")
        if state == "stopped":
            return self.tr("Audio output stopped")
        if detail.startswith("no audio output device"):
            return self.tr("No audio output device; playing silently")
        if detail.startswith("audio device not found"):
            return self.tr("Audio device not found: {device}; playing silently").format(device=device)
        if detail.startswith("cannot open"):
            return self.tr("Cannot open {device}; playing silently").format(device=device)
        if detail.startswith("PortAudio"):
            return self.tr("The sound system (PortAudio) is not available; playing silently")
        return detail

    # ---- meter, visibility, language ----------------------------------------------------------

    def _tick_meter(self) -> None:
        stack = self.session.stack
        if stack is not None:
            levels = stack.playout.levels()
            self.meter.set_levels(levels.peak, levels.rms)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.session.stack is not None:
            self._meter_timer.start()
        if self._auto_load_pending:
            self._auto_load_pending = False
            # Once the event loop runs (the window is shown before qasync starts).
            QTimer.singleShot(0, self, self._auto_load)

    def _auto_load(self) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # no qasync loop (some tests): load on the first Speak instead
            return
        self.library.load()  # speakers, models, microphone: problems show on their tabs
        if self.bridge.engine_running:
            self.session.load()
        else:
            self._set_speech("no-engine")

    def hideEvent(self, event: QHideEvent) -> None:
        self._meter_timer.stop()
        self.meter.reset()
        if self._save_timer.isActive():
            self.save_tts()
        super().hideEvent(event)

    def retranslate_ui(self) -> None:
        """Re-read every text in the current language."""
        for label, text in zip(
            self._row_labels,
            (
                self.tr("&Voice"),
                self.tr("&Clone speaker"),
                self.tr("Speed"),
                self.tr("Pitch"),
                self.tr("Volume"),
                self.tr("&Output"),
                self.tr("Level"),
            ),
            strict=True,
        ):
            label.setText(text)
        self.text_edit.setPlaceholderText(self.tr("Type what the avatar should say (Ctrl+Enter speaks)."))
        self.speak_button.setText(self.tr("Speak"))
        self.speak_button.setToolTip(self.tr("Speak the text with the chosen voice (Ctrl+Enter)."))
        self.stop_button.setText(self.tr("Stop"))
        self.stop_button.setToolTip(self.tr("Stop speaking at once."))
        self.device_combo.setToolTip(
            self.tr("Where the avatar's voice is played. Saved and applied at once.")
        )
        self.meter.setToolTip(self.tr("Speaker level: bar = loudness (RMS), light bar and tick = peak."))
        for index, text in enumerate((self.tr("Voice"), self.tr("Models"), self.tr("Speakers"))):
            self.tabs.setTabText(index, text)
        self._render_values()
        self._render_status()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
