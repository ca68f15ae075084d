"""TTS and lip-sync routes over real HTTP with the real default voices, through a real EngineRuntime."""

from __future__ import annotations

import io
import os
import struct
import time
import wave
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import pytest

from studio.app.container import Container
from studio.app.runtime import EngineRuntime
from studio.testing.metrics import char_error_rate

pytestmark = pytest.mark.slow

TEXT = "你好，欢迎来到直播间。今天我们一起聊聊天。"
TIMEOUT = 120.0


@dataclass
class Live:
    runtime: EngineRuntime
    url: str
    audio_dir: Path


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """One studio engine (API on a free loopback port) for the module: the voices load once."""
    home = tmp_path_factory.mktemp("tts-api-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STUDIO_HOME", str(home))
        mp.setenv("STUDIO_SECRETS_BACKEND", "file")
        for key in list(os.environ):
            if key.startswith(("STUDIO_API_", "STUDIO_TTS_", "STUDIO_AUDIO_")):
                mp.delenv(key)
        container = Container.build()
    runtime = EngineRuntime(container, port=0)
    runtime.start()
    try:
        assert runtime.api_url is not None
        yield Live(runtime, runtime.api_url, container.paths.data_dir / "tts_audio")
    finally:
        assert runtime.stop(timeout=5.0)
        container.close()


def _wav_duration(data: bytes) -> tuple[np.ndarray, int]:
    """Checks the header sizes and returns the samples and rate."""
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    assert struct.unpack_from("<I", data, 4)[0] == len(data) - 8, "RIFF size is the real size"
    with wave.open(io.BytesIO(data), "rb") as wf:
        assert wf.getnchannels() == 1 and wf.getsampwidth() == 2
        frames = wf.readframes(wf.getnframes())
        assert len(frames) == wf.getnframes() * 2
        rate = wf.getframerate()
    return np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0, rate


def test_synthesize_zh_fetch_the_wav_and_align_the_mouth(live: Live) -> None:
    with httpx.Client(base_url=live.url, timeout=TIMEOUT) as http:
        r = http.post("/api/tts/synthesize", json={"text": TEXT, "language": "zh"})
        assert r.status_code == 200, r.text
        data = r.json()["data"]
        audio = http.get(data["audio_url"])
        assert audio.status_code == 200 and audio.headers["content-type"] == "audio/wav"
        pcm, rate = _wav_duration(audio.content)
        assert len(audio.content) == data["file_size"]
        assert len(pcm) / rate == pytest.approx(data["duration"], abs=1e-6)
        assert 2.0 < data["duration"] < 10.0
        name = data["audio_url"].rsplit("/", 1)[1]
        assert (live.audio_dir / name).is_file()

        r = http.post("/api/tts/mouth-timeline", json={"text": TEXT, "audio_file": name})
        assert r.status_code == 200, r.text
        timeline = r.json()["data"]["timeline"]
        assert "".join(item["char"] for item in timeline) == TEXT
        assert timeline[-1]["end"] == pytest.approx(data["duration"], abs=0.05)
        han = [item for item in timeline if "\u4e00" <= item["char"] <= "\u9fff"]
        assert len(han) == 18
        assert max(item["mouth_open"] for item in han) > 0.6, "the mouth opens during speech"
        assert sum(item["mouth_open"] > 0.2 for item in han) >= 0.8 * len(han)
        assert all(item["end"] > item["start"] for item in han), "every spoken character has time"
        assert {item["vowel"] for item in han} >= {"i", "ao", "ing", "ai"}

    from studio.speech.asr.packaged_whisper import transcribe

    heard = transcribe(pcm, rate, "zh")
    assert char_error_rate(TEXT, heard) <= 0.2, heard


