"""TTS and lip-sync routes (seed-documented and StreamCream legacy) against a fake SpeechApi."""

from __future__ import annotations

import asyncio
import io
import math
import wave
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from fastapi import FastAPI

from studio.api.app import create_app
from studio.api.deps import ApiContext
from studio.api.tts_service import (
    MAX_TEXT_CHARS,
    MOUTH_HOP,
    SpeechApi,
    SpeechScript,
    SynthesisResult,
    resample_mouth,
)
from studio.avatar.mouth_timeline import MouthTimelineItem
from studio.core.errors import ProviderError, StudioError, ValidationError

ENVELOPE_KEYS = {"success", "message", "data", "timestamp", "code"}
RATE = 16000
SHAPE = {
    "ParamMouthOpenY": 0.8,
    "ParamMouthOpenWidth": 0.7,
    "ParamMouthForm": 0.8,
    "ParamMouthSmile": 0.1,
    "ParamMouthFrown": 0.0,
}


def _wav(seconds: float) -> bytes:
    t = np.arange(int(seconds * RATE)) / RATE
    pcm = (0.3 * np.sin(2 * math.pi * 220 * t) * 32767).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(RATE)
        wf.writeframes(pcm.tobytes())
    return buf.getvalue()


def _timeline(text: str, duration: float) -> list[MouthTimelineItem]:
    step = duration / max(1, len(text))
    return [
        MouthTimelineItem(
            start=round(k * step, 3),
            end=round((k + 1) * step, 3),
            vowel="a",
            char=ch,
            mouth_open=0.8,
            mouth_shape=dict(SHAPE),
        )
        for k, ch in enumerate(text)
    ]


class FakeSpeech:
    """A SpeechApi with fault knobs: ``fail`` raises, ``delay`` holds each synthesis."""

    def __init__(self) -> None:
        self.fail: StudioError | None = None
        self.delay = 0.0
        self.calls: list[dict[str, object]] = []
        self.aligned: list[tuple[str, int]] = []
        self.running = 0
        self.max_running = 0
        self._lock = asyncio.Lock()

    async def synthesize(
        self, text: str, *, voice: str | None, language: str, speed: float, pitch: float
    ) -> SynthesisResult:
        self.calls.append(
            {"text": text, "voice": voice, "language": language, "speed": speed, "pitch": pitch}
        )
        if self.fail is not None:
            raise self.fail
        async with self._lock:  # the real adapter queues too
            self.running += 1
            self.max_running = max(self.max_running, self.running)
            await asyncio.sleep(self.delay)
            self.running -= 1
        duration = round(0.1 * len(text), 4)
        frames = int(duration / MOUTH_HOP) + 1
        mouth = [0.0] + [0.7] * (frames - 2) + [0.0]
        return SynthesisResult(_wav(duration), RATE, duration, _timeline(text, duration), mouth, ["fake:v"])

    async def align(self, text: str, wav: bytes, *, language: str) -> list[MouthTimelineItem]:
        with wave.open(io.BytesIO(wav), "rb") as wf:
            duration = wf.getnframes() / wf.getframerate()
        self.aligned.append((text, len(wav)))
        return _timeline(text, duration)


class FakeWriter:
    async def write_speech(self, topic: str) -> SpeechScript:
        return SpeechScript(f"关于{topic}的演讲。第二句！", [f"关于{topic}的演讲。", "第二句！"])


@pytest.fixture
def speech() -> FakeSpeech:
    return FakeSpeech()


def _app(tmp_path: Path, services: dict[str, object], data_dir: bool = True) -> FastAPI:
    ctx = ApiContext(version="t", data_dir=tmp_path / "data" if data_dir else None, services=services)
    return create_app(ctx)


@pytest.fixture
async def client(tmp_path: Path, speech: FakeSpeech) -> AsyncIterator[httpx.AsyncClient]:
    app = _app(tmp_path, {"speech": speech})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as c:
        yield c


def _audio_dir(tmp_path: Path) -> Path:
    return tmp_path / "data" / "tts_audio"


