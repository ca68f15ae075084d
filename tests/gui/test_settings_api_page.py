"""Settings -> Users and tokens and the SMTP page: real engine, real database, real SMTP server."""

from __future__ import annotations

import hashlib
import socket
import sqlite3
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox, QTabWidget

from studio.api.auth.errors import AuthError
from studio.app.container import Container
from studio.app.runtime import EngineRuntime
from studio.config.settings import SMTP_PASSWORD_SECRET
from studio.ui.dialogs.api_accounts import auth_for
from studio.ui.dialogs.settings_dialog import SettingsDialog
from studio.ui.gui_main import create_main_window
from studio.ui.main_window import MainWindow

pytestmark = pytest.mark.gui

_WAIT_MS = 15000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _db_rows(container: Container, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(container.paths.database_file) as conn:
        return list(conn.execute(sql, args))


def _db_bytes(container: Container) -> bytes:
    """Every byte the database keeps on disk (main file and write-ahead log)."""
    db = container.paths.database_file
    return b"".join(p.read_bytes() for p in (db, db.with_name(db.name + "-wal")) if p.exists())


@pytest.fixture
def window(qtbot, container: Container, runtime: EngineRuntime, gui_loop) -> Iterator[MainWindow]:
    win = create_main_window(container, runtime)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()


def _accounts(qtbot, window: MainWindow) -> SettingsDialog:
    """The settings dialog showing the Users and tokens page, its lists read."""
    dialog = window.open_settings()
    page = dialog.accounts_page
    with qtbot.waitSignal(page.session.refreshed, timeout=_WAIT_MS):
        dialog.findChild(QTabWidget).setCurrentWidget(page)
    return dialog


def _click(qtbot, button: Any) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _table_column(table: Any, col: int) -> list[str]:
    return [table.item(row, col).text() for row in range(table.rowCount())]


def _answer_yes(qtbot, box: QMessageBox | None) -> None:
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    _click(qtbot, box.button(QMessageBox.StandardButton.Yes))


def _add_user(qtbot, dialog: SettingsDialog, name: str, password: str, repeat: str, admin: bool) -> Any:
    add = dialog.accounts_page.users_box.open_add()
    add.username_edit.setText(name)
    add.email_edit.setText(f"{name}@example.com")
    add.password_edit.setText(password)
    add.repeat_edit.setText(repeat)
    add.admin_check.setChecked(admin)
    _click(qtbot, add.buttons.button(QDialogButtonBox.StandardButton.Ok))
    return add


def test_users_add_toggle_admin_remove(qtbot, window: MainWindow, container: Container) -> None:
    dialog = _accounts(qtbot, window)
    users = dialog.accounts_page.users_box
    assert users.table.rowCount() == 0

    mismatch = _add_user(qtbot, dialog, "alice", "correct horse 1", "correct horse 2", admin=False)
    assert mismatch.isVisible(), "differing passwords must keep the dialog open"
    assert "differ" in mismatch.error_label.text()
    mismatch.reject()

    _add_user(qtbot, dialog, "alice", "correct horse 1", "correct horse 1", admin=False)
    qtbot.waitUntil(lambda: _table_column(users.table, 0) == ["alice"], timeout=_WAIT_MS)
    # The first account is always admin; added in the GUI it needs no e-mail code.
    assert [users.table.item(0, c).text() for c in range(4)] == ["alice", "alice@example.com", "yes", "yes"]
    rows = _db_rows(container, "select username, email, is_admin, email_verified, password_hash from users")
    assert rows[0][:4] == ("alice", "alice@example.com", 1, 1)
    assert rows[0][4].startswith("$argon2id$") and "correct horse" not in rows[0][4]

    _add_user(qtbot, dialog, "bob", "battery staple", "battery staple", admin=False)
    qtbot.waitUntil(lambda: _table_column(users.table, 0) == ["alice", "bob"], timeout=_WAIT_MS)
    assert users.table.item(1, 2).text() == "no"

    assert users.select("bob")
    qtbot.waitUntil(users.admin_button.isEnabled)
    _click(qtbot, users.admin_button)
    qtbot.waitUntil(lambda: users.table.item(1, 2).text() == "yes", timeout=_WAIT_MS)
    assert _db_rows(container, "select is_admin from users where username = 'bob'") == [(1,)]

    assert users.select("bob")
    qtbot.waitUntil(users.remove_button.isEnabled)
    _answer_yes(qtbot, users.ask_remove())
    qtbot.waitUntil(lambda: _table_column(users.table, 0) == ["alice"], timeout=_WAIT_MS)
    assert _db_rows(container, "select username from users") == [("alice",)]

    # The last admin keeps the role, and says why.
    assert users.select("alice")
    qtbot.waitUntil(users.admin_button.isEnabled)
    _click(qtbot, users.admin_button)
    qtbot.waitUntil(lambda: "last admin" in dialog.accounts_page.message_text(), timeout=_WAIT_MS)
    assert _db_rows(container, "select is_admin from users") == [(1,)]


def test_token_is_shown_once_stored_hashed_and_revocable(
    qtbot, window: MainWindow, container: Container, runtime: EngineRuntime
) -> None:
    auth = runtime.submit(_service(runtime)).result(10)
    runtime.submit(auth.create_user("carol", "carol@example.com", "long enough pw")).result(10)
    dialog = _accounts(qtbot, window)
    tokens = dialog.accounts_page.tokens_box
    qtbot.waitUntil(tokens.create_button.isEnabled)

    create = tokens.open_create()
    create.name_edit.setText("obs-plugin")
    assert create.user_combo.currentText() == "carol"
    _click(qtbot, create.buttons.button(QDialogButtonBox.StandardButton.Ok))

    qtbot.waitUntil(
        lambda: tokens.shown_dialog is not None and tokens.shown_dialog.isVisible(), timeout=_WAIT_MS
    )
    shown = tokens.shown_dialog
    assert shown is not None
    value = shown.token_edit.text()
    assert value.startswith("cst_") and shown.token_edit.isReadOnly()
    assert "only this once" in shown.warning_label.text()
    qtbot.waitUntil(lambda: _table_column(tokens.table, 0) == ["obs-plugin"], timeout=_WAIT_MS)
    assert tokens.table.item(0, 1).text() == "carol"
    assert tokens.table.item(0, 3).text() == "never"
    _click(qtbot, shown.copy_button)
    assert QGuiApplication.clipboard().text() == value
    principal = runtime.submit(auth.authenticate(value)).result(10)
    assert principal.user.username == "carol"

    stored = _db_bytes(container)
    assert value.encode() not in stored, "the token itself must never reach the database"
    assert hashlib.sha256(value.encode()).hexdigest().encode() in stored, "only its hash is kept"
    shown.reject()
    qtbot.waitUntil(lambda: tokens.shown_dialog is None)  # closed for good: shown once

    assert tokens.select("obs-plugin")
    qtbot.waitUntil(tokens.revoke_button.isEnabled)
    _answer_yes(qtbot, tokens.ask_revoke())
    qtbot.waitUntil(lambda: tokens.table.rowCount() == 0, timeout=_WAIT_MS)
    assert _db_rows(container, "select revoked from api_tokens") == [(1,)]
    with pytest.raises(AuthError) as err:
        runtime.submit(auth.authenticate(value)).result(10)
    assert err.value.status == 401


async def _service(runtime: EngineRuntime) -> Any:
    return auth_for(runtime)


# ---- SMTP -----------------------------------------------------------------------------------------

SMTP_LOGIN = "studio@example.com"
SMTP_PASSWORD = "smtp-Pa55word-9f3e"


class _Inbox:
    """An aiosmtpd handler keeping every mail it accepts, with the login it came with."""

    def __init__(self) -> None:
        self.mails: list[tuple[list[str], Message, Any]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content), session.auth_data))
        return "250 Message accepted"


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == SMTP_LOGIN.encode()
        and auth_data.password == SMTP_PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False, auth_data=auth_data)


