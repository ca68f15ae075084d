"""A non-blocking Yes/No question whose Yes runs an action (GUI thread)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

__all__ = ["ask_yes_no"]


def ask_yes_no(
    parent: QWidget, name: str, title: str, text: str, on_yes: Callable[[], object]
) -> QMessageBox:
    """Open a window-modal question (No is the default); ``on_yes`` runs only if Yes is clicked.

    Args:
        parent: The widget the box belongs to.
        name: Object name of the box (tests find it by this).
        title: Window title.
        text: The question.
        on_yes: What Yes does.

    Returns:
        The open box (deleted once answered).
    """
    box = QMessageBox(
        QMessageBox.Icon.Question,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        parent,
    )
    box.setObjectName(name)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    yes = box.button(QMessageBox.StandardButton.Yes)
    box.finished.connect(lambda _result: on_yes() if box.clickedButton() is yes else None)
    box.finished.connect(box.deleteLater)  # after the handler above
    box.open()
    return box