def test_the_synthesize_timeline_matches_its_own_audio(live: Live) -> None:
    text = "今天我们聊 Python 和 AI！"
    with httpx.Client(base_url=live.url, timeout=TIMEOUT) as http:
        r = http.post("/api/tts/mouth-timeline", json={"text": text})
        assert r.status_code == 200, r.text
        data = r.json()["data"]
        pcm, rate = _wav_duration(http.get(data["audio_url"]).content)
    timeline = data["timeline"]
    assert "".join(item["char"] for item in timeline) == text, "every character of the text is placed"
    assert data["duration"] == pytest.approx(len(pcm) / rate, abs=1e-6)
    assert timeline[-1]["end"] == pytest.approx(data["duration"], abs=0.05)
    starts = [item["start"] for item in timeline]
    assert starts == sorted(starts)
    words = {item["char"]: item for item in timeline}
    assert words["Python"]["mouth_open"] > 0.3 and words["和"]["mouth_open"] > 0.3
    # Loud audio where the timeline says the mouth is open, quiet where the text has pauses.
    rms = [
        float(np.sqrt(np.mean(pcm[int(i["start"] * rate) : int(i["end"] * rate)] ** 2)))
        for i in timeline
        if i["end"] - i["start"] > 0.05
    ]
    assert max(rms) > 0.05


def test_legacy_streamcream_paths_with_the_real_voice(live: Live) -> None:
    text = "感谢大家来看直播。"
    with httpx.Client(base_url=live.url, timeout=TIMEOUT) as http:
        r = http.post("/synthesize-speech", json={"text": text, "voice": "whatever"})
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) == {"audio_url", "text", "duration"} and body["text"] == text
        audio = http.get(body["audio_url"])
        assert audio.status_code == 200 and audio.headers["content-type"] == "audio/x-wav"
        pcm, rate = _wav_duration(audio.content)
        assert len(pcm) / rate == pytest.approx(body["duration"], abs=1e-6)

        timeline = http.post("/text2mouth_timeline", json={"text": text, "duration": 99}).json()["timeline"]
        assert [i["char"] for i in timeline] == list(text)
        assert timeline[-1]["end"] == pytest.approx(body["duration"], abs=0.05), "the real audio, not 99 s"
        params = http.post("/text2mouth_param", json={"text": text, "duration": 2.0, "fps": 30}).json()
        assert len(params["mouth_param"]) == 60 and max(params["mouth_param"]) > 0.5

        for bad in ("..%2F..%2Fconfig.toml", "%2Fetc%2Fpasswd", "%2E%2E%2Fstudio.db"):
            assert http.get("/static/audio/" + bad).status_code in (400, 403)
            assert http.delete("/delete-audio/" + bad).status_code in (400, 403)
        assert (live.audio_dir.parent / "studio.db").exists()

        name = body["audio_url"].rsplit("/", 1)[1]
        assert http.delete(f"/delete-audio/{name}").json() == {"message": "文件删除成功"}
        assert http.delete(f"/delete-audio/{name}").status_code == 404
        assert http.get("/delete-all-audio").json() == {"message": "所有音频文件删除成功"}
        assert list(live.audio_dir.glob("*.wav")) == []

        r = http.post("/generate-speech", json={"topic": "咖啡"})
        assert r.status_code == 503 and "no language model configured" in r.json()["error"]
        assert http.post("/synthesize-speech", json={"text": ""}).json() == {"error": "文本不能为空"}


def test_concurrent_syntheses_all_succeed(live: Live) -> None:
    texts = ["第一句。", "第二句话。", "第三句话来了。", "最后一句。"]

    def say(text: str) -> httpx.Response:
        return httpx.post(live.url + "/synthesize-speech", json={"text": text}, timeout=TIMEOUT)

    with ThreadPoolExecutor(len(texts)) as pool:
        futures = [pool.submit(say, text) for text in texts]
        with httpx.Client(base_url=live.url, timeout=10) as http:
            health_s = []
            while not all(f.done() for f in futures):
                started = time.perf_counter()
                assert http.get("/health").status_code == 200
                health_s.append(time.perf_counter() - started)
                time.sleep(0.05)
        replies = [f.result() for f in futures]
    assert [r.status_code for r in replies] == [200] * len(texts), [r.text for r in replies]
    assert len({r.json()["audio_url"] for r in replies}) == len(texts)
    assert all(r.json()["duration"] > 0.5 for r in replies)
    assert health_s and max(health_s) < 0.5, (
        f"the loop stays responsive during synthesis: {max(health_s):.3f} s"
    )
