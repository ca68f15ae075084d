"""VoxCPM router end to end: real uvicorn, real VoiceHub (speaker library, model manager), the real
VoxCpmEngine in its worker process with the real ``voxcpm`` package and a tiny random VoxCPM2.

The tiny model says nothing (shaped noise) but streams like the real one: one chunk per decoded
patch (160 ms at 48 kHz), and never stops by itself, so ``max_len`` sets the length exactly.
"""

from __future__ import annotations

import asyncio
import io
import logging
import math
import os
import signal
import struct
import threading
import time
import wave
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import numpy as np
import pytest
from starlette.routing import NoMatchFound

from studio.api.app import create_app
from studio.api.compat.voxcpm import VOXCPM_PREFIX, include_voxcpm_routes
from studio.api.compat.voxcpm_wav import TEMP_PREFIX
from studio.api.deps import ApiContext
from studio.api.server import ApiServer
from studio.app.config_service import ContainerConfigService
from studio.app.container import Container
from studio.core.tasks import TaskOwner
from studio.testing.voxcpm_tiny import tiny_voxcpm_dir, voxcpm_available

pytestmark = pytest.mark.slow

T = TypeVar("T")
MODEL = "tiny-voxcpm2"
TIMEOUT = 120.0
TEXT = "Hello there, welcome to the stream."


def _tone(seconds: float, rate: int = 16000, freq: float = 220.0) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    envelope = 0.5 + 0.5 * np.sin(2 * math.pi * 3 * t)  # syllable-like, so trimming keeps it
    pcm = (0.4 * envelope * np.sin(2 * math.pi * freq * t) * 32767).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(rate)
        wf.writeframes(pcm.tobytes())
    return buf.getvalue()


@dataclass
class Live:
    url: str
    container: Container
    hub: Any
    loop: asyncio.AbstractEventLoop
    legacy_url: str = ""
    """The VoxCPM legacy port (7861 in the studio; a free port here): the router at its root."""

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(TIMEOUT)

    def select(self, model: str) -> None:
        """Choose the VoxCPM model as the GUI does (saved setting + ConfigChangedEvent)."""
        service = ContainerConfigService(self.container)
        tts = self.container.config.tts.model_copy(update={"voxcpm_model": model, "voxcpm_device": "cpu"})
        self.run(service.save_area(tts))


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """One studio (container, voice hub with the tiny model imported and selected) behind uvicorn."""
    reason = voxcpm_available()
    if reason is not None:
        pytest.skip(reason)
    from studio.app.voices import VoiceHub

    tiny = tiny_voxcpm_dir(tmp_path_factory.getbasetemp() / "voxcpm-tiny")
    home = tmp_path_factory.mktemp("voxcpm-api-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STUDIO_HOME", str(home))
        mp.setenv("STUDIO_SECRETS_BACKEND", "file")
        for key in list(os.environ):
            if key.startswith(("STUDIO_API_", "STUDIO_TTS_")):
                mp.delenv(key)
        container = Container.build()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="voxcpm-api-loop", daemon=True)
    thread.start()
    owner = TaskOwner("voxcpm-api-test")
    hub = VoiceHub(container)
    hub.models.import_voxcpm(tiny, name=MODEL)
    ctx = ApiContext(
        version=container.version,
        config=container.config,
        db=container.db,
        data_dir=container.paths.data_dir,
        services={"voices": hub, "config": ContainerConfigService(container)},
    )
    app = create_app(ctx, container.config.api)
    try:
        app.url_path_for("voxcpm_health")
    except NoMatchFound:
        include_voxcpm_routes(app)  # until create_app includes it
    server = ApiServer(app, "127.0.0.1", 0, owner, legacy_ports={"voxcpm": 0})
    live = Live("", container, hub, loop)
    live.run(server.start())
    live.url = server.url
    live.legacy_url = server.legacy[0].url
    live.select(MODEL)
    try:
        yield live
    finally:
        live.run(server.stop())
        live.run(hub.close())
        stragglers = live.run(owner.close())
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()
        container.close()
        assert stragglers == []


def _wav(body: bytes) -> tuple[np.ndarray, int]:
    with wave.open(io.BytesIO(body), "rb") as wf:
        assert (wf.getnchannels(), wf.getsampwidth()) == (1, 2)
        return np.frombuffer(wf.readframes(wf.getnframes()), dtype="<i2"), wf.getframerate()


def _post(live: Live, route: str, data: dict[str, str], files: Any = None) -> httpx.Response:
    return httpx.post(live.url + route, data=data, files=files, timeout=TIMEOUT)


@dataclass
class Streamed:
    first_audio_s: float
    total_s: float
    body: bytes
    headers: httpx.Headers


