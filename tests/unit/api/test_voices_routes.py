"""``/v1/voices``: speakers and voice models through create_app on a real database, real folders
and a real VoiceHub (the speakers' transcriber is a stand-in here; the real Whisper round trip is in
tests/integration/speech/test_speakers.py). Auth, admin-only model changes, path confinement,
traversal and zip-slip."""

from __future__ import annotations

import io
import json
import wave
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import pytest
from fastapi import FastAPI
from starlette.routing import NoMatchFound

from studio.api.app import create_app
from studio.api.auth import auth_service_for
from studio.api.deps import ApiContext
from studio.api.routes.voice_models import NO_SERVER
from studio.api.routes.voices import include_voices_routes
from studio.app.config_service import ContainerConfigService
from studio.app.container import Container
from studio.app.voices import VoiceHub
from tests.unit.speech.library._audio import encode, voiced
from tests.unit.speech.library.test_voice_models import EXPECTED, make_install, make_voxcpm

PASSWORD = "correct horse 42"


def _has_voices(app: FastAPI) -> bool:
    try:
        app.url_path_for("list_speakers")
    except NoMatchFound:
        return False
    return True


WAV = encode(voiced(2.0, 24000), 24000)
ENVELOPE_KEYS = {"success", "message", "data", "timestamp", "code"}


def stand_in(samples: np.ndarray, rate: int) -> tuple[str, str]:
    return "hello from the stand-in", "en"


def voices_app(ctx: ApiContext) -> FastAPI:
    app = create_app(ctx)
    if not _has_voices(app):
        include_voices_routes(app)  # until the lead adds it to create_app
    return app


@dataclass
class Env:
    client: httpx.AsyncClient
    container: Container
    hub: VoiceHub
    admin: dict[str, str]
    user: dict[str, str]


@pytest.fixture
async def env(container: Container) -> AsyncIterator[Env]:
    hub = VoiceHub(container, transcribe=stand_in)
    ctx = ApiContext(
        version="t",
        config=container.config,
        db=container.db,
        secrets=container.secrets,
        data_dir=container.paths.data_dir,
        services={"voices": hub, "config": ContainerConfigService(container)},
    )
    auth = auth_service_for(ctx)
    assert auth is not None
    headers = []
    for name, admin in (("owner", True), ("guest", False)):
        row = await auth.create_user(name, f"{name}@example.org", PASSWORD, is_admin=admin)
        headers.append({"Authorization": f"Bearer {(await auth.issue(row)).token}"})
    transport = httpx.ASGITransport(app=voices_app(ctx))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        yield Env(client, container, hub, headers[0], headers[1])
    await hub.close()


async def register(env: Env, name: str = "Alice", data: bytes = WAV, **fields: str) -> httpx.Response:
    return await env.client.post(
        "/v1/voices/speakers",
        data={"name": name, **fields},
        files={"file": ("rec.wav", data, "audio/wav")},
        headers=env.user,
    )


# ---- auth ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/voices/speakers"),
        ("POST", "/v1/voices/speakers"),
        ("GET", "/v1/voices/speakers/alice"),
        ("PATCH", "/v1/voices/speakers/alice"),
        ("DELETE", "/v1/voices/speakers/alice"),
        ("GET", "/v1/voices/speakers/alice/audio"),
        ("GET", "/v1/voices/models"),
        ("POST", "/v1/voices/models/import"),
        ("POST", "/v1/voices/models/voxcpm/select"),
        ("DELETE", "/v1/voices/models/voxcpm/x"),
        ("DELETE", "/v1/voices/models/gpt_sovits/x"),
    ],
)
async def test_every_route_needs_a_signed_in_user(env: Env, method: str, path: str) -> None:
    r = await env.client.request(method, path)
    assert r.status_code == 401, r.text
    bad = await env.client.request(method, path, headers={"Authorization": "Bearer forged.token.here"})
    assert bad.status_code == 401


async def test_model_changes_need_an_admin(env: Env) -> None:
    for method, path, body in (
        ("POST", "/v1/voices/models/import", {"kind": "gpt_sovits", "path": "x"}),
        ("POST", "/v1/voices/models/voxcpm/select", {"name": ""}),
        ("DELETE", "/v1/voices/models/voxcpm/x", None),
    ):
        r = await env.client.request(method, path, json=body, headers=env.user)
        assert r.status_code == 403, (path, r.text)
    assert (await env.client.get("/v1/voices/models", headers=env.user)).status_code == 200


