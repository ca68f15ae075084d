"""Seed-documented auth routes (``/api/auth/*``), envelope responses.

Registration and password reset mail a 6-digit code through the configured SMTP server; without
one they answer 503 with a clear message (the admin adds users in the studio or with
``studio user add``).
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from studio.api.auth.deps import Auth, client_of, require_user
from studio.api.auth.errors import AuthError
from studio.api.auth.service import IssuedToken, Principal
from studio.api.schemas import Envelope
from studio.storage.user_repo import UserRow

router = APIRouter(prefix="/api/auth", tags=["auth"])
CurrentUser = Annotated[Principal, Depends(require_user)]

_ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": Envelope[None], "description": "Invalid input, taken name, wrong or expired code"},
    429: {"model": Envelope[None], "description": "Rate limited (see Retry-After)"},
}


def iso(ts: float) -> str:
    """Epoch seconds as ISO 8601 UTC."""
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


class UserOut(BaseModel):
    """A user as the API shows it (never the password hash)."""

    id: int
    username: str
    email: str
    email_verified: bool
    is_admin: bool
    created_at: str

    @classmethod
    def of(cls, row: UserRow) -> UserOut:
        """From a stored row."""
        return cls(
            id=row.id,
            username=row.username,
            email=row.email,
            email_verified=row.email_verified,
            is_admin=row.is_admin,
            created_at=iso(row.created_at),
        )


class TokenOut(BaseModel):
    """A session token."""

    token: str
    token_type: str = "bearer"  # noqa: S105
    expires_at: str
    expires_in: int
    user: UserOut

    @classmethod
    def of(cls, issued: IssuedToken) -> TokenOut:
        """From an issued token."""
        return cls(
            token=issued.token,
            expires_at=iso(issued.claims.exp),
            expires_in=issued.claims.exp - issued.claims.iat,
            user=UserOut.of(issued.user),
        )


class CodeSentOut(BaseModel):
    """A code was mailed."""

    email: str
    expires_in: int


class TokenInfoOut(BaseModel):
    """``verify-token``: whose token it is."""

    valid: bool = True
    user: UserOut
    token_kind: str
    expires_at: str | None = None


Name = Annotated[str, Field(min_length=1, max_length=64)]
Email = Annotated[str, Field(min_length=1, max_length=254)]
Password = Annotated[str, Field(min_length=1, max_length=1024)]
Code = Annotated[str, Field(min_length=1, max_length=16)]


class RegisterIn(BaseModel):
    """``POST /api/auth/register``."""

    username: Name
    email: Email
    password: Password


class VerifyEmailIn(BaseModel):
    """``POST /api/auth/verify-email``."""

    email: Email
    code: Code


class EmailIn(BaseModel):
    """An address (resend-verification)."""

    email: Email


class LoginIn(BaseModel):
    """``POST /api/auth/login``: ``username`` may also be the e-mail address."""

    username: Annotated[str, Field(min_length=1, max_length=254)]
    password: Password


class ForgotIn(BaseModel):
    """``POST /api/auth/forgot-password`` (``username``, if given, must match the address)."""

    email: Email
    username: Name | None = None


class ResetCodeIn(ForgotIn):
    """``POST /api/auth/verify-reset-code``."""

    code: Code


class ResetPasswordIn(ResetCodeIn):
    """``POST /api/auth/reset-password``."""

    new_password: Password


@router.post(
    "/register",
    response_model=Envelope[CodeSentOut],
    summary="Start a registration: mails a 6-digit code (public)",
    responses={**_ERRORS, 503: {"model": Envelope[None], "description": "No SMTP server configured"}},
)
async def register(body: RegisterIn, request: Request, auth: Auth) -> Envelope[CodeSentOut]:
    """Keeps the account unverified and mails a code valid for 10 minutes."""
    email = await auth.register(body.username, body.email, body.password, client_of(request))
    return Envelope(
        message="Verification code sent; check your mail.",
        data=CodeSentOut(email=email, expires_in=int(auth.code_ttl_s)),
    )


@router.post(
    "/verify-email",
    response_model=Envelope[TokenOut],
    status_code=201,
    summary="Finish a registration with the mailed code (public)",
    responses=_ERRORS,
)
async def verify_email(body: VerifyEmailIn, auth: Auth) -> Envelope[TokenOut]:
    """Verifies the address, activates the account and signs in."""
    issued = await auth.verify_email(body.email, body.code)
    return Envelope(message="Registered.", data=TokenOut.of(issued))


@router.post(
    "/resend-verification",
    response_model=Envelope[CodeSentOut],
    summary="Mail a new registration code (public)",
    responses={**_ERRORS, 503: {"model": Envelope[None], "description": "No SMTP server configured"}},
)
async def resend_verification(body: EmailIn, request: Request, auth: Auth) -> Envelope[CodeSentOut]:
    """The earlier code stops working."""
    await auth.resend_verification(body.email, client_of(request))
    return Envelope(
        message="Verification code sent again.",
        data=CodeSentOut(email=body.email.strip().lower(), expires_in=int(auth.code_ttl_s)),
    )


@router.post(
    "/login",
    response_model=Envelope[TokenOut],
    summary="Sign in; returns a session token (public)",
    responses={
        401: {"model": Envelope[None], "description": "Wrong username or password"},
        403: {"model": Envelope[None], "description": "E-mail not verified"},
        429: {"model": Envelope[None], "description": "Too many failures (see Retry-After)"},
    },
)
async def login(body: LoginIn, request: Request, auth: Auth) -> Envelope[TokenOut]:
    """5 failures per username and client within 5 minutes lock further tries for a while."""
    issued = await auth.login(body.username, body.password, client_of(request))
    return Envelope(message="Signed in.", data=TokenOut.of(issued))


@router.post("/logout", response_model=Envelope[None], summary="Revoke the session token sent")
async def logout(principal: CurrentUser, auth: Auth) -> Envelope[None]:
    """The token is refused from now on, also after a restart."""
    await auth.logout(principal)
    return Envelope(message="Signed out.")


@router.post("/verify-token", response_model=Envelope[TokenInfoOut], summary="Check the token sent")
async def verify_token(principal: CurrentUser) -> Envelope[TokenInfoOut]:
    """200 with the user for a valid token; 401 otherwise."""
    expires = iso(principal.claims.exp) if principal.claims else None
    return Envelope(
        message="Token is valid.",
        data=TokenInfoOut(user=UserOut.of(principal.user), token_kind=principal.via, expires_at=expires),
    )


@router.post(
    "/forgot-password",
    response_model=Envelope[CodeSentOut],
    summary="Mail a password-reset code (public)",
    responses={**_ERRORS, 503: {"model": Envelope[None], "description": "No SMTP server configured"}},
)
async def forgot_password(body: ForgotIn, request: Request, auth: Auth) -> Envelope[CodeSentOut]:
    """Answers the same whether or not the account exists (no address probing)."""
    try:
        await auth.forgot_password(body.email, body.username, client_of(request))
    except AuthError as exc:
        if exc.code != "user_not_found":
            raise
    return Envelope(
        message="If an account has this address, a reset code was mailed to it.",
        data=CodeSentOut(email=body.email.strip().lower(), expires_in=int(auth.code_ttl_s)),
    )


@router.post(
    "/verify-reset-code",
    response_model=Envelope[None],
    summary="Check a reset code without using it (public)",
    responses=_ERRORS,
)
async def verify_reset_code(body: ResetCodeIn, auth: Auth) -> Envelope[None]:
    """Wrong guesses count: after 5 the code is void."""
    await _hide_unknown(auth.verify_reset_code(body.email, body.code, body.username))
    return Envelope(message="The code is valid.")


@router.post(
    "/reset-password",
    response_model=Envelope[None],
    summary="Set a new password with a reset code (public)",
    responses=_ERRORS,
)
async def reset_password(body: ResetPasswordIn, auth: Auth) -> Envelope[None]:
    """Uses the code; sessions signed in before stop working."""
    await _hide_unknown(auth.reset_password(body.email, body.code, body.new_password, body.username))
    return Envelope(message="Password changed; sign in with the new one.")


async def _hide_unknown(step: Awaitable[object]) -> None:
    """Await ``step``; an unknown account answers like a wrong code (no address probing)."""
    try:
        await step
    except AuthError as exc:
        if exc.code != "user_not_found":
            raise
        raise AuthError(400, "No valid code for this address: ask for a new one.", "code_invalid") from exc
