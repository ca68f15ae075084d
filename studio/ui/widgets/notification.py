"""A small non-modal notification in the corner of the main window (used for errors)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

HIDE_AFTER_MS = 8000
_MARGIN = 12


class Notification(QFrame):
    """Shows the latest message over the bottom-right corner of its parent. GUI thread.

    It never takes focus or blocks input, hides itself after a few seconds, and follows the
    parent when it is resized.

    Args:
        parent: The window to float over.
    """

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("errorNotification")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._title = QLabel(self)
        font = self._title.font()
        font.setBold(True)
        self._title.setFont(font)
        self._message = QLabel(self)
        self._message.setWordWrap(True)
        self._close = QToolButton(self)
        self._close.setText("×")
        self._close.clicked.connect(self.hide)
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self._title, 1)
        head.addWidget(self._close)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 10)
        layout.addLayout(head)
        layout.addWidget(self._message)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self._source = ""
        parent.installEventFilter(self)
        self.hide()
        self.retranslate_ui()

    def show_message(self, source: str, message: str) -> None:
        """Show ``message`` (from ``source``), replacing any earlier one."""
        self._source = source
        self._render_title()
        self._message.setText(message)
        self._place()
        self.show()
        self.raise_()
        self._timer.start(HIDE_AFTER_MS)

    def message(self) -> str:
        """The message shown (or last shown)."""
        return self._message.text()

    def _render_title(self) -> None:
        if self._source:
            self._title.setText(self.tr("Problem in {source}").format(source=self._source))
        else:
            self._title.setText(self.tr("Problem"))

    def _place(self) -> None:
        parent = self.parentWidget()
        if parent is None:
            return
        width = min(420, max(240, parent.width() // 3))
        self.setFixedWidth(width)
        self.adjustSize()
        bottom = parent.height() - _MARGIN
        status = getattr(parent, "statusBar", None)
        if callable(status):
            bottom -= status().height()
        self.move(parent.width() - width - _MARGIN, max(_MARGIN, bottom - self.height()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return super().eventFilter(watched, event)

    def retranslate_ui(self) -> None:
        """Re-read the texts in the current language."""
        self._close.setToolTip(self.tr("Dismiss"))
        self._render_title()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
