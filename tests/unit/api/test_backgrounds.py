"""Background images per user on a real database and data folder, through create_app.

The seed's checklist (upload, latest, by name, invalid type) on both path families, plus oversized
and fake images, decompression bombs, traversal and symlinks in every name parameter (never a 500),
per-user isolation and the legacy unauthenticated reads (owner, loopback only).
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from studio.api.app import create_app
from studio.api.auth import AuthService, auth_service_for
from studio.api.backgrounds_service import MAX_BACKGROUND_BYTES, clean_stem
from studio.api.deps import ApiContext
from studio.app.container import Container
from studio.config.settings import ApiSettings

PASSWORD = "correct horse 42"


def image_bytes(fmt: str, size: tuple[int, int] = (64, 36), color: str = "red", mode: str = "RGB") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, color).save(buf, format=fmt)
    return buf.getvalue()


PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG", color="blue")
WEBP = image_bytes("WEBP", color="green")
GIF = image_bytes("GIF", mode="P", color=3)


@dataclass
class Env:
    client: TestClient
    ctx: ApiContext
    auth: AuthService
    ids: dict[str, int] = field(default_factory=dict)

    def user(self, name: str, *, admin: bool = False) -> dict[str, str]:
        user = self.client.portal.call(
            lambda: self.auth.create_user(name, f"{name}@example.org", PASSWORD, is_admin=admin)
        )
        self.ids[name] = user.id
        token = self.client.portal.call(lambda: self.auth.issue(user)).token
        return {"Authorization": f"Bearer {token}"}

    def folder(self, name: str) -> Path:
        assert self.ctx.data_dir is not None
        return self.ctx.data_dir / "backgrounds" / str(self.ids[name])

    def upload(
        self,
        headers: dict[str, str],
        data: bytes,
        filename: str = "bg.png",
        ctype: str = "image/png",
        path: str = "/api/files/upload-background",
    ) -> httpx.Response:
        return self.client.post(path, files={"file": (filename, data, ctype)}, headers=headers)

    def upload_ok(self, headers: dict[str, str], data: bytes, filename: str = "bg.png") -> dict[str, Any]:
        r = self.upload(headers, data, filename)
        assert r.status_code == 201, r.text
        out: dict[str, Any] = r.json()["data"]
        return out


def _make_env(container: Container, settings: ApiSettings | None = None) -> ApiContext:
    config = container.config
    if settings is not None:
        config = config.model_copy(update={"api": settings})
    return ApiContext(
        version="t",
        config=config,
        db=container.db,
        secrets=container.secrets,
        data_dir=container.paths.data_dir,
    )


@pytest.fixture
def env(container: Container) -> Iterator[Env]:
    ctx = _make_env(container)
    with TestClient(create_app(ctx)) as client:
        auth = auth_service_for(ctx)
        assert auth is not None
        yield Env(client, ctx, auth)


# --- upload, by name, latest ------------------------------------------------------------------------


def test_upload_and_get_by_name(env: Env) -> None:
    alice = env.user("alice")
    data = env.upload_ok(alice, PNG, "My Sunset.png")
    assert data["name"].startswith("My-Sunset-") and data["name"].endswith(".png")
    assert (data["content_type"], data["width"], data["height"], data["size"]) == (
        "image/png",
        64,
        36,
        len(PNG),
    )
    stored = env.folder("alice") / data["name"]
    assert stored.read_bytes() == PNG
    r = env.client.get(data["url"], headers=alice)
    assert r.status_code == 200
    assert r.content == PNG
    assert r.headers["content-type"] == "image/png"
    assert r.headers["x-content-type-options"] == "nosniff"
    r = env.client.get("/api/files/background", params={"name": data["name"]}, headers=alice)
    assert r.content == PNG


def test_every_allowed_type_and_latest(env: Env) -> None:
    alice = env.user("alice")
    names = []
    for blob, fname, ctype, ext in [
        (PNG, "a.png", "image/png", ".png"),
        (JPEG, "b.jpeg", "image/jpeg", ".jpg"),
        (GIF, "c.gif", "image/gif", ".gif"),
        (WEBP, "d.webp", "image/webp", ".webp"),
    ]:
        r = env.upload(alice, blob, fname, ctype)
        assert r.status_code == 201, r.text
        assert r.json()["data"]["name"].endswith(ext)
        assert r.json()["data"]["content_type"] == ctype
        names.append(r.json()["data"]["name"])
        latest = env.client.get("/api/files/background", headers=alice)
        assert latest.status_code == 200 and latest.content == blob
        assert latest.headers["content-type"] == ctype
    listed = env.client.get("/api/files/backgrounds", headers=alice).json()["data"]["backgrounds"]
    assert [b["name"] for b in listed] == names[::-1]  # newest first
    # the type comes from the decoded image, not from the client's name or header
    r = env.upload(alice, JPEG, "really-a-jpeg.png", "image/png")
    assert r.json()["data"]["name"].endswith(".jpg") and r.json()["data"]["content_type"] == "image/jpeg"


def test_same_file_name_never_collides(env: Env) -> None:
    alice = env.user("alice")
    names = {env.upload_ok(alice, PNG, "same.png")["name"] for _ in range(5)}
    assert len(names) == 5
    assert sorted(p.name for p in env.folder("alice").iterdir()) == sorted(names)


def test_no_background_yet(env: Env) -> None:
    alice = env.user("alice")
    r = env.client.get("/api/files/background", headers=alice)
    assert r.status_code == 404 and r.json()["code"] == "background_not_found"
    assert env.client.get("/api/files/backgrounds", headers=alice).json()["data"] == {"backgrounds": []}
    r = env.client.get("/api/get-background", headers=alice)
    assert r.status_code == 404 and r.json()["success"] is False


# --- rejected uploads -------------------------------------------------------------------------------


def _bmp() -> bytes:
    return image_bytes("BMP")


def _truncated_png() -> bytes:
    noisy = Image.frombytes("RGB", (200, 200), os.urandom(200 * 200 * 3))
    buf = io.BytesIO()
    noisy.save(buf, format="PNG")
    return buf.getvalue()[: len(buf.getvalue()) // 2]


def _corrupt_crc_png() -> bytes:
    blob = bytearray(PNG)
    blob[-20] ^= 0xFF  # inside the IDAT/IEND area: a checksum no longer matches
    return bytes(blob)


@pytest.mark.parametrize(
    ("blob", "fname", "ctype", "status", "code"),
    [
        (b"just some text, not a picture", "notes.txt", "text/plain", 400, "invalid_image"),
        (b"\x89PNG\r\n\x1a\n this is not really a png", "fake.png", "image/png", 400, "invalid_image"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "x.svg", "image/svg+xml", 400, "invalid_image"),
        (b"", "empty.png", "image/png", 400, "empty_file"),
        (_bmp(), "old.bmp", "image/bmp", 415, "unsupported_image_type"),
        (image_bytes("TIFF"), "scan.png", "image/png", 415, "unsupported_image_type"),
        (_truncated_png(), "cut.png", "image/png", 400, "invalid_image"),
        (_corrupt_crc_png(), "crc.png", "image/png", 400, "invalid_image"),
    ],
)
def test_rejected_uploads(env: Env, blob: bytes, fname: str, ctype: str, status: int, code: str) -> None:
    alice = env.user("alice")
    r = env.upload(alice, blob, fname, ctype)
    assert r.status_code == status, r.text
    assert r.json()["code"] == code
    legacy = env.upload(alice, blob, fname, ctype, path="/api/upload-background")
    assert legacy.status_code == status
    assert legacy.json()["success"] is False and set(legacy.json()) == {"success", "message"}
    assert not env.folder("alice").exists() or list(env.folder("alice").iterdir()) == []
    assert env.client.get("/api/files/backgrounds", headers=alice).json()["data"]["backgrounds"] == []


def test_oversized_uploads(env: Env) -> None:
    alice = env.user("alice")
    just_over = PNG + b"\0" * (MAX_BACKGROUND_BYTES + 1 - len(PNG))
    r = env.upload(alice, just_over)
    assert r.status_code == 413 and r.json()["code"] == "file_too_large"
    r = env.upload(alice, just_over, path="/api/upload-background")
    assert r.status_code == 413 and r.json()["success"] is False
    r = env.upload(alice, b"\0" * (12 * 1024 * 1024))  # over the request body limit too
    assert r.status_code == 413
    # a small file that decodes to too many pixels (decompression bomb)
    bomb = image_bytes("PNG", size=(10_000, 5_000), mode="1", color=0)
    assert len(bomb) < 200_000
    r = env.upload(alice, bomb, "bomb.png")
    assert r.status_code == 413 and r.json()["code"] == "image_too_large"
    assert not env.folder("alice").exists() or list(env.folder("alice").iterdir()) == []


def test_missing_file_part(env: Env) -> None:
    alice = env.user("alice")
    r = env.client.post("/api/files/upload-background", headers=alice)
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"
    assert ["body", "file"] in [e["loc"] for e in r.json()["data"]["errors"]]
    r = env.client.post("/api/upload-background", headers=alice, data={"other": "x"})
    assert r.status_code == 400 and r.json() == {"success": False, "message": "没有文件上传"}
    r = env.client.post("/api/upload-background", headers=alice, files={"file": ("", PNG, "image/png")})
    assert r.status_code == 400 and r.json()["success"] is False
    r = env.client.post(
        "/api/upload-background",
        headers=alice,
        content=b"raw",
    )
    assert r.status_code == 400 and r.json()["message"] == "没有文件上传"


# --- names: traversal, absolute, links ------------------------------------------------------------


@pytest.mark.parametrize(
    "client_name", ["../../evil.png", "/etc/evil.png", "..\\..\\evil.png", "C:\\x\\evil.png", "...png", ""]
)
def test_client_file_name_is_never_a_path(env: Env, client_name: str) -> None:
    alice = env.user("alice")
    r = env.upload(alice, PNG, client_name)
    if client_name == "":  # httpx sends no filename: not a file part
        assert r.status_code in (400, 422)
        return
    assert r.status_code == 201, r.text
    name = r.json()["data"]["name"]
    assert "/" not in name and "\\" not in name and ".." not in name
    assert (env.folder("alice") / name).is_file()
    assert clean_stem(client_name) in name
    assert env.ctx.data_dir is not None
    everywhere = {p.resolve() for p in env.ctx.data_dir.parent.parent.rglob("*evil*")}
    assert everywhere == ({(env.folder("alice") / name).resolve()} if "evil" in client_name else set())


BAD_NAMES = [
    "../../../etc/passwd",
    "..%2F..%2Fetc%2Fpasswd",
    "/etc/passwd",
    "..",
    "./x.png",
    "a/b.png",
    "x\\..\\y.png",
    "C:\\Windows\\win.ini",
    "x.png\x00.txt",
    "%00",
    "x" * 150 + ".png",
    "x" * 500,
    "名前.png",
    "nothing-here.png",
    ".hidden.png",
]


def test_traversal_in_every_name_parameter(env: Env, tmp_path: Path) -> None:
    alice = env.user("alice")
    env.user("bob")
    bob_bg = env.upload_ok(env.user("carol"), PNG)["name"]  # another user's file: invisible to alice
    outside = tmp_path / "outside.png"
    outside.write_bytes(PNG)
    env.upload_ok(alice, JPEG)
    for name in [*BAD_NAMES, str(outside), bob_bg]:
        for method, path, headers in [
            ("GET", "/api/files/background", alice),
            ("DELETE", "/api/files/background", alice),
            ("GET", "/api/get-background", alice),
            ("GET", "/api/get-background", {}),
        ]:
            r = env.client.request(method, path, params={"name": name}, headers=headers)
            assert r.status_code in (400, 403, 404, 422), (method, path, name, r.status_code, r.text)
            assert r.headers["content-type"].startswith("application/json")
            assert r.json()["success"] is False
    # nothing was deleted on the way
    assert len(env.client.get("/api/files/backgrounds", headers=alice).json()["data"]["backgrounds"]) == 1


def test_symlinked_file_is_refused(env: Env, tmp_path: Path) -> None:
    alice = env.user("alice")
    name = env.upload_ok(alice, PNG)["name"]
    secret = tmp_path / "private.png"
    secret.write_bytes(b"PRIVATE-BYTES")
    stored = env.folder("alice") / name
    stored.unlink()
    stored.symlink_to(secret)
    for params in ({"name": name}, {}):
        r = env.client.get("/api/files/background", params=params, headers=alice)
        assert r.status_code == 403, r.text
        assert b"PRIVATE-BYTES" not in r.content
        r = env.client.get("/api/get-background", params=params)
        assert r.status_code == 403 and b"PRIVATE-BYTES" not in r.content
    r = env.client.delete("/api/files/background", params={"name": name}, headers=alice)
    assert r.status_code == 200
    assert secret.read_bytes() == b"PRIVATE-BYTES"  # the link went, not its target


def test_symlinked_user_folder_is_refused(env: Env, tmp_path: Path) -> None:
    alice = env.user("alice")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    folder = env.folder("alice")
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.symlink_to(elsewhere, target_is_directory=True)
    r = env.upload(alice, PNG)
    assert r.status_code == 403
    assert list(elsewhere.iterdir()) == []


# --- users, delete, auth, legacy shapes ------------------------------------------------------------


def test_backgrounds_are_per_user_and_deletable(env: Env) -> None:
    alice, bob = env.user("alice"), env.user("bob")
    a = env.upload_ok(alice, PNG)["name"]
    b = env.upload_ok(bob, JPEG)["name"]
    assert env.client.get("/api/files/background", params={"name": a}, headers=bob).status_code == 404
    assert env.client.get("/api/files/background", headers=bob).content == JPEG
    assert [
        x["name"] for x in env.client.get("/api/files/backgrounds", headers=bob).json()["data"]["backgrounds"]
    ] == [b]
    assert env.client.delete("/api/files/background", params={"name": a}, headers=bob).status_code == 404
    r = env.client.delete("/api/files/background", params={"name": a}, headers=alice)
    assert r.status_code == 200 and r.json()["data"] == {"deleted": a}
    assert not (env.folder("alice") / a).exists()
    assert env.client.get("/api/files/background", params={"name": a}, headers=alice).status_code == 404
    assert env.client.get("/api/files/background", headers=alice).status_code == 404


def test_auth_required(env: Env) -> None:
    for method, path in [
        ("POST", "/api/files/upload-background"),
        ("GET", "/api/files/backgrounds"),
        ("GET", "/api/files/background"),
        ("DELETE", "/api/files/background?name=x.png"),
    ]:
        r = env.client.request(method, path)
        assert r.status_code == 401, path
        assert r.json()["success"] is False
    r = env.client.post("/api/upload-background", files={"file": ("a.png", PNG, "image/png")})
    assert r.status_code == 401 and r.json() == {"success": False, "message": "未登录"}
    r = env.client.get("/api/list-backgrounds", headers={"Authorization": "Bearer forged"})
    assert r.status_code == 401 and r.json() == {"success": False, "message": "未登录"}


def test_legacy_shapes_and_owner_reads(env: Env) -> None:
    owner, guest = env.user("owner", admin=True), env.user("guest")
    assert env.client.get("/api/list-backgrounds").json() == {"backgrounds": []}
    r = env.upload(owner, PNG, "stage.png", path="/api/upload-background")
    assert r.status_code == 200
    assert set(r.json()) == {"success", "filename"} and r.json()["success"] is True
    first = r.json()["filename"]
    second = env.upload(owner, GIF, "b.gif", "image/gif", path="/api/upload-background").json()["filename"]
    env.upload_ok(guest, JPEG)
    # no token (CSS url(), bare fetch): the owner's backgrounds, on loopback
    assert env.client.get("/api/list-backgrounds").json() == {"backgrounds": [second, first]}
    r = env.client.get("/api/get-background")
    assert r.status_code == 200 and r.content == GIF and r.headers["content-type"] == "image/gif"
    assert env.client.get("/api/get-background", params={"name": first}).content == PNG
    r = env.client.get("/api/get-background", params={"name": "unknown-00000000.png"})
    assert r.status_code == 404 and set(r.json()) == {"success", "message"}
    # with a token: that user's
    assert env.client.get("/api/get-background", headers=guest).content == JPEG
    assert len(env.client.get("/api/list-backgrounds", headers=guest).json()["backgrounds"]) == 1


def test_legacy_reads_need_a_token_off_loopback(container: Container) -> None:
    ctx = _make_env(container, ApiSettings(host="0.0.0.0"))
    with TestClient(create_app(ctx)) as client:
        auth = auth_service_for(ctx)
        assert auth is not None
        user = client.portal.call(lambda: auth.create_user("owner", "o@example.org", PASSWORD, is_admin=True))
        headers = {"Authorization": f"Bearer {client.portal.call(lambda: auth.issue(user)).token}"}
        r = client.post(
            "/api/upload-background", files={"file": ("a.png", PNG, "image/png")}, headers=headers
        )
        assert r.status_code == 200
        for path in ("/api/get-background", "/api/list-backgrounds"):
            r = client.get(path)
            assert r.status_code == 401 and r.json() == {"success": False, "message": "未登录"}
            assert client.get(path, headers=headers).status_code == 200


def test_no_storage_is_503(studio_home: Path) -> None:
    with TestClient(create_app(ApiContext(version="t"))) as client:
        r = client.get("/api/files/backgrounds", headers={"Authorization": "Bearer x"})
        assert r.status_code == 503
        r = client.get("/api/list-backgrounds")
        assert r.status_code == 503 and r.json()["success"] is False


def test_deleting_a_user_removes_their_backgrounds_and_preference_secrets(
    env: Env, container: Container
) -> None:
    env.user("owner", admin=True)
    viewer = env.user("viewer")
    env.upload_ok(viewer, PNG)
    r = env.client.put(
        "/api/preferences", json={"aiSettings": {"apiKey": "sk-viewer-secret-123"}}, headers=viewer
    )
    assert r.status_code == 200, r.text
    secret_name = f"user.{env.ids['viewer']}.prefs/aiSettings/apiKey"
    assert container.secrets.get(secret_name) == "sk-viewer-secret-123"
    assert any(env.folder("viewer").iterdir())
    env.client.portal.call(lambda: env.auth.delete_user(None, env.ids["viewer"]))
    assert container.secrets.get(secret_name) is None
    assert not env.folder("viewer").exists()
