"""Streaming transcription on real speech made with the default English voice."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("faster_whisper", reason="faster-whisper is not installed")

from studio.core.bus import EventBus
from studio.core.errors import ProviderError
from studio.core.events import TranscriptEvent
from studio.speech.asr.stream import UtteranceTranscriber, WhisperAsr, strip_wake_word
from tests.unit.speech.vad.voices import RATE, synthesize

QUESTION = "Alice, what is the capital of France, and how many people live in that city today?"


@pytest.fixture(scope="module")
def question(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    return synthesize(QUESTION, "piper", tmp_path_factory.mktemp("tts"))


@pytest.fixture(scope="module")
def whisper_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from studio.speech.asr.packaged_whisper import packaged_whisper_model_dir

    folder = tmp_path_factory.mktemp("whisper")
    try:
        packaged_whisper_model_dir(folder)
    except ProviderError as exc:
        pytest.skip(f"packaged Whisper model unavailable: {exc}")
    return folder


def test_partials_while_speaking_then_one_final(question: np.ndarray, whisper_cache: Path) -> None:
    async def run() -> list[TranscriptEvent]:
        bus = EventBus()
        events: list[TranscriptEvent] = []
        bus.subscribe(TranscriptEvent, events.append)
        asr = WhisperAsr(whisper_cache)
        await asr.warm_up()
        stream = UtteranceTranscriber(asr, bus, language="auto", partial_interval=0.7, wake_word="alice")
        stream.begin(7)
        step = RATE // 10
        for i in range(0, len(question), step):  # real time: 100 ms of audio every 100 ms
            stream.append(question[i : i + step])
            await asyncio.sleep(0.1)
        result = await stream.finish()
        await stream.close()
        await asr.close()
        assert result is not None and result.language == "en"
        return events

    events = asyncio.run(run())
    partials = [e for e in events if not e.final]
    finals = [e for e in events if e.final]
    assert len(finals) == 1 and events[-1].final
    assert partials, "no partial transcript while speaking"
    assert all(e.utterance == 7 for e in events)
    text = finals[0].text.lower()
    assert "capital" in text and "france" in text and "alice" not in text  # wake word removed
    assert finals[0].language == "en"


def test_fixed_language_and_a_missing_wake_word(question: np.ndarray, whisper_cache: Path) -> None:
    async def run() -> list[TranscriptEvent]:
        bus = EventBus()
        events: list[TranscriptEvent] = []
        bus.subscribe(TranscriptEvent, events.append)
        asr = WhisperAsr(whisper_cache)
        stream = UtteranceTranscriber(asr, bus, language="en", partial_interval=0, wake_word="Hiyori")
        stream.begin(1)
        stream.append(question)
        await stream.finish()
        await asr.close()
        return events

    events = asyncio.run(run())
    assert [(e.final, e.text) for e in events] == [(True, "")]  # heard, but not addressed


def test_wake_word_matching() -> None:
    assert strip_wake_word("Hey, Cream! What's up?", "hey cream") == "What's up?"
    assert strip_wake_word("ＣＲＥＡＭ，你好", "Cream") == "你好"
    assert strip_wake_word("What's up, Cream?", "cream") is None
    assert strip_wake_word("Creamy soup", "cream") == "y soup"  # prefix match on letters
    assert strip_wake_word("anything", "") == "anything"
