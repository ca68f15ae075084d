"""Plugin API tokens in the settings dialog: the list, Create (the token shown once) and Revoke.

The studio keeps only a hash of each token, so its value is shown once, right after it is made,
in a read-only field with a Copy button and a warning; closing that window forgets it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QDateTime, QEvent, QLocale, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.ui.widgets.confirm import ask_yes_no

if TYPE_CHECKING:
    from studio.ui.dialogs.api_accounts import AccountsSession, TokenView, UserView

_ID_ROLE = Qt.ItemDataRole.UserRole


class CreateTokenDialog(QDialog):
    """Name a new token and pick the user it acts as. GUI thread."""

    def __init__(self, users: list[UserView], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("createTokenDialog")
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("tokenName")
        self.name_edit.setMaxLength(64)
        self.user_combo = QComboBox(self)
        self.user_combo.setObjectName("tokenUser")
        for user in users:
            self.user_combo.addItem(user.username, user.id)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("Name"), self.name_edit)
        form.addRow(self.tr("Acts as user"), self.user_combo)
        form.addRow(self.buttons)
        self.setWindowTitle(self.tr("Create plugin token"))
        self.name_edit.setPlaceholderText(self.tr("e.g. obs-plugin"))
        self.name_edit.textChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        ok = bool(self.name_edit.text().strip()) and self.user_combo.count() > 0
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)


class TokenShownDialog(QDialog):
    """Shows a new token once, copyable, with a warning. GUI thread."""

    def __init__(self, name: str, value: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tokenShownDialog")
        self.setWindowTitle(self.tr("Plugin token {name}").format(name=name))
        self.warning_label = QLabel(
            self.tr(
                "Copy this token now and keep it safe: it is shown only this once. The studio "
                "stores only a hash of it and cannot show it again."
            ),
            self,
        )
        self.warning_label.setObjectName("tokenWarning")
        self.warning_label.setWordWrap(True)
        self.token_edit = QLineEdit(value, self)
        self.token_edit.setObjectName("tokenValue")
        self.token_edit.setReadOnly(True)
        self.token_edit.selectAll()
        self.copy_button = QPushButton(self.tr("Copy"), self)
        self.copy_button.setObjectName("tokenCopy")
        self.copy_button.clicked.connect(self.copy)
        row = QHBoxLayout()
        row.addWidget(self.token_edit, 1)
        row.addWidget(self.copy_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.warning_label)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())
        self.finished.connect(self._forget)

    def copy(self) -> None:
        """Put the token on the clipboard."""
        QGuiApplication.clipboard().setText(self.token_edit.text())
        self.copy_button.setText(self.tr("Copied"))

    def _forget(self) -> None:
        self.token_edit.clear()


def format_time(ts: float | None, never: str) -> str:
    """A timestamp (epoch seconds) in the current locale's short format; ``never`` for ``None``."""
    if ts is None:
        return never
    when = QDateTime.fromSecsSinceEpoch(int(ts))
    return QLocale().toString(when, QLocale.FormatType.ShortFormat)


class TokensBox(QGroupBox):
    """The plugin API tokens: list, Create, Revoke. GUI thread.

    Args:
        session: Runs the token steps on the engine.
        parent: Qt parent (the accounts page).
    """

    def __init__(self, session: AccountsSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tokensBox")
        self.session = session
        self.users: list[UserView] = []
        self.tokens: list[TokenView] = []
        self.create_dialog: CreateTokenDialog | None = None
        self.shown_dialog: TokenShownDialog | None = None
        self.confirm_box: QMessageBox | None = None
        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("tokensTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self.refresh_buttons)
        self.create_button = QPushButton(self)
        self.create_button.setObjectName("tokenCreate")
        self.create_button.clicked.connect(self.open_create)
        self.revoke_button = QPushButton(self)
        self.revoke_button.setObjectName("tokenRevoke")
        self.revoke_button.clicked.connect(self.ask_revoke)
        buttons = QHBoxLayout()
        buttons.addWidget(self.create_button)
        buttons.addWidget(self.revoke_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        session.token_created.connect(self._show_token)
        session.busy_changed.connect(lambda _busy: self.refresh_buttons())
        self.retranslate_ui()
        self.refresh_buttons()

    def show_tokens(self, users: list[UserView], tokens: list[TokenView]) -> None:
        """Show a fresh list (keeps the selected token selected)."""
        selected = self.selected_id()
        self.users, self.tokens = users, tokens
        never = self.tr("never")
        self.table.setRowCount(len(tokens))
        for row, token in enumerate(tokens):
            cells = (
                token.name,
                token.user,
                format_time(token.created_at, never),
                format_time(token.last_used_at, never),
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(_ID_ROLE, token.id)
                self.table.setItem(row, col, item)
            if token.id == selected:
                self.table.selectRow(row)
        self.refresh_buttons()

    def selected_id(self) -> int | None:
        """The id of the selected token, or ``None``."""
        items = self.table.selectedItems()
        return int(items[0].data(_ID_ROLE)) if items else None

    def select(self, name: str) -> bool:
        """Select the token called ``name`` (tests, keyboard users). False if not listed."""
        for row, token in enumerate(self.tokens):
            if token.name == name:
                self.table.selectRow(row)
                return True
        return False

    def open_create(self) -> CreateTokenDialog:
        """Ask for the token's name and user (non-blocking)."""
        dialog = CreateTokenDialog(self.users, self)
        dialog.accepted.connect(
            lambda: self.session.create_token(
                int(dialog.user_combo.currentData()), dialog.name_edit.text().strip()
            )
        )
        dialog.finished.connect(dialog.deleteLater)  # after the handlers above
        self.create_dialog = dialog
        dialog.open()
        return dialog

    def _show_token(self, name: str, value: str) -> None:
        dialog = TokenShownDialog(name, value, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.shown_dialog = dialog
        dialog.destroyed.connect(lambda: setattr(self, "shown_dialog", None))
        dialog.open()

    def ask_revoke(self) -> QMessageBox | None:
        """Confirm, then revoke the selected token (non-blocking)."""
        token_id = self.selected_id()
        token = next((t for t in self.tokens if t.id == token_id), None)
        if token is None:
            return None
        self.confirm_box = ask_yes_no(
            self,
            "revokeTokenBox",
            self.tr("Revoke token"),
            self.tr("Revoke the token {name}? Plugins using it lose access at once.").format(name=token.name),
            lambda: self.session.revoke_token(token.id),
        )
        return self.confirm_box

    def refresh_buttons(self) -> None:
        """Enable what can be done now (engine running, nothing busy, a row chosen)."""
        ready = self.session.available and not self.session.busy
        self.create_button.setEnabled(ready and bool(self.users))
        self.revoke_button.setEnabled(ready and self.selected_id() is not None)

    def retranslate_ui(self) -> None:
        """Re-read every text in the current language."""
        self.setTitle(self.tr("Plugin API tokens"))
        self.table.setHorizontalHeaderLabels(
            [self.tr("Name"), self.tr("User"), self.tr("Created"), self.tr("Last used")]
        )
        self.create_button.setText(self.tr("Create..."))
        self.revoke_button.setText(self.tr("Revoke"))
        self.setToolTip(
            self.tr("Long-lived tokens for plugins and scripts: send as 'Authorization: Bearer <token>'.")
        )
        if self.tokens:
            self.show_tokens(self.users, self.tokens)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
