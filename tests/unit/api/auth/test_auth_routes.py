"""The auth and user routes, both path families, on a real database and secrets store.

Covers the seed's auth checklist: registration (uniqueness, verification by code), login right and
wrong, expired / invalid / revoked / forged tokens -> 401, token verification, password reset,
plus users (self/admin), plugin API tokens, the login and mail rate limits, and no SMTP -> 503.
"""

from __future__ import annotations

import time

import jwt
import pytest

from studio.api.auth.tokens import issue_jwt
from studio.config.smtp_settings import SmtpSettings
from tests.unit.api.auth.conftest import PASSWORD, AuthEnv, bearer

ENVELOPE_KEYS = {"success", "message", "data", "timestamp", "code"}


def _register(env: AuthEnv, name: str, email: str, path: str = "/api/auth/register") -> str:
    r = env.client.post(path, json={"username": name, "email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return env.outbox.last_code(email)


# --- registration ---------------------------------------------------------------------------------


def test_register_verify_and_sign_in(env: AuthEnv) -> None:
    code = _register(env, "alice", "alice@example.org")
    assert env.outbox.mails[-1][0] == "alice@example.org"
    # not verified yet: no sign-in
    r = env.client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    assert r.status_code == 403
    assert r.json()["code"] == "email_not_verified"
    r = env.client.post("/api/auth/verify-email", json={"email": "alice@example.org", "code": code})
    assert r.status_code == 201, r.text
    body = r.json()
    assert set(body) == ENVELOPE_KEYS
    assert body["data"]["user"]["username"] == "alice"
    assert body["data"]["user"]["email_verified"] is True
    assert body["data"]["user"]["is_admin"] is True  # first verified account while there is no admin
    assert "password" not in r.text
    assert "argon2" not in r.text
    token = body["data"]["token"]
    r = env.client.post("/api/auth/verify-token", headers=bearer(token))
    assert r.status_code == 200
    assert r.json()["data"]["user"]["username"] == "alice"
    # the code was single use
    r = env.client.post("/api/auth/verify-email", json={"email": "alice@example.org", "code": code})
    assert r.status_code == 400
    # a second account is not admin
    code = _register(env, "bob", "bob@example.org")
    r = env.client.post("/api/auth/verify-email", json={"email": "bob@example.org", "code": code})
    assert r.json()["data"]["user"]["is_admin"] is False
    assert env.login("alice")


def test_registration_uniqueness(env: AuthEnv) -> None:
    env.add_user("alice")
    cases = [
        ({"username": "alice", "email": "new@example.org"}, "username_taken"),
        ({"username": "ALICE", "email": "new@example.org"}, "username_taken"),
        ({"username": "newbie", "email": "alice@example.org"}, "email_taken"),
        ({"username": "newbie", "email": "Alice@Example.ORG"}, "email_taken"),
        ({"username": "ab", "email": "x@example.org"}, "invalid_username"),
        ({"username": "a" * 21, "email": "x@example.org"}, "invalid_username"),
        ({"username": "newbie", "email": "not-an-address"}, "invalid_email"),
    ]
    for fields, code in cases:
        r = env.client.post("/api/auth/register", json={**fields, "password": PASSWORD})
        assert r.status_code == 400, (fields, r.text)
        assert r.json()["code"] == code
    r = env.client.post(
        "/api/auth/register", json={"username": "newbie", "email": "n@example.org", "password": "short"}
    )
    assert r.json()["code"] == "invalid_password"
    # legacy path: same checks, the old texts
    r = env.client.post(
        "/api/register", json={"username": "alice", "email": "z@example.org", "password": PASSWORD}
    )
    assert r.status_code == 400
    assert r.json() == {"success": False, "message": "用户名已被使用"}
    r = env.client.post(
        "/api/register", json={"username": "zed", "email": "alice@example.org", "password": PASSWORD}
    )
    assert r.json() == {"success": False, "message": "邮箱已被使用"}
    r = env.client.post("/api/register", json={"username": "zed", "email": "", "password": PASSWORD})
    assert r.json() == {"success": False, "message": "所有字段都是必填的"}
    assert env.outbox.mails == []


def test_a_pending_registration_holds_the_name_until_its_code_expires(env: AuthEnv) -> None:
    _register(env, "carol", "carol@example.org")
    r = env.client.post(
        "/api/auth/register", json={"username": "carol", "email": "c2@example.org", "password": PASSWORD}
    )
    assert r.json()["code"] == "username_taken"
    # registering again with the same address replaces the pending data and mails a new code
    code = _register(env, "carol2", "carol@example.org")
    r = env.client.post("/api/auth/verify-email", json={"email": "carol@example.org", "code": code})
    assert r.json()["data"]["user"]["username"] == "carol2"


def test_verification_code_errors(env: AuthEnv) -> None:
    code = _register(env, "dave", "dave@example.org")
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    r = env.client.post("/api/verify-email", json={"email": "dave@example.org", "code": wrong})
    assert r.status_code == 400
    assert r.json() == {"success": False, "message": "验证码错误"}
    r = env.client.post("/api/verify-email", json={"email": "nobody@example.org", "code": code})
    assert r.json() == {"success": False, "message": "验证码不存在或已过期"}
    # resend: the old code stops working, the new one works (legacy 201 + token)
    r = env.client.post("/api/resend-verification", json={"email": "dave@example.org"})
    assert r.json() == {"success": True, "message": "验证码已重新发送"}
    new = env.outbox.last_code("dave@example.org")
    if new != code:
        r = env.client.post("/api/verify-email", json={"email": "dave@example.org", "code": code})
        assert r.status_code == 400
    r = env.client.post("/api/verify-email", json={"email": "dave@example.org", "code": new})
    assert r.status_code == 201
    body = r.json()
    assert body["success"] is True
    assert body["message"] == "注册成功！"
    assert set(body) == {"success", "message", "token"}
    r = env.client.post("/api/resend-verification", json={"email": "dave@example.org"})
    assert r.json() == {"success": False, "message": "没有找到待验证的邮箱"}


def test_expired_code_is_refused(env: AuthEnv) -> None:
    env.auth.code_ttl_s = 0.2
    code = _register(env, "erin", "erin@example.org")
    time.sleep(0.3)
    r = env.client.post("/api/auth/verify-email", json={"email": "erin@example.org", "code": code})
    assert r.status_code == 400
    assert r.json()["code"] == "code_expired"


def test_five_wrong_codes_void_the_code(env: AuthEnv) -> None:
    code = _register(env, "frank", "frank@example.org")
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        r = env.client.post("/api/auth/verify-email", json={"email": "frank@example.org", "code": wrong})
        assert r.json()["code"] == "code_wrong"
    r = env.client.post("/api/auth/verify-email", json={"email": "frank@example.org", "code": code})
    assert r.status_code == 400
    assert r.json()["code"] == "code_invalid"


def test_without_smtp_registration_answers_503_and_the_admin_path_works(env: AuthEnv) -> None:
    env.smtp_holder["smtp"] = SmtpSettings()  # nothing configured
    r = env.client.post(
        "/api/auth/register", json={"username": "gina", "email": "g@example.org", "password": PASSWORD}
    )
    assert r.status_code == 503
    assert r.json()["code"] == "smtp_not_configured"
    assert "SMTP" in r.json()["message"]
    assert "admin can add users" in r.json()["message"]
    r = env.client.post(
        "/api/register", json={"username": "gina", "email": "g@example.org", "password": PASSWORD}
    )
    assert r.status_code == 503
    assert "SMTP" in r.json()["message"]
    r = env.client.post("/api/auth/forgot-password", json={"email": "g@example.org"})
    assert r.status_code == 503
    user = env.add_user("gina")
    assert user.is_admin  # the first account created by the owner is admin
    assert env.login("gina")


def test_mail_failure_is_reported_and_leaves_no_account(env: AuthEnv) -> None:
    env.outbox.fail = True
    r = env.client.post(
        "/api/auth/register", json={"username": "hank", "email": "h@example.org", "password": PASSWORD}
    )
    assert r.status_code == 502
    assert r.json()["code"] == "mail_failed"
    r = env.client.post(
        "/api/register", json={"username": "hank", "email": "h@example.org", "password": PASSWORD}
    )
    assert r.status_code == 500
    assert r.json() == {"success": False, "message": "邮件发送失败，请稍后重试"}
    assert env.run(env.auth.users.count) == 0


# --- login and tokens -----------------------------------------------------------------------------


def test_login_right_and_wrong(env: AuthEnv) -> None:
    env.add_user("ivan")
    r = env.client.post("/api/auth/login", json={"username": "ivan", "password": PASSWORD})
    assert r.status_code == 200
    data = r.json()["data"]
    assert data["token_type"] == "bearer"
    assert data["expires_in"] == 7 * 24 * 3600
    assert (
        env.client.post(
            "/api/auth/login", json={"username": "ivan@example.org", "password": PASSWORD}
        ).status_code
        == 200
    )
    for user, password in (("ivan", "wrong password"), ("nobody", PASSWORD), ("ivan", "")):
        r = env.client.post("/api/auth/login", json={"username": user, "password": password})
        assert r.status_code in (401, 422)
    r = env.client.post("/api/auth/login", json={"username": "ivan", "password": "nope nope"})
    assert r.status_code == 401
    assert r.json()["code"] == "invalid_credentials"
    # legacy shapes
    r = env.client.post("/api/login", json={"username": "ivan", "password": PASSWORD})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"success", "message", "token"}
    assert body["message"] == "登录成功"
    r = env.client.post("/api/login", json={"username": "ivan", "password": "nope nope"})
    assert r.status_code == 401
    assert r.json() == {"success": False, "message": "用户名或密码错误"}
    r = env.client.post("/api/login", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    r = env.client.post("/api/login", json=None)
    assert r.status_code == 400  # StreamCream gave a 500 here


def test_token_verification_on_both_families(env: AuthEnv) -> None:
    env.add_user("judy")
    token = env.login("judy")
    r = env.client.get("/api/protected", headers=bearer(token))
    assert r.json() == {"success": True, "user": {"id": 1, "username": "judy", "email": "judy@example.org"}}
    r = env.client.post("/api/verify-token", headers={"Authorization": token})  # bare token, as StreamCream
    assert r.json()["message"] == "令牌有效"
    assert r.json()["user"]["username"] == "judy"
    r = env.client.get("/api/protected")
    assert r.status_code == 400
    assert r.json() == {"success": False, "message": "未提供令牌"}
    r = env.client.post("/api/auth/verify-token")
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"


def _bad_tokens(env: AuthEnv) -> dict[str, str]:
    secret = env.run(env.auth.jwt_secret)
    now = int(time.time())
    expired, _ = issue_jwt(secret, 1, ttl_s=3600, now=now - 7200)
    good = env.login("kate")
    head, payload, sig = good.split(".")
    return {
        "expired": expired,
        "garbage": "garbage",
        "forged-key": jwt.encode({"user_id": 1, "jti": "a", "iat": now, "exp": now + 60}, "k" * 48),
        "alg-none": jwt.encode({"user_id": 1, "jti": "a", "iat": now, "exp": now + 60}, None, "none"),
        "no-exp": jwt.encode({"user_id": 1, "token_id": "a", "jti": "a", "iat": now}, secret),
        "bad-signature": f"{head}.{payload}.{sig[:-4]}AAAA",
        "unknown-api-token": "cst_" + "x" * 43,
        "deleted-user": issue_jwt(secret, 999)[0],
    }


def test_expired_invalid_forged_tokens_get_401_everywhere(env: AuthEnv) -> None:
    env.add_user("kate")
    for name, token in _bad_tokens(env).items():
        for method, path in (
            ("POST", "/api/auth/verify-token"),
            ("GET", "/api/users/1"),
            ("POST", "/api/auth/logout"),
            ("GET", "/api/protected"),
            ("POST", "/api/verify-token"),
        ):
            r = env.client.request(method, path, headers=bearer(token))
            assert r.status_code == 401, (name, path, r.text)
            assert r.json()["success"] is False
    r = env.client.post("/api/auth/verify-token", headers=bearer(_bad_tokens(env)["expired"]))
    assert r.json()["code"] == "token_expired"


def test_logout_revokes_and_the_revocation_persists(env: AuthEnv) -> None:
    env.add_user("liam")
    token, other = env.login("liam"), env.login("liam")
    r = env.client.post("/api/auth/logout", headers=bearer(token))
    assert r.status_code == 200
    for path in ("/api/auth/verify-token", "/api/verify-token"):
        r = env.client.post(path, headers=bearer(token))
        assert r.status_code == 401
    assert env.client.post("/api/auth/verify-token", headers=bearer(token)).json()["code"] == "token_revoked"
    assert env.client.post("/api/auth/verify-token", headers=bearer(other)).status_code == 200
    # a fresh service (a restart) still refuses it: the revocation is in SQLite
    from studio.api.auth import AuthService

    fresh = AuthService(env.container.db, env.container.secrets)
    from studio.api.auth.errors import AuthError

    with pytest.raises(AuthError) as info:
        env.run(fresh.authenticate, token)
    assert info.value.code == "token_revoked"
    assert env.run(fresh.authenticate, other).user.username == "liam"


def test_login_rate_limit(env: AuthEnv) -> None:
    env.add_user("mia")
    for _ in range(5):
        r = env.client.post("/api/auth/login", json={"username": "mia", "password": "wrong password"})
        assert r.status_code == 401
    r = env.client.post("/api/auth/login", json={"username": "mia", "password": PASSWORD})
    assert r.status_code == 429  # even the right password, until the window passes
    assert r.json()["code"] == "rate_limited"
    assert 1 <= int(r.headers["retry-after"]) <= 300
    r = env.client.post("/api/login", json={"username": "mia", "password": PASSWORD})
    assert r.status_code == 429
    assert r.json()["success"] is False
    assert "retry-after" in r.headers
    # another user from the same client is not locked out by mia's failures
    env.add_user("noah")
    assert env.login("noah")


def test_code_mail_rate_limit(env: AuthEnv) -> None:
    _register(env, "olga", "olga@example.org")
    for _ in range(2):
        r = env.client.post("/api/auth/resend-verification", json={"email": "olga@example.org"})
        assert r.status_code == 200
    r = env.client.post("/api/auth/resend-verification", json={"email": "olga@example.org"})
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) >= 1
    assert len(env.outbox.mails) == 3


# --- password reset -------------------------------------------------------------------------------


def test_password_reset_flow(env: AuthEnv) -> None:
    env.add_user("paul")
    old_token = env.login("paul")
    r = env.client.post("/api/auth/forgot-password", json={"email": "paul@example.org"})
    assert r.status_code == 200
    code = env.outbox.last_code("paul@example.org")
    r = env.client.post("/api/auth/verify-reset-code", json={"email": "paul@example.org", "code": code})
    assert r.status_code == 200
    r = env.client.post(
        "/api/auth/reset-password",
        json={"email": "paul@example.org", "code": code, "new_password": "brand new pw 1"},
    )
    assert r.status_code == 200, r.text
    assert (
        env.client.post("/api/auth/login", json={"username": "paul", "password": PASSWORD}).status_code == 401
    )
    new_token = env.login("paul", "brand new pw 1")
    # sessions from before the reset end; new ones work (tokens of the same second: iat rule)
    time.sleep(1.05)
    assert env.client.post("/api/auth/verify-token", headers=bearer(new_token)).status_code == 200
    r = env.client.post(
        "/api/auth/reset-password",
        json={"email": "paul@example.org", "code": code, "new_password": "another pw 22"},
    )
    assert r.status_code == 400  # the code was used
    _ = old_token


def test_reset_ends_older_sessions(env: AuthEnv) -> None:
    env.add_user("quin")
    old = env.login("quin")
    time.sleep(1.05)
    env.client.post("/api/auth/forgot-password", json={"email": "quin@example.org"})
    code = env.outbox.last_code("quin@example.org")
    r = env.client.post(
        "/api/auth/reset-password",
        json={"email": "quin@example.org", "code": code, "new_password": "brand new pw 1"},
    )
    assert r.status_code == 200
    assert env.client.post("/api/auth/verify-token", headers=bearer(old)).status_code == 401


def test_legacy_password_reset_flow(env: AuthEnv) -> None:
    env.add_user("rita")
    r = env.client.post("/api/forgot-password", json={"username": "rita", "email": "nobody@example.org"})
    assert r.status_code == 404
    assert r.json() == {"success": False, "message": "用户名或邮箱不存在"}
    r = env.client.post("/api/forgot-password", json={"username": "rita", "email": "rita@example.org"})
    assert r.json() == {"success": True, "message": "重置密码验证码已发送到您的邮箱"}
    code = env.outbox.last_code("rita@example.org")
    fields = {"username": "rita", "email": "rita@example.org"}
    r = env.client.post(
        "/api/verify-reset-code", json={**fields, "code": "000000" if code != "000000" else "111111"}
    )
    assert r.json() == {"success": False, "message": "验证码错误或已过期"}
    r = env.client.post("/api/verify-reset-code", json={**fields, "code": code})
    assert r.json() == {"success": True, "message": "验证码验证成功"}
    r = env.client.post("/api/verify-reset-code", json={**fields, "code": code})  # not used up
    assert r.status_code == 200
    r = env.client.post(
        "/api/reset-password", json={**fields, "code": code, "new_password": "brand new pw 1"}
    )
    assert r.json() == {"success": True, "message": "密码重置成功"}
    r = env.client.post(
        "/api/reset-password", json={**fields, "code": code, "new_password": "brand new pw 2"}
    )
    assert r.status_code == 400
    assert env.login("rita", "brand new pw 1")


def test_envelope_reset_does_not_reveal_accounts(env: AuthEnv) -> None:
    r = env.client.post("/api/auth/forgot-password", json={"email": "ghost@example.org"})
    assert r.status_code == 200
    assert env.outbox.mails == []
    r = env.client.post("/api/auth/verify-reset-code", json={"email": "ghost@example.org", "code": "123456"})
    assert r.status_code == 400
    assert r.json()["code"] == "code_invalid"


# --- users ----------------------------------------------------------------------------------------


def test_users_routes_self_or_admin(env: AuthEnv) -> None:
    admin = env.add_user("root", admin=True)
    sam = env.add_user("sam")
    tia = env.add_user("tia")
    a, s = env.login("root"), env.login("sam")
    r = env.client.get("/api/users", headers=bearer(a))
    assert [u["username"] for u in r.json()["data"]] == ["root", "sam", "tia"]
    assert env.client.get("/api/users", headers=bearer(s)).status_code == 403
    assert env.client.get("/api/users").status_code == 401
    assert env.client.get(f"/api/users/{sam.id}", headers=bearer(s)).status_code == 200
    assert env.client.get(f"/api/users/{tia.id}", headers=bearer(s)).status_code == 403
    assert env.client.get(f"/api/users/{tia.id}", headers=bearer(a)).status_code == 200
    assert env.client.get("/api/users/999", headers=bearer(a)).status_code == 404
    # self may rename, not promote
    r = env.client.put(f"/api/users/{sam.id}", headers=bearer(s), json={"username": "samuel"})
    assert r.json()["data"]["username"] == "samuel"
    r = env.client.put(f"/api/users/{sam.id}", headers=bearer(s), json={"is_admin": True})
    assert r.status_code == 403
    r = env.client.put(f"/api/users/{sam.id}", headers=bearer(s), json={"username": "tia"})
    assert r.json()["code"] == "username_taken"
    # own password change needs the current one
    r = env.client.put(f"/api/users/{sam.id}", headers=bearer(s), json={"password": "a new password"})
    assert r.status_code == 403
    r = env.client.put(
        f"/api/users/{sam.id}",
        headers=bearer(s),
        json={"password": "a new password", "current_password": PASSWORD},
    )
    assert r.status_code == 200
    assert env.login("samuel", "a new password")
    # admin promotes and removes; the last admin stays
    r = env.client.put(f"/api/users/{tia.id}", headers=bearer(a), json={"is_admin": True})
    assert r.json()["data"]["is_admin"] is True
    assert env.client.delete(f"/api/users/{tia.id}", headers=bearer(s)).status_code == 403
    assert env.client.delete(f"/api/users/{tia.id}", headers=bearer(a)).status_code == 200
    r = env.client.put(f"/api/users/{admin.id}", headers=bearer(a), json={"is_admin": False})
    assert r.json()["code"] == "last_admin"
    r = env.client.delete(f"/api/users/{admin.id}", headers=bearer(a))
    assert r.json()["code"] == "last_admin"
    # a deleted user's token stops working
    s2 = env.login("samuel", "a new password")
    assert env.client.delete(f"/api/users/{sam.id}", headers=bearer(s2)).status_code == 200
    r = env.client.post("/api/verify-token", headers=bearer(s2))
    assert r.json() == {"success": False, "message": "用户不存在"}


def test_path_and_body_injection_is_harmless(env: AuthEnv) -> None:
    env.add_user("uma", admin=True)
    a = env.login("uma")
    for path in (
        "/api/users/1%20OR%201=1",
        "/api/users/..%2F..%2Fetc%2Fpasswd",
        "/api/users/-1",
        "/api/users/0",
    ):
        r = env.client.get(path, headers=bearer(a))
        assert r.status_code in (404, 422), path
        assert "Traceback" not in r.text
    r = env.client.post("/api/auth/login", json={"username": "uma' OR '1'='1", "password": "' OR '1'='1"})
    assert r.status_code == 401
    r = env.client.post("/api/auth/login", json={"username": ["uma"], "password": {"$ne": ""}})
    assert r.status_code == 422


# --- plugin API tokens ----------------------------------------------------------------------------


def test_api_tokens_work_as_bearer_and_can_be_revoked(env: AuthEnv) -> None:
    user = env.add_user("vera")
    row, token = env.run(env.auth.create_api_token, user.id, "obs plugin")
    r = env.client.post("/api/auth/verify-token", headers=bearer(token))
    assert r.status_code == 200
    assert r.json()["data"]["token_kind"] == "api_token"
    assert env.client.get("/api/protected", headers=bearer(token)).json()["user"]["username"] == "vera"
    assert env.client.post("/api/auth/logout", headers=bearer(token)).status_code == 400
    stored = env.run(env.auth.list_api_tokens, user.id)
    assert token not in repr(stored)
    assert env.run(env.auth.revoke_api_token, row.id)
    assert env.client.post("/api/auth/verify-token", headers=bearer(token)).status_code == 401


def test_openapi_documents_the_envelope_family(env: AuthEnv) -> None:
    paths = env.client.get("/openapi.json").json()["paths"]
    for p in (
        "register",
        "verify-email",
        "resend-verification",
        "login",
        "logout",
        "verify-token",
        "forgot-password",
        "verify-reset-code",
        "reset-password",
    ):
        assert f"/api/auth/{p}" in paths
    assert "/api/users" in paths
    assert "/api/users/{user_id}" in paths