@pytest.fixture
def smtp_server() -> Iterator[tuple[Controller, _Inbox]]:
    """A real SMTP server on a free local port (plain SMTP, AUTH LOGIN/PLAIN allowed without TLS)."""
    inbox = _Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=_free_port(),
        authenticator=_authenticator,
        auth_require_tls=False,
    )
    controller.start()
    yield controller, inbox
    if controller._thread is not None:  # the failure test stops it itself
        controller.stop()


def test_smtp_password_goes_to_secrets_and_test_mail_arrives(
    qtbot, window: MainWindow, container: Container, smtp_server: tuple[Controller, _Inbox]
) -> None:
    controller, inbox = smtp_server
    dialog = window.open_settings()
    extras = dialog.smtp_extras
    assert extras is not None
    dialog.editor("smtp", "host").widget.setText("127.0.0.1")
    dialog.editor("smtp", "port").widget.setValue(controller.port)
    security = dialog.editor("smtp", "security").widget
    security.setCurrentIndex(security.findData("none"))
    dialog.editor("smtp", "username").widget.setText(SMTP_LOGIN)
    extras.password_edit.setText(SMTP_PASSWORD)

    _click(qtbot, dialog.apply_button)

    qtbot.waitUntil(lambda: container.secrets.get(SMTP_PASSWORD_SECRET) == SMTP_PASSWORD, timeout=_WAIT_MS)
    config_text = container.paths.config_file.read_text(encoding="utf-8")
    assert "127.0.0.1" in config_text and SMTP_LOGIN in config_text
    assert SMTP_PASSWORD not in config_text
    assert SMTP_PASSWORD.encode() not in _db_bytes(container)
    assert extras.password_edit.text() == ""
    qtbot.waitUntil(
        lambda: "stored" in extras.password_edit.placeholderText() and extras.forget_button.isEnabled()
    )

    # The field is empty: the stored password logs in.
    extras.test_to_edit.setText("viewer@example.com")
    _click(qtbot, extras.test_button)
    qtbot.waitUntil(
        lambda: "Test e-mail sent to viewer@example.com" in extras.result_text(), timeout=_WAIT_MS
    )
    assert len(inbox.mails) == 1
    rcpt, mail, auth = inbox.mails[0]
    assert rcpt == ["viewer@example.com"]
    assert mail["Subject"] == "Cream Studio: test e-mail"
    assert SMTP_LOGIN in mail["From"]
    assert "test e-mail from Cream Studio" in mail.get_payload(decode=True).decode()
    assert auth.login == SMTP_LOGIN.encode()

    # A typed (not yet saved) password is the one tried: a wrong one is refused, clearly.
    extras.password_edit.setText("not-the-password")
    _click(qtbot, extras.test_button)
    qtbot.waitUntil(lambda: "The test e-mail failed" in extras.result_text(), timeout=_WAIT_MS)
    assert len(inbox.mails) == 1
    assert "not-the-password" not in extras.result_text()
    extras.password_edit.clear()

    # Server down: a clear error naming the server, and the button usable again.
    controller.stop()
    _click(qtbot, extras.test_button)
    qtbot.waitUntil(lambda: "The test e-mail failed" in extras.result_text(), timeout=_WAIT_MS)
    assert f"127.0.0.1:{controller.port}" in extras.result_text()
    qtbot.waitUntil(extras.test_button.isEnabled)
    assert len(inbox.mails) == 1

    # Forget removes it from the secrets store.
    _click(qtbot, extras.forget_button)
    qtbot.waitUntil(lambda: container.secrets.get(SMTP_PASSWORD_SECRET) is None, timeout=_WAIT_MS)
    qtbot.waitUntil(lambda: "No password" in extras.password_edit.placeholderText())


