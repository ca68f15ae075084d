"""VoxCPM router (``/voxcpm/...`` and the root aliases) against a stand-in engine and hub.

The stand-ins implement the seams of SEAMS.md (VoiceHub.voxcpm/speakers/voxcpm_status, VoxCpmEngine
stream/generate/gpu_status) with fault knobs; the requests are the real :class:`VoxCpmRequest`.
Streaming is checked through a real uvicorn server (httpx's ASGI transport buffers whole bodies).
The real engine, tiny model and hub are exercised in tests/integration/api/test_voxcpm_api.py.
"""

from __future__ import annotations

import asyncio
import io
import logging
import math
import struct
import time
import wave
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
import pytest
from fastapi import FastAPI
from starlette.routing import NoMatchFound

from studio.api.app import create_app
from studio.api.compat.voxcpm import VOXCPM_PREFIX, include_voxcpm_routes
from studio.api.compat.voxcpm_wav import OPEN_SIZE, TEMP_PREFIX, streaming_header
from studio.api.deps import ApiContext
from studio.app.paths import StudioPaths
from studio.core.errors import NotFoundError, ProviderError, StudioError, ValidationError
from studio.speech.tts.voxcpm.request import GpuStatus, VoxCpmRequest
from studio.speech.tts.wav import StreamingWavParser
from tests.unit.api._live_server import serve_in_thread

RATE = 16000
CHUNK = 1600
PREFIXES = ("", VOXCPM_PREFIX)


def _wav(seconds: float, rate: int = RATE) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    pcm = (0.3 * np.sin(2 * math.pi * 220 * t) * 32767).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(rate)
        wf.writeframes(pcm.tobytes())
    return buf.getvalue()


@dataclass
class Seen:
    """One request as the engine saw it, with the prompt files' state at that moment."""

    req: VoxCpmRequest
    prompt_existed: bool
    prompt_rate: int | None


@dataclass
class FakeEngine:
    """A VoxCpmEngine stand-in: ``chunks`` chunks of ``CHUNK`` samples, ``delay`` s apart."""

    chunks: int = 4
    delay: float = 0.0
    fail_load: StudioError | None = None
    fail_start: StudioError | None = None
    fail_after: int | None = None
    seen: list[Seen] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    loaded: bool = False
    sample_rate: int | None = RATE

    async def load(self) -> None:
        if self.fail_load is not None:
            raise self.fail_load
        self.loaded = True

    def _note(self, req: VoxCpmRequest) -> None:
        rate = None
        if req.prompt_wav is not None and req.prompt_wav.is_file():
            with wave.open(str(req.prompt_wav), "rb") as wf:
                rate = wf.getframerate()
        existed = req.prompt_wav is not None and req.prompt_wav.is_file()
        self.seen.append(Seen(req, existed, rate))

    def _chunk(self, k: int) -> np.ndarray:
        return np.full(CHUNK, 0.1 * (k + 1), dtype=np.float32)

    async def stream(self, req: VoxCpmRequest) -> AsyncIterator[np.ndarray]:
        self._note(req)
        sent = 0
        try:
            if self.fail_start is not None:
                raise self.fail_start
            for k in range(self.chunks):
                await asyncio.sleep(self.delay)
                if self.fail_after is not None and k >= self.fail_after:
                    raise ProviderError("The VoxCPM worker stopped; restarting it.", provider="voxcpm")
                yield self._chunk(k)
                sent += 1
        finally:
            self.closed.append(sent)

    async def generate(self, req: VoxCpmRequest) -> np.ndarray:
        self._note(req)
        if self.fail_start is not None:
            raise self.fail_start
        return np.concatenate([self._chunk(k) for k in range(self.chunks)])

    async def gpu_status(self) -> GpuStatus:
        return GpuStatus(True, "cuda:0", "Test GPU", 512.0, 8192.0, 12.5)


@dataclass(frozen=True)
class FakeSpeaker:
    id: str
    name: str
    file: Path
    transcript: str


