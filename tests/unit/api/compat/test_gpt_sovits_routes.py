"""GPT-SoVITS api_v2 routes against a small in-test back end: parameters, defaults, messages,
status codes and audio shapes exactly as reference-contracts.md sections 1.4 and 2 say."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Literal

import httpx
import numpy as np
import pytest
from fastapi import FastAPI

from studio.api.app import create_app
from studio.api.compat.audio_media import PcmPiece, PcmSynthesis
from studio.api.compat.gpt_sovits import GPT_SOVITS_PREFIX, include_gpt_sovits_routes
from studio.api.compat.gpt_sovits_params import (
    GptSovitsApi,
    ModelGroup,
    ModelPair,
    RefAudio,
    RefAudioError,
    RouterStatus,
    TtsRequest,
    split_text,
)
from studio.api.deps import ApiContext
from studio.core.errors import ProviderError, ValidationError
from tests.unit.api.compat.test_gpt_sovits_media import (
    adts_frames,
    decode_aac,
    decode_ogg,
    read_wav,
    split_ogg_chain,
    stream_wav_header,
)

RATE = 32000
OLV_QUERY = {
    "text": "Hello there. How are you?",
    "text_lang": "en",
    "ref_audio_path": "ref.wav",
    "prompt_lang": "zh",
    "prompt_text": "参考文本",
    "text_split_method": "cut5",
    "batch_size": "1",
    "media_type": "wav",
    "streaming_mode": "false",
}


class FakeBackend:
    """Speaks 0.2 s of tone per fragment; records what it was asked."""

    def __init__(self) -> None:
        self.requests: list[tuple[TtsRequest, int, RefAudio]] = []
        self.fail: Exception | None = None
        self.pair: str | None = None
        self.manual: str | None = None
        self.weights: list[tuple[str, str]] = []
        self.uploads: list[tuple[str, bytes]] = []
        self.restarts = 0
        self.allow_exit = False
        self.exited = False

    async def reference(self, given: str | None) -> RefAudio:
        name = given or self.manual
        if not name:
            raise RefAudioError("ref_audio_path is required")
        if name.startswith("/etc") or ".." in name:
            raise RefAudioError(f"ref_audio_path not allowed: {name} is outside the studio's folders")
        if name == "missing.wav":
            raise RefAudioError(f"Reference audio file not found: {name}")
        return RefAudio(name, Path("/tmp") / name, "transcript")

    async def synthesize(self, req: TtsRequest, mode: int, ref: RefAudio) -> PcmSynthesis:
        if self.fail is not None:
            raise self.fail
        self.requests.append((req, mode, ref))
        fragments = split_text(req.text or "", req.text_split_method)

        async def pieces() -> AsyncIterator[PcmPiece]:
            for _ in fragments:
                t = np.arange(RATE // 10) / RATE
                for _ in range(2):
                    yield PcmPiece((0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32))
                yield PcmPiece(np.zeros(0, dtype=np.float32), fragment_end=True)

        return PcmSynthesis("studio:test-voice", RATE, pieces())

    async def set_weights(self, kind: Literal["gpt", "sovits"], path: str) -> None:
        if not path.endswith((".ckpt", ".pth")):
            raise ValidationError(f"{path} is not a weights file")
        self.weights.append((kind, path))
        self.pair = Path(path).stem.split("-")[0]

    async def set_refer_audio(self, path: str | None) -> None:
        if not path or path == "missing.wav":
            raise ValidationError(f"Reference audio file not found: {path}")
        self.manual = path

    async def set_model_pair(self, name: str) -> str:
        self.pair = name
        return await self.pair_ref_audio(name)

    async def status(self) -> RouterStatus:
        return RouterStatus(self.pair, self.manual)

    async def pair_ref_audio(self, pair: str | None) -> str:
        return f"参考音频/{pair}.wav" if pair == "alice" else "参考音频.wav"

    async def model_groups(self) -> list[ModelGroup]:
        pair = ModelPair("GPT_weights_v2/alice-e15.ckpt", "SoVITS_weights_v2/alice_e8_s96.pth")
        return [ModelGroup("v2模型", {"alice": pair})]

    async def reference_audios(self) -> list[tuple[str, str, str]]:
        return [("alice", "alice.wav", "参考音频/alice.wav")]

    async def upload_ref_audio(self, filename: str, data: bytes) -> tuple[str, str]:
        if not data:
            raise ValidationError("empty recording")
        self.uploads.append((filename, data))
        return Path(filename).name, "alice"

    async def restart(self) -> str:
        self.restarts += 1
        return "restart: reloaded speech"

    def exit_allowed(self) -> bool:
        return self.allow_exit

    async def exit(self) -> None:
        self.exited = True


def make_app(services: dict[str, Any]) -> FastAPI:
    app = create_app(ApiContext(version="test", services=services))
    if not any(getattr(r, "path", "").startswith(GPT_SOVITS_PREFIX) for r in app.routes):
        include_gpt_sovits_routes(app)  # until create_app includes them itself
    return app


@pytest.fixture
def backend() -> FakeBackend:
    return FakeBackend()


@pytest.fixture
async def http(backend: FakeBackend) -> AsyncIterator[httpx.AsyncClient]:
    assert isinstance(backend, GptSovitsApi)
    transport = httpx.ASGITransport(app=make_app({"gpt_sovits": backend}))
    async with httpx.AsyncClient(transport=transport, base_url="http://t" + GPT_SOVITS_PREFIX) as client:
        yield client


async def test_open_llm_vtuber_call_pattern_returns_a_wav(
    http: httpx.AsyncClient, backend: FakeBackend
) -> None:
    r = await http.get("/tts", params=OLV_QUERY)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "audio/wav"
    assert r.headers["x-studio-voice"] == "studio:test-voice"
    pcm, rate = read_wav(r.content)
    assert rate == RATE and pcm.size == 2 * round(0.5 * RATE)  # 2 fragments of 0.2 s + 0.3 s silence
    req, mode, ref = backend.requests[0]
    assert mode == 0 and ref.given == "ref.wav"
    assert (req.text_lang, req.prompt_lang, req.prompt_text, req.batch_size) == ("en", "zh", "参考文本", 1)


async def test_defaults_are_upstreams_on_get_and_post(http: httpx.AsyncClient, backend: FakeBackend) -> None:
    base = {"text": "你好。", "text_lang": "ZH", "ref_audio_path": "r.wav", "prompt_lang": "JA"}
    assert (await http.get("/tts", params=base)).status_code == 200
    assert (await http.post("/tts", json={**base, "text_lang": "zh", "prompt_lang": "ja"})).status_code == 200
    for req, mode, _ in backend.requests:
        assert mode == 0
        assert (req.text_lang, req.prompt_lang) == ("zh", "ja"), "GET lower-cases the languages"
        assert req.model_dump(exclude={"text", "text_lang", "prompt_lang", "ref_audio_path"}) == {
            "aux_ref_audio_paths": None,
            "prompt_text": "",
            "top_k": 15,
            "top_p": 1,
            "temperature": 1,
            "text_split_method": "cut5",
            "batch_size": 1,
            "batch_threshold": 0.75,
            "split_bucket": True,
            "speed_factor": 1.0,
            "fragment_interval": 0.3,
            "seed": -1,
            "media_type": "wav",
            "streaming_mode": False,
            "parallel_infer": True,
            "repetition_penalty": 1.35,
            "sample_steps": 32,
            "super_sampling": False,
            "overlap_length": 2,
            "min_chunk_length": 16,
        }


GOOD = {"text": "你好。", "text_lang": "zh", "ref_audio_path": "r.wav", "prompt_lang": "zh"}
CHECKS = [
    ({"ref_audio_path": None}, "ref_audio_path is required"),
    ({"ref_audio_path": "missing.wav"}, "Reference audio file not found: missing.wav"),
    (
        {"ref_audio_path": "../../etc/passwd"},
        "ref_audio_path not allowed: ../../etc/passwd is outside the studio's folders",
    ),
    ({"text": None}, "text is required"),
    ({"text": ""}, "text is required"),
    ({"text_lang": "xx"}, "text_lang: xx is not supported in version v2"),
    ({"prompt_lang": "de"}, "prompt_lang: de is not supported in version v2"),
    ({"media_type": "mp3"}, "media_type: mp3 is not supported"),
    ({"text_split_method": "cut9"}, "text_split_method:cut9 is not supported"),
    ({"streaming_mode": 5}, "the value of streaming_mode must be 0, 1, 2, 3(int) or true/false(bool)"),
    ({"streaming_mode": -1}, "the value of streaming_mode must be 0, 1, 2, 3(int) or true/false(bool)"),
]


@pytest.mark.parametrize(("change", "message"), CHECKS)
@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_each_check_answers_400_with_upstreams_message(
    http: httpx.AsyncClient, change: dict[str, Any], message: str, method: str
) -> None:
    values = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    if method == "GET":
        r = await http.get("/tts", params=values)
    else:
        r = await http.post("/tts", json=values)
    assert r.status_code == 400
    assert r.json() == {"message": message}


async def test_post_keeps_the_language_as_sent_in_its_message(http: httpx.AsyncClient) -> None:
    r = await http.post("/tts", json={**GOOD, "text_lang": "XX"})
    assert r.json() == {"message": "text_lang: XX is not supported in version v2"}
    r = await http.get("/tts", params={**GOOD, "text_lang": "XX"})
    assert r.json() == {"message": "text_lang: xx is not supported in version v2"}


@pytest.mark.parametrize("missing", ["text_lang", "prompt_lang"])
async def test_get_without_a_language_fails_with_500_plain(http: httpx.AsyncClient, missing: str) -> None:
    r = await http.get("/tts", params={k: v for k, v in GOOD.items() if k != missing})
    assert r.status_code == 500
    assert r.headers["content-type"].startswith("text/plain") and r.text == "Internal Server Error"
    r = await http.post("/tts", json={k: v for k, v in GOOD.items() if k != missing})
    assert r.status_code == 400 and r.json() == {"message": f"{missing} is required"}


async def test_type_errors_are_fastapis_422(http: httpx.AsyncClient) -> None:
    r = await http.get("/tts", params={**GOOD, "top_k": "many"})
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert detail[0]["loc"] == ["query", "top_k"] and set(r.json()) == {"detail"}
    r = await http.post("/tts", json={**GOOD, "streaming_mode": "sometimes"})
    assert r.status_code == 422 and "detail" in r.json()


async def test_tts_failure_is_400_with_the_exception(http: httpx.AsyncClient, backend: FakeBackend) -> None:
    backend.fail = ProviderError("VoxCPM worker stopped", provider="voxcpm")
    r = await http.get("/tts", params=GOOD)
    assert r.status_code == 400
    assert r.json() == {"message": "tts failed", "Exception": "VoxCPM worker stopped"}
    backend.fail = None
    r = await http.get("/tts", params={**GOOD, "fragment_interval": "1e9"})
    assert r.status_code == 400 and r.json()["message"] == "tts failed"


@pytest.mark.parametrize("value", ["true", "false", "1", "0", "2", "3", "True"])
async def test_get_streaming_mode_parses_bools_and_ints(
    http: httpx.AsyncClient, backend: FakeBackend, value: str
) -> None:
    r = await http.get("/tts", params={**GOOD, "streaming_mode": value, "media_type": "raw"})
    assert r.status_code == 200
    expected = {"true": 1, "false": 0, "1": 1, "0": 0, "2": 2, "3": 3, "True": 1}[value]
    assert backend.requests[-1][1] == expected


@pytest.mark.parametrize("mode", [0, 1, 2, 3])
@pytest.mark.parametrize("media", ["wav", "raw", "ogg", "aac"])
async def test_every_mode_and_media_type(http: httpx.AsyncClient, mode: int, media: str) -> None:
    body = {**GOOD, "text": "这是第一句话。这是第二句话！", "media_type": media, "streaming_mode": mode}
    r = await http.post("/tts", json=body)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == f"audio/{media}"
    samples = 2 * round(0.5 * RATE)
    data = r.content
    if media == "wav" and mode == 0:
        pcm, rate = read_wav(data)
        assert rate == RATE and pcm.size == samples
    elif media == "wav":
        rate, pcm_bytes = stream_wav_header(data)
        assert rate == RATE and len(pcm_bytes) == 2 * samples
    elif media == "raw":
        assert len(data) == 2 * samples
    elif media == "ogg":
        streams = split_ogg_chain(data)
        assert len(streams) == (1 if mode == 0 else {1: 2, 2: 6, 3: 6}[mode])
        assert abs(sum(decode_ogg(s)[0].size for s in streams) - samples) < 100
    else:
        assert {rate for rate, _ in adts_frames(data)} == {RATE}
        got, rate = decode_aac(data)
        assert rate == RATE and got >= samples


async def test_control(http: httpx.AsyncClient, backend: FakeBackend) -> None:
    r = await http.get("/control")
    assert r.status_code == 400 and r.json() == {"message": "command is required"}
    r = await http.post("/control", json={"command": "restart"})
    assert r.status_code == 405 and r.json() == {"detail": "Method Not Allowed"}
    r = await http.get("/control", params={"command": "restart"})
    assert r.status_code == 200 and backend.restarts == 1
    r = await http.get("/control", params={"command": "exit"})
    assert r.status_code == 403 and "refused" in r.json()["message"] and not backend.exited
    backend.allow_exit = True
    assert (await http.get("/control", params={"command": "exit"})).status_code == 200 and backend.exited
    r = await http.get("/control", params={"command": "dance"})
    assert r.status_code == 200 and r.text == "null"


async def test_weights_reference_and_pairs(http: httpx.AsyncClient, backend: FakeBackend) -> None:
    for kind in ("gpt", "sovits"):
        r = await http.get(f"/set_{kind}_weights")
        assert r.status_code == 400 and r.json() == {"message": f"{kind} weight path is required"}
        r = await http.get(f"/set_{kind}_weights", params={"weights_path": "x.bin"})
        assert r.status_code == 400
        assert r.json() == {
            "message": f"change {kind} weight failed",
            "Exception": "x.bin is not a weights file",
        }
    r = await http.get("/set_gpt_weights", params={"weights_path": "GPT_weights_v2/alice-e15.ckpt"})
    assert r.status_code == 200 and r.json() == {"message": "success"}
    assert (await http.get("/get_current_ref_audio")).json() == {
        "model_pair": "alice",
        "ref_audio": "参考音频/alice.wav",
    }
    assert (await http.get("/current_ref_audio")).json() == {"current_ref_audio": None}
    r = await http.get("/set_refer_audio", params={"refer_audio_path": "missing.wav"})
    assert r.status_code == 400 and r.json()["message"] == "set refer audio failed"
    assert (await http.get("/set_refer_audio", params={"refer_audio_path": "b.wav"})).json() == {
        "message": "success"
    }
    assert (await http.get("/current_ref_audio")).json() == {"current_ref_audio": "b.wav"}
    status = (await http.get("/get_current_status")).json()
    assert status["current_model_pair"] == "alice" and status["current_ref_audio"] == "b.wav"
    assert status["model_groups"] == (await http.get("/list_model_groups")).json()
    assert (await http.get("/list_model_groups")).json() == [
        {
            "name": "v2模型",
            "pairs": {
                "alice": {
                    "gpt_path": "GPT_weights_v2/alice-e15.ckpt",
                    "sovits_path": "SoVITS_weights_v2/alice_e8_s96.pth",
                }
            },
        }
    ]
    r = await http.get("/set_model_pair")
    assert r.status_code == 400 and r.json() == {"message": "pair_name is required"}
    r = await http.get("/set_model_pair", params={"pair_name": "bob"})
    assert r.json() == {"message": "success", "model_pair": "bob", "ref_audio": "参考音频.wav"}
    assert (await http.get("/list_available_ref_audios")).json() == {
        "available_audios": [{"pair_name": "alice", "file_name": "alice.wav", "path": "参考音频/alice.wav"}],
        "current_model_pair": "bob",
    }
    r = await http.get("/tts", params={k: v for k, v in GOOD.items() if k != "ref_audio_path"})
    assert r.status_code == 200 and backend.requests[-1][2].given == "b.wav", "falls back to the hand-set one"


async def test_upload_ref_audio(http: httpx.AsyncClient, backend: FakeBackend) -> None:
    r = await http.post("/upload_ref_audio", files={"file": ("bob.wav", b"RIFF....", "audio/wav")})
    assert r.status_code == 200 and r.json() == {"success": True, "filename": "bob.wav", "speaker": "alice"}
    r = await http.post("/upload_ref_audio", files={"file": ("x.wav", b"", "audio/wav")})
    assert r.status_code == 400 and r.json() == {
        "message": "upload ref audio failed",
        "Exception": "empty recording",
    }
    r = await http.post("/upload_ref_audio")
    assert r.status_code == 422 and "detail" in r.json()


async def test_without_the_service_the_routes_say_so() -> None:
    transport = httpx.ASGITransport(app=make_app({}))
    async with httpx.AsyncClient(transport=transport, base_url="http://t" + GPT_SOVITS_PREFIX) as http:
        r = await http.get("/tts", params=GOOD)
        assert r.status_code == 503 and "not running" in r.json()["message"]
        assert (await http.get("/get_current_status")).status_code == 503
        assert (await http.post("/upload_ref_audio", files={"file": ("a.wav", b"x")})).status_code == 503


async def test_upstream_paths_on_the_legacy_port_reach_the_router(backend: FakeBackend) -> None:
    from studio.api.server import PrefixOnPort

    app = make_app({"gpt_sovits": backend})
    transport = httpx.ASGITransport(app=PrefixOnPort(app, {9880: GPT_SOVITS_PREFIX}, routed=app))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:9880") as http:
        r = await http.get("/tts", params=OLV_QUERY)
        assert r.status_code == 200 and r.headers["content-type"] == "audio/wav"
        assert (await http.post("/control")).status_code == 405
        assert (await http.get("/list_model_groups")).json()[0]["name"] == "v2模型"