def test_test_mail_needs_an_address_and_a_server(qtbot, window: MainWindow) -> None:
    dialog = window.open_settings()
    extras = dialog.smtp_extras
    assert extras is not None
    extras.test_to_edit.setText("not an address")
    assert not extras.send_test()
    assert "address" in extras.result_text()
    extras.test_to_edit.setText("viewer@example.com")
    assert not extras.send_test()
    assert "SMTP server" in extras.result_text()


def test_without_engine_the_page_says_so(qtbot, container: Container) -> None:
    win = create_main_window(container, None)
    qtbot.addWidget(win)
    dialog = win.open_settings()
    page = dialog.accounts_page
    dialog.findChild(QTabWidget).setCurrentWidget(page)
    qtbot.waitUntil(lambda: "engine is not running" in page.message_text())
    assert not page.users_box.add_button.isEnabled()
    assert not page.tokens_box.create_button.isEnabled()
    win.close()


def test_pages_follow_the_language(qtbot, container: Container) -> None:
    win = create_main_window(container, None)
    qtbot.addWidget(win)
    dialog = win.open_settings()
    page, extras = dialog.accounts_page, dialog.smtp_extras
    assert extras is not None
    tabs = dialog.findChild(QTabWidget)
    win.set_language("zh_CN")
    qtbot.waitUntil(lambda: page.users_box.title() == "用户")
    assert tabs.tabText(tabs.indexOf(page)) == "用户与令牌"
    assert page.tokens_box.revoke_button.text() == "吊销"
    assert extras.test_button.text() == "发送测试邮件"
    win.set_language("ja")
    qtbot.waitUntil(lambda: page.users_box.title() == "ユーザー")
    assert page.tokens_box.table.horizontalHeaderItem(3).text() == "最終使用"
    win.set_language("en")
    qtbot.waitUntil(lambda: page.users_box.title() == "Users")
    assert tabs.tabText(tabs.indexOf(page)) == "Users and tokens"
    win.close()
