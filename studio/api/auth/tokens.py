"""JWT session tokens (HS256) and long-lived plugin API tokens.

JWTs carry ``user_id``, ``token_id``, ``jti`` (same value, as StreamCream's tokens), ``iat`` and
``exp``. API tokens are random strings with a recognisable prefix; only their SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

import jwt

JWT_ALGORITHM = "HS256"
DEFAULT_TOKEN_TTL_S = 7 * 24 * 3600
API_TOKEN_PREFIX = "cst_"  # noqa: S105 (a prefix, not a secret)
_LEEWAY_S = 5


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """The verified claims of a session token."""

    user_id: int
    jti: str
    iat: int
    exp: int


class TokenInvalidError(Exception):
    """The token is forged, malformed or expired (``expired`` says which)."""

    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


def issue_jwt(
    secret: str, user_id: int, ttl_s: float = DEFAULT_TOKEN_TTL_S, now: float | None = None
) -> tuple[str, TokenClaims]:
    """A new signed token for ``user_id`` and its claims."""
    iat = int(now if now is not None else time.time())
    jti = secrets.token_hex(16)
    claims = TokenClaims(user_id=user_id, jti=jti, iat=iat, exp=iat + int(ttl_s))
    payload = {"user_id": user_id, "token_id": jti, "jti": jti, "iat": claims.iat, "exp": claims.exp}
    return jwt.encode(payload, secret, algorithm=JWT_ALGORITHM), claims


def decode_jwt(secret: str, token: str) -> TokenClaims:
    """Verify signature, algorithm and expiry; return the claims.

    Raises:
        TokenInvalidError: forged, malformed, without the needed claims, or expired.
    """
    try:
        payload = jwt.decode(
            token,
            secret,
            algorithms=[JWT_ALGORITHM],
            options={"require": ["exp", "iat", "jti"]},
            leeway=_LEEWAY_S,
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenInvalidError("The token has expired.", expired=True) from exc
    except jwt.PyJWTError as exc:
        raise TokenInvalidError("The token is not valid.") from exc
    user_id, jti = payload.get("user_id"), payload.get("jti")
    if not isinstance(user_id, int) or isinstance(user_id, bool) or not isinstance(jti, str) or not jti:
        raise TokenInvalidError("The token is not valid.")
    return TokenClaims(user_id=user_id, jti=jti, iat=int(payload["iat"]), exp=int(payload["exp"]))


def new_api_token() -> str:
    """A new plugin API token (shown once; only its hash is kept)."""
    return API_TOKEN_PREFIX + secrets.token_urlsafe(32)


def is_api_token(token: str) -> bool:
    """True if ``token`` looks like a plugin API token rather than a JWT."""
    return token.startswith(API_TOKEN_PREFIX)


def api_token_hash(token: str) -> str:
    """SHA-256 hex of an API token (the stored form; the token has 256 random bits)."""
    return hashlib.sha256(token.encode()).hexdigest()


def code_hash(key: str, purpose: str, email: str, code: str) -> str:
    """Keyed hash of an e-mail code: a copy of the database alone does not reveal the codes."""
    message = f"{purpose}\x00{email}\x00{code}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def new_code() -> str:
    """A random 6-digit code."""
    return f"{secrets.randbelow(10**6):06d}"


def bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization`` header: the second word if there is a space (``Bearer x``),
    else the whole header (StreamCream's rule); ``None`` when absent or empty."""
    if not header or not header.strip():
        return None
    parts = header.strip().split()
    token = parts[1] if len(parts) > 1 else parts[0]
    return token or None