@dataclass
class FakeSpeakers:
    known: dict[str, FakeSpeaker] = field(default_factory=dict)

    def resolve(self, ref: str) -> FakeSpeaker | None:
        return self.known.get(ref) or next((s for s in self.known.values() if s.name == ref), None)


@dataclass
class FakeHub:
    engine: FakeEngine | None
    speakers: FakeSpeakers = field(default_factory=FakeSpeakers)
    fail: StudioError | None = None
    paths: StudioPaths = field(default_factory=StudioPaths.resolve)

    def confine(self, path: str) -> Path:
        return self.paths.confine(path)

    def scratch_dir(self) -> Path:
        return self.paths.cache_dir / "voice-imports"

    async def voxcpm(self) -> FakeEngine | None:
        if self.fail is not None:
            raise self.fail
        return self.engine

    def voxcpm_status(self) -> dict[str, object]:
        loaded = self.engine is not None and self.engine.loaded
        return {"model": "tiny" if self.engine else None, "loaded": loaded, "device": "cpu"}


@pytest.fixture
def data_dir(studio_home: Path) -> Path:
    paths = StudioPaths.resolve()  # the test's own STUDIO_HOME (conftest)
    paths.ensure()
    return paths.data_dir


@pytest.fixture
def engine() -> FakeEngine:
    return FakeEngine()


@pytest.fixture
def hub(engine: FakeEngine) -> FakeHub:
    return FakeHub(engine)


def _has_voxcpm(app: FastAPI) -> bool:
    try:
        app.url_path_for("voxcpm_health")
    except NoMatchFound:
        return False
    return True


def _app(data_dir: Path, services: dict[str, object]) -> FastAPI:
    app = create_app(ApiContext(version="t", data_dir=data_dir, services=services))
    if not _has_voxcpm(app):
        include_voxcpm_routes(app)  # until create_app includes it
    return app


@pytest.fixture
async def client(data_dir: Path, hub: FakeHub) -> AsyncIterator[httpx.AsyncClient]:
    app = _app(data_dir, {"voices": hub})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield c


@pytest.fixture
def live(data_dir: Path, hub: FakeHub) -> Iterator[str]:
    with serve_in_thread(_app(data_dir, {"voices": hub})) as url:
        yield url


def _scratch(data_dir: Path) -> list[Path]:
    """Prompt files left in the scratch folder of the studio's cache (beside ``data_dir``)."""
    folder = StudioPaths.resolve().cache_dir / "voice-imports"
    assert data_dir == StudioPaths.resolve().data_dir
    return sorted(folder.glob(TEMP_PREFIX + "*"))


# --- health and GPU status -------------------------------------------------------------------


