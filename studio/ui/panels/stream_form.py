"""The Stream panel's settings form: platform preset, server, stream key, size, rate, recording format.

The key field never shows a stored key: it only takes a new one. Saving it goes to the secrets
store (``stream.key``) and the field is cleared; the form then says "saved" without revealing it.
Everything else is ``[stream]`` settings, which the panel saves through the config store.
GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QToolButton,
    QWidget,
)

from studio.broadcast.presets import PRESETS, preset
from studio.config.settings import StreamSettings

RECORD_FORMATS = ("mp4", "mkv", "flv")


def _spin(parent: QWidget, low: int, high: int, step: int, suffix: str = "") -> QSpinBox:
    spin = QSpinBox(parent)
    spin.setRange(low, high)
    spin.setSingleStep(step)
    spin.setKeyboardTracking(False)  # one change per edit, not per digit typed
    if suffix:
        spin.setSuffix(suffix)
    return spin


class StreamForm(QWidget):
    """Preset, server, key and encode settings. GUI thread.

    Signals:
        edited(): a ``[stream]`` setting was changed by the user (save it).
        key_save_requested(): the user asked to save the typed stream key.
        key_forget_requested(): the user asked to remove the saved stream key.
    """

    edited = Signal()
    key_save_requested = Signal()
    key_forget_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self._key_saved = False
        self.preset_combo = QComboBox(self)
        self.preset_combo.setObjectName("streamPreset")
        for p in PRESETS.values():
            self.preset_combo.addItem(p.name, p.id)
        self.key_hint = QLabel(self)
        self.key_hint.setObjectName("streamKeyHint")
        self.key_hint.setWordWrap(True)
        self.server_edit = QLineEdit(self)
        self.server_edit.setObjectName("streamServer")
        self.server_edit.setPlaceholderText("rtmp://…")
        self.key_edit = QLineEdit(self)
        self.key_edit.setObjectName("streamKey")
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setClearButtonEnabled(True)
        self.show_key = QToolButton(self)
        self.show_key.setObjectName("streamShowKey")
        self.show_key.setCheckable(True)
        self.save_key_button = QPushButton(self)
        self.save_key_button.setObjectName("streamSaveKey")
        self.forget_key_button = QPushButton(self)
        self.forget_key_button.setObjectName("streamForgetKey")
        self.key_status = QLabel(self)
        self.key_status.setObjectName("streamKeyStatus")
        self.width_spin = _spin(self, 160, 3840, 2)
        self.width_spin.setObjectName("streamWidth")
        self.height_spin = _spin(self, 120, 2160, 2)
        self.height_spin.setObjectName("streamHeight")
        self.fps_spin = _spin(self, 10, 60, 1)
        self.fps_spin.setObjectName("streamFps")
        self.video_kbps = _spin(self, 200, 20000, 100, " kb/s")
        self.video_kbps.setObjectName("streamVideoBitrate")
        self.audio_kbps = _spin(self, 64, 320, 32, " kb/s")
        self.audio_kbps.setObjectName("streamAudioBitrate")
        self.format_combo = QComboBox(self)
        self.format_combo.setObjectName("streamRecordFormat")
        for fmt in RECORD_FORMATS:
            self.format_combo.addItem(fmt.upper(), fmt)
        self.record_with_stream = QCheckBox(self)
        self.record_with_stream.setObjectName("streamRecordWithStream")

        key_row = QHBoxLayout()
        key_row.setContentsMargins(0, 0, 0, 0)
        key_row.addWidget(self.key_edit, 1)
        key_row.addWidget(self.show_key)
        key_row.addWidget(self.save_key_button)
        key_status_row = QHBoxLayout()
        key_status_row.setContentsMargins(0, 0, 0, 0)
        key_status_row.addWidget(self.key_status, 1)
        key_status_row.addWidget(self.forget_key_button)
        size_row = QHBoxLayout()
        size_row.setContentsMargins(0, 0, 0, 0)
        self._times = QLabel("×", self)
        size_row.addWidget(self.width_spin, 1)
        size_row.addWidget(self._times)
        size_row.addWidget(self.height_spin, 1)

        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._row_labels: list[QLabel] = []
        for field in (self.preset_combo, self.server_edit, key_row, key_status_row):
            self._add_row(form, field)
        form.addRow(self.key_hint)
        for field in (size_row, self.fps_spin, self.video_kbps, self.audio_kbps, self.format_combo):
            self._add_row(form, field)
        form.addRow(self.record_with_stream)

        self.preset_combo.activated.connect(self._preset_chosen)
        self.server_edit.editingFinished.connect(self._changed)
        for spin in (self.width_spin, self.height_spin, self.fps_spin, self.video_kbps, self.audio_kbps):
            spin.valueChanged.connect(self._changed)
        self.format_combo.currentIndexChanged.connect(self._changed)
        self.record_with_stream.toggled.connect(self._changed)
        self.show_key.toggled.connect(self._show_key_toggled)
        self.save_key_button.clicked.connect(self.key_save_requested)
        self.key_edit.returnPressed.connect(self.key_save_requested)
        self.key_edit.textChanged.connect(self._render_key)
        self.forget_key_button.clicked.connect(self.key_forget_requested)
        self.retranslate_ui()

    def _add_row(self, form: QFormLayout, field: QWidget | QHBoxLayout) -> None:
        label = QLabel(self)
        if isinstance(field, QWidget):
            label.setBuddy(field)
        elif field.count() and isinstance(widget := field.itemAt(0).widget(), QWidget):
            label.setBuddy(widget)
        form.addRow(label, field)
        self._row_labels.append(label)

    # ---- values ----

    def load(self, settings: StreamSettings) -> None:
        """Show ``settings`` (without emitting :attr:`edited`)."""
        self._loading = True
        try:
            index = self.preset_combo.findData(settings.preset)
            self.preset_combo.setCurrentIndex(max(0, index))
            if self.server_edit.text().strip() != settings.server:
                self.server_edit.setText(settings.server)
            self.width_spin.setValue(settings.width)
            self.height_spin.setValue(settings.height)
            self.fps_spin.setValue(settings.fps)
            self.video_kbps.setValue(settings.video_bitrate_kbps)
            self.audio_kbps.setValue(settings.audio_bitrate_kbps)
            self.format_combo.setCurrentIndex(max(0, self.format_combo.findData(settings.record_format)))
            self.record_with_stream.setChecked(settings.record_with_stream)
        finally:
            self._loading = False
        self._render_hint()

    def values(self) -> dict[str, object]:
        """The ``[stream]`` fields this form edits, as shown."""
        return {
            "preset": self.preset_combo.currentData() or "custom",
            "server": self.server_edit.text().strip(),
            "width": self.width_spin.value(),
            "height": self.height_spin.value(),
            "fps": self.fps_spin.value(),
            "video_bitrate_kbps": self.video_kbps.value(),
            "audio_bitrate_kbps": self.audio_kbps.value(),
            "record_format": self.format_combo.currentData() or "mp4",
            "record_with_stream": self.record_with_stream.isChecked(),
        }

    def choose_preset(self, preset_id: str) -> None:
        """Pick a platform as the user would: fills server, size, fps and bitrates."""
        index = self.preset_combo.findData(preset_id)
        if index >= 0:
            self.preset_combo.setCurrentIndex(index)
            self._preset_chosen(index)

    def typed_key(self) -> str:
        """The key typed and not yet saved (``""``: none)."""
        return self.key_edit.text().strip()

    def set_key_saved(self, saved: bool) -> None:
        """Say whether a stream key is stored (the field is cleared when one was just saved)."""
        self._key_saved = saved
        if saved:
            self.key_edit.clear()
        self._render_key()

    def set_running(self, running: bool) -> None:
        """Size, rate and format cannot change while the encoder runs (they apply next time)."""
        for widget in (self.width_spin, self.height_spin, self.fps_spin, self.video_kbps, self.audio_kbps):
            widget.setEnabled(not running)

    # ---- reactions ----

    def _preset_chosen(self, index: int) -> None:
        p = preset(str(self.preset_combo.itemData(index) or "custom"))
        self._loading = True
        try:
            current = self.server_edit.text().strip()
            known = {q.server for q in PRESETS.values() if q.server}
            if p.server:
                self.server_edit.setText(p.server)
            elif current in known:  # another platform's address: this one gives one per broadcast
                self.server_edit.clear()
            self.width_spin.setValue(p.width)
            self.height_spin.setValue(p.height)
            self.fps_spin.setValue(p.fps)
            self.video_kbps.setValue(p.video_bitrate_kbps)
            self.audio_kbps.setValue(p.audio_bitrate_kbps)
        finally:
            self._loading = False
        self._render_hint()
        self.edited.emit()

    def _changed(self) -> None:
        if not self._loading:
            self.edited.emit()

    def _show_key_toggled(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.key_edit.setEchoMode(mode)
        self.show_key.setText(self.tr("Hide") if shown else self.tr("Show"))

    # ---- texts ----

    def _render_hint(self) -> None:
        p = preset(str(self.preset_combo.currentData() or "custom"))
        self.key_hint.setText(self.tr("Where to find the key: {hint}").format(hint=p.key_hint))
        limit = p.max_video_bitrate_kbps
        self.video_kbps.setToolTip(
            self.tr("Constant video bitrate. {platform} accepts up to {limit} kb/s.").format(
                platform=p.name, limit=limit
            )
        )

    def _render_key(self) -> None:
        if self._key_saved:
            self.key_status.setText(self.tr("✓ A stream key is saved (hidden)."))
            self.key_edit.setPlaceholderText(self.tr("Saved — type a new key to replace it"))
        else:
            self.key_status.setText(self.tr("No stream key saved."))
            self.key_edit.setPlaceholderText(self.tr("Paste your stream key"))
        self.forget_key_button.setVisible(self._key_saved)
        self.save_key_button.setEnabled(bool(self.typed_key()))

    def retranslate_ui(self) -> None:
        """Re-read every text in the current language."""
        texts = (
            self.tr("&Platform"),
            self.tr("Se&rver"),
            self.tr("Stream &key"),
            "",
            self.tr("Si&ze"),
            self.tr("&FPS"),
            self.tr("&Video bitrate"),
            self.tr("&Audio bitrate"),
            self.tr("Recording f&ormat"),
        )
        for label, text in zip(self._row_labels, texts, strict=True):
            label.setText(text)
        self.preset_combo.setItemText(self.preset_combo.findData("custom"), self.tr("Custom RTMP server"))
        self.server_edit.setToolTip(
            self.tr("The RTMP or RTMPS ingest address of your platform, without the stream key.")
        )
        self.key_edit.setToolTip(
            self.tr("Kept in the system keyring (or an encrypted file), never in the config file or logs.")
        )
        self.show_key.setText(self.tr("Hide") if self.show_key.isChecked() else self.tr("Show"))
        self.show_key.setToolTip(self.tr("Show or hide what you typed (a saved key is never shown)."))
        self.save_key_button.setText(self.tr("Save key"))
        self.forget_key_button.setText(self.tr("Forget key"))
        self.record_with_stream.setText(self.tr("Record whenever I go live"))
        self._render_hint()
        self._render_key()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
