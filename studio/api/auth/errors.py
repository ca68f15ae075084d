"""The one error type of authentication: an HTTP status, a clear message and a machine code.

Native routes answer it with the envelope; legacy StreamCream routes with their own
``{"success": false, "message": ...}`` shape (``legacy_message`` when the old back end had a text).
"""

from __future__ import annotations

import math


class AuthError(Exception):
    """Something the client must fix (or wait for); never a server bug.

    Args:
        status: HTTP status (400, 401, 403, 404, 429, 502, 503).
        message: English text for the envelope.
        code: Machine-readable code (``invalid_token``, ``rate_limited`` ...).
        legacy_message: The StreamCream back end's text for the same case (Chinese), if any.
        retry_after: Seconds until a rate-limited client may try again (sets ``Retry-After``).
        legacy: Answer in the legacy shape even on a native path (set by legacy dependencies).
    """

    def __init__(
        self,
        status: int,
        message: str,
        code: str,
        *,
        legacy_message: str | None = None,
        retry_after: float | None = None,
        legacy: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.legacy_message = legacy_message or message
        self.retry_after = retry_after
        self.legacy = legacy

    @property
    def headers(self) -> dict[str, str]:
        """Response headers: ``Retry-After`` for 429, ``WWW-Authenticate`` for 401."""
        headers: dict[str, str] = {}
        if self.retry_after is not None:
            headers["Retry-After"] = str(max(1, math.ceil(self.retry_after)))
        if self.status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        return headers


def bad_request(message: str, code: str, legacy_message: str | None = None) -> AuthError:
    """400."""
    return AuthError(400, message, code, legacy_message=legacy_message)


def unauthorized(message: str = "Invalid or expired token.", code: str = "invalid_token") -> AuthError:
    """401."""
    return AuthError(401, message, code, legacy_message="无效令牌")


SMTP_MISSING_MESSAGE = (
    "Registration needs an SMTP server; the admin can add users in the studio "
    "(Settings -> API -> Users) or with `studio user add`."
)
SMTP_MISSING_LEGACY = (
    "注册需要配置 SMTP 邮件服务器；管理员可以在工作室中添加用户 (" + SMTP_MISSING_MESSAGE + ")"
)


def smtp_missing(action: str = "Registration") -> AuthError:
    """503: codes cannot be mailed because no SMTP server is configured."""
    message = (
        SMTP_MISSING_MESSAGE
        if action == "Registration"
        else (
            f"{action} needs an SMTP server to mail the code; the admin can set a new password in the "
            "studio or with `studio user passwd`."
        )
    )
    return AuthError(503, message, "smtp_not_configured", legacy_message=SMTP_MISSING_LEGACY)
