"""Speech out end to end with the real offline voices: `studio say`, language routing, Speaker."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from itertools import groupby
from pathlib import Path

import numpy as np
import pytest

from studio.audio.playout import AudioPlayout
from studio.avatar.lipsync import LipSyncTimeline
from studio.config.settings import TtsSettings
from studio.core.bus import EventBus
from studio.core.clock import MediaClock
from studio.pipeline.speaker import Speaker, SpeechEvent
from studio.speech.asr.packaged_whisper import transcribe
from studio.speech.tts.registry import build_tts
from studio.speech.tts.wav import read_wav
from studio.testing.metrics import char_error_rate, word_error_rate

pytestmark = pytest.mark.slow

MODELS = Path(__file__).resolve().parents[3] / "models"

SENTENCES = {
    "zh": ("今天天气很好，我们一起去公园散步吧。", char_error_rate, 0.15),
    "en": (
        "Thank you all for watching the stream today, and see you again tomorrow night.",
        word_error_rate,
        0.10,
    ),
    "ja": ("今日はとても良い天気ですね。", char_error_rate, 0.15),
}


@pytest.mark.parametrize("language", ["zh", "en", "ja"])
def test_studio_say_out_is_intelligible(language: str, tmp_path: Path, studio_home: Path) -> None:
    text, metric, limit = SENTENCES[language]
    out = tmp_path / f"{language}.wav"
    env = {**os.environ, "STUDIO_HOME": str(studio_home)}
    proc = subprocess.run(
        [sys.executable, "-m", "studio", "say", text, "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert f"Wrote {out}" in proc.stdout
    audio, rate = read_wav(out)
    assert len(audio) / rate > 1.0
    heard = transcribe(audio, rate, language)
    error = metric(text, heard)
    print(f"{language}: {heard!r} error={error:.3f}")
    assert error <= limit, heard


async def test_mixed_sentence_is_routed_to_the_zh_and_en_voices(tmp_path: Path) -> None:
    build = build_tts(TtsSettings(), models_dir=MODELS, cache_dir=tmp_path, only=("zh_onnx", "piper"))
    service = build.service
    try:
        chunks = [c async for c in service.stream("今天我们聊 Python 和 AI")]
    finally:
        await service.close()
    # A voice may stream a span in several chunks (the Mandarin one does): group them.
    groups = [list(g) for _, g in groupby(chunks, key=lambda c: (c.span, c.voice_id))]
    route = [(g[0].span.text.strip() if g[0].span else "", g[0].voice_id) for g in groups]
    assert route == [
        ("今天我们聊", "zh_onnx:databaker-female"),
        ("Python", "piper:en_US-joe-medium"),
        ("和", "zh_onnx:databaker-female"),
        ("AI", "piper:en_US-joe-medium"),
    ]
    assert [{c.language for c in g} for g in groups] == [{"zh"}, {"en"}, {"zh"}, {"en"}]
    assert chunks[-1].final and not any(c.final for c in chunks[:-1])
    assert all(max(float(np.max(np.abs(c.pcm))) for c in g) > 0.05 for g in groups)


async def test_speaker_plays_on_the_media_clock_with_lipsync_and_barge_in(tmp_path: Path) -> None:
    build = build_tts(TtsSettings(), models_dir=MODELS, cache_dir=tmp_path, only=("zh_onnx",))
    clock = MediaClock()
    playout = AudioPlayout(clock, use_device=False)  # null sink: paced by the wall clock
    playout.start()
    clock.start()
    bus = EventBus()
    bus.bind_loop(asyncio.get_running_loop())
    events: list[str] = []
    bus.subscribe(SpeechEvent, lambda e: events.append(e.state))
    lipsync = LipSyncTimeline()
    speaker = Speaker(build.service, playout, lipsync, bus)
    try:
        result = await speaker.say("你好，欢迎来到直播间。")
        assert events == ["started", "finished"]
        assert result.start_pts is not None and result.end_pts is not None
        assert clock.now() >= result.end_pts - 0.05, "say() returns once the end is heard"
        opens = [lipsync.value_at(t).mouth_open for t in np.arange(result.start_pts, result.end_pts, 0.01)]
        assert max(opens) > 0.5 and lipsync.value_at(result.end_pts + 1.0).mouth_open == 0.0

        long_text = "今天我们来聊一聊很多很多的事情，" * 6
        task = asyncio.create_task(speaker.say(long_text))
        await asyncio.wait_for(_until(lambda: not playout.idle), 10)
        await asyncio.sleep(0.3)
        speaker.stop()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert events[-1] == "interrupted"
        await asyncio.wait_for(_until(lambda: playout.idle), 1)
        assert lipsync.value_at(clock.now() + 0.1).mouth_open == 0.0
    finally:
        playout.close()
        await build.service.close()


async def _until(condition: object) -> None:
    assert callable(condition)
    while not condition():  # noqa: ASYNC110 - the condition changes on the audio thread
        await asyncio.sleep(0.01)


async def test_failing_remote_voice_falls_back_to_the_default_voice_with_a_warning(tmp_path: Path) -> None:
    settings = TtsSettings(gpt_sovits_url="http://127.0.0.1:9", gpt_sovits_ref_audio="ref.wav")
    warnings: list[str] = []
    build = build_tts(
        settings,
        models_dir=MODELS,
        cache_dir=tmp_path,
        only=("zh_onnx", "gpt_sovits"),
        on_warning=warnings.append,
    )
    service = build.service
    try:
        assert "gpt_sovits:remote" in {v.id for v in service.catalogue()}
        chunks = [c async for c in service.stream("你好。我们开始吧。", "gpt_sovits:remote")]
    finally:
        await service.close()
    assert chunks and {c.voice_id for c in chunks} == {"zh_onnx:databaker-female"}
    assert len(warnings) == 1, "one warning, then the failed voice is skipped for the rest of the text"
    assert "gpt_sovits:remote failed" in warnings[0] and "zh_onnx:databaker-female" in warnings[0]


async def test_chunks_carry_the_original_span_and_the_voiced_text(tmp_path: Path) -> None:
    build = build_tts(TtsSettings(), models_dir=MODELS, cache_dir=tmp_path, only=("zh_onnx",))
    try:
        chunks = [c async for c in build.service.stream("圆周率约等于3.14。")]
    finally:
        await build.service.close()
    assert {c.span.text for c in chunks if c.span} == {"圆周率约等于3.14。"}
    voiced = "".join(dict.fromkeys(c.voiced_text for c in chunks))
    assert "三点一四" in voiced and "3.14" not in voiced
