"""The SMTP password and the "Send test e-mail" button, under the settings dialog's SMTP fields.

The password is a secret: it goes to the secrets store as ``smtp.password`` when the dialog's
settings are applied, never to ``config.toml``, and it is never shown again (the field only says
whether one is stored). The test mail uses the SMTP values as typed in the dialog (saved or not),
so a server can be tried before it is saved; it is sent on the engine loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pydantic
import shiboken6
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from studio.api.auth.passwords import email_problem
from studio.config.secrets import SecretStore
from studio.config.settings import SMTP_PASSWORD_SECRET, SmtpSettings
from studio.core.errors import StudioError
from studio.ui.dialogs.api_accounts import AccountsSession

if TYPE_CHECKING:
    from studio.app.container import Container
    from studio.ui.bridge import EngineBridge
    from studio.ui.dialogs.field_editors import FieldEditor

log = logging.getLogger(__name__)


class SmtpExtras(QGroupBox):
    """SMTP password (secrets store) and a test mail. GUI thread.

    Args:
        container: Holds the config (the SMTP values not shown in the dialog) and the secrets.
        bridge: The GUI's link to the engine (mail is sent there).
        editors: The dialog's editors of the ``smtp`` area, by field name (may be empty).
        parent: Qt parent (the SMTP page).
    """

    def __init__(
        self,
        container: Container,
        bridge: EngineBridge | None,
        editors: dict[str, FieldEditor],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("smtpExtras")
        self._container = container
        self._bridge = bridge
        self._editors = editors
        self._stored = False
        self._lock: asyncio.Lock | None = None
        self.session = AccountsSession(bridge, self)
        self.session.mail_done.connect(self._on_mail_done)
        self.session.failed.connect(lambda message: self._show_result(False, message))
        self.session.busy_changed.connect(self._on_busy)

        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("smtpPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.forget_button = QPushButton(self)
        self.forget_button.setObjectName("smtpForgetPassword")
        self.forget_button.clicked.connect(self.forget_password)
        self.forget_button.setEnabled(False)
        password_row = QHBoxLayout()
        password_row.addWidget(self.password_edit, 1)
        password_row.addWidget(self.forget_button)

        self.test_to_edit = QLineEdit(self)
        self.test_to_edit.setObjectName("smtpTestTo")
        self.test_button = QPushButton(self)
        self.test_button.setObjectName("smtpTestButton")
        self.test_button.clicked.connect(self.send_test)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_to_edit, 1)
        test_row.addWidget(self.test_button)
        self.result_label = QLabel(self)
        self.result_label.setObjectName("smtpTestResult")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.hide()

        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._password_label = QLabel(self)
        self._password_label.setBuddy(self.password_edit)
        self._test_label = QLabel(self)
        self._test_label.setBuddy(self.test_to_edit)
        form.addRow(self._password_label, password_row)
        form.addRow(self._test_label, test_row)
        form.addRow(self.result_label)
        self.retranslate_ui()

    # ---- the password -----------------------------------------------------------------------

    @property
    def secrets(self) -> SecretStore:
        """The studio's secrets store."""
        return self._container.secrets

    def load(self) -> None:
        """Clear the typed password and find out (off the GUI thread) whether one is stored."""
        self.password_edit.clear()
        self._off_thread("smtp:password-state", lambda: self.secrets.get(SMTP_PASSWORD_SECRET) is not None)

    def apply(self) -> None:
        """Store a typed password (called when the dialog's settings are saved)."""
        password = self.password_edit.text()
        if not password:
            return
        self.password_edit.clear()

        def store() -> bool:
            self.secrets.set(SMTP_PASSWORD_SECRET, password)
            return True

        self._off_thread("smtp:password-save", store)

    def forget_password(self) -> None:
        """Remove the stored password."""
        self.password_edit.clear()

        def forget() -> bool:
            self.secrets.delete(SMTP_PASSWORD_SECRET)
            return False

        self._off_thread("smtp:password-forget", forget)

    def _off_thread(self, name: str, fn: Callable[[], bool]) -> None:
        """Run a secrets step in a worker thread (an OS keyring may block); then show the state."""

        async def run() -> None:
            if self._lock is None:
                self._lock = asyncio.Lock()
            try:
                async with self._lock:  # in order: a state read must not overtake a save
                    stored = await asyncio.to_thread(fn)
            except StudioError as exc:
                if shiboken6.isValid(self):
                    self._show_result(False, exc.user_message)
                return
            if shiboken6.isValid(self):
                self._set_stored(stored)

        try:
            asyncio.get_running_loop()
        except RuntimeError:  # no qasync loop (a dialog built in a script): do it here
            run().close()
            try:
                self._set_stored(fn())
            except StudioError as exc:
                self._show_result(False, exc.user_message)
            return
        if self._bridge is not None:
            self._bridge.spawn(run(), name)
        else:
            asyncio.ensure_future(run())  # noqa: RUF006 (no bridge: nothing owns tasks here)

    def _set_stored(self, stored: bool) -> None:
        self._stored = stored
        self.forget_button.setEnabled(stored)
        self._retranslate_placeholder()

    # ---- the test mail ----------------------------------------------------------------------

    def current_settings(self) -> SmtpSettings:
        """The SMTP settings as typed in the dialog now.

        Raises:
            pydantic.ValidationError: a typed value is not valid.
        """
        values: dict[str, Any] = self._container.config.smtp.model_dump()
        values.update({name: editor.value() for name, editor in self._editors.items()})
        return SmtpSettings.model_validate(values)

    def send_test(self) -> bool:
        """Send a test mail to the typed address through the typed server. False if it cannot start."""
        to = self.test_to_edit.text().strip()
        if email_problem(to):
            self._show_result(False, self.tr("Type the address the test e-mail should go to."))
            return False
        try:
            settings = self.current_settings()
        except pydantic.ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(part) for part in err["loc"])
            self._show_result(False, f"smtp.{where}: {err['msg']}")
            return False
        if not settings.host:
            self._show_result(False, self.tr("Enter the SMTP server first."))
            return False
        if "@" not in settings.sender:
            self._show_result(False, self.tr("Enter a sender address (or a login name that is an address)."))
            return False
        self._show_result(None, self.tr("Sending a test e-mail to {address} ...").format(address=to))
        subject = self.tr("Cream Studio: test e-mail")
        text = self.tr(
            "This is a test e-mail from Cream Studio. The SMTP settings work: registration and "
            "password-reset codes can be sent."
        )
        return self.session.send_test_mail(settings, self.password_edit.text(), to, subject, text + "\n")

    def _on_mail_done(self, ok: bool, message: str) -> None:
        if ok:
            self._show_result(True, self.tr("Test e-mail sent to {address}.").format(address=message))
        else:
            self._show_result(False, self.tr("The test e-mail failed: {error}").format(error=message))

    def _on_busy(self, busy: bool) -> None:
        self.test_button.setEnabled(not busy)

    def result_text(self) -> str:
        """The result of the last test (or a problem), ``""`` when none is shown."""
        return self.result_label.text() if not self.result_label.isHidden() else ""

    def _show_result(self, ok: bool | None, text: str) -> None:
        self.result_label.setProperty("state", {True: "ok", False: "error", None: "busy"}[ok])
        self.result_label.setText(text)
        self.result_label.setVisible(bool(text))
        style = self.result_label.style()
        style.unpolish(self.result_label)
        style.polish(self.result_label)

    # ---- language ---------------------------------------------------------------------------

    def retranslate_ui(self) -> None:
        """Re-read every text in the current language."""
        self.setTitle(self.tr("SMTP password and test"))
        self._password_label.setText(self.tr("Password"))
        self.forget_button.setText(self.tr("Forget"))
        self.forget_button.setToolTip(self.tr("Remove the stored SMTP password."))
        tip = self.tr("Kept in the system's secret store, never in the settings file.")
        self.password_edit.setToolTip(tip)
        self._password_label.setToolTip(tip)
        self._test_label.setText(self.tr("Test e-mail to"))
        self.test_to_edit.setPlaceholderText(self.tr("you@example.com"))
        self.test_button.setText(self.tr("Send test e-mail"))
        self._retranslate_placeholder()

    def _retranslate_placeholder(self) -> None:
        if self._stored:
            text = self.tr("A password is stored; type a new one to replace it")
        else:
            text = self.tr("No password stored")
        self.password_edit.setPlaceholderText(text)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
