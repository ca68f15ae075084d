"""A panel that says what a later feature will put in its place.

It offers no fake controls: only a heading and a short description, both translatable. Subclasses
return their texts from :meth:`PlaceholderPanel.texts`, calling ``self.tr`` in the subclass itself
(Qt looks translations up under the class that calls ``tr``).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class PlaceholderPanel(QWidget):
    """Heading plus description, centred. GUI thread.

    Args:
        parent: Qt parent.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._heading = QLabel(self)
        self._heading.setObjectName("panelHeading")
        self._heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._heading.setWordWrap(True)
        self._description = QLabel(self)
        self._description.setObjectName("panelDescription")
        self._description.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._description.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.addStretch(1)
        layout.addWidget(self._heading)
        layout.addSpacing(6)
        layout.addWidget(self._description)
        layout.addStretch(2)
        self.retranslate_ui()

    def texts(self) -> tuple[str, str]:
        """The translated heading and description (overridden by each panel)."""
        return ("", "")

    def heading(self) -> str:
        """The heading as shown."""
        return self._heading.text()

    def description(self) -> str:
        """The description as shown."""
        return self._description.text()

    def retranslate_ui(self) -> None:
        """Re-read the texts in the current language."""
        heading, description = self.texts()
        self._heading.setText(heading)
        self._description.setText(description)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
