"""The avatar library dialog: imported Live2D models with thumbnails; import, rename, remove, use.

Imports, renames and removals run in a worker thread (``asyncio.to_thread`` on the qasync loop)
so the window keeps painting; errors and import warnings go through the window's error path
(``on_error``, normally :meth:`MainWindow.show_error`). "Use this avatar" saves ``[avatar]
current`` and publishes the config change, on which the main window has the engine rebuild the
avatar session and the stage reloads (without a running engine: at the next start). GUI thread.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from studio.app.avatar import open_library
from studio.core.errors import StudioError
from studio.core.events import ConfigChangedEvent

if TYPE_CHECKING:
    from studio.app.container import Container
    from studio.avatar.library import Avatar, ImportResult

__all__ = ["AvatarLibraryDialog"]

log = logging.getLogger(__name__)
_ID_ROLE = Qt.ItemDataRole.UserRole


class AvatarLibraryDialog(QDialog):
    """Browse and manage the avatar library.

    Args:
        container: Paths, database and config (``[avatar] current`` is saved through its store).
        on_error: ``(source, message)`` for errors and import warnings.
    """

    def __init__(
        self, container: Container, on_error: Callable[[str, str], None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("avatarLibraryDialog")
        self.container = container
        self._on_error = on_error
        self.library = open_library(container.paths, container.db)
        self._tasks: set[asyncio.Task[Any]] = set()

        self.list = QListWidget(self)
        self.list.setObjectName("avatarList")
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setIconSize(QSize(128, 128))
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setMinimumSize(560, 320)
        self.list.currentItemChanged.connect(self._update_buttons)
        self.licence = QLabel(self)
        self.licence.setObjectName("licenceNote")
        self.licence.setWordWrap(True)
        self.licence.setOpenExternalLinks(True)
        self.status = QLabel(self)
        self.status.setWordWrap(True)

        self.import_folder_button = QPushButton(self)
        self.import_zip_button = QPushButton(self)
        self.rename_button = QPushButton(self)
        self.remove_button = QPushButton(self)
        self.use_button = QPushButton(self)
        self.import_folder_button.clicked.connect(self._ask_folder)
        self.import_zip_button.clicked.connect(self._ask_zip)
        self.rename_button.clicked.connect(self._ask_rename)
        self.remove_button.clicked.connect(self._ask_remove)
        self.use_button.clicked.connect(self._use_selected)
        row = QHBoxLayout()
        for button in (
            self.import_folder_button,
            self.import_zip_button,
            self.rename_button,
            self.remove_button,
            self.use_button,
        ):
            row.addWidget(button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(self.licence)
        layout.addWidget(close)
        self.retranslate_ui()
        self.refresh()

    # -- texts -----------------------------------------------------------------------------------

    def retranslate_ui(self) -> None:
        """Set every visible text in the current language."""
        self.setWindowTitle(self.tr("Avatar Library"))
        self.import_folder_button.setText(self.tr("Import folder…"))
        self.import_zip_button.setText(self.tr("Import .zip…"))
        self.rename_button.setText(self.tr("Rename…"))
        self.remove_button.setText(self.tr("Remove…"))
        self.use_button.setText(self.tr("Use this avatar"))
        self.licence.setText(
            self.tr(
                "Live2D licence: businesses with yearly revenue over 10 million JPY, and "
                '"expandable applications" that load users\' models, need a separate agreement '
                'with Live2D Inc. (<a href="https://www.live2d.com/en/sdk/license/">details</a>). '
                "The built-in avatar needs no such licence."
            )
        )

    # -- list ------------------------------------------------------------------------------------

    def refresh(self, select: str | None = None) -> None:
        """Reload the list (a quick database read), keeping or setting the selection."""
        keep = select or self.selected_id()
        current = self.container.config.avatar.current
        self.list.clear()
        try:
            avatars = self.library.list_avatars()
        except StudioError as exc:
            self._on_error("avatar", exc.user_message)
            avatars = []
        for avatar in avatars:
            item = QListWidgetItem(self._icon(avatar), self._caption(avatar, current))
            item.setData(_ID_ROLE, avatar.id)
            item.setToolTip(f"{avatar.id} ({avatar.kind})\n{avatar.folder}")
            self.list.addItem(item)
            if avatar.id == keep:
                self.list.setCurrentItem(item)
        self._update_buttons()

    def _caption(self, avatar: Avatar, current: str) -> str:
        return f"★ {avatar.name}" if avatar.id == current else avatar.name

    def _icon(self, avatar: Avatar) -> QIcon:
        if avatar.thumbnail is not None and avatar.thumbnail.is_file():
            pixmap = QPixmap(str(avatar.thumbnail))
            if not pixmap.isNull():
                return QIcon(pixmap)
        return QIcon()

    def ids(self) -> list[str]:
        """The avatar ids in list order."""
        return [str(self.list.item(i).data(_ID_ROLE)) for i in range(self.list.count())]

    def item(self, avatar_id: str) -> QListWidgetItem | None:
        """The list item of ``avatar_id``."""
        for i in range(self.list.count()):
            if self.list.item(i).data(_ID_ROLE) == avatar_id:
                return self.list.item(i)
        return None

    def selected_id(self) -> str | None:
        """The selected avatar's id."""
        item = self.list.currentItem()
        return None if item is None else str(item.data(_ID_ROLE))

    def _update_buttons(self) -> None:
        chosen = self.selected_id()
        editable = chosen is not None and chosen != "default"
        self.rename_button.setEnabled(editable)
        self.remove_button.setEnabled(editable)
        self.use_button.setEnabled(chosen is not None)

    # -- actions (the buttons ask, then call these) ----------------------------------------------

    async def import_path(self, path: str | Path) -> ImportResult | None:
        """Import a model folder or zip off the GUI thread; ``None`` on failure (reported)."""
        self.status.setText(self.tr("Importing {name} …").format(name=Path(path).name))
        try:
            result = await asyncio.to_thread(self.library.import_model, path)
        except StudioError as exc:
            self.status.setText("")
            self._on_error("avatar import", exc.user_message)
            return None
        for warning in result.warnings:
            self._on_error("avatar import", warning)
        self.status.setText(self.tr("Imported {name}.").format(name=result.avatar.name))
        self.refresh(select=result.avatar.id)
        return result

    async def rename_avatar(self, avatar_id: str, name: str) -> bool:
        """Rename an imported avatar; False on failure (reported)."""
        try:
            await asyncio.to_thread(self.library.rename, avatar_id, name)
        except StudioError as exc:
            self._on_error("avatar", exc.user_message)
            return False
        self.refresh(select=avatar_id)
        return True

    async def remove_avatar(self, avatar_id: str) -> bool:
        """Remove an imported avatar (the current one falls back to the built-in avatar)."""
        try:
            await asyncio.to_thread(self.library.remove, avatar_id)
        except StudioError as exc:
            self._on_error("avatar", exc.user_message)
            return False
        if self.container.config.avatar.current == avatar_id:
            self.use_avatar("default")
        self.refresh()
        return True

    def use_avatar(self, avatar_id: str) -> bool:
        """Save ``[avatar] current``; the main window reloads the stage's avatar on that change."""
        container = self.container
        area = container.config.avatar.model_copy(update={"current": avatar_id})
        try:
            container.config = container.config_store.save_area(container.config, area)
        except StudioError as exc:
            self._on_error("settings", exc.user_message)
            return False
        container.bus.publish_threadsafe(ConfigChangedEvent(area="avatar"))
        self.status.setText(
            self.tr("Saved. The stage switches to this avatar (at the next start if the engine is off).")
        )
        self.refresh(select=avatar_id)
        return True

    # -- button handlers -------------------------------------------------------------------------

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _ask_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Choose a Live2D model folder"))
        if folder:
            self._spawn(self.import_path(folder))

    def _ask_zip(self) -> None:
        file, _ = QFileDialog.getOpenFileName(
            self, self.tr("Choose a Live2D model .zip"), "", self.tr("Zip archives (*.zip)")
        )
        if file:
            self._spawn(self.import_path(file))

    def _ask_rename(self) -> None:
        chosen = self.selected_id()
        item = self.list.currentItem()
        if chosen is None or item is None:
            return
        name, ok = QInputDialog.getText(self, self.tr("Rename avatar"), self.tr("New name:"))
        if ok and name.strip():
            self._spawn(self.rename_avatar(chosen, name))

    def _ask_remove(self) -> None:
        chosen = self.selected_id()
        if chosen is None:
            return
        answer = QMessageBox.question(
            self,
            self.tr("Remove avatar"),
            self.tr("Remove {id} and its files?").format(id=chosen),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._spawn(self.remove_avatar(chosen))

    def _use_selected(self) -> None:
        chosen = self.selected_id()
        if chosen is not None:
            self.use_avatar(chosen)
