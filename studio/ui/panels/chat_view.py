"""The conversation as a list: the user's and the avatar's messages, a live partial transcript.

Messages come from the stored history and from ``AssistantTurnEvent`` (``started`` adds the user's
message and an empty reply, ``delta`` streams the reply in, ``interrupted`` marks it with what was
heard). A partial transcript shows in grey while the user speaks and goes when the final one is in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QPalette
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QWidget

if TYPE_CHECKING:
    from studio.storage.history_repo import MessageRow

ROLE_ROLE = Qt.ItemDataRole.UserRole
"""Item data: ``user``, ``assistant`` or ``partial``."""


class ChatView(QListWidget):
    """Conversation list. GUI thread.

    Args:
        parent: Qt parent.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setUniformItemSizes(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.assistant_name = ""
        self._replies: dict[str, QListWidgetItem] = {}
        self._partial: QListWidgetItem | None = None

    # ---- content ----------------------------------------------------------------------------

    def set_history(self, rows: list[MessageRow]) -> None:
        """Show the stored conversation (oldest first), replacing what is shown."""
        self.clear()
        self._replies.clear()
        self._partial = None
        for row in rows:
            if row.role == "user":
                self._add("user", row.text)
            elif row.role == "assistant":
                cut = row.heard_text is not None and row.heard_text != row.text
                self._add("assistant", self._reply_text(row.text, row.heard_text if cut else None))
        self.scrollToBottom()

    def on_turn(self, event: Any) -> None:
        """Show an ``AssistantTurnEvent``."""
        turn_id, state = event.turn_id, event.state
        item = self._replies.get(turn_id)
        if state == "started":
            self.clear_partial()
            if event.user_text:
                self._add("user", event.user_text)
            self._replies[turn_id] = self._add("assistant", self._reply_text("…"))
        elif state == "delta" and item is not None:
            item.setText(self._reply_text(event.text))
        elif state == "done" and item is not None:
            item.setText(self._reply_text(event.text or "…"))
            self._replies.pop(turn_id, None)
        elif state == "interrupted" and item is not None:
            item.setText(self._reply_text(event.text, event.heard_text or ""))
            self._replies.pop(turn_id, None)
        elif state == "failed":
            text = self.tr("(no reply: {detail})").format(detail=event.detail)
            if item is None:
                self._add("assistant", self._reply_text(text))
            else:
                item.setText(self._reply_text(text))
            self._replies.pop(turn_id, None)
        elif state == "dropped":
            self._add("user", self.tr("{text} (skipped: too many messages)").format(text=event.user_text))
        self.scrollToBottom()

    def show_partial(self, text: str) -> None:
        """Show what the user is saying so far (grey, replaced by each new partial)."""
        if self._partial is None:
            self._partial = self._add("partial", text)
            self._partial.setForeground(QBrush(self.palette().color(QPalette.ColorRole.PlaceholderText)))
        self._partial.setText(self.tr("You (speaking): {text}").format(text=text))
        self.scrollToBottom()

    def clear_partial(self) -> None:
        """Remove the partial transcript (the final one becomes a message of its own)."""
        if self._partial is not None:
            self.takeItem(self.row(self._partial))
            self._partial = None

    # ---- inspection (tests, copy) -------------------------------------------------------------

    def messages(self) -> list[tuple[str, str]]:
        """``(role, shown text)`` of every row, top to bottom."""
        out: list[tuple[str, str]] = []
        for n in range(self.count()):
            item = self.item(n)
            out.append((str(item.data(ROLE_ROLE)), item.text()))
        return out

    # ---- internals ----------------------------------------------------------------------------

    def _reply_text(self, text: str, heard: str | None = None) -> str:
        name = self.assistant_name or self.tr("Avatar")
        shown = f"{name}: {text}"
        if heard is not None:
            shown += "\n" + self.tr("(interrupted; heard: {heard})").format(heard=heard or "—")
        return shown

    def _add(self, role: str, text: str) -> QListWidgetItem:
        shown = self.tr("You: {text}").format(text=text) if role == "user" else text
        item = QListWidgetItem(shown)
        item.setData(ROLE_ROLE, role)
        if role == "user":
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if self._partial is not None and role != "partial":
            self.insertItem(self.row(self._partial), item)  # the partial stays last
        else:
            self.addItem(item)
        return item
