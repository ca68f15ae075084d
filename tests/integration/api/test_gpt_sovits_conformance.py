"""GPT-SoVITS api_v2 conformance over real HTTP, with the studio's real voices through a running
EngineRuntime, the real voice library (Whisper transcribes the uploaded reference) and a real
stand-in GPT-SoVITS server (FastAPI on uvicorn) for the forwarding path.

Covers the acceptance points of issue 7: Open-LLM-VTuber's call pattern returns a valid WAV; every
streaming mode x media type returns what upstream returns (parsed here); the validation messages
and status codes of reference-contracts.md; ``/tts`` refuses paths outside the studio's folders.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import socket
import threading
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import soundfile
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from studio.api.app import create_app
from studio.api.compat.audio_media import pack_wav, to_int16, wav_stream_header
from studio.api.compat.gpt_sovits import GPT_SOVITS_PREFIX, include_gpt_sovits_routes
from studio.api.deps import ApiContext
from studio.api.server import ApiServer
from studio.app.container import Container
from studio.app.gpt_sovits_backend import GptSovitsBackend
from studio.app.runtime import EngineRuntime
from studio.app.voices import VoiceHub
from studio.core.tasks import TaskOwner
from tests.unit.api.compat.test_gpt_sovits_media import (
    adts_frames,
    decode_aac,
    decode_ogg,
    read_wav,
    split_ogg_chain,
    stream_wav_header,
)

pytestmark = pytest.mark.slow

TIMEOUT = 120.0
REFERENCE_TEXT = "你好，欢迎来到直播间。今天我们一起聊聊天吧。"
TEXT = "今天天气很好。我们一起去公园散步吧！"


@dataclass
class Live:
    runtime: EngineRuntime
    container: Container
    hub: VoiceHub
    url: str
    root: Path
    outside: Path
    extra: list[Any] = field(default_factory=list)

    def http(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=TIMEOUT)


def _serves_gpt_sovits(url: str) -> bool:
    paths = httpx.get(url + "/openapi.json", timeout=10).json()["paths"]
    return GPT_SOVITS_PREFIX + "/tts" in paths


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """A running studio; the GPT-SoVITS routes on its own API when the runtime wires them, else on
    an app of the same kind served on the engine loop (same services, same loop)."""
    home = tmp_path_factory.mktemp("gpt-sovits-home")
    outside = tmp_path_factory.mktemp("outside") / "secret.wav"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STUDIO_HOME", str(home))
        mp.setenv("STUDIO_SECRETS_BACKEND", "file")
        for key in list(os.environ):
            if key.startswith(("STUDIO_API_", "STUDIO_TTS_", "STUDIO_AUDIO_")):
                mp.delenv(key)
        container = Container.build()
    runtime = EngineRuntime(container, port=0)
    runtime.start()
    own: tuple[ApiServer, TaskOwner] | None = None
    hub = runtime.api_services.get("voices")
    made_hub = hub is None
    try:
        if hub is None:
            hub = VoiceHub(container)
            runtime.api_services["voices"] = hub
        if "gpt_sovits" not in runtime.api_services:
            runtime.api_services["gpt_sovits"] = GptSovitsBackend(runtime, hub)
        assert runtime.api_url is not None
        url = runtime.api_url
        if not _serves_gpt_sovits(url):

            async def serve() -> tuple[ApiServer, TaskOwner]:
                c = container
                ctx = ApiContext(
                    version=c.version,
                    config=c.config,
                    db=c.db,
                    data_dir=c.paths.data_dir,
                    services=runtime.api_services,
                )
                app = create_app(ctx, c.config.api)
                include_gpt_sovits_routes(app)
                owner = TaskOwner("gpt-sovits-test-api")
                server = ApiServer(app, "127.0.0.1", 0, owner)
                await server.start()
                return server, owner

            own = runtime.submit(serve()).result(30)
            url = own[0].url
        outside.write_bytes(pack_wav(to_int16(np.zeros(16000, dtype=np.float32)), 16000))
        yield Live(runtime, container, hub, url + GPT_SOVITS_PREFIX, hub.models.gpt_sovits_root, outside)
    finally:
        if own is not None:
            server, owner = own

            async def unserve() -> None:
                await server.stop()
                await owner.close()

            runtime.submit(unserve()).result(15)
        backend = runtime.api_services.get("gpt_sovits")
        if isinstance(backend, GptSovitsBackend):
            runtime.submit(backend.close()).result(10)
        if made_hub:
            runtime.submit(hub.close()).result(30)
        assert runtime.stop(timeout=10.0)
        container.close()


@pytest.fixture(scope="module")
def reference(live: Live) -> tuple[str, str]:
    """A reference recording spoken by the studio's own voice, uploaded as StreamCream's front end
    does (multipart ``file``): (stored file name, speaker id)."""
    speech = live.runtime.api_services["speech"]
    result = live.runtime.submit(
        speech.synthesize(REFERENCE_TEXT, voice=None, language="zh", speed=1.0, pitch=0.0)
    ).result(TIMEOUT)
    with live.http() as http:
        r = http.post("/upload_ref_audio", files={"file": ("../主播 参考.wav", result.wav, "audio/wav")})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["success"] is True and body["filename"] == "主播 参考.wav"
    return body["filename"], body["speaker"]


def test_upload_registers_a_transcribed_speaker_and_lists_it(live: Live, reference: tuple[str, str]) -> None:
    name, speaker_id = reference
    assert (live.root / "参考音频" / name).is_file()
    speaker = live.hub.speakers.resolve(speaker_id)
    assert speaker is not None
    assert any(ch in speaker.transcript for ch in "欢迎直播聊天"), f"Whisper heard {speaker.transcript!r}"
    with live.http() as http:
        audios = http.get("/list_available_ref_audios").json()["available_audios"]
    assert {"pair_name": "主播 参考", "file_name": name, "path": f"参考音频/{name}"} in audios


def test_open_llm_vtuber_call_pattern_returns_a_valid_wav(live: Live, reference: tuple[str, str]) -> None:
    name, _ = reference
    params = {
        "text": "Hello everyone, welcome to the stream.",
        "text_lang": "en",
        "ref_audio_path": f"参考音频/{name}",
        "prompt_lang": "zh",
        "prompt_text": "",
        "text_split_method": "cut5",
        "batch_size": "1",
        "media_type": "wav",
        "streaming_mode": "false",
    }
    with live.http() as http:
        r = http.get("/tts", params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "audio/wav"
    assert r.headers["x-studio-voice"].startswith("studio:")
    pcm, rate = read_wav(r.content)
    assert rate == 32000 and 1.0 < pcm.size / rate < 10.0
    data, sf_rate = soundfile.read(io.BytesIO(r.content), dtype="float32")
    assert sf_rate == 32000 and float(np.abs(data).max()) > 0.05, "speech, not silence"


@pytest.mark.parametrize("mode", [0, 1, 2, 3])
@pytest.mark.parametrize("media", ["wav", "raw", "ogg", "aac"])
def test_every_streaming_mode_and_media_type(
    live: Live, reference: tuple[str, str], mode: int, media: str
) -> None:
    body = {
        "text": TEXT,
        "text_lang": "zh",
        "ref_audio_path": reference[1],  # a speaker id works too
        "prompt_lang": "zh",
        "media_type": media,
        "streaming_mode": mode,
    }
    with live.http() as http, http.stream("POST", "/tts", json=body) as r:
        assert r.status_code == 200, r.read()
        assert r.headers["content-type"] == f"audio/{media}"
        assert (r.headers.get("transfer-encoding") == "chunked") == (mode != 0)
        data = r.read()
    silence = 2 * round(0.3 * 32000)  # two fragments, each followed by fragment_interval
    if media == "wav" and mode == 0:
        pcm, rate = read_wav(data)
        samples = pcm.size
    elif media == "wav":
        rate, rest = stream_wav_header(data)
        samples = len(rest) // 2
        assert len(rest) % 2 == 0
    elif media == "raw":
        rate, samples = 32000, len(data) // 2
        assert len(data) % 2 == 0
    elif media == "ogg":
        streams = split_ogg_chain(data)
        assert (len(streams) == 1) == (mode == 0)
        if mode == 1:
            assert len(streams) == 2, "one Ogg stream per sentence"
        decoded = [decode_ogg(s) for s in streams]
        rate, samples = decoded[0][1], sum(d[0].size for d in decoded)
    else:
        assert data[:2] == b"\xff\xf1"
        rates = {r for r, _ in adts_frames(data)}
        samples, rate = decode_aac(data)
        assert rates == {32000}
    assert rate == 32000
    assert samples > silence + 32000, "two spoken sentences and their silences"


GOOD = {"text": "你好。", "text_lang": "zh", "prompt_lang": "zh"}
MESSAGES = [
    ({"text": ""}, "text is required"),
    ({"text_lang": ""}, "text_lang is required"),
    ({"text_lang": "xx"}, "text_lang: xx is not supported in version v2"),
    ({"prompt_lang": ""}, "prompt_lang is required"),
    ({"prompt_lang": "fr"}, "prompt_lang: fr is not supported in version v2"),
    ({"media_type": "flac"}, "media_type: flac is not supported"),
    ({"text_split_method": "auto"}, "text_split_method:auto is not supported"),
    ({"streaming_mode": "7"}, "the value of streaming_mode must be 0, 1, 2, 3(int) or true/false(bool)"),
]


def test_validation_messages_and_status_codes(live: Live, reference: tuple[str, str]) -> None:
    ref = {"ref_audio_path": f"参考音频/{reference[0]}"}
    with live.http() as http:
        r = http.get("/tts", params=GOOD)  # no reference anywhere yet
        assert (r.status_code, r.json()) == (400, {"message": "ref_audio_path is required"})
        for change, message in MESSAGES:
            r = http.get("/tts", params={**GOOD, **ref, **change})
            assert (r.status_code, r.json()) == (400, {"message": message}), change
        for missing in ("text_lang", "prompt_lang"):
            r = http.get("/tts", params={k: v for k, v in {**GOOD, **ref}.items() if k != missing})
            assert (r.status_code, r.text) == (500, "Internal Server Error")
        r = http.get("/tts", params={**GOOD, **ref, "top_k": "x"})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "top_k"]
        r = http.get("/tts", params={**GOOD, **ref, "text": "。。。"})
        assert r.status_code == 400 and r.json()["message"] == "tts failed" and r.json()["Exception"]
        assert http.get("/control").json() == {"message": "command is required"}
        assert http.post("/control").status_code == 405
        r = http.get("/control", params={"command": "exit"})
        assert r.status_code == 403 and "studio" in r.json()["message"]
        assert http.get("/set_gpt_weights").json() == {"message": "gpt weight path is required"}
        assert http.get("/set_sovits_weights").json() == {"message": "sovits weight path is required"}
        r = http.get("/set_gpt_weights", params={"weights_path": "GPT_weights/none.ckpt"})
        assert r.status_code == 400 and r.json()["message"] == "change gpt weight failed"
        assert http.get("/set_model_pair").json() == {"message": "pair_name is required"}
        r = http.get("/set_refer_audio", params={"refer_audio_path": "nothing.wav"})
        assert r.status_code == 400 and r.json()["message"] == "set refer audio failed"


def test_tts_refuses_paths_outside_the_studio(live: Live) -> None:
    link = live.root / "参考音频" / "escape.wav"
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.is_symlink():
        os.symlink(live.outside, link)
    refused = [
        "../../../../../../etc/passwd",
        "/etc/passwd",
        str(live.outside),
        "参考音频/escape.wav",
        "参考音频/../../../../../../../etc/hosts",
    ]
    with live.http() as http:
        for path in refused:
            r = http.get("/tts", params={**GOOD, "ref_audio_path": path})
            assert r.status_code == 400, path
            assert r.json() == {
                "message": f"ref_audio_path not allowed: {path} is outside the studio's folders"
            }
        encoded = "%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd"
        r = http.get(f"/tts?text=x&text_lang=zh&prompt_lang=zh&ref_audio_path={encoded}")
        assert r.status_code == 400 and "outside the studio's folders" in r.json()["message"]
        r = http.get(f"/tts?text=x&text_lang=zh&prompt_lang=zh&ref_audio_path={encoded.replace('%', '%25')}")
        assert r.status_code == 400 and r.json()["message"].startswith("Reference audio file not found: %2e")
        r = http.get("/set_refer_audio", params={"refer_audio_path": str(live.outside)})
        assert r.status_code == 400 and "outside" in r.json()["Exception"]
        r = http.get("/set_sovits_weights", params={"weights_path": "../../../../../../etc/passwd"})
        assert r.status_code == 400 and "outside" in r.json()["Exception"]


# ---- forwarding to a GPT-SoVITS server --------------------------------------------------------


@dataclass
class StandIn:
    url: str
    calls: list[tuple[str, dict[str, Any]]]


def _stand_in_app(calls: list[tuple[str, dict[str, Any]]]) -> FastAPI:
    """A tiny api_v2: records calls, streams a generated WAV like upstream (header, then PCM)."""
    app = FastAPI()
    tone = to_int16(0.3 * np.sin(2 * np.pi * 220 * np.arange(32000) / 32000).astype(np.float32))

    @app.get("/set_gpt_weights")
    @app.get("/set_sovits_weights")
    async def weights(request: Request, weights_path: str) -> JSONResponse:
        calls.append((request.url.path, {"weights_path": weights_path}))
        return JSONResponse({"message": "success"})

    @app.post("/tts")
    async def tts(request: Request) -> Response:
        body = await request.json()
        calls.append(("/tts", body))
        if body["text"] == "fail":
            return JSONResponse({"message": "tts failed", "Exception": "boom"}, status_code=400)
        if not body["streaming_mode"]:
            return Response(pack_wav(tone, 32000), media_type="audio/wav")

        async def chunks() -> Any:
            yield wav_stream_header(32000)
            for start in range(0, tone.size, 8000):
                yield tone[start : start + 8000].tobytes()
                await asyncio.sleep(0.01)

        return StreamingResponse(chunks(), media_type="audio/wav")

    return app


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    calls: list[tuple[str, dict[str, Any]]] = []
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(_stand_in_app(calls), log_config=None))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield StandIn(f"http://127.0.0.1:{port}", calls)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def test_a_selected_pair_runs_on_the_configured_server(
    live: Live, reference: tuple[str, str], stand_in: StandIn, tmp_path: Path
) -> None:
    install = tmp_path / "GPT-SoVITS"
    (install / "GPT_weights_v2").mkdir(parents=True)
    (install / "SoVITS_weights_v2").mkdir()
    (install / "GPT_weights_v2" / "alice-e15.ckpt").write_bytes(b"gpt")
    (install / "SoVITS_weights_v2" / "alice_e8_s96.pth").write_bytes(b"sovits")
    live.hub.models.import_gpt_sovits(install)
    speaker = live.hub.speakers.resolve(reference[1])
    assert speaker is not None
    tts = live.container.config.tts
    tts.gpt_sovits_url = stand_in.url
    try:
        with live.http() as http:
            groups = http.get("/list_model_groups").json()
            assert {
                "name": "v2模型",
                "pairs": {
                    "alice": {
                        "gpt_path": "GPT_weights_v2/alice-e15.ckpt",
                        "sovits_path": "SoVITS_weights_v2/alice_e8_s96.pth",
                    }
                },
            } in groups
            r = http.get("/set_model_pair", params={"pair_name": "alice"})
            assert r.json() == {"message": "success", "model_pair": "alice", "ref_audio": "参考音频.wav"}
            params = {
                **GOOD,
                "text": "你好，世界。",
                "ref_audio_path": reference[1],
                "top_k": "7",
                "streaming_mode": "2",
            }
            with http.stream("GET", "/tts", params=params) as r:
                assert r.status_code == 200 and r.headers["content-type"] == "audio/wav"
                assert r.headers["x-studio-voice"].startswith("gpt-sovits:alice")
                data = r.read()
            rate, pcm = stream_wav_header(data)
            assert rate == 32000 and len(pcm) == 64000
            r = http.get("/tts", params={**params, "text": "fail"})
            assert (r.status_code, r.json()) == (400, {"message": "tts failed", "Exception": "boom"})
            status = http.get("/get_current_status").json()
            assert status["current_model_pair"] == "alice"
    finally:
        tts.gpt_sovits_url = ""
    root = live.root.resolve()
    weights = [c for c in stand_in.calls if c[0] != "/tts"]
    assert weights == [
        ("/set_gpt_weights", {"weights_path": str(root / "GPT_weights_v2/alice-e15.ckpt")}),
        ("/set_sovits_weights", {"weights_path": str(root / "SoVITS_weights_v2/alice_e8_s96.pth")}),
    ], "weights are loaded once, by absolute path"
    body = next(c[1] for c in stand_in.calls if c[0] == "/tts")
    assert body["ref_audio_path"] == str(speaker.file)
    assert body["prompt_text"] == speaker.transcript, "the speaker's transcript is the prompt"
    assert (body["top_k"], body["streaming_mode"], body["text_split_method"], body["media_type"]) == (
        7,
        2,
        "cut5",
        "wav",
    )
    assert json.dumps(body, ensure_ascii=False)


def test_voxcpm_clones_the_reference_when_a_model_is_selected(
    live: Live, reference: tuple[str, str], tmp_path: Path
) -> None:
    pytest.importorskip("voxcpm", reason="the voxcpm extra is not installed")
    try:
        from studio.speech.tts.voxcpm.engine import VoxCpmEngine  # noqa: F401
        from studio.testing.voxcpm_tiny import build_tiny_voxcpm
    except ImportError as exc:
        pytest.skip(f"the VoxCPM engine is not in this build yet ({exc})")
    folder = build_tiny_voxcpm(tmp_path / "tiny")
    info = live.hub.models.import_voxcpm(folder, name="tiny-gpt-sovits-test")
    tts = live.container.config.tts
    tts.voxcpm_model, tts.voxcpm_device = info.name, "cpu"
    try:
        with live.http() as http:
            body = {
                **GOOD,
                "text": "你好。",
                "ref_audio_path": reference[1],
                "streaming_mode": 1,
                "media_type": "raw",
            }
            r = http.post("/tts", json=body, timeout=300)
    finally:
        tts.voxcpm_model = ""
    assert r.status_code == 200, r.text
    assert r.headers["x-studio-voice"].startswith("voxcpm:tiny-gpt-sovits-test (continuation")
    assert len(r.content) > 2 * round(0.3 * 32000)


def test_restart_reloads_the_voices_and_speech_works_after(live: Live, reference: tuple[str, str]) -> None:
    with live.http() as http:
        r = http.get("/control", params={"command": "restart"})
        assert r.status_code == 200 and r.json()["message"].startswith("restart")
        assert live.runtime.state == "running"
        r = http.get("/tts", params={**GOOD, "ref_audio_path": reference[0], "media_type": "raw"})
        assert r.status_code == 200 and len(r.content) > 32000
        with wave.open(io.BytesIO(pack_wav(np.frombuffer(r.content, dtype="<i2"), 32000))) as wf:
            assert wf.getnframes() == len(r.content) // 2