def test_the_fake_satisfies_the_protocol() -> None:
    assert isinstance(FakeSpeech(), SpeechApi)


async def test_synthesize_writes_a_wav_whose_length_is_the_duration(
    client: httpx.AsyncClient, speech: FakeSpeech, tmp_path: Path
) -> None:
    r = await client.post(
        "/api/tts/synthesize", json={"text": "你好世界", "voice": "fake:v", "speed": 1.5, "pitch": -3}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == ENVELOPE_KEYS and body["success"] is True
    data = body["data"]
    assert set(data) == {"audio_url", "text", "duration", "file_size", "format"}
    assert data["text"] == "你好世界" and data["format"] == "wav"
    assert speech.calls == [
        {"text": "你好世界", "voice": "fake:v", "language": "zh", "speed": 1.5, "pitch": -3}
    ]
    assert data["audio_url"].startswith("/api/tts/audio/speech_")
    audio = await client.get(data["audio_url"])
    assert audio.status_code == 200 and audio.headers["content-type"] == "audio/wav"
    assert len(audio.content) == data["file_size"]
    with wave.open(io.BytesIO(audio.content), "rb") as wf:
        assert wf.getnframes() / wf.getframerate() == pytest.approx(data["duration"], abs=1e-3)
    name = data["audio_url"].rsplit("/", 1)[1]
    assert (_audio_dir(tmp_path) / name).is_file()
    assert [p.name for p in _audio_dir(tmp_path).iterdir()] == [name], "no temporary file left behind"


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"text": ""}, 400, "empty_text"),
        ({"text": "   \n"}, 400, "empty_text"),
        ({}, 400, "empty_text"),
        ({"text": "长" * (MAX_TEXT_CHARS + 1)}, 400, "text_too_long"),
        ({"text": "好", "speed": 3}, 422, "invalid_input"),
        ({"text": "好", "pitch": -13}, 422, "invalid_input"),
        ({"text": 12}, 422, "invalid_input"),
    ],
)
async def test_synthesize_rejects_bad_input_with_the_envelope(
    client: httpx.AsyncClient, speech: FakeSpeech, payload: dict[str, object], status: int, code: str
) -> None:
    r = await client.post("/api/tts/synthesize", json=payload)
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == ENVELOPE_KEYS and body["success"] is False and body["code"] == code
    assert speech.calls == []


@pytest.mark.parametrize(
    ("fault", "status", "code"),
    [
        (ValidationError("Unknown voice 'x'. Available voices: a, b"), 400, "invalid_input"),
        (ProviderError("The voice engine crashed.", provider="zh_onnx"), 502, "provider_error"),
    ],
)
async def test_engine_errors_become_clear_envelopes(
    client: httpx.AsyncClient, speech: FakeSpeech, fault: StudioError, status: int, code: str
) -> None:
    speech.fail = fault
    r = await client.post("/api/tts/synthesize", json={"text": "你好"})
    assert r.status_code == status
    assert r.json()["code"] == code and r.json()["message"] == fault.user_message
    legacy = await client.post("/synthesize-speech", json={"text": "你好"})
    if status == 400:
        assert legacy.status_code == 400 and legacy.json() == {"error": fault.user_message}
    else:
        assert legacy.status_code == 500
        assert legacy.json() == {"error": f"语音合成失败: {fault.user_message}"}


async def test_without_a_speech_engine_every_route_answers_503(tmp_path: Path) -> None:
    app = _app(tmp_path, {})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as c:
        r = await c.post("/api/tts/synthesize", json={"text": "你好"})
        assert r.status_code == 503 and r.json()["code"] == "speech_unavailable"
        assert "no speech engine" in r.json()["message"]
        legacy = await c.post("/synthesize-speech", json={"text": "你好"})
        assert legacy.status_code == 503 and "no speech engine" in legacy.json()["error"]
        timeline = await c.post("/text2mouth_timeline", json={"text": "你好"})
        assert timeline.status_code == 503 and set(timeline.json()) == {"error"}


