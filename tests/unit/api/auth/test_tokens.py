"""JWT issue/verify, API token hashing, bearer parsing, rate limiter, password rules."""

from __future__ import annotations

import time

import jwt
import pytest

from studio.api.auth.passwords import (
    email_problem,
    hash_password,
    password_problem,
    username_problem,
    verify_password,
)
from studio.api.auth.ratelimit import RateLimiter
from studio.api.auth.tokens import (
    API_TOKEN_PREFIX,
    TokenInvalidError,
    api_token_hash,
    bearer_token,
    code_hash,
    decode_jwt,
    is_api_token,
    issue_jwt,
    new_api_token,
    new_code,
)

SECRET = "s" * 48


def test_jwt_carries_the_claims_and_a_seven_day_expiry() -> None:
    token, claims = issue_jwt(SECRET, 7)
    payload = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert payload["user_id"] == 7
    assert payload["token_id"] == payload["jti"] == claims.jti
    assert payload["exp"] - payload["iat"] == 7 * 24 * 3600
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    assert decode_jwt(SECRET, token) == claims


def test_expired_jwt_is_refused_as_expired() -> None:
    token, _ = issue_jwt(SECRET, 1, ttl_s=60, now=time.time() - 3600)
    with pytest.raises(TokenInvalidError) as info:
        decode_jwt(SECRET, token)
    assert info.value.expired


@pytest.mark.parametrize(
    "token",
    [
        jwt.encode(
            {"user_id": 1, "jti": "x", "iat": int(time.time()), "exp": int(time.time()) + 10**8},
            "other-key-" + "o" * 40,
        ),
        # "alg": "none" (unsigned) must never pass
        jwt.encode(
            {"user_id": 1, "jti": "x", "iat": int(time.time()), "exp": int(time.time()) + 10**8}, None, "none"
        ),
        # no exp (StreamCream's own tokens never expired): refused
        jwt.encode({"user_id": 1, "jti": "x", "iat": int(time.time())}, SECRET),
        # user_id of the wrong type
        jwt.encode(
            {"user_id": "1", "jti": "x", "iat": int(time.time()), "exp": int(time.time()) + 10**8}, SECRET
        ),
        "not.a.jwt",
        "",
    ],
)
def test_forged_or_malformed_jwt_is_refused(token: str) -> None:
    with pytest.raises(TokenInvalidError) as info:
        decode_jwt(SECRET, token)
    assert not info.value.expired


def test_tampered_payload_is_refused() -> None:
    token, _ = issue_jwt(SECRET, 1)
    head, _payload, sig = token.split(".")
    other, _ = issue_jwt("x" * 48, 2)
    with pytest.raises(TokenInvalidError):
        decode_jwt(SECRET, f"{head}.{other.split('.')[1]}.{sig}")


def test_api_tokens_are_random_prefixed_and_hashed() -> None:
    a, b = new_api_token(), new_api_token()
    assert a != b
    assert a.startswith(API_TOKEN_PREFIX)
    assert is_api_token(a)
    assert not is_api_token(issue_jwt(SECRET, 1)[0])
    assert len(a) > 40
    assert api_token_hash(a) == api_token_hash(a) != api_token_hash(b)
    assert a not in api_token_hash(a)


def test_codes_are_six_digits_and_their_hash_is_keyed() -> None:
    codes = {new_code() for _ in range(200)}
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    assert len(codes) > 150
    h = code_hash("k1", "register", "a@b.org", "123456")
    assert h != code_hash("k2", "register", "a@b.org", "123456")
    assert h != code_hash("k1", "reset", "a@b.org", "123456")
    assert "123456" not in h


@pytest.mark.parametrize(
    ("header", "token"),
    [(None, None), ("", None), ("  ", None), ("Bearer abc", "abc"), ("abc", "abc"), ("bearer  abc ", "abc")],
)
def test_bearer_header_parsing_follows_streamcream(header: str | None, token: str | None) -> None:
    assert bearer_token(header) == token


def test_rate_limiter_window_and_retry_after() -> None:
    now = [1000.0]
    limiter = RateLimiter(3, 60, clock=lambda: now[0])
    for _ in range(3):
        assert limiter.retry_after("k") is None
        limiter.hit("k")
    wait = limiter.retry_after("k")
    assert wait is not None
    assert 59 <= wait <= 60
    assert limiter.retry_after("other") is None
    now[0] += 30
    assert limiter.acquire("k") is not None  # still blocked; the refused try is not counted
    now[0] += 31
    assert limiter.retry_after("k") is None
    assert limiter.acquire("k") is None
    limiter.reset("k")
    assert limiter.retry_after("k") is None


def test_password_hash_is_argon2id_and_verifies() -> None:
    h = hash_password("pässwörd-123")
    assert h.startswith("$argon2id$")
    assert "pässwörd" not in h
    assert verify_password(h, "pässwörd-123")
    assert not verify_password(h, "pässwörd-124")
    assert not verify_password(None, "anything")
    assert not verify_password("garbage", "anything")


def test_input_rules() -> None:
    assert password_problem("short") is not None
    assert password_problem("long enough") is None
    assert username_problem("ab") is not None
    assert username_problem("a" * 21) is not None
    assert username_problem("bob") is None
    assert username_problem("主播_01") is None
    assert username_problem("bob'; DROP TABLE users;--") is not None
    assert email_problem("a@b.org") is None
    for bad in ("a", "a@b", "@b.org", "a b@c.org", "a@b.org\r\nBcc: x@y.org"):
        assert email_problem(bad) is not None