# ---- speakers --------------------------------------------------------------------------------------


async def test_speaker_round_trip(env: Env) -> None:
    r = await register(env)
    assert r.status_code == 201, r.text
    body = r.json()
    assert set(body) == ENVELOPE_KEYS and body["success"] is True
    s = body["data"]
    assert (s["id"], s["name"], s["file_name"], s["transcript"], s["language"]) == (
        "alice",
        "Alice",
        "alice.wav",
        "hello from the stand-in",
        "en",
    )
    assert s["audio_url"] == "/v1/voices/speakers/alice/audio" and s["created_at"].endswith("Z")
    xue = (await register(env, "小雪", transcript="大家好")).json()["data"]
    assert (xue["id"], xue["name"], xue["transcript"], xue["language"]) == (
        "speaker-1",
        "小雪",
        "大家好",
        "zh",
    )
    listed = (await env.client.get("/v1/voices/speakers", headers=env.user)).json()["data"]["speakers"]
    assert [x["id"] for x in listed] == ["alice", "speaker-1"]
    patched = await env.client.patch(
        "/v1/voices/speakers/alice", json={"transcript": "fixed", "language": "ja"}, headers=env.user
    )
    assert patched.status_code == 200 and patched.json()["data"]["transcript"] == "fixed"
    got = (await env.client.get("/v1/voices/speakers/alice", headers=env.user)).json()["data"]
    assert (got["transcript"], got["language"]) == ("fixed", "ja")
    assert env.hub.speakers.resolve("alice.wav") is not None  # what the routers use
    audio = await env.client.get("/v1/voices/speakers/alice/audio", headers=env.user)
    assert audio.status_code == 200 and audio.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(audio.content)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 24000)
    again = await env.client.post("/v1/voices/speakers/alice/transcribe", headers=env.user)
    assert again.json()["data"]["transcript"] == "hello from the stand-in"
    deleted = await env.client.delete("/v1/voices/speakers/alice", headers=env.user)
    assert deleted.json()["data"] == {"deleted": "alice"}
    assert (await env.client.get("/v1/voices/speakers/alice", headers=env.user)).status_code == 404


@pytest.mark.parametrize(
    ("data", "fields", "status", "words"),
    [
        (b"not audio" * 100, {}, 400, "Cannot read"),
        (encode(np.zeros(24000 * 2, dtype=np.float32), 24000), {}, 400, "silent"),
        (encode(voiced(0.4, 16000), 16000), {}, 400, "at least 1 s"),
        (WAV, {"language": "fr"}, 400, "language"),
    ],
)
async def test_bad_recordings_are_refused(
    env: Env, data: bytes, fields: dict[str, str], status: int, words: str
) -> None:
    r = await register(env, data=data, **fields)
    assert r.status_code == status and words in r.json()["message"], r.text
    assert (await env.client.get("/v1/voices/speakers", headers=env.user)).json()["data"]["speakers"] == []


async def test_missing_fields_and_unknown_ids(env: Env) -> None:
    r = await env.client.post("/v1/voices/speakers", files={"file": ("a.wav", WAV)}, headers=env.user)
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"
    for method in ("GET", "DELETE"):
        r = await env.client.request(method, "/v1/voices/speakers/nobody", headers=env.user)
        assert r.status_code == 404 and "nobody" in r.json()["message"]
    r = await env.client.patch("/v1/voices/speakers/nobody", json={"name": "x"}, headers=env.user)
    assert r.status_code == 404


async def test_no_hub_is_503(container: Container) -> None:
    ctx = ApiContext(version="t", config=container.config, db=container.db, secrets=container.secrets)
    auth = auth_service_for(ctx)
    assert auth is not None
    row = await auth.create_user("owner", "o@example.org", PASSWORD, is_admin=True)
    headers = {"Authorization": f"Bearer {(await auth.issue(row)).token}"}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=voices_app(ctx)), base_url="http://t"
    ) as c:
        r = await c.get("/v1/voices/speakers", headers=headers)
        assert r.status_code == 503 and "not available" in r.json()["message"]


# ---- models ----------------------------------------------------------------------------------------


async def models(env: Env) -> dict[str, object]:
    r = await env.client.get("/v1/voices/models", headers=env.user)
    assert r.status_code == 200, r.text
    data: dict[str, object] = r.json()["data"]
    return data


