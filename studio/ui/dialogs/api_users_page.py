"""The settings dialog's "Users and tokens" page: accounts of the local API and plugin API tokens.

Users: list (username, e-mail, admin, verified), Add user (no mail code needed), Remove, Toggle
admin. Tokens: see :mod:`studio.ui.dialogs.api_tokens`. The lists are read when the page is
shown and after every change; all work runs on the engine (:class:`AccountsSession`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
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

from studio.api.auth.passwords import email_problem, password_problem, username_problem
from studio.ui.dialogs.api_accounts import AccountsSession, TokenView, UserView
from studio.ui.dialogs.api_tokens import TokensBox
from studio.ui.widgets.confirm import ask_yes_no

if TYPE_CHECKING:
    from studio.ui.bridge import EngineBridge

_ID_ROLE = Qt.ItemDataRole.UserRole


class AddUserDialog(QDialog):
    """Username, e-mail, password twice and the admin flag of a new account. GUI thread."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("addUserDialog")
        self.setWindowTitle(self.tr("Add user"))
        self.username_edit = QLineEdit(self)
        self.email_edit = QLineEdit(self)
        self.password_edit = QLineEdit(self)
        self.repeat_edit = QLineEdit(self)
        for edit in (self.password_edit, self.repeat_edit):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.admin_check = QCheckBox(self.tr("Admin (may manage other users)"), self)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("addUserError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("Username"), self.username_edit)
        form.addRow(self.tr("E-mail"), self.email_edit)
        form.addRow(self.tr("Password"), self.password_edit)
        form.addRow(self.tr("Repeat password"), self.repeat_edit)
        form.addRow(self.admin_check)
        form.addRow(self.error_label)
        form.addRow(self.buttons)
        self.username_edit.setToolTip(self.tr("3-20 characters: letters, digits, '_', '.' or '-'."))
        self.password_edit.setToolTip(self.tr("At least 8 characters."))

    def problem(self) -> str | None:
        """Why the typed values cannot make an account, or ``None``."""
        if username_problem(self.username_edit.text().strip()):
            return self.tr("The username must be 3-20 characters: letters, digits, '_', '.' or '-'.")
        if email_problem(self.email_edit.text().strip().lower()):
            return self.tr("The e-mail address is not valid.")
        if password_problem(self.password_edit.text()):
            return self.tr("The password must have 8 to 256 characters.")
        if self.password_edit.text() != self.repeat_edit.text():
            return self.tr("The two passwords differ.")
        return None

    def accept(self) -> None:
        """Close only when the values are acceptable (else say why)."""
        problem = self.problem()
        self.error_label.setText(problem or "")
        self.error_label.setVisible(problem is not None)
        if problem is None:
            super().accept()


class UsersBox(QGroupBox):
    """The accounts: list, Add user, Remove, Toggle admin. GUI thread."""

    def __init__(self, session: AccountsSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("usersBox")
        self.session = session
        self.users: list[UserView] = []
        self.add_dialog: AddUserDialog | None = None
        self.confirm_box: QMessageBox | None = None
        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("usersTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self.refresh_buttons)
        self.add_button = QPushButton(self)
        self.add_button.setObjectName("userAdd")
        self.add_button.clicked.connect(self.open_add)
        self.remove_button = QPushButton(self)
        self.remove_button.setObjectName("userRemove")
        self.remove_button.clicked.connect(self.ask_remove)
        self.admin_button = QPushButton(self)
        self.admin_button.setObjectName("userToggleAdmin")
        self.admin_button.clicked.connect(self.toggle_admin)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.remove_button, self.admin_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        session.busy_changed.connect(lambda _busy: self.refresh_buttons())
        self.retranslate_ui()
        self.refresh_buttons()

    def show_users(self, users: list[UserView]) -> None:
        """Show a fresh list (keeps the selected user selected)."""
        selected = self.selected()
        self.users = users
        yes, no = self.tr("yes"), self.tr("no")
        self.table.setRowCount(len(users))
        for row, user in enumerate(users):
            cells = (user.username, user.email, yes if user.is_admin else no, yes if user.verified else no)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(_ID_ROLE, user.id)
                self.table.setItem(row, col, item)
            if selected is not None and user.id == selected.id:
                self.table.selectRow(row)
        self.refresh_buttons()

    def selected(self) -> UserView | None:
        """The selected user, or ``None``."""
        items = self.table.selectedItems()
        if not items:
            return None
        user_id = int(items[0].data(_ID_ROLE))
        return next((u for u in self.users if u.id == user_id), None)

    def select(self, username: str) -> bool:
        """Select ``username`` (tests, keyboard users). False if not listed."""
        for row, user in enumerate(self.users):
            if user.username == username:
                self.table.selectRow(row)
                return True
        return False

    def open_add(self) -> AddUserDialog:
        """Ask for the new account's data (non-blocking)."""
        dialog = AddUserDialog(self)
        dialog.accepted.connect(
            lambda: self.session.add_user(
                dialog.username_edit.text().strip(),
                dialog.email_edit.text().strip(),
                dialog.password_edit.text(),
                dialog.admin_check.isChecked(),
            )
        )
        dialog.finished.connect(lambda _result: (dialog.password_edit.clear(), dialog.repeat_edit.clear()))
        dialog.finished.connect(dialog.deleteLater)  # after the handlers above
        self.add_dialog = dialog
        dialog.open()
        return dialog

    def ask_remove(self) -> QMessageBox | None:
        """Confirm, then remove the selected user and their tokens (non-blocking)."""
        user = self.selected()
        if user is None:
            return None
        self.confirm_box = ask_yes_no(
            self,
            "removeUserBox",
            self.tr("Remove user"),
            self.tr("Remove the user {name} and their plugin tokens?").format(name=user.username),
            lambda: self.session.remove_user(user.id),
        )
        return self.confirm_box

    def toggle_admin(self) -> bool:
        """Give the selected user the admin role, or take it away."""
        user = self.selected()
        return user is not None and self.session.set_admin(user.id, not user.is_admin)

    def refresh_buttons(self) -> None:
        """Enable what can be done now (engine running, nothing busy, a row chosen)."""
        ready = self.session.available and not self.session.busy
        chosen = self.selected() is not None
        self.add_button.setEnabled(ready)
        self.remove_button.setEnabled(ready and chosen)
        self.admin_button.setEnabled(ready and chosen)

    def retranslate_ui(self) -> None:
        """Re-read every text in the current language."""
        self.setTitle(self.tr("Users"))
        self.table.setHorizontalHeaderLabels(
            [self.tr("Username"), self.tr("E-mail"), self.tr("Admin"), self.tr("Verified")]
        )
        self.add_button.setText(self.tr("Add user..."))
        self.remove_button.setText(self.tr("Remove"))
        self.admin_button.setText(self.tr("Toggle admin"))
        if self.users:
            self.show_users(self.users)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


class ApiUsersPage(QWidget):
    """Users and plugin tokens of the local API. GUI thread.

    Args:
        bridge: The GUI's link to the engine (``None``: the page only says it needs the engine).
        parent: Qt parent (the settings dialog's tabs).
    """

    def __init__(self, bridge: EngineBridge | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("apiUsersPage")
        self.session = AccountsSession(bridge, self)
        self.message_label = QLabel(self)
        self.message_label.setObjectName("accountsMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.hide()
        self.users_box = UsersBox(self.session, self)
        self.tokens_box = TokensBox(self.session, self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message_label)
        layout.addWidget(self.users_box, 1)
        layout.addWidget(self.tokens_box, 1)
        self.session.refreshed.connect(self._on_refreshed)
        self.session.failed.connect(self.show_message)
        self.session.busy_changed.connect(self._on_busy)
        if bridge is not None:
            bridge.engine_state.connect(self._on_engine_state)

    def refresh(self) -> bool:
        """Read the users and tokens again (off the GUI thread)."""
        if not self.session.available:
            self.show_message(self.tr("The engine is not running: users and tokens are shown when it runs."))
            return False
        return self.session.refresh()

    def message_text(self) -> str:
        """The error or note shown above the lists, ``""`` when none is."""
        return self.message_label.text() if not self.message_label.isHidden() else ""

    def show_message(self, text: str) -> None:
        """Show ``text`` above the lists (``""`` hides it)."""
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))

    def _on_busy(self, busy: bool) -> None:
        if busy:
            self.show_message("")

    def _on_refreshed(self, users: list[UserView], tokens: list[TokenView]) -> None:
        self.users_box.show_users(users)
        self.tokens_box.show_tokens(users, tokens)

    def _on_engine_state(self, state: str, _detail: str) -> None:
        if state in ("running", "stopped") and self.isVisible():
            self.show_message("")
            self.refresh()
        self.users_box.refresh_buttons()
        self.tokens_box.refresh_buttons()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()
