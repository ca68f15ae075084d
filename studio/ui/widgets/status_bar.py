"""The status bar: engine state, API address and stream state, always visible."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget


class StudioStatusBar(QStatusBar):
    """Three permanent labels plus the usual temporary messages. GUI thread.

    Args:
        parent: Qt parent.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.engine_label = QLabel(self)
        self.engine_label.setObjectName("engineStatus")
        self.api_label = QLabel(self)
        self.api_label.setObjectName("apiStatus")
        self.stream_label = QLabel(self)
        self.stream_label.setObjectName("streamStatus")
        for label in (self.engine_label, self.api_label, self.stream_label):
            self.addPermanentWidget(label)
        self._engine = ("stopped", "")
        self._api = ("stopped", "", "")
        self._stream = ("offline", "")
        self.retranslate_ui()

    def set_engine_state(self, state: str, detail: str = "") -> None:
        """Show the engine runtime's state."""
        self._engine = (state, detail)
        self._render_engine()

    def set_api_state(self, state: str, url: str = "", detail: str = "") -> None:
        """Show the API: its URL while ``listening``, else off or failed with the reason."""
        self._api = (state, url, detail)
        self._render_api()

    def set_stream_state(self, state: str, detail: str = "") -> None:
        """Show the broadcast state."""
        self._stream = (state, detail)
        self._render_stream()

    @property
    def stream_state(self) -> str:
        """The broadcast state shown now."""
        return self._stream[0]

    def _engine_names(self) -> dict[str, str]:
        return {
            "starting": self.tr("Starting"),
            "running": self.tr("Running"),
            "stopping": self.tr("Stopping"),
            "stopped": self.tr("Stopped"),
            "failed": self.tr("Failed"),
        }

    def _stream_names(self) -> dict[str, str]:
        return {
            "offline": self.tr("Offline"),
            "connecting": self.tr("Connecting"),
            "live": self.tr("Live"),
            "reconnecting": self.tr("Reconnecting"),
            "failed": self.tr("Failed"),
        }

    def _render_engine(self) -> None:
        state, detail = self._engine
        name = self._engine_names().get(state, state)
        self.engine_label.setText(self.tr("Engine: {state}").format(state=name))
        self.engine_label.setToolTip(detail)

    def _render_api(self) -> None:
        state, url, detail = self._api
        if state == "listening" and url:
            text = self.tr("API: {url}").format(url=url)
        elif state == "failed":
            # The label keeps to the first sentence; the tooltip has all of it.
            reason = detail.split(". ", 1)[0].rstrip(".") if detail else self.tr("unknown error")
            text = self.tr("API failed: {reason}").format(reason=reason)
        else:
            text = self.tr("API off")
        self.api_label.setText(text)
        self.api_label.setToolTip(detail)

    def _render_stream(self) -> None:
        state, detail = self._stream
        self.stream_label.setText(self._stream_names().get(state, state))
        self.stream_label.setToolTip(detail)

    def retranslate_ui(self) -> None:
        """Re-read the texts in the current language."""
        self._render_engine()
        self._render_api()
        self._render_stream()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