async def test_gpt_sovits_import_from_a_studio_folder(env: Env) -> None:
    data_dir = env.container.paths.data_dir
    make_install(data_dir / "imports" / "GPT-SoVITS")
    r = await env.client.post(
        "/v1/voices/models/import",
        json={"kind": "gpt_sovits", "path": "imports/GPT-SoVITS"},
        headers=env.admin,
    )
    assert r.status_code == 201, r.text
    groups = r.json()["data"]["groups"]
    expected = [
        {
            "name": g.name,
            "suffix": g.suffix,
            "pairs": {b: {"gpt_path": p.gpt_path, "sovits_path": p.sovits_path} for b, p in g.pairs.items()},
        }
        for g in EXPECTED
    ]
    assert groups == expected
    listed = await models(env)
    gsv = listed["gpt_sovits"]
    assert isinstance(gsv, dict)
    assert gsv["groups"] == expected and gsv["runs_on"] == NO_SERVER and gsv["server_url"] is None
    assert gsv["reference_audios"][0] == {
        "pair_name": "alice",
        "file_name": "alice.wav",
        "path": "参考音频/alice.wav",
    }
    config = ContainerConfigService(env.container)
    await config.save_area(
        config.current().tts.model_copy(update={"gpt_sovits_url": "http://127.0.0.1:9880"})
    )
    gsv = (await models(env))["gpt_sovits"]
    assert isinstance(gsv, dict) and gsv["runs_on"] == "GPT-SoVITS server at http://127.0.0.1:9880"
    r = await env.client.delete("/v1/voices/models/gpt_sovits/alice", headers=env.admin)
    assert r.status_code == 200
    r = await env.client.delete("/v1/voices/models/gpt_sovits/alice", headers=env.admin)
    assert r.status_code == 404


@pytest.mark.parametrize("where", ["outside", "traversal", "absolute-etc", "link-out"])
async def test_import_paths_are_confined(env: Env, tmp_path: Path, where: str) -> None:
    outside = make_install(tmp_path / "outside" / "GPT-SoVITS")
    path = {
        "outside": str(outside),
        "traversal": "../../outside/GPT-SoVITS",
        "absolute-etc": "/etc",
    }.get(where)
    if where == "link-out":
        link = env.container.paths.data_dir / "innocent"
        link.symlink_to(outside, target_is_directory=True)
        path = "innocent"
    r = await env.client.post(
        "/v1/voices/models/import", json={"kind": "gpt_sovits", "path": path}, headers=env.admin
    )
    assert r.status_code == 403, r.text
    assert r.json()["code"] == "path_not_allowed"
    assert env.hub.models.gpt_sovits_groups() == []


async def test_bad_import_bodies(env: Env) -> None:
    r = await env.client.post(
        "/v1/voices/models/import", json={"kind": "rvc", "path": "x"}, headers=env.admin
    )
    assert r.status_code == 422 and r.json()["data"]["errors"]
    r = await env.client.post(
        "/v1/voices/models/import",
        content=b"{not json",
        headers={**env.admin, "content-type": "application/json"},
    )
    assert r.status_code == 422
    (env.container.paths.data_dir / "empty").mkdir()
    r = await env.client.post(
        "/v1/voices/models/import", json={"kind": "gpt_sovits", "path": "empty"}, headers=env.admin
    )
    assert r.status_code == 400 and "No GPT-SoVITS weights" in r.json()["message"]


def _found(folder: Path, name: str) -> list[Path]:
    return list(folder.rglob(name))


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