async def test_without_a_data_folder_synthesis_answers_503(tmp_path: Path, speech: FakeSpeech) -> None:
    app = _app(tmp_path, {"speech": speech}, data_dir=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as c:
        r = await c.post("/api/tts/synthesize", json={"text": "你好"})
    assert r.status_code == 503 and "no data folder" in r.json()["message"]


async def test_legacy_synthesize_serve_and_delete(client: httpx.AsyncClient, tmp_path: Path) -> None:
    first = await client.post("/synthesize-speech", json={"text": "直播开始", "voice": "ignored"})
    second = await client.post("/synthesize-speech", json={"text": "直播开始"})
    assert first.status_code == 200
    body = first.json()
    assert set(body) == {"audio_url", "text", "duration"}
    assert body["text"] == "直播开始" and body["duration"] == pytest.approx(0.4)
    assert body["audio_url"].startswith("/static/audio/speech_") and body["audio_url"].endswith(".wav")
    assert second.json()["audio_url"] != body["audio_url"], "same text, same second: names never collide"
    audio = await client.get(body["audio_url"])
    assert audio.status_code == 200 and audio.headers["content-type"] == "audio/x-wav"
    assert audio.content[:4] == b"RIFF"
    name = body["audio_url"].rsplit("/", 1)[1]
    deleted = await client.delete(f"/delete-audio/{name}")
    assert deleted.status_code == 200 and deleted.json() == {"message": "文件删除成功"}
    again = await client.delete(f"/delete-audio/{name}")
    assert again.status_code == 404 and again.json() == {"message": "文件不存在"}
    assert (await client.get(body["audio_url"])).status_code == 404
    for method in ("DELETE", "GET"):  # BroadcastInterface.vue sends GET
        await client.post("/synthesize-speech", json={"text": "再见"})
        r = await client.request(method, "/delete-all-audio")
        assert r.status_code == 200 and r.json() == {"message": "所有音频文件删除成功"}
        assert list(_audio_dir(tmp_path).glob("*.wav")) == []


@pytest.mark.parametrize(
    "payload",
    [{}, {"text": ""}, {"text": "  "}, {"text": None}, {"voice": "x"}],
)
async def test_legacy_empty_text_is_the_original_400(client: httpx.AsyncClient, payload: object) -> None:
    r = await client.post("/synthesize-speech", json=payload)
    assert r.status_code == 400 and r.json() == {"error": "文本不能为空"}


async def test_legacy_bad_json_is_a_400_not_a_500(client: httpx.AsyncClient) -> None:
    for path in ("/synthesize-speech", "/text2mouth_timeline", "/text2mouth_param", "/generate-speech"):
        r = await client.post(path, content=b"{not json", headers={"content-type": "application/json"})
        assert r.status_code == 400 and "JSON" in r.json()["error"], path
        r = await client.post(path, json=["a", "list"])
        assert r.status_code == 400 and set(r.json()) == {"error"}, path


TRAVERSALS = [
    ("..%2F..%2Fsecret.wav", 403),
    ("..%2Fsecret.wav", 403),
    ("%2Fetc%2Fpasswd", 403),
    ("%2F" + "x" * 3 + ".wav", 403),
    ("sub%2Fx.wav", 403),
    ("%2E%2E", 403),
    ("%2E%2E%2F%2E%2E%2Fsecret.wav", 403),
    (".hidden.wav", 403),
    ("x.wav%00.txt", 403),
    ("..%5C..%5Csecret.wav", 403),
    ("notes.txt", 400),
]


@pytest.mark.parametrize(("name", "status"), TRAVERSALS)
@pytest.mark.parametrize(
    ("method", "prefix"),
    [
        ("GET", "/api/tts/audio/"),
        ("DELETE", "/api/tts/audio/"),
        ("GET", "/static/audio/"),
        ("DELETE", "/delete-audio/"),
    ],
)
async def test_file_names_cannot_leave_the_audio_folder(
    client: httpx.AsyncClient, tmp_path: Path, method: str, prefix: str, name: str, status: int
) -> None:
    secret = tmp_path / "data" / "secret.wav"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_bytes(_wav(0.1))
    _audio_dir(tmp_path).mkdir(parents=True, exist_ok=True)
    r = await client.request(method, prefix + name)
    assert r.status_code == status, r.text
    assert "Traceback" not in r.text
    message = r.json().get("message") if prefix.startswith("/api") else r.json().get("error")
    assert message and ("not allowed" in message or ".wav" in message)
    assert secret.read_bytes()[:4] == b"RIFF", "the file outside was neither read nor deleted"


async def test_a_symlink_out_of_the_folder_is_refused(client: httpx.AsyncClient, tmp_path: Path) -> None:
    outside = tmp_path / "outside.wav"
    outside.write_bytes(_wav(0.1))
    _audio_dir(tmp_path).mkdir(parents=True)
    (_audio_dir(tmp_path) / "link.wav").symlink_to(outside)
    for method, path in [
        ("GET", "/api/tts/audio/link.wav"),
        ("GET", "/static/audio/link.wav"),
        ("DELETE", "/delete-audio/link.wav"),
    ]:
        r = await client.request(method, path)
        assert r.status_code == 403, (path, r.text)
    r = await client.post("/api/tts/mouth-timeline", json={"text": "你好", "audio_file": "link.wav"})
    assert r.status_code == 403
    assert outside.is_file()


async def test_mouth_timeline_synthesizes_or_aligns_to_a_file(
    client: httpx.AsyncClient, speech: FakeSpeech
) -> None:
    r = await client.post("/api/tts/mouth-timeline", json={"text": "你好"})
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert [i["char"] for i in data["timeline"]] == ["你", "好"]
    assert set(data["timeline"][0]) == {"start", "end", "vowel", "char", "mouth_open", "mouth_shape"}
    assert set(data["timeline"][0]["mouth_shape"]) == set(SHAPE)
    assert data["timeline"][-1]["end"] == pytest.approx(data["duration"])
    name = data["audio_url"].rsplit("/", 1)[1]
    aligned = await client.post("/api/tts/mouth-timeline", json={"text": "早上好", "audio_file": name})
    assert aligned.status_code == 200
    assert [i["char"] for i in aligned.json()["data"]["timeline"]] == ["早", "上", "好"]
    assert speech.aligned and speech.aligned[0][0] == "早上好" and len(speech.calls) == 1
    missing = await client.post("/api/tts/mouth-timeline", json={"text": "好", "audio_file": "speech_x.wav"})
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    empty = await client.post("/api/tts/mouth-timeline", json={"text": ""})
    assert empty.status_code == 400


async def test_text2mouth_timeline_reuses_the_synthesis_the_client_plays(
    client: httpx.AsyncClient, speech: FakeSpeech
) -> None:
    said = await client.post("/synthesize-speech", json={"text": "欢迎大家"})
    r = await client.post("/text2mouth_timeline", json={"text": "欢迎大家", "duration": 1.2})
    assert r.status_code == 200 and set(r.json()) == {"timeline"}
    timeline = r.json()["timeline"]
    assert [i["char"] for i in timeline] == list("欢迎大家")
    assert timeline[-1]["end"] == pytest.approx(said.json()["duration"]), "the real length, not the estimate"
    assert len(speech.calls) == 1, "no second synthesis for a text just synthesized"
    fresh = await client.post("/text2mouth_timeline", json={"text": "新的句子"})
    assert fresh.status_code == 200 and len(speech.calls) == 2
    assert (await client.post("/text2mouth_timeline", json={"text": ""})).json() == {"timeline": []}
    bad = await client.post("/text2mouth_timeline", json={"text": "好", "duration": "long"})
    assert bad.status_code == 400 and "duration" in bad.json()["error"]


@pytest.mark.parametrize(("duration", "fps"), [(1.0, 30), (2.5, 24), (0.4, 60)])
async def test_text2mouth_param_has_one_value_per_frame(
    client: httpx.AsyncClient, duration: float, fps: int
) -> None:
    r = await client.post("/text2mouth_param", json={"text": "你好世界", "duration": duration, "fps": fps})
    assert r.status_code == 200
    values = r.json()["mouth_param"]
    assert len(values) == int(duration * fps)
    assert all(0.0 <= v <= 1.0 for v in values) and max(values) == pytest.approx(0.7)


@pytest.mark.parametrize(
    "payload", [{"text": "好", "fps": 0}, {"text": "好", "fps": "x"}, {"text": "好", "duration": -1}]
)
async def test_text2mouth_param_rejects_bad_numbers(client: httpx.AsyncClient, payload: object) -> None:
    r = await client.post("/text2mouth_param", json=payload)
    assert r.status_code == 400 and set(r.json()) == {"error"}


def test_resample_mouth_stretches_the_real_track() -> None:
    track = [0.0, 0.5, 1.0, 0.5, 0.0]  # 40 ms of audio
    # 1 s at 10 fps: frame k reads the track at k/10 * 0.04 s
    assert resample_mouth(track, 0.04, 1.0, 10) == pytest.approx(
        [0, 0.2, 0.4, 0.6, 0.8, 1.0, 0.8, 0.6, 0.4, 0.2]
    )
    assert len(resample_mouth(track, 0.04, 0.5, 30)) == 15
    assert resample_mouth([], 0.0, 1.0, 5) == [0.0] * 5
    assert resample_mouth(track, 0.04, 0.0, 30) == []


async def test_generate_speech_needs_a_language_model(tmp_path: Path, speech: FakeSpeech) -> None:
    app = _app(tmp_path, {"speech": speech})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as c:
        r = await c.post("/generate-speech", json={"topic": "咖啡"})
        assert r.status_code == 503 and "no language model configured" in r.json()["error"]
        empty = await c.post("/generate-speech", json={"topic": " "})
        assert empty.status_code == 400 and empty.json() == {"error": "主题不能为空"}
    app = _app(tmp_path, {"speech": speech, "speech_writer": FakeWriter()})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as c:
        r = await c.post("/generate-speech", json={"topic": "咖啡"})
    assert r.status_code == 200
    assert r.json() == {
        "speech_content": "关于咖啡的演讲。第二句！",
        "sentences": ["关于咖啡的演讲。", "第二句！"],
    }


async def test_concurrent_requests_are_queued_and_all_succeed(
    client: httpx.AsyncClient, speech: FakeSpeech
) -> None:
    speech.delay = 0.02
    texts = [f"第{k}句话" for k in range(8)]
    replies = await asyncio.gather(
        *(client.post("/api/tts/synthesize", json={"text": t}) for t in texts[:4]),
        *(client.post("/synthesize-speech", json={"text": t}) for t in texts[4:]),
    )
    assert [r.status_code for r in replies] == [200] * 8
    urls = [r.json()["data"]["audio_url"] for r in replies[:4]] + [r.json()["audio_url"] for r in replies[4:]]
    assert len({u.rsplit("/", 1)[1] for u in urls}) == 8
    assert speech.max_running == 1


async def test_openapi_documents_both_path_families(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    for path in (
        "/api/tts/synthesize",
        "/api/tts/mouth-timeline",
        "/api/tts/audio/{file}",
        "/synthesize-speech",
        "/static/audio/{file}",
        "/delete-audio/{file}",
        "/delete-all-audio",
        "/text2mouth_timeline",
        "/text2mouth_param",
        "/generate-speech",
    ):
        assert path in paths, path
    assert set(paths["/delete-all-audio"]) == {"get", "delete"}


async def test_include_tts_routes_takes_the_auth_dependency(tmp_path: Path, speech: FakeSpeech) -> None:
    from fastapi import Depends, HTTPException

    from studio.api.routes.tts import include_tts_routes

    def require_user() -> None:
        raise HTTPException(401, "Log in first.")

    app = FastAPI()
    app.state.ctx = ApiContext(version="t", data_dir=tmp_path, services={"speech": speech})
    include_tts_routes(app, dependencies=[Depends(require_user)])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as c:
        assert (await c.post("/api/tts/synthesize", json={"text": "好"})).status_code == 401
        assert (await c.post("/synthesize-speech", json={"text": "好"})).status_code == 401
        assert (await c.get("/delete-all-audio")).status_code == 401
    assert speech.calls == []
