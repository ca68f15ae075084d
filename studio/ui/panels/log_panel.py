"""The Log dock: the in-memory log tail, live, plus every error shown to the user."""

from __future__ import annotations

import html
import time

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from studio.core.logging import LogEntry

MAX_LINES = 2000
# (on a light background, on a dark one)
_LEVEL_COLOURS = {
    "WARNING": ("#b06d12", "#e6b45e"),
    "ERROR": ("#c0503c", "#f08a72"),
    "CRITICAL": ("#c0503c", "#f08a72"),
}


class LogPanel(QWidget):
    """Shows log lines as they arrive, bounded to :data:`MAX_LINES`. GUI thread.

    Feed it :meth:`load` once (the tail so far) and then :meth:`append_entry` for each new entry.
    Entries that arrive twice (queued before the snapshot was taken) are skipped.

    Args:
        parent: Qt parent.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._view = QPlainTextEdit(self)
        self._view.setObjectName("logView")
        self._view.setReadOnly(True)
        self._view.setMaximumBlockCount(MAX_LINES)
        self._view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self._view.setUndoRedoEnabled(False)
        self._follow = QCheckBox(self)
        self._follow.setChecked(True)
        self._clear = QPushButton(self)
        self._clear.clicked.connect(self._view.clear)
        self._count = QLabel(self)
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self._follow)
        bar.addStretch(1)
        bar.addWidget(self._count)
        bar.addWidget(self._clear)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self._view, 1)
        layout.addLayout(bar)
        self._pending_duplicates: set[LogEntry] = set()
        self._errors = 0
        self.retranslate_ui()

    @property
    def view(self) -> QPlainTextEdit:
        """The text view (read-only)."""
        return self._view

    def text(self) -> str:
        """Everything shown, as plain text."""
        return self._view.toPlainText()

    def load(self, entries: list[LogEntry]) -> None:
        """Show the tail so far (call once, after connecting to new entries)."""
        for entry in entries:
            self._append(entry.created, entry.level, f"{entry.logger}: {entry.message}")
        self._pending_duplicates = set(entries)

    def append_entry(self, entry: LogEntry) -> None:
        """Show one new log entry."""
        if self._pending_duplicates:
            if entry in self._pending_duplicates:
                self._pending_duplicates.discard(entry)
                return
            # Queued entries arrive in order: once one is new, all later ones are new too.
            self._pending_duplicates.clear()
        self._append(entry.created, entry.level, f"{entry.logger}: {entry.message}")

    def append_error(self, source: str, message: str) -> None:
        """Show an error that was reported to the user."""
        self._errors += 1
        self._append(time.time(), "ERROR", f"[{source}] {message}", bold=True)
        self._update_count()

    def _append(self, created: float, level: str, text: str, *, bold: bool = False) -> None:
        stamp = time.strftime("%H:%M:%S", time.localtime(created))
        text_colour = self.palette().color(QPalette.ColorRole.Text)
        on_dark = text_colour.lightness() > 128
        pair = _LEVEL_COLOURS.get(level, (text_colour.name(), text_colour.name()))
        colour = pair[1] if on_dark else pair[0]
        weight = "font-weight:600;" if bold else ""
        line = html.escape(f"{stamp} {level:<7} {text}").replace("  ", " &nbsp;")
        self._view.appendHtml(f'<span style="color:{colour};{weight}">{line}</span>')
        if self._follow.isChecked():
            bar = self._view.verticalScrollBar()
            bar.setValue(bar.maximum())

    def _update_count(self) -> None:
        self._count.setText(self.tr("%n error(s)", "", self._errors) if self._errors else "")

    def retranslate_ui(self) -> None:
        """Re-read the texts in the current language."""
        self._follow.setText(self.tr("Follow new lines"))
        self._clear.setText(self.tr("Clear"))
        self._clear.setToolTip(self.tr("Clear the view (the log file keeps everything)."))
        self._view.setPlaceholderText(self.tr("No log lines yet."))
        self._count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._update_count()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