async def test_zip_upload_import_and_zip_slip(env: Env, tmp_path: Path) -> None:
    good = _zip({"my voice/xue-e15.ckpt": b"g", "my voice/xue_e8_s120.pth": b"s", "my voice/xue.wav": b"w"})
    r = await env.client.post(
        "/v1/voices/models/import",
        data={"kind": "gpt_sovits"},
        files={"file": ("voice.zip", good, "application/zip")},
        headers=env.admin,
    )
    assert r.status_code == 201, r.text
    assert r.json()["data"]["groups"][0]["pairs"] == {
        "xue": {"gpt_path": "GPT_weights/xue-e15.ckpt", "sovits_path": "SoVITS_weights/xue_e8_s120.pth"}
    }
    evil = _zip({"../../../../evil-e1.ckpt": b"x", "evil-e1.pth": b"y"})
    r = await env.client.post(
        "/v1/voices/models/import",
        data={"kind": "gpt_sovits"},
        files={"file": ("evil.zip", evil, "application/zip")},
        headers=env.admin,
    )
    assert r.status_code == 400 and "leaving its folder" in r.json()["message"]
    assert not _found(env.container.paths.data_dir.parent, "evil-e1.ckpt")
    assert not _found(tmp_path, "evil-e1.ckpt")
    scratch = env.hub.scratch_dir()
    assert not scratch.exists() or not list(scratch.iterdir())  # uploads and extractions cleaned up
    r = await env.client.post(
        "/v1/voices/models/import",
        data={"kind": "gpt_sovits"},
        files={"file": ("x.zip", b"not a zip", "application/zip")},
        headers=env.admin,
    )
    assert r.status_code == 400 and "zip" in r.json()["message"]
    r = await env.client.post("/v1/voices/models/import", data={"kind": "voxcpm"}, headers=env.admin)
    assert r.status_code == 422


async def test_voxcpm_import_select_remove(env: Env) -> None:
    data_dir = env.container.paths.data_dir
    make_voxcpm(data_dir / "imports" / "VoxCPM2")
    r = await env.client.post(
        "/v1/voices/models/import",
        json={"kind": "voxcpm", "path": str(data_dir / "imports" / "VoxCPM2"), "name": "mine"},
        headers=env.admin,
    )
    assert r.status_code == 201, r.text
    model = r.json()["data"]["model"]
    assert (model["name"], model["architecture"], model["sample_rate"], model["selected"]) == (
        "mine",
        "voxcpm2",
        48000,
        False,
    )
    zipped = _zip(
        {
            f"VoxCPM2/{p.name}": p.read_bytes()
            for p in (data_dir / "imports" / "VoxCPM2").iterdir()
            if p.is_file()
        }
    )
    r = await env.client.post(
        "/v1/voices/models/import",
        data={"kind": "voxcpm", "name": "zipped"},
        files={"file": ("VoxCPM2.zip", zipped, "application/zip")},
        headers=env.admin,
    )
    assert r.status_code == 201 and r.json()["data"]["model"]["name"] == "zipped", r.text
    flat = _zip({p.name: p.read_bytes() for p in (data_dir / "imports" / "VoxCPM2").iterdir() if p.is_file()})
    r = await env.client.post(
        "/v1/voices/models/import",
        data={"kind": "voxcpm"},
        files={"file": ("My Model.zip", flat, "application/zip")},
        headers=env.admin,
    )
    assert r.status_code == 201 and r.json()["data"]["model"]["name"] == "My-Model", r.text
    assert not _found(env.hub.scratch_dir(), "*")  # upload and extraction cleaned up
    r = await env.client.delete("/v1/voices/models/voxcpm/My-Model", headers=env.admin)
    assert r.status_code == 200
    r = await env.client.post("/v1/voices/models/voxcpm/select", json={"name": "nope"}, headers=env.admin)
    assert r.status_code == 404
    r = await env.client.post("/v1/voices/models/voxcpm/select", json={"name": "mine"}, headers=env.admin)
    assert r.status_code == 200, r.text
    assert r.json()["data"]["selected"] == "mine"
    assert env.container.config.tts.voxcpm_model == "mine"
    assert 'voxcpm_model = "mine"' in env.container.paths.config_file.read_text(encoding="utf-8")
    vox = (await models(env))["voxcpm"]
    assert isinstance(vox, dict)
    assert vox["selected"] == "mine" and vox["status"]["model"] == "mine" and vox["status"]["loaded"] is False
    assert [(m["name"], m["selected"]) for m in vox["models"]] == [("mine", True), ("zipped", False)]
    r = await env.client.delete("/v1/voices/models/voxcpm/mine", headers=env.admin)
    assert r.status_code == 200
    assert env.container.config.tts.voxcpm_model == ""  # removing the selected model turns VoxCPM off
    assert [m.name for m in env.hub.models.voxcpm_models()] == ["zipped"]
    r = await env.client.delete("/v1/voices/models/voxcpm/mine", headers=env.admin)
    assert r.status_code == 404
    r = await env.client.delete("/v1/voices/models/voxcpm/..%2Fgpt_sovits", headers=env.admin)
    assert r.status_code in (404, 405)
    assert json.loads((await env.client.get("/openapi.json")).text)["paths"]["/v1/voices/models/import"]
