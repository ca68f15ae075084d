"""The settings dialog's link to accounts, plugin API tokens and test mails on the engine.

Every database, password-hashing, keyring and SMTP step runs on the engine loop (or its worker
threads) through :meth:`EngineBridge.call`; the GUI thread only receives plain snapshots
(:class:`UserView`, :class:`TokenView`) through Qt signals. The person at the GUI owns the studio,
as the CLI's user does (``studio user ...``): they manage every account without signing in.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, Signal

from studio.api.auth.deps import AUTH_SERVICE_KEY
from studio.api.auth.errors import AuthError
from studio.api.auth.mailer import MailError
from studio.api.auth.service import AuthService, Principal, UserChanges
from studio.config.settings import SMTP_PASSWORD_SECRET, SmtpSettings
from studio.core.errors import StudioError
from studio.storage.user_repo import UserRow

if TYPE_CHECKING:
    from studio.app.runtime import EngineRuntime
    from studio.ui.bridge import EngineBridge

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class UserView:
    """One account as the GUI shows it (no password hash)."""

    id: int
    username: str
    email: str
    is_admin: bool
    verified: bool


@dataclass(frozen=True, slots=True)
class TokenView:
    """One live plugin API token as the GUI shows it (never its value or hash)."""

    id: int
    name: str
    user: str
    created_at: float
    last_used_at: float | None


Snapshot = tuple[list[UserView], list[TokenView]]

# The local owner: admin rights without an account, like ``actor=None`` of the CLI.
_OWNER = Principal(UserRow(0, "(studio owner)", "", "", True, True, 0.0), "api_token")


# ---- engine loop --------------------------------------------------------------------------------


def auth_for(runtime: EngineRuntime) -> AuthService:
    """The studio's one :class:`AuthService` (shared with the API routes). Engine loop.

    Created on first use when the API has not made it yet; it reads the SMTP settings of the live
    config at each use, so settings saved in the dialog apply at once.
    """
    service = runtime.api_services.get(AUTH_SERVICE_KEY)
    if isinstance(service, AuthService):
        return service
    c = runtime.container
    service = AuthService(c.db, c.secrets, lambda: c.config.smtp, data_dir=c.paths.data_dir)
    runtime.api_services[AUTH_SERVICE_KEY] = service
    return service


async def _snapshot(runtime: EngineRuntime) -> Snapshot:
    auth = auth_for(runtime)
    users = await auth.users.all()
    names = {u.id: u.username for u in users}
    tokens = await auth.list_api_tokens()
    return (
        [UserView(u.id, u.username, u.email, u.is_admin, u.email_verified) for u in users],
        [
            TokenView(t.id, t.name, names.get(t.user_id, str(t.user_id)), t.created_at, t.last_used_at)
            for t in tokens
            if not t.revoked
        ],
    )


async def _add_user(runtime: EngineRuntime, username: str, email: str, password: str, admin: bool) -> None:
    await auth_for(runtime).create_user(username, email, password, is_admin=admin)


async def _remove_user(runtime: EngineRuntime, user_id: int) -> None:
    await auth_for(runtime).delete_user(None, user_id)


async def _set_admin(runtime: EngineRuntime, user_id: int, admin: bool) -> None:
    await auth_for(runtime).update_user(_OWNER, user_id, UserChanges(is_admin=admin))


async def _create_token(runtime: EngineRuntime, user_id: int, name: str) -> str:
    _row, value = await auth_for(runtime).create_api_token(user_id, name)
    return value


async def _revoke_token(runtime: EngineRuntime, token_id: int) -> None:
    if not await auth_for(runtime).revoke_api_token(token_id):
        raise AuthError(404, f"No live token {token_id}.", "token_not_found")


async def _send_test_mail(
    runtime: EngineRuntime, settings: SmtpSettings, password: str, to: str, subject: str, text: str
) -> None:
    from studio.api.auth.mailer import send_mail

    secret: str | None = password or None
    if settings.username and secret is None:
        secret = await asyncio.to_thread(runtime.container.secrets.get, SMTP_PASSWORD_SECRET)
    await send_mail(settings, secret, to, subject, text)


def error_text(exc: BaseException) -> str:
    """The message a person sees for a failed account, token or mail step."""
    if isinstance(exc, AuthError):
        return exc.message
    if isinstance(exc, StudioError):
        return exc.user_message
    return str(exc) or type(exc).__name__


# ---- GUI thread ---------------------------------------------------------------------------------


class AccountsSession(QObject):
    """Accounts, tokens and test mails for the settings dialog. GUI thread (needs the qasync loop).

    Args:
        bridge: The GUI's only link to the engine (``None``: nothing can be done).
        parent: Qt parent (the page).

    Signals:
        refreshed(users, tokens): fresh lists of :class:`UserView` and :class:`TokenView`.
        failed(message): a step failed (the message says why; also shown by the page).
        token_created(name, value): a new token; its value is shown once and kept nowhere.
        mail_done(ok, message): the test mail was handed to the server, or why not.
        busy_changed(busy): a step started or ended.
    """

    refreshed = Signal(list, list)
    failed = Signal(str)
    token_created = Signal(str, str)
    mail_done = Signal(bool, str)
    busy_changed = Signal(bool)

    def __init__(self, bridge: EngineBridge | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self._running = 0

    @property
    def available(self) -> bool:
        """True while the engine runs (accounts live in its database)."""
        return self.bridge is not None and self.bridge.engine_running

    @property
    def busy(self) -> bool:
        """True while a step runs."""
        return self._running > 0

    def refresh(self) -> bool:
        """Read the users and tokens again."""
        return self._run("accounts:refresh", self._refresh)

    def add_user(self, username: str, email: str, password: str, admin: bool) -> bool:
        """Create an account (verified; no mail needed)."""
        return self._change("accounts:add", lambda rt: _add_user(rt, username, email, password, admin))

    def remove_user(self, user_id: int) -> bool:
        """Remove an account and its tokens (never the last admin)."""
        return self._change("accounts:remove", lambda rt: _remove_user(rt, user_id))

    def set_admin(self, user_id: int, admin: bool) -> bool:
        """Give or take the admin role (never from the last admin)."""
        return self._change("accounts:admin", lambda rt: _set_admin(rt, user_id, admin))

    def create_token(self, user_id: int, name: str) -> bool:
        """Create a plugin API token acting as ``user_id``; :attr:`token_created` brings it."""
        return self._change(
            "tokens:create",
            lambda rt: _create_token(rt, user_id, name),
            lambda value: self._emit(self.token_created, name, value),
        )

    def revoke_token(self, token_id: int) -> bool:
        """Revoke a token: plugins using it get 401 from now on."""
        return self._change("tokens:revoke", lambda rt: _revoke_token(rt, token_id))

    def send_test_mail(self, settings: SmtpSettings, password: str, to: str, subject: str, text: str) -> bool:
        """Send one mail to ``to`` through ``settings``; :attr:`mail_done` tells how it went.

        ``password`` is the one typed in the dialog; empty uses the stored one.
        """

        async def work(rt: EngineRuntime) -> None:
            try:
                await self._call(_send_test_mail(rt, settings, password, to, subject, text))
            except MailError as exc:
                self._emit(self.mail_done, False, str(exc))
                return
            log.info("test mail sent", extra={"smtp_host": settings.host})
            self._emit(self.mail_done, True, to)

        return self._run("smtp:test", work)

    # ---- plumbing -------------------------------------------------------------------------------

    async def _call(self, coro: Coroutine[Any, Any, Any]) -> Any:
        assert self.bridge is not None
        return await self.bridge.call(coro)

    async def _refresh(self, rt: EngineRuntime) -> None:
        users, tokens = await self._call(_snapshot(rt))
        self._emit(self.refreshed, users, tokens)

    def _change(
        self,
        name: str,
        engine_step: Callable[[EngineRuntime], Coroutine[Any, Any, Any]],
        done: Callable[[Any], None] | None = None,
    ) -> bool:
        """Run ``engine_step`` on the engine loop, hand its result to ``done``, then refresh."""

        async def work(rt: EngineRuntime) -> None:
            try:
                result = await self._call(engine_step(rt))
                if done is not None:
                    done(result)
            finally:
                await self._refresh(rt)  # show what the database holds now, failed or not

        return self._run(name, work)

    def _run(self, name: str, step: Callable[[EngineRuntime], Coroutine[Any, Any, Any]]) -> bool:
        bridge = self.bridge
        runtime = bridge.runtime if bridge is not None else None
        if bridge is None or runtime is None or not bridge.engine_running:
            self.failed.emit(self.tr("The engine is not running: accounts, tokens and test e-mails need it."))
            return False

        async def guarded() -> None:
            self._set_running(+1)
            try:
                await step(runtime)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if not isinstance(exc, AuthError | StudioError | MailError):
                    log.exception("%s failed", name)
                self._emit(self.failed, error_text(exc))
            finally:
                self._set_running(-1)

        return bridge.spawn(guarded(), name) is not None

    def _set_running(self, delta: int) -> None:
        self._running += delta
        if shiboken6.isValid(self):
            self.busy_changed.emit(self.busy)

    def _emit(self, signal: Any, *args: Any) -> None:
        if shiboken6.isValid(self):
            signal.emit(*args)