async def test_health_says_whether_the_model_is_loaded(client: httpx.AsyncClient, engine: FakeEngine) -> None:
    r = await client.get(VOXCPM_PREFIX + "/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "model_loaded": False, "model": "tiny"}
    engine.loaded = True
    assert (await client.get(VOXCPM_PREFIX + "/health")).json()["model_loaded"] is True


async def test_health_and_gpu_status_without_a_voice_library(data_dir: Path) -> None:
    app = _app(data_dir, {})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        health = await c.get(VOXCPM_PREFIX + "/health")
        gpu = await c.get("/api/gpu/status")
    assert health.json() == {"status": "ok", "model_loaded": False, "model": None}
    assert gpu.status_code == 200
    assert gpu.json()["available"] is False and gpu.json()["device"] == "cpu" and gpu.json()["device_name"]


@pytest.mark.parametrize("prefix", PREFIXES)
async def test_gpu_status_reports_the_engine_device(client: httpx.AsyncClient, prefix: str) -> None:
    r = await client.get(prefix + "/api/gpu/status")
    assert r.status_code == 200
    assert r.json() == {
        "available": True,
        "device": "cuda:0",
        "device_name": "Test GPU",
        "memory_used_mb": 512.0,
        "memory_total_mb": 8192.0,
        "utilization_pct": 12.5,
    }


async def test_gpu_status_without_a_model_is_unavailable(client: httpx.AsyncClient, hub: FakeHub) -> None:
    hub.engine = None
    body = (await client.get("/api/gpu/status")).json()
    assert body["available"] is False and body["device"] == "cpu"


# --- whole-file synthesis ----------------------------------------------------------------------


@pytest.mark.parametrize("prefix", PREFIXES)
async def test_whole_wav_with_the_reference_defaults(
    client: httpx.AsyncClient, engine: FakeEngine, prefix: str
) -> None:
    r = await client.post(prefix + "/api/tts", data={"text": "你好，世界"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(r.content), "rb") as wf:
        assert (wf.getnchannels(), wf.getsampwidth(), wf.getframerate()) == (1, 2, RATE)
        assert wf.getnframes() == engine.chunks * CHUNK
    req = engine.seen[-1].req
    assert req == VoxCpmRequest(text="你好，世界")  # every default as the reference's
    assert req.retry_badcase is True


async def test_whole_wav_passes_every_field(client: httpx.AsyncClient, engine: FakeEngine) -> None:
    form = {
        "text": "hello",
        "cfg_value": "1.5",
        "inference_timesteps": "12",
        "min_len": "3",
        "max_len": "300",
        "normalize": "true",
        "denoise": "False",
        "retry_badcase": "false",
        "seed": "7",
        "unknown_field": "ignored",
    }
    r = await client.post("/api/tts", data=form)
    assert r.status_code == 200, r.text
    assert engine.seen[-1].req == VoxCpmRequest(
        text="hello",
        cfg_value=1.5,
        inference_timesteps=12,
        min_len=3,
        max_len=300,
        normalize=True,
        denoise=False,
        retry_badcase=False,
        seed=7,
    )


# --- validation and errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "words"),
    [
        ({}, "text"),
        ({"text": "  "}, "text"),
        ({"text": "hi", "cfg_value": "abc"}, "cfg_value"),
        ({"text": "hi", "inference_timesteps": "2.5"}, "inference_timesteps"),
        ({"text": "hi", "normalize": "maybe"}, "normalize"),
        ({"text": "hi", "prompt_text": "words"}, "prompt_audio"),
        ({"text": "hi", "speaker": "nobody"}, "Unknown speaker"),
        ({"text": "hi", "retry_badcase": "false"}, "streaming"),
        ({"text": "hi", "retry_badcase": "true"}, "streaming"),
        ({"text": "hi", "prompt_audio": "not-a-file"}, "uploaded file"),
    ],
)
async def test_invalid_forms_get_400_with_a_detail(
    client: httpx.AsyncClient, engine: FakeEngine, form: dict[str, str], words: str
) -> None:
    r = await client.post("/api/tts/stream", data=form)
    assert r.status_code == 400, r.text
    assert set(r.json()) == {"detail"} and words in r.json()["detail"]
    assert engine.seen == []


async def test_the_request_own_validation_is_a_400(client: httpx.AsyncClient, engine: FakeEngine) -> None:
    r = await client.post("/api/tts", data={"text": "hi", "min_len": "50", "max_len": "10"})
    assert r.status_code == 400 and r.json()["detail"]
    assert engine.seen == []


@pytest.mark.parametrize(
    ("files", "words"),
    [
        ({"prompt_audio": ("p.wav", b"RIFF0000WAVEjunk", "audio/wav")}, "prompt_audio"),
        ({"prompt_audio": ("p.wav", _wav(0.1), "audio/wav")}, "0.1 s"),
        ({"reference_audio": ("r.mp3", b"\x00" * 2000, "audio/mpeg")}, "reference_audio"),
    ],
)
async def test_bad_recordings_get_400(
    client: httpx.AsyncClient, data_dir: Path, files: dict[str, tuple[str, bytes, str]], words: str
) -> None:
    r = await client.post("/api/tts/stream", data={"text": "hi", "prompt_text": "words"}, files=files)
    assert r.status_code == 400, r.text
    assert words in r.json()["detail"]
    assert _scratch(data_dir) == []


async def test_a_prompt_needs_its_transcript(client: httpx.AsyncClient) -> None:
    files = {"prompt_audio": ("p.wav", _wav(1.0), "audio/wav")}
    r = await client.post("/api/tts/stream", data={"text": "hi"}, files=files)
    assert r.status_code == 400 and "prompt_text" in r.json()["detail"]


@pytest.mark.parametrize("route", ["/api/tts/stream", "/api/tts"])
async def test_no_model_selected_is_503_saying_where_to_choose_one(
    client: httpx.AsyncClient, hub: FakeHub, route: str
) -> None:
    hub.engine = None
    r = await client.post(route, data={"text": "hi"})
    assert r.status_code == 503
    assert "Voice -> Models" in r.json()["detail"]


async def test_a_missing_selected_model_is_503(client: httpx.AsyncClient, hub: FakeHub) -> None:
    hub.fail = NotFoundError("No VoxCPM model named 'gone'.")
    r = await client.post("/api/tts", data={"text": "hi"})
    assert r.status_code == 503 and "gone" in r.json()["detail"] and "Voice -> Models" in r.json()["detail"]


async def test_without_a_voice_library_synthesis_is_503(data_dir: Path) -> None:
    app = _app(data_dir, {})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        r = await c.post("/api/tts/stream", data={"text": "hi"})
    assert r.status_code == 503 and r.json()["detail"]


@pytest.mark.parametrize("route", ["/api/tts/stream", "/api/tts"])
@pytest.mark.parametrize(
    ("where", "fault", "status"),
    [
        (
            "load",
            ProviderError("Cannot load the VoxCPM model: config.json is missing.", provider="voxcpm"),
            500,
        ),
        ("start", ProviderError("The VoxCPM worker stopped; restarting it.", provider="voxcpm"), 500),
        ("start", ValidationError("denoise=True needs the denoiser, which is not installed."), 400),
    ],
)
async def test_engine_failures_before_audio_get_a_status_and_a_message(
    client: httpx.AsyncClient, engine: FakeEngine, route: str, where: str, fault: StudioError, status: int
) -> None:
    if where == "load":
        engine.fail_load = fault
    else:
        engine.fail_start = fault
    r = await client.post(route, data={"text": "hi"})
    assert r.status_code == status
    assert fault.user_message in r.json()["detail"]


# --- cloning: uploads, speakers, paths ---------------------------------------------------------


@pytest.mark.parametrize("route", ["/api/tts/stream", "/api/tts"])
async def test_uploaded_prompt_is_a_temporary_wav_deleted_afterwards(
    client: httpx.AsyncClient, engine: FakeEngine, data_dir: Path, route: str
) -> None:
    files = {
        "prompt_audio": ("prompt.wav", _wav(1.5, 22050), "audio/wav"),
        "reference_audio": ("ref.wav", _wav(1.0), "audio/wav"),
    }
    r = await client.post(route, data={"text": "hi", "prompt_text": "the prompt words"}, files=files)
    assert r.status_code == 200, r.text
    seen = engine.seen[-1]
    assert seen.prompt_existed and seen.prompt_rate == 22050
    assert seen.req.prompt_text == "the prompt words"
    assert seen.req.prompt_wav is not None and seen.req.reference_wav is not None
    assert seen.req.prompt_wav.parent == StudioPaths.resolve().cache_dir / "voice-imports"
    assert not seen.req.prompt_wav.exists() and not seen.req.reference_wav.exists()
    assert _scratch(data_dir) == []


@pytest.mark.parametrize("ref", ["alice", "Alice Liddell"])
@pytest.mark.parametrize("route", ["/api/tts/stream", "/api/tts"])
async def test_a_library_speaker_supplies_prompt_and_transcript(
    client: httpx.AsyncClient, engine: FakeEngine, hub: FakeHub, data_dir: Path, ref: str, route: str
) -> None:
    wav = data_dir / "voices" / "speakers" / "alice.wav"
    wav.parent.mkdir(parents=True)
    wav.write_bytes(_wav(2.0))
    hub.speakers.known["alice"] = FakeSpeaker("alice", "Alice Liddell", wav, "Down the rabbit hole.")
    r = await client.post(route, data={"text": "hi", "speaker": ref})
    assert r.status_code == 200, r.text
    req = engine.seen[-1].req
    assert (req.prompt_wav, req.prompt_text) == (wav, "Down the rabbit hole.")
    assert wav.exists(), "the library's recording is used in place, never deleted"
    edited = await client.post(route, data={"text": "hi", "speaker": ref, "prompt_text": "Edited."})
    assert edited.status_code == 200 and engine.seen[-1].req.prompt_text == "Edited."
    both = await client.post(
        route, data={"text": "hi", "speaker": ref}, files={"prompt_audio": ("p.wav", _wav(1.0), "audio/wav")}
    )
    assert both.status_code == 400 and "not both" in both.json()["detail"]


async def test_a_speaker_without_transcript_needs_prompt_text(
    client: httpx.AsyncClient, hub: FakeHub, data_dir: Path
) -> None:
    wav = data_dir / "bob.wav"
    wav.write_bytes(_wav(2.0))
    hub.speakers.known["bob"] = FakeSpeaker("bob", "Bob", wav, "")
    r = await client.post("/api/tts", data={"text": "hi", "speaker": "bob"})
    assert r.status_code == 400 and "transcript" in r.json()["detail"]


async def test_prompt_wav_path_inside_the_data_folder_is_used(
    client: httpx.AsyncClient, engine: FakeEngine, data_dir: Path
) -> None:
    (data_dir / "refs").mkdir()
    (data_dir / "refs" / "me.wav").write_bytes(_wav(1.0))
    r = await client.post(
        "/api/tts/stream", data={"text": "hi", "prompt_wav_path": "refs/me.wav", "prompt_text": "words"}
    )
    assert r.status_code == 200, r.text
    assert engine.seen[-1].prompt_existed
    assert (data_dir / "refs" / "me.wav").exists()


@pytest.mark.parametrize("route", ["/api/tts/stream", "/api/tts"])
@pytest.mark.parametrize("field_name", ["prompt_wav_path", "reference_wav_path"])
async def test_paths_outside_the_studio_folders_are_refused(
    client: httpx.AsyncClient, engine: FakeEngine, data_dir: Path, tmp_path: Path, route: str, field_name: str
) -> None:
    outside = tmp_path / "outside.wav"
    outside.write_bytes(_wav(1.0))
    (data_dir / "link.wav").symlink_to(outside)
    for raw in (str(outside), "../outside.wav", "link.wav", "/etc/passwd", "refs/../../outside.wav"):
        r = await client.post(route, data={"text": "hi", field_name: raw, "prompt_text": "words"})
        assert r.status_code == 403, (raw, r.text)
        assert "outside the studio's folders" in r.json()["detail"]
    assert engine.seen == []


# --- streaming through a real server -----------------------------------------------------------


def _read_stream(url: str, form: dict[str, str]) -> tuple[float, float, float, bytes, httpx.Headers]:
    """(seconds to the first body bytes, to the first PCM bytes, to the end, body, headers)."""
    body = b""
    first = first_pcm = 0.0
    with httpx.Client(timeout=30) as c:
        started = time.perf_counter()
        with c.stream("POST", url, data=form) as r:
            assert r.status_code == 200, r.read()
            for part in r.iter_raw():
                now = time.perf_counter() - started
                first = first or now
                body += part
                if len(body) > 44 and not first_pcm:
                    first_pcm = now
        return first, first_pcm, time.perf_counter() - started, body, r.headers


@pytest.mark.parametrize("prefix", PREFIXES)
def test_stream_sends_each_chunk_as_soon_as_the_engine_yields_it(
    live: str, engine: FakeEngine, prefix: str
) -> None:
    engine.chunks, engine.delay = 6, 0.15
    first, first_pcm, total, body, headers = _read_stream(live + prefix + "/api/tts/stream", {"text": "hi"})
    assert headers["content-type"] == "audio/wav"
    assert headers.get("transfer-encoding") == "chunked" and "content-length" not in headers
    assert headers["x-audio-sample-rate"] == str(RATE)
    assert first_pcm < 0.5 * total, f"first audio after {first_pcm:.2f} s of {total:.2f} s: buffered"
    assert first == first_pcm, "the first chunk goes out with the header"
    assert body[:44] == streaming_header(RATE)
    assert struct.unpack("<I", body[4:8])[0] == OPEN_SIZE and struct.unpack("<I", body[40:44])[0] == OPEN_SIZE
    pcm = np.frombuffer(body[44:], dtype="<i2")
    assert len(pcm) == engine.chunks * CHUNK
    assert np.allclose(pcm[::CHUNK] / 32767, [0.1 * (k + 1) for k in range(engine.chunks)], atol=1e-3)
    with wave.open(io.BytesIO(body), "rb") as wf:  # Python's reader takes the open size
        assert wf.getframerate() == RATE and len(wf.readframes(10**7)) == 2 * len(pcm)
    parser = StreamingWavParser()
    assert len(parser.feed(body)) == len(pcm) and parser.sample_rate == RATE
    assert engine.seen[-1].req.retry_badcase is False


def test_a_crash_mid_stream_truncates_it_and_is_logged(
    live: str, engine: FakeEngine, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine.chunks, engine.delay, engine.fail_after = 5, 0.02, 2
    files = {"prompt_audio": ("p.wav", _wav(1.0), "audio/wav")}
    received = b""
    form = {"text": "hi", "prompt_text": "w"}
    with (
        caplog.at_level(logging.ERROR, logger="studio.api.compat.voxcpm"),
        httpx.Client(timeout=30) as c,
        pytest.raises(httpx.RemoteProtocolError),
        c.stream("POST", live + "/api/tts/stream", data=form, files=files) as r,
    ):
        assert r.status_code == 200
        for part in r.iter_raw():
            received += part
    assert len(received) == 44 + 2 * 2 * CHUNK, "the audio before the crash arrived, then the stream was cut"
    assert any(
        "cut short" in rec.getMessage() and "worker stopped" in rec.getMessage() for rec in caplog.records
    )
    assert engine.closed == [2]
    assert _scratch(data_dir) == []


def test_a_client_that_goes_away_stops_the_generation(live: str, engine: FakeEngine, data_dir: Path) -> None:
    engine.chunks, engine.delay = 200, 0.02
    files = {"prompt_audio": ("p.wav", _wav(1.0), "audio/wav")}
    with (
        httpx.Client(timeout=30) as c,
        c.stream("POST", live + "/api/tts/stream", data={"text": "hi", "prompt_text": "w"}, files=files) as r,
    ):
        next(r.iter_raw())
    deadline = time.monotonic() + 5
    while not engine.closed and time.monotonic() < deadline:
        time.sleep(0.02)
    assert engine.closed and engine.closed[0] < 100, "the engine's stream was closed soon after"
    deadline = time.monotonic() + 5
    while _scratch(data_dir) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _scratch(data_dir) == []


def test_an_empty_synthesis_streams_just_the_header(live: str, engine: FakeEngine) -> None:
    engine.chunks = 0
    _, _, _, body, _ = _read_stream(live + "/api/tts/stream", {"text": "hi"})
    assert body == streaming_header(RATE)


# --- OpenAPI ---------------------------------------------------------------------------------


async def test_openapi_documents_the_form_and_the_answers(client: httpx.AsyncClient) -> None:
    doc = (await client.get("/openapi.json")).json()
    for prefix in PREFIXES:
        for route in ("/api/tts/stream", "/api/tts"):
            op = doc["paths"][prefix + route]["post"]
            schema = op["requestBody"]["content"]["multipart/form-data"]["schema"]
            assert schema["required"] == ["text"]
            assert schema["properties"]["prompt_audio"]["format"] == "binary"
            assert ("retry_badcase" in schema["properties"]) is (route == "/api/tts")
            assert "audio/wav" in op["responses"]["200"]["content"]
            assert {"400", "403", "500", "503"} <= set(op["responses"])
        assert "get" in doc["paths"][prefix + "/api/gpu/status"]
    assert "get" in doc["paths"][VOXCPM_PREFIX + "/health"]
