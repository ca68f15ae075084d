"""The cloning library round trip with the real packaged Whisper: a WAV spoken by the studio's own
voices is registered (upload through /v1/voices and directly), trimmed and normalised, transcribed
(language detected), listed and resolvable by id, name and file name, with edits kept across a
restart of the studio."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest

from studio.api.auth import auth_service_for
from studio.api.deps import ApiContext
from studio.app.container import Container
from studio.app.voices import VoiceHub, WhisperTranscriber
from studio.speech.library.audio_prep import read_wav, wav_bytes
from tests.unit.api.test_voices_routes import voices_app
from tests.unit.speech.vad.voices import RATE, synthesize

pytestmark = pytest.mark.slow

EN_TEXT = "The quick brown fox jumps over the lazy dog."
ZH_TEXT = "今天天气很好，我们一起去公园散步吧。"


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


def spoken_wav(text: str, engine: str, cache: Path) -> bytes:
    """``text`` in a default voice with a second of near-silence on each side, as WAV bytes."""
    speech = synthesize(text, engine, cache)
    quiet = np.random.default_rng(0).normal(0, 3e-4, RATE).astype(np.float32)
    return wav_bytes(np.concatenate([quiet, speech * 0.5, quiet]), RATE)


@pytest.fixture(scope="module")
def whisper(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WhisperTranscriber]:
    pytest.importorskip("faster_whisper", reason="faster-whisper is not installed")
    import asyncio

    transcriber = WhisperTranscriber(tmp_path_factory.mktemp("whisper"))
    yield transcriber
    asyncio.run(transcriber.close())


@pytest.fixture(scope="module")
def voices(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    cache = tmp_path_factory.mktemp("tts")
    return {"en": spoken_wav(EN_TEXT, "piper", cache), "zh": spoken_wav(ZH_TEXT, "zh_onnx", cache)}


@pytest.fixture
async def hub(container: Container, whisper: WhisperTranscriber) -> AsyncIterator[VoiceHub]:
    h = VoiceHub(container, transcribe=whisper)
    yield h
    await h.close()


async def test_register_transcribes_with_whisper(hub: VoiceHub, voices: dict[str, bytes]) -> None:
    joe = await hub.speakers.register("Joe", voices["en"])
    assert joe.language == "en" and joe.note == ""
    heard = _words(joe.transcript)
    assert len(heard & _words(EN_TEXT)) >= 6, joe.transcript
    # trimmed (the second of silence on each side is gone, a short margin stays) and stored as 16-bit
    samples, rate = read_wav(joe.file)
    assert rate == RATE and abs(len(samples) / rate - joe.duration_s) < 0.01
    assert joe.duration_s < len(voices["en"]) / 2 / RATE - 1.5
    assert float(np.max(np.abs(samples))) <= 0.9

    xue = await hub.speakers.register("小雪", voices["zh"])
    assert (xue.id, xue.name, xue.language) == ("speaker-1", "小雪", "zh")
    assert sum(ch in xue.transcript for ch in "今天天气很好公园散步") >= 6, xue.transcript

    assert [s.id for s in await hub.speakers.list()] == ["joe", "speaker-1"]
    for ref in ("joe", "Joe", "joe.wav"):
        assert hub.speakers.resolve(ref) == await hub.speakers.get("joe")
    assert hub.speakers.resolve("speaker-1.wav") == await hub.speakers.get("speaker-1")


async def test_api_round_trip_and_edits_survive_a_restart(
    studio_home: Path, whisper: WhisperTranscriber, voices: dict[str, bytes]
) -> None:
    container = Container.build()
    hub = VoiceHub(container, transcribe=whisper)
    try:
        ctx = ApiContext(
            version="t",
            config=container.config,
            db=container.db,
            secrets=container.secrets,
            data_dir=container.paths.data_dir,
            services={"voices": hub},
        )
        auth = auth_service_for(ctx)
        assert auth is not None
        row = await auth.create_user("owner", "o@example.org", "correct horse 42", is_admin=True)
        headers = {"Authorization": f"Bearer {(await auth.issue(row)).token}"}
        app = voices_app(ctx)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            r = await c.post(
                "/v1/voices/speakers",
                data={"name": "Joe"},
                files={"file": ("joe.wav", voices["en"], "audio/wav")},
                headers=headers,
            )
            assert r.status_code == 201, r.text
            data = r.json()["data"]
            assert data["language"] == "en" and len(_words(data["transcript"]) & _words(EN_TEXT)) >= 6
            listed = (await c.get("/v1/voices/speakers", headers=headers)).json()["data"]["speakers"]
            assert [s["id"] for s in listed] == ["joe"]
            r = await c.patch("/v1/voices/speakers/joe", json={"transcript": EN_TEXT}, headers=headers)
            assert r.status_code == 200
    finally:
        await hub.close()
        container.close()
    container = Container.build()
    hub = VoiceHub(container, transcribe=whisper)
    try:
        joe = hub.speakers.resolve("joe.wav")
        assert joe is not None and joe.transcript == EN_TEXT and joe.file.is_file()
    finally:
        await hub.close()
        container.close()
