"""Remote TTS clients against real HTTP servers on loopback that follow the foreign contracts."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import AsyncIterator, Iterator

import numpy as np
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from studio.core.errors import ProviderError
from studio.speech.tts.base import TtsOptions
from studio.speech.tts.remote import (
    GptSovitsRemoteTTS,
    GptSovitsSettings,
    OpenAISpeechSettings,
    OpenAISpeechTTS,
)
from studio.speech.tts.wav import float_to_int16, wav_bytes
from studio.testing.http import serve_in_thread

SR = 32000


def _tone(seconds: float, sr: int = SR) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    return (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def _fake_gpt_sovits() -> tuple[FastAPI, list[dict[str, str]]]:
    app = FastAPI()
    calls: list[dict[str, str]] = []

    @app.get("/tts")
    async def tts(request: Request) -> Response:
        params = dict(request.query_params)
        calls.append(params)
        if not params.get("ref_audio_path"):
            return JSONResponse({"message": "ref_audio_path is required"}, status_code=400)
        if params["text"] == "boom":
            return Response("Internal Server Error", status_code=500)
        header = (
            b"RIFF"
            + struct.pack("<I", 36)
            + b"WAVE"
            + b"fmt "
            + struct.pack("<IHHIIHH", 16, 1, 1, SR, SR * 2, 2, 16)
            + b"data"
            + struct.pack("<I", 0)
        )

        async def body() -> AsyncIterator[bytes]:
            yield header
            for _ in range(4):  # 4 fragments of 0.25 s, as token streaming would send
                await asyncio.sleep(0.01)
                yield float_to_int16(_tone(0.25))

        return StreamingResponse(body(), media_type="audio/wav")

    return app, calls


@pytest.fixture(scope="module")
def gpt_sovits_server() -> Iterator[tuple[str, list[dict[str, str]]]]:
    app, calls = _fake_gpt_sovits()
    with serve_in_thread(app) as url:
        yield url, calls


async def test_gpt_sovits_streams_open_ended_wav(gpt_sovits_server: tuple[str, list[dict[str, str]]]) -> None:
    url, calls = gpt_sovits_server
    engine = GptSovitsRemoteTTS(
        GptSovitsSettings(url, ref_audio_path="ref/a.wav", prompt_text="你好", prompt_lang="ZH")
    )
    try:
        chunks = [
            c async for c in engine.stream("你好世界", engine.voice_id, TtsOptions(speed=1.2, volume=0.5))
        ]
    finally:
        await engine.close()
    assert len(chunks) >= 2, "audio must arrive in pieces, not as one blob"
    assert chunks[-1].final and not chunks[0].final
    audio = np.concatenate([c.pcm for c in chunks])
    assert chunks[0].sample_rate == SR
    assert abs(len(audio) - SR) < 10
    assert 0.13 < float(np.max(np.abs(audio))) < 0.17  # volume 0.5 applied to a 0.3 tone
    sent = calls[-1]
    assert sent["streaming_mode"] == "2" and sent["media_type"] == "wav"
    assert sent["prompt_lang"] == "zh" and sent["speed_factor"] == "1.2"
    assert sent["text_split_method"] == "cut5"


async def test_gpt_sovits_400_is_not_retryable(gpt_sovits_server: tuple[str, list[dict[str, str]]]) -> None:
    url, _ = gpt_sovits_server
    engine = GptSovitsRemoteTTS(GptSovitsSettings(url, ref_audio_path=""))
    try:
        with pytest.raises(ProviderError) as info:
            _ = [c async for c in engine.stream("hi", engine.voice_id, TtsOptions())]
    finally:
        await engine.close()
    assert not info.value.retryable
    assert "ref_audio_path is required" in str(info.value)


async def test_gpt_sovits_500_and_unreachable_are_retryable(
    gpt_sovits_server: tuple[str, list[dict[str, str]]],
) -> None:
    url, _ = gpt_sovits_server
    engine = GptSovitsRemoteTTS(GptSovitsSettings(url, ref_audio_path="r.wav"))
    try:
        with pytest.raises(ProviderError) as info:
            _ = [c async for c in engine.stream("boom", engine.voice_id, TtsOptions())]
        assert info.value.retryable and "500" in str(info.value)
    finally:
        await engine.close()
    dead = GptSovitsRemoteTTS(GptSovitsSettings("http://127.0.0.1:9", ref_audio_path="r.wav"))
    try:
        with pytest.raises(ProviderError) as info:
            _ = [c async for c in dead.stream("hi", dead.voice_id, TtsOptions())]
        assert info.value.retryable and "cannot reach" in str(info.value)
    finally:
        await dead.close()


async def test_openai_speech_sends_key_and_parses_wav() -> None:
    app = FastAPI()
    seen: dict[str, object] = {}

    @app.post("/v1/audio/speech")
    async def speech(request: Request) -> Response:
        seen["auth"] = request.headers.get("authorization")
        seen["body"] = await request.json()
        if seen["auth"] != "Bearer sk-test-123456789":
            return JSONResponse({"error": {"message": "Incorrect API key"}}, status_code=401)
        return Response(wav_bytes(_tone(0.5, 24000), 24000), media_type="audio/wav")

    with serve_in_thread(app) as url:
        key = {"value": "sk-test-123456789"}
        engine = OpenAISpeechTTS(
            OpenAISpeechSettings(f"{url}/v1", model="tts-1", voice="nova"), lambda: key["value"]
        )
        try:
            chunks = [c async for c in engine.stream("Hello there", engine.voice_id, TtsOptions())]
            assert sum(len(c.pcm) for c in chunks) == 12000
            assert chunks[0].sample_rate == 24000 and chunks[-1].final
            body = seen["body"]
            assert isinstance(body, dict)
            assert (
                body["input"] == "Hello there"
                and body["voice"] == "nova"
                and body["response_format"] == "wav"
            )
            key["value"] = "wrong"
            with pytest.raises(ProviderError) as info:
                _ = [c async for c in engine.stream("Hello", engine.voice_id, TtsOptions())]
            assert not info.value.retryable and "Incorrect API key" in str(info.value)
        finally:
            await engine.close()