def _stream(base_url: str, route: str, data: dict[str, str], files: Any = None) -> Streamed:
    body = b""
    first = 0.0
    with httpx.Client(timeout=TIMEOUT) as c:
        started = time.perf_counter()
        with c.stream("POST", base_url + route, data=data, files=files) as r:
            assert r.status_code == 200, r.read()
            for part in r.iter_raw():
                body += part
                if len(body) > 44 and not first:
                    first = time.perf_counter() - started
        return Streamed(first, time.perf_counter() - started, body, r.headers)


def test_whole_file_synthesis_and_health(live: Live) -> None:
    r = _post(live, "/api/tts", {"text": TEXT, "max_len": "6", "min_len": "6", "retry_badcase": "false"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "audio/wav"
    pcm, rate = _wav(r.content)
    assert rate == 48000 and len(pcm) > 0 and np.abs(pcm).max() > 0
    assert struct.unpack_from("<I", r.content, 4)[0] == len(r.content) - 8, "a complete WAV has real sizes"
    health = httpx.get(live.url + VOXCPM_PREFIX + "/health", timeout=10).json()
    assert health == {"status": "ok", "model_loaded": True, "model": MODEL}
    gpu = httpx.get(live.url + "/api/gpu/status", timeout=TIMEOUT).json()
    assert gpu["device"] == "cpu" and gpu["available"] is False and gpu["device_name"]


@pytest.mark.parametrize("prefix", ["", VOXCPM_PREFIX])
def test_stream_first_audio_arrives_before_half_the_synthesis(live: Live, prefix: str) -> None:
    _post(live, "/api/tts", {"text": "warm up", "max_len": "2", "retry_badcase": "false"})
    got = _stream(live.url, prefix + "/api/tts/stream", {"text": TEXT, "min_len": "40", "max_len": "40"})
    assert got.headers["content-type"] == "audio/wav" and got.headers.get("transfer-encoding") == "chunked"
    assert got.headers["x-audio-sample-rate"] == "48000"
    assert struct.unpack_from("<I", got.body, 40)[0] == 0xFFFFFFFF, "open data size"
    pcm, rate = _wav(got.body)  # Python's wave module reads the open-size stream to its end
    assert rate == 48000 and len(pcm) == (len(got.body) - 44) // 2
    seconds = len(pcm) / rate
    assert seconds == pytest.approx(40 * 0.16, rel=0.1), "one 160 ms chunk per patch"
    ratio = got.first_audio_s / got.total_s
    print(f"\nTTFB {got.first_audio_s * 1000:.0f} ms of {got.total_s * 1000:.0f} ms ({ratio:.0%})")
    assert ratio < 0.5, f"first audio after {got.first_audio_s:.2f} s of {got.total_s:.2f} s"


def test_the_legacy_port_serves_the_router_at_its_root(live: Live) -> None:
    assert live.legacy_url
    health = httpx.get(live.legacy_url + "/health", timeout=10).json()
    assert health["status"] == "ok" and health["model"] == MODEL
    got = _stream(live.legacy_url, "/api/tts/stream", {"text": TEXT, "max_len": "4"})
    assert got.headers["content-type"] == "audio/wav" and len(_wav(got.body)[0]) > 0
    gpu = httpx.get(live.legacy_url + "/api/gpu/status", timeout=TIMEOUT).json()
    assert gpu["device"] == "cpu"


def test_cloning_from_an_uploaded_prompt_changes_the_voice(live: Live) -> None:
    base = {"text": TEXT, "min_len": "8", "max_len": "8", "seed": "3", "retry_badcase": "false"}
    plain = _post(live, "/api/tts", base)
    files = {"prompt_audio": ("me.wav", _tone(2.0), "audio/wav")}
    cloned = _post(live, "/api/tts", {**base, "prompt_text": "this is my voice"}, files)
    assert plain.status_code == 200 and cloned.status_code == 200, cloned.text
    assert not np.array_equal(_wav(plain.content)[0], _wav(cloned.content)[0]), "the prompt was used"
    streamed = _stream(
        live.url,
        "/api/tts/stream",
        {"text": TEXT, "min_len": "8", "max_len": "8", "prompt_text": "this is my voice"},
        {
            "prompt_audio": ("me.wav", _tone(2.0), "audio/wav"),
            "reference_audio": ("ref.wav", _tone(1.5, 24000, 180.0), "audio/wav"),
        },
    )
    assert len(_wav(streamed.body)[0]) > 0
    scratch = live.hub.scratch_dir()
    assert scratch.is_relative_to(live.container.paths.cache_dir)
    deadline = time.monotonic() + 5  # deleted when the server has finished the response
    while list(scratch.glob(TEMP_PREFIX + "*")) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert list(scratch.glob(TEMP_PREFIX + "*")) == [], "uploaded prompts are deleted"


def test_a_library_speaker_is_used_by_the_voxcpm_router(live: Live) -> None:
    speaker = live.run(
        live.hub.speakers.register("Alice", _tone(3.0), transcript="this is alice", language="en")
    )
    base = {"text": TEXT, "min_len": "8", "max_len": "8", "seed": "5", "retry_badcase": "false"}
    plain = _post(live, "/api/tts", base)
    by_name = _post(live, "/api/tts", {**base, "speaker": "Alice"})
    by_id = _post(live, VOXCPM_PREFIX + "/api/tts", {**base, "speaker": speaker.id})
    upload = _post(
        live,
        "/api/tts",
        {**base, "prompt_text": speaker.transcript},
        {"prompt_audio": ("alice.wav", speaker.file.read_bytes(), "audio/wav")},
    )
    assert by_name.status_code == 200 and by_id.status_code == 200, by_name.text
    assert not np.array_equal(_wav(plain.content)[0], _wav(by_name.content)[0])
    assert np.array_equal(_wav(by_name.content)[0], _wav(by_id.content)[0])
    assert np.array_equal(_wav(by_name.content)[0], _wav(upload.content)[0]), (
        "same as uploading its recording"
    )
    streamed = _stream(live.url, "/api/tts/stream", {"text": TEXT, "max_len": "6", "speaker": "alice"})
    assert len(_wav(streamed.body)[0]) > 0
    assert speaker.file.is_file(), "the library's recording stays"


@pytest.mark.parametrize(
    ("route", "form", "status", "words"),
    [
        ("/api/tts/stream", {"text": TEXT, "retry_badcase": "false"}, 400, "streaming"),
        ("/api/tts/stream", {}, 400, "text"),
        ("/api/tts/stream", {"text": TEXT, "prompt_text": "words"}, 400, "prompt_audio"),
        ("/api/tts", {"text": TEXT, "cfg_value": "nope"}, 400, "cfg_value"),
        ("/api/tts", {"text": TEXT, "inference_timesteps": "0"}, 400, "inference_timesteps"),
        ("/api/tts/stream", {"text": TEXT, "speaker": "nobody-here"}, 400, "Unknown speaker"),
        (
            "/api/tts/stream",
            {"text": TEXT, "prompt_wav_path": "/etc/hostname", "prompt_text": "x"},
            403,
            "outside",
        ),
        (
            "/api/tts/stream",
            {"text": TEXT, "prompt_wav_path": "../../x.wav", "prompt_text": "x"},
            403,
            "outside",
        ),
        ("/api/tts", {"text": TEXT, "reference_wav_path": "/etc/hostname"}, 403, "outs"),
    ],
)
def test_invalid_requests_and_paths_outside_are_refused(
    live: Live, route: str, form: dict[str, str], status: int, words: str
) -> None:
    r = _post(live, route, form)
    assert r.status_code == status, r.text
    assert list(r.json()) == ["detail"] and words in r.json()["detail"]


def test_without_a_selected_model_synthesis_is_503(live: Live) -> None:
    live.select("")
    try:
        for route in ("/api/tts/stream", "/api/tts", VOXCPM_PREFIX + "/api/tts/stream"):
            r = _post(live, route, {"text": TEXT})
            assert r.status_code == 503, r.text
            assert "Voice -> Models" in r.json()["detail"]
        health = httpx.get(live.url + VOXCPM_PREFIX + "/health", timeout=10).json()
        assert health["model_loaded"] is False
    finally:
        live.select(MODEL)
    r = _post(live, "/api/tts", {"text": TEXT, "max_len": "3", "retry_badcase": "false"})
    assert r.status_code == 200, r.text


def test_a_worker_killed_mid_stream_cuts_the_stream_is_logged_and_the_next_request_works(
    live: Live, caplog: pytest.LogCaptureFixture
) -> None:
    engine = live.run(live.hub.voxcpm())
    assert engine is not None
    pid = engine.worker_pid
    assert pid is not None
    received = b""
    with (
        caplog.at_level(logging.ERROR, logger="studio"),
        httpx.Client(timeout=TIMEOUT) as c,
        pytest.raises(httpx.RemoteProtocolError),
        c.stream("POST", live.url + "/api/tts/stream", data={"text": TEXT, "max_len": "400"}) as r,
    ):
        assert r.status_code == 200
        for part in r.iter_raw():
            received += part
            if len(received) > 44 and pid == engine.worker_pid:
                os.kill(pid, signal.SIGKILL)
                pid = -1
    assert 44 < len(received) < 44 + 400 * 7680 * 2, "some audio, then the stream was cut"
    cut = [rec.getMessage() for rec in caplog.records if "cut short" in rec.getMessage()]
    assert cut and "worker" in cut[0], [rec.getMessage() for rec in caplog.records]
    r = _post(live, "/api/tts", {"text": TEXT, "max_len": "3", "retry_badcase": "false"})
    assert r.status_code == 200, r.text
    assert engine.restarts >= 1 and engine.worker_pid not in (None, pid)
    again = _stream(live.url, "/api/tts/stream", {"text": TEXT, "max_len": "4"})
    assert len(_wav(again.body)[0]) > 0
