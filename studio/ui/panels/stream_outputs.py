"""Extra RTMP outputs sharing the one encode (e.g. Bilibili + YouTube at once).

Each row is an ``[stream] extra_outputs`` entry: id, preset, server, enabled. Its key goes to the
secrets store as ``stream.key.<id>`` (the panel saves it; the row only takes it and then says
"saved" without showing it). GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from studio.broadcast.presets import PRESETS, preset
from studio.config.settings import ExtraOutputSettings


class OutputRow(QWidget):
    """One extra output. GUI thread.

    Signals:
        edited(): a setting changed.
        key_entered(output_id, key): a key was typed and confirmed (Enter or leaving the field).
        remove_requested(row): the remove button was pressed.
    """

    edited = Signal()
    key_entered = Signal(str, str)
    remove_requested = Signal(object)

    def __init__(self, output: ExtraOutputSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.enabled = QCheckBox(self)
        self.enabled.setChecked(output.enabled)
        self.id_edit = QLineEdit(output.id, self)
        self.preset_combo = QComboBox(self)
        for p in PRESETS.values():
            self.preset_combo.addItem(p.name, p.id)
        self.preset_combo.setCurrentIndex(max(0, self.preset_combo.findData(output.preset)))
        self.server_edit = QLineEdit(output.server, self)
        self.server_edit.setPlaceholderText("rtmp://…")
        self.key_edit = QLineEdit(self)
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.remove_button = QPushButton(self)
        self.key_saved = False
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 4, 0, 4)
        grid.addWidget(self.enabled, 0, 0)
        grid.addWidget(self.id_edit, 0, 1)
        grid.addWidget(self.preset_combo, 0, 2)
        grid.addWidget(self.remove_button, 0, 3)
        grid.addWidget(self.server_edit, 1, 1, 1, 2)
        grid.addWidget(self.key_edit, 2, 1, 1, 2)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        self.enabled.toggled.connect(self.edited)
        self.id_edit.editingFinished.connect(self.edited)
        self.server_edit.editingFinished.connect(self.edited)
        self.preset_combo.activated.connect(self._preset_chosen)
        self.key_edit.editingFinished.connect(self._key_done)
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))
        self.retranslate_ui()

    @property
    def output_id(self) -> str:
        """The output id as typed."""
        return self.id_edit.text().strip()

    def value(self) -> dict[str, object]:
        """The row as ``ExtraOutputSettings`` fields."""
        return {
            "id": self.output_id,
            "preset": self.preset_combo.currentData() or "custom",
            "server": self.server_edit.text().strip(),
            "enabled": self.enabled.isChecked(),
        }

    def set_key_saved(self, saved: bool) -> None:
        """Say whether this output's key is stored (clears a just-saved key from the field)."""
        self.key_saved = saved
        if saved:
            self.key_edit.clear()
        self.retranslate_ui()

    def _preset_chosen(self, index: int) -> None:
        p = preset(str(self.preset_combo.itemData(index) or "custom"))
        if p.server:
            self.server_edit.setText(p.server)
        self.edited.emit()

    def _key_done(self) -> None:
        key = self.key_edit.text().strip()
        if key and self.output_id:
            self.key_entered.emit(self.output_id, key)

    def retranslate_ui(self) -> None:
        """Re-read every text in the current language."""
        self.enabled.setToolTip(self.tr("Stream to this output too when going live."))
        self.id_edit.setPlaceholderText(self.tr("id, e.g. youtube"))
        self.remove_button.setText(self.tr("Remove"))
        self.key_edit.setPlaceholderText(
            self.tr("Key saved (hidden) — type to replace") if self.key_saved else self.tr("Stream key")
        )

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


class StreamOutputsEditor(QWidget):
    """The list of extra outputs with an Add button. GUI thread.

    Signals:
        edited(): the list or a row changed (save ``extra_outputs``).
        key_entered(output_id, key): store this key as ``stream.key.<id>``.
        removed(output_id): a row was removed (forget its key).
    """

    edited = Signal()
    key_entered = Signal(str, str)
    removed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("streamOutputs")
        self.rows: list[OutputRow] = []
        self.heading = QLabel(self)
        self.add_button = QPushButton(self)
        self.add_button.setObjectName("streamAddOutput")
        self._rows_box = QVBoxLayout()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addLayout(self._rows_box)
        layout.addWidget(self.add_button)
        self.add_button.clicked.connect(self.add_output)
        self.retranslate_ui()

    def load(self, outputs: list[ExtraOutputSettings]) -> None:
        """Show ``outputs`` (without emitting :attr:`edited`)."""
        if [r.value() for r in self.rows] == [o.model_dump() for o in outputs]:
            return
        for row in self.rows:
            row.setParent(None)
            row.deleteLater()
        self.rows = []
        for output in outputs:
            self._append(output)

    def values(self) -> list[dict[str, object]]:
        """Every row's fields."""
        return [row.value() for row in self.rows]

    def add_output(self) -> OutputRow:
        """Add an empty row with a free id."""
        taken = {row.output_id for row in self.rows}
        n = len(self.rows) + 1
        while f"output{n}" in taken:
            n += 1
        row = self._append(ExtraOutputSettings(id=f"output{n}"))
        self.edited.emit()
        return row

    def row(self, output_id: str) -> OutputRow | None:
        """The row of ``output_id``."""
        return next((r for r in self.rows if r.output_id == output_id), None)

    def _append(self, output: ExtraOutputSettings) -> OutputRow:
        row = OutputRow(output, self)
        row.edited.connect(self.edited)
        row.key_entered.connect(self.key_entered)
        row.remove_requested.connect(self._remove)
        self._rows_box.addWidget(row)
        self.rows.append(row)
        return row

    def _remove(self, row: OutputRow) -> None:
        if row in self.rows:
            self.rows.remove(row)
            output_id = row.output_id
            row.setParent(None)
            row.deleteLater()
            self.removed.emit(output_id)
            self.edited.emit()

    def retranslate_ui(self) -> None:
        """Re-read every text in the current language."""
        self.heading.setText(self.tr("More outputs (same picture and sound, e.g. Bilibili + YouTube):"))
        self.add_button.setText(self.tr("Add output"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
