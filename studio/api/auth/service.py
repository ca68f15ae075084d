"""The authentication service: accounts, e-mail codes, sessions, API tokens and rate limits.

One instance per studio (shared by the main API and the legacy-port apps through
``ApiContext.services["auth"]``; the CLI builds its own). All methods are coroutines for the
engine loop: database work runs on the DB thread, password hashing and keyring access in worker
threads. Failures a client must handle are :class:`AuthError` (status, message, code).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import math
import shutil
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from studio.api.auth.errors import AuthError, bad_request, smtp_missing, unauthorized
from studio.api.auth.mailer import MailError, send_mail
from studio.api.auth.passwords import (
    PasswordWorker,
    email_problem,
    needs_rehash,
    normalize_email,
    password_problem,
    username_problem,
)
from studio.api.auth.ratelimit import RateLimiter
from studio.api.auth.tokens import (
    DEFAULT_TOKEN_TTL_S,
    TokenClaims,
    TokenInvalidError,
    api_token_hash,
    code_hash,
    decode_jwt,
    is_api_token,
    issue_jwt,
    new_api_token,
    new_code,
)
from studio.config.secrets import SecretStore
from studio.config.smtp_settings import SMTP_PASSWORD_SECRET, SmtpSettings
from studio.storage.db import Database
from studio.storage.user_repo import ApiTokenRow, CodePurpose, DuplicateUserError, UserRepo, UserRow

log = logging.getLogger(__name__)

JWT_SECRET_NAME = "api.jwt_secret"  # noqa: S105 (a name in the secrets store)
CODE_TTL_S = 600.0
CODE_MAX_ATTEMPTS = 5
LOGIN_FAILURES = 5  # per username + client ...
LOGIN_WINDOW_S = 300.0  # ... within 5 minutes
CLIENT_LOGIN_FAILURES = 30  # per client, any username (password spraying)
CODE_MAILS_PER_EMAIL = 3  # code mails per address ...
CODE_MAIL_WINDOW_S = 600.0  # ... within 10 minutes
CODE_MAILS_PER_CLIENT = 10  # code mails per client within the same window

MailSender = Callable[[SmtpSettings, str | None, str, str, str], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the user and how they proved it."""

    user: UserRow
    via: Literal["jwt", "api_token"]
    claims: TokenClaims | None = None
    api_token_id: int | None = None

    @property
    def is_admin(self) -> bool:
        """True for admin users."""
        return self.user.is_admin


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new session token (shown to the client once)."""

    token: str
    claims: TokenClaims
    user: UserRow


@dataclass(frozen=True, slots=True)
class UserChanges:
    """What ``update_user`` may change; ``None`` leaves a field as it is."""

    username: str | None = None
    email: str | None = None
    password: str | None = None
    current_password: str | None = None
    is_admin: bool | None = None
    email_verified: bool | None = None


def _limited(wait: float, message: str, legacy: str) -> AuthError:
    return AuthError(
        429,
        f"{message} Try again in {max(1, math.ceil(wait))} s.",
        "rate_limited",
        legacy_message=legacy,
        retry_after=wait,
    )


class AuthService:
    """Accounts and tokens.

    Args:
        db: The studio database.
        secrets: The secrets store (JWT key, SMTP password).
        smtp: Returns the current SMTP settings (read per use, so GUI changes apply at once).
        token_ttl_s: Lifetime of session tokens (default 7 days).
        code_ttl_s: Lifetime of e-mail codes (default 10 minutes).
        send: Mail sender (tests may replace it; the default speaks SMTP).
    """

    def __init__(
        self,
        db: Database,
        secrets: SecretStore,
        smtp: Callable[[], SmtpSettings] = SmtpSettings,
        *,
        token_ttl_s: float = DEFAULT_TOKEN_TTL_S,
        code_ttl_s: float = CODE_TTL_S,
        send: MailSender = send_mail,
        data_dir: Path | None = None,
    ) -> None:
        self.users = UserRepo(db)
        self._db = db
        self._data_dir = data_dir
        self._secrets = secrets
        self._smtp = smtp
        self._send = send
        self.token_ttl_s = token_ttl_s
        self.code_ttl_s = code_ttl_s
        self.passwords = PasswordWorker()
        self.login_limiter = RateLimiter(LOGIN_FAILURES, LOGIN_WINDOW_S)
        self.client_login_limiter = RateLimiter(CLIENT_LOGIN_FAILURES, LOGIN_WINDOW_S)
        self.mail_limiter = RateLimiter(CODE_MAILS_PER_EMAIL, CODE_MAIL_WINDOW_S)
        self.client_mail_limiter = RateLimiter(CODE_MAILS_PER_CLIENT, CODE_MAIL_WINDOW_S)
        self._secret: str | None = None
        self._secret_lock = threading.Lock()

    # --- keys ------------------------------------------------------------------------------------

    def _load_secret(self) -> str:
        with self._secret_lock:
            if self._secret is None:
                self._secret = self._secrets.get_or_create(JWT_SECRET_NAME, 48)
            return self._secret

    async def jwt_secret(self) -> str:
        """The signing key (created in the secrets store on first use; cached)."""
        return self._secret if self._secret is not None else await asyncio.to_thread(self._load_secret)

    async def _code_key(self) -> str:
        secret = await self.jwt_secret()
        return hmac.new(secret.encode(), b"cream-studio email code", hashlib.sha256).hexdigest()

    def smtp_settings(self) -> SmtpSettings:
        """The SMTP settings in force now."""
        return self._smtp()

    # --- tokens ----------------------------------------------------------------------------------

    async def issue(self, user: UserRow, ttl_s: float | None = None) -> IssuedToken:
        """A new session token for ``user``."""
        token, claims = issue_jwt(
            await self.jwt_secret(), user.id, self.token_ttl_s if ttl_s is None else ttl_s
        )
        return IssuedToken(token, claims, user)

    async def authenticate(self, token: str) -> Principal:
        """The principal behind a bearer token (session JWT or plugin API token).

        Raises:
            AuthError: 401 for a forged, malformed, expired or revoked token or a deleted user.
        """
        if is_api_token(token):
            found = await self.users.api_token_auth(api_token_hash(token))
            if found is None:
                raise unauthorized("The API token is not valid or was revoked.", "invalid_token")
            row, user = found
            return Principal(user, "api_token", api_token_id=row.id)
        try:
            claims = decode_jwt(await self.jwt_secret(), token)
        except TokenInvalidError as exc:
            raise unauthorized(str(exc), "token_expired" if exc.expired else "invalid_token") from exc
        state = await self.users.auth_state(claims.user_id, claims.jti)
        if state.jti_revoked:
            raise unauthorized("The token was revoked (signed out).", "token_revoked")
        if state.user is None:
            problem = unauthorized("The user of this token no longer exists.", "user_not_found")
            problem.legacy_message = "用户不存在"
            raise problem
        if claims.iat < math.floor(state.user.tokens_valid_after):
            raise unauthorized("The token was revoked (the password changed).", "token_revoked")
        return Principal(state.user, "jwt", claims=claims)

    async def logout(self, principal: Principal) -> None:
        """Revoke the session token the principal used (persisted; survives a restart)."""
        if principal.claims is None:
            raise bad_request(
                "Plugin API tokens are not signed out; revoke them with `studio token revoke ID`.",
                "api_token_logout",
            )
        await self.users.revoke_jti(principal.claims.jti, float(principal.claims.exp))
        log.info("signed out", extra={"user_id": principal.user.id})

    # --- login -----------------------------------------------------------------------------------

    async def login(self, username: str, password: str, client: str) -> IssuedToken:
        """Check the password and issue a session token.

        Raises:
            AuthError: 401 wrong name or password; 403 e-mail not verified; 429 too many failures.
        """
        name = username.strip()
        key = f"{name.lower()}|{client}"
        for limiter, k in ((self.login_limiter, key), (self.client_login_limiter, client)):
            wait = limiter.retry_after(k)
            if wait is not None:
                raise _limited(wait, "Too many failed sign-ins.", "登录尝试过多，请稍后再试")
        user = await (
            self.users.by_email(normalize_email(name)) if "@" in name else self.users.by_username(name)
        )
        ok = await self.passwords.verify(user.password_hash if user else None, password)
        if user is None or not ok:
            self.login_limiter.hit(key)
            self.client_login_limiter.hit(client)
            log.info("sign-in failed", extra={"client": client})
            raise AuthError(
                401, "Wrong username or password.", "invalid_credentials", legacy_message="用户名或密码错误"
            )
        if not user.email_verified:
            raise AuthError(
                403,
                "The e-mail address is not verified yet: enter the code from the mail first.",
                "email_not_verified",
                legacy_message="邮箱尚未验证，请先完成邮箱验证",
            )
        self.login_limiter.reset(key)
        if needs_rehash(user.password_hash):
            new_hash = await self.passwords.hash(password)
            user = await self.users.update(user.id, password_hash=new_hash) or user
        log.info("signed in", extra={"user_id": user.id})
        return await self.issue(user)

    # --- e-mail codes ----------------------------------------------------------------------------

    def _require_smtp(self, action: str) -> SmtpSettings:
        settings = self.smtp_settings()
        if not settings.configured:
            raise smtp_missing(action)
        return settings

    async def _mail_code(self, settings: SmtpSettings, purpose: CodePurpose, email: str, client: str) -> None:
        for limiter, k in ((self.mail_limiter, email), (self.client_mail_limiter, client)):
            wait = limiter.acquire(k)
            if wait is not None:
                raise _limited(wait, "Too many code mails.", "验证码发送过于频繁，请稍后再试")
        code = new_code()
        row = await self.users.add_code(
            purpose, email, code_hash(await self._code_key(), purpose, email, code), self.code_ttl_s
        )
        minutes = max(1, round(self.code_ttl_s / 60))
        if purpose == "register":
            subject = "Cream Studio: your verification code / 验证码"
            what = "finish creating your account"
        else:
            subject = "Cream Studio: your password reset code / 重置密码验证码"
            what = "set a new password"
        text = (
            f"Your code: {code}\n\nEnter it in Cream Studio to {what}. It is valid for {minutes} minutes "
            "and can be used once.\n\n"
            f"您的验证码是：{code}（{minutes} 分钟内有效，只能使用一次）。\n\n"
            "If you did not ask for this code, ignore this mail.\n"
        )
        password = (
            await asyncio.to_thread(self._secrets.get, SMTP_PASSWORD_SECRET) if settings.username else None
        )
        if settings.username and not password:
            await self.users.use_code(row.id)
            raise AuthError(
                503,
                f"The SMTP login {settings.username!r} needs a password: set it in Settings -> API -> SMTP "
                f"or with `studio secrets set {SMTP_PASSWORD_SECRET}`.",
                "smtp_not_configured",
                legacy_message="SMTP 邮件服务器缺少密码，请联系管理员",
            )
        try:
            await self._send(settings, password, email, subject, text)
        except MailError as exc:
            await self.users.use_code(row.id)
            raise AuthError(
                502,
                f"The code mail could not be sent: {exc}",
                "mail_failed",
                legacy_message="邮件发送失败，请稍后重试",
            ) from exc
        log.info("code mailed", extra={"purpose": purpose})

    async def _check_code(self, purpose: CodePurpose, email: str, code: str, *, consume: bool) -> None:
        row = await self.users.live_code(purpose, email)
        if row is None:
            raise bad_request(
                "No valid code for this address: ask for a new one.", "code_invalid", "验证码不存在或已过期"
            )
        if time.time() > row.expires_at:
            raise bad_request("The code has expired: ask for a new one.", "code_expired", "验证码已过期")
        expected = code_hash(await self._code_key(), purpose, email, code.strip())
        if not hmac.compare_digest(expected, row.code_hash):
            attempts = await self.users.code_failed(row.id, CODE_MAX_ATTEMPTS)
            left = CODE_MAX_ATTEMPTS - attempts
            hint = f" {left} tries left." if left > 0 else " The code is now void: ask for a new one."
            raise bad_request("Wrong code." + hint, "code_wrong", "验证码错误")
        if consume and not await self.users.use_code(row.id):
            raise bad_request("The code was already used.", "code_invalid", "验证码不存在或已过期")

    # --- registration ----------------------------------------------------------------------------

    def _validate_new(self, username: str, email: str, password: str) -> None:
        for problem, code in (
            (username_problem(username), "invalid_username"),
            (email_problem(email), "invalid_email"),
            (password_problem(password), "invalid_password"),
        ):
            if problem:
                raise bad_request(problem, code)

    async def register(self, username: str, email: str, password: str, client: str) -> str:
        """Start a registration: keep the (unverified) account and mail a code; returns the address.

        Raises:
            AuthError: 400 invalid or taken; 503 no SMTP server; 429 too many mails; 502 mail failed.
        """
        settings = self._require_smtp("Registration")
        username, email = username.strip(), normalize_email(email)
        self._validate_new(username, email, password)
        by_email = await self.users.by_email(email)
        if by_email is not None and by_email.email_verified:
            raise bad_request("This e-mail address is already registered.", "email_taken", "邮箱已被使用")
        by_name = await self.users.by_username(username)
        if by_name is not None and (by_email is None or by_name.id != by_email.id):
            if by_name.email_verified or await self._pending_is_live(by_name):
                raise bad_request("This username is already taken.", "username_taken", "用户名已被使用")
            await self.users.delete(by_name.id)  # an abandoned registration: free the name
        password_hash = await self.passwords.hash(password)
        created = False
        try:
            if by_email is not None:  # registering again before verifying: the new data wins
                await self.users.update(by_email.id, username=username, password_hash=password_hash)
            else:
                await self.users.insert(username, email, password_hash, email_verified=False, is_admin=False)
                created = True
        except DuplicateUserError as exc:
            raise bad_request(
                f"This {exc.field} is already taken.",
                f"{exc.field}_taken",
                "用户名已被使用" if exc.field == "username" else "邮箱已被使用",
            ) from exc
        try:
            await self._mail_code(settings, "register", email, client)
        except AuthError:
            if created:
                pending = await self.users.by_email(email)
                if pending is not None and not pending.email_verified:
                    await self.users.delete(pending.id)
            raise
        log.info("registration started")
        return email

    async def _pending_is_live(self, user: UserRow) -> bool:
        row = await self.users.live_code("register", normalize_email(user.email))
        return row is not None and time.time() <= row.expires_at

    async def verify_email(self, email: str, code: str) -> IssuedToken:
        """Finish a registration with the mailed code; returns a session token.

        The first account verified while there is no admin becomes admin.
        """
        email = normalize_email(email)
        user = await self.users.by_email(email)
        if user is None or user.email_verified:
            raise bad_request(
                "No registration is waiting for this address.", "code_invalid", "验证码不存在或已过期"
            )
        await self._check_code("register", email, code, consume=True)
        make_admin = await self.users.count_admins() == 0
        updated = await self.users.update(user.id, email_verified=True, is_admin=make_admin or user.is_admin)
        assert updated is not None
        log.info("registration finished", extra={"user_id": updated.id, "admin": updated.is_admin})
        return await self.issue(updated)

    async def resend_verification(self, email: str, client: str) -> None:
        """Mail a new registration code (the old one stops working)."""
        settings = self._require_smtp("Registration")
        email = normalize_email(email)
        user = await self.users.by_email(email)
        if user is None or user.email_verified:
            raise bad_request(
                "No registration is waiting for this address.",
                "no_pending_registration",
                "没有找到待验证的邮箱",
            )
        await self._mail_code(settings, "register", email, client)

    # --- password reset --------------------------------------------------------------------------

    async def _reset_user(self, email: str, username: str | None) -> UserRow:
        user = await self.users.by_email(normalize_email(email))
        if user is None or (username is not None and user.username.lower() != username.strip().lower()):
            raise AuthError(
                404,
                "No user with this username and e-mail.",
                "user_not_found",
                legacy_message="用户名或邮箱不存在",
            )
        return user

    async def forgot_password(self, email: str, username: str | None, client: str) -> None:
        """Mail a password-reset code.

        Raises:
            AuthError: 404 no such user; 503 no SMTP server; 429; 502.
        """
        settings = self._require_smtp("Password reset")
        user = await self._reset_user(email, username)
        await self._mail_code(settings, "reset", normalize_email(user.email), client)

    async def verify_reset_code(self, email: str, code: str, username: str | None) -> None:
        """Check a reset code without spending it (wrong guesses count)."""
        user = await self._reset_user(email, username)
        await self._check_code("reset", normalize_email(user.email), code, consume=False)

    async def reset_password(self, email: str, code: str, new_password: str, username: str | None) -> UserRow:
        """Set a new password with a reset code; earlier session tokens stop working."""
        user = await self._reset_user(email, username)
        problem = password_problem(new_password)
        if problem:
            raise bad_request(problem, "invalid_password")
        await self._check_code("reset", normalize_email(user.email), code, consume=True)
        updated = await self._set_password(user.id, new_password)
        log.info("password reset", extra={"user_id": user.id})
        return updated

    async def _set_password(self, user_id: int, password: str) -> UserRow:
        password_hash = await self.passwords.hash(password)
        # Tokens issued in earlier seconds stop working (iat has whole seconds).
        updated = await self.users.update(
            user_id, password_hash=password_hash, tokens_valid_after=float(math.floor(time.time()))
        )
        if updated is None:
            raise AuthError(404, "No such user.", "user_not_found", legacy_message="用户不存在")
        return updated

    # --- user management (GUI, CLI, admin routes) ------------------------------------------------

    async def create_user(
        self, username: str, email: str, password: str, *, is_admin: bool = False, email_verified: bool = True
    ) -> UserRow:
        """Add an account directly (admin, GUI, CLI; no mail). The first account is always admin.

        Raises:
            AuthError: 400 invalid or taken.
        """
        username, email = username.strip(), normalize_email(email)
        self._validate_new(username, email, password)
        password_hash = await self.passwords.hash(password)
        try:
            user = await self.users.insert(
                username,
                email,
                password_hash,
                email_verified=email_verified,
                is_admin=is_admin,
                first_is_admin=True,
            )
        except DuplicateUserError as exc:
            raise bad_request(f"This {exc.field} is already taken.", f"{exc.field}_taken") from exc
        log.info("user created", extra={"user_id": user.id, "admin": user.is_admin})
        return user

    async def set_password(self, user_id: int, password: str) -> UserRow:
        """Set a user's password (admin, CLI); their session tokens stop working."""
        problem = password_problem(password)
        if problem:
            raise bad_request(problem, "invalid_password")
        return await self._set_password(user_id, password)

    async def get_user(self, actor: Principal, user_id: int) -> UserRow:
        """A user, for themselves or an admin (403 otherwise, 404 if missing)."""
        self._self_or_admin(actor, user_id)
        user = await self.users.get(user_id)
        if user is None:
            raise AuthError(404, "No such user.", "user_not_found")
        return user

    @staticmethod
    def _self_or_admin(actor: Principal, user_id: int) -> None:
        if not actor.is_admin and actor.user.id != user_id:
            raise AuthError(403, "Only an admin may see or change other users.", "forbidden")

    async def update_user(self, actor: Principal, user_id: int, changes: UserChanges) -> UserRow:
        """Change a user (themselves or an admin). Admin-only: ``is_admin``, ``email_verified``.

        A user changing their own password must give the current one (admins changing another
        user's do not). The last admin cannot lose the admin role.
        """
        user = await self.get_user(actor, user_id)
        values: dict[str, object] = {}
        if (changes.is_admin is not None or changes.email_verified is not None) and not actor.is_admin:
            raise AuthError(403, "Only an admin may change roles or verification.", "forbidden")
        if changes.username is not None and changes.username.strip() != user.username:
            name = changes.username.strip()
            problem = username_problem(name)
            if problem:
                raise bad_request(problem, "invalid_username")
            values["username"] = name
        if changes.email is not None and normalize_email(changes.email) != user.email:
            email = normalize_email(changes.email)
            problem = email_problem(email)
            if problem:
                raise bad_request(problem, "invalid_email")
            values["email"] = email
            if not actor.is_admin:
                values["email_verified"] = False
        if changes.is_admin is not None and changes.is_admin != user.is_admin:
            if not changes.is_admin and await self.users.count_admins() <= 1:
                raise bad_request("The last admin cannot lose the admin role.", "last_admin")
            values["is_admin"] = changes.is_admin
        if changes.email_verified is not None:
            values["email_verified"] = changes.email_verified
        if changes.password is not None:
            problem = password_problem(changes.password)
            if problem:
                raise bad_request(problem, "invalid_password")
            if actor.user.id == user_id and not await self.passwords.verify(
                user.password_hash, changes.current_password or ""
            ):
                raise AuthError(403, "The current password is wrong.", "wrong_password")
            values["password_hash"] = await self.passwords.hash(changes.password)
            values["tokens_valid_after"] = float(math.floor(time.time()))
        try:
            updated = await self.users.update(user_id, **values)
        except DuplicateUserError as exc:
            raise bad_request(f"This {exc.field} is already taken.", f"{exc.field}_taken") from exc
        if updated is None:
            raise AuthError(404, "No such user.", "user_not_found")
        return updated

    async def delete_user(self, actor: Principal | None, user_id: int) -> None:
        """Remove a user (themselves or an admin; ``actor=None`` is the local owner: CLI, GUI).
        The last admin cannot be removed."""
        if actor is not None:
            self._self_or_admin(actor, user_id)
        user = await self.users.get(user_id)
        if user is None:
            raise AuthError(404, "No such user.", "user_not_found")
        if user.is_admin and await self.users.count_admins() <= 1:
            raise bad_request("The last admin cannot be removed.", "last_admin")
        await self._remove_user_data(user_id)
        await self.users.delete(user_id)
        log.info("user removed", extra={"user_id": user_id})

    async def _remove_user_data(self, user_id: int) -> None:
        """What a user leaves outside the ``users`` rows: preference secrets and background files."""
        from studio.api.preferences_service import PreferencesService
        from studio.storage.prefs_repo import PreferencesRepo

        await PreferencesService(PreferencesRepo(self._db), self._secrets).reset(user_id)
        if self._data_dir is not None:
            folder = self._data_dir / "backgrounds" / str(user_id)
            if folder.is_dir() and not folder.is_symlink():
                await asyncio.to_thread(shutil.rmtree, folder, True)

    # --- plugin API tokens -----------------------------------------------------------------------

    async def create_api_token(self, user_id: int, name: str) -> tuple[ApiTokenRow, str]:
        """A new long-lived API token for ``user_id``: the row and the token (shown once, not kept)."""
        name = name.strip()
        if not 1 <= len(name) <= 64:
            raise bad_request("The token name must be 1-64 characters.", "invalid_name")
        if await self.users.get(user_id) is None:
            raise AuthError(404, "No such user.", "user_not_found")
        token = new_api_token()
        row = await self.users.add_api_token(user_id, name, api_token_hash(token))
        log.info("API token created", extra={"token_id": row.id, "user_id": user_id})
        return row, token

    async def list_api_tokens(self, user_id: int | None = None) -> list[ApiTokenRow]:
        """API tokens (hashes only), of one user or all."""
        return await self.users.api_tokens(user_id)

    async def revoke_api_token(self, token_id: int) -> bool:
        """Revoke an API token; False when there was no such live token."""
        done = await self.users.revoke_api_token(token_id)
        if done:
            log.info("API token revoked", extra={"token_id": token_id})
        return done
