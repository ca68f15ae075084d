"""The speaker library on a real database and folder; the transcriber here is a stand-in with a
fault knob (the real Whisper round trip is tests/integration/speech/test_speakers.py)."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from studio.app.container import Container
from studio.core.errors import NotFoundError, ValidationError
from studio.speech.library.speakers import SpeakerLibrary, guess_language, slugify, unique_id
from tests.unit.speech.library._audio import encode, voiced


class StandIn:
    """Answers ``(text, language)``; ``fail`` makes it raise like a missing model would."""

    def __init__(self, text: str = "hello there", language: str = "en") -> None:
        self.text, self.language, self.fail, self.calls = text, language, False, 0

    def __call__(self, samples: np.ndarray, rate: int) -> tuple[str, str]:
        self.calls += 1
        assert samples.dtype == np.float32 and rate > 0
        if self.fail:
            raise RuntimeError("model files missing")
        return self.text, self.language


WAV = encode(voiced(2.0, 24000), 24000)


def _library(container: Container, transcribe: StandIn | None) -> SpeakerLibrary:
    return SpeakerLibrary(container.db, container.paths.data_dir / "voices" / "speakers", transcribe)


def test_slugs() -> None:
    assert slugify("Alice Smith") == "alice-smith"
    assert slugify("Zoë") == "zoe"
    assert slugify("小雪") == ""
    taken = {"alice", "alice-2", "speaker-1"}
    assert unique_id("Alice", taken.__contains__) == "alice-3"
    assert unique_id("小雪", taken.__contains__) == "speaker-2"
    assert unique_id("Bob", taken.__contains__) == "bob"
    assert (
        guess_language("你好"),
        guess_language("こんにちは"),
        guess_language("hi"),
        guess_language("123"),
    ) == (
        "zh",
        "ja",
        "en",
        "",
    )


async def test_register_list_get_resolve(container: Container) -> None:
    whisper = StandIn()
    lib = _library(container, whisper)
    alice = await lib.register("Alice", WAV)
    assert (alice.id, alice.name, alice.transcript, alice.language, alice.note) == (
        "alice",
        "Alice",
        "hello there",
        "en",
        "",
    )
    assert alice.file == lib.folder / "alice.wav"
    assert alice.sample_rate == 24000 and 2.0 <= alice.duration_s <= 2.5
    with wave.open(str(alice.file)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 24000)
    alice2 = await lib.register("alice", WAV, transcript="  typed text ", language="en")
    assert (alice2.id, alice2.transcript) == ("alice-2", "typed text")
    assert whisper.calls == 1  # a given transcript is not transcribed
    xue = await lib.register("小雪", WAV, transcript="大家好")
    assert (xue.id, xue.name, xue.language) == ("speaker-1", "小雪", "zh")
    assert [s.id for s in await lib.list()] == ["alice", "alice-2", "speaker-1"]
    assert await lib.get("speaker-1") == xue
    for ref in ("speaker-1", "小雪", "speaker-1.wav", str(xue.file)):
        resolved = lib.resolve(ref)
        assert resolved is not None and resolved.id == "speaker-1", ref
    assert lib.resolve("ALICE") == lib.resolve("alice")  # id first, then names ignoring case
    assert lib.resolve("nobody") is None and lib.resolve("") is None
    assert not [p for p in lib.folder.iterdir() if p.name.startswith(".")]  # no temp files left


async def test_failed_transcription_keeps_the_recording(container: Container) -> None:
    whisper = StandIn()
    whisper.fail = True
    lib = _library(container, whisper)
    bob = await lib.register("Bob", WAV)
    assert bob.transcript == "" and "transcription failed" in bob.note and "model files missing" in bob.note
    assert bob.file.is_file()
    whisper.fail = False
    again = await lib.retranscribe("bob")
    assert (again.transcript, again.language) == ("hello there", "en")
    silent_words = StandIn(text="")
    lib2 = _library(container, silent_words)
    carl = await lib2.register("Carl", WAV)
    assert carl.transcript == "" and "no words" in carl.note
    none = await _library(container, None).register("Dee", WAV)
    assert none.transcript == "" and "not available" in none.note


async def test_edits_persist_across_a_reopen(studio_home: Path) -> None:
    c = Container.build()
    try:
        lib = _library(c, StandIn())
        await lib.register("Alice", WAV)
        updated = await lib.update("alice", name="Alice W.", transcript="fixed words", language="ja")
        assert (updated.name, updated.transcript, updated.language) == ("Alice W.", "fixed words", "ja")
    finally:
        c.close()
    c = Container.build()
    try:
        lib = _library(c, StandIn())
        s = lib.resolve("Alice W.")  # the index is loaded at construction
        assert s is not None and (s.id, s.transcript, s.language) == ("alice", "fixed words", "ja")
        assert s.file.is_file()
    finally:
        c.close()


async def test_errors(container: Container) -> None:
    lib = _library(container, StandIn())
    with pytest.raises(ValidationError, match="silent"):
        await lib.register("X", encode(np.zeros(48000, dtype=np.float32), 48000))
    with pytest.raises(ValidationError, match="Cannot read"):
        await lib.register("X", b"not audio" * 100)
    with pytest.raises(ValidationError, match="name"):
        await lib.register("   ", WAV)
    with pytest.raises(ValidationError, match="language"):
        await lib.register("X", WAV, language="fr")
    assert await lib.list() == []
    assert not list(lib.folder.glob("*.wav"))
    await lib.register("X", WAV)
    with pytest.raises(ValidationError, match="longer than"):
        await lib.update("x", transcript="a" * 5000)
    with pytest.raises(NotFoundError):
        await lib.update("nobody", transcript="a")
    with pytest.raises(NotFoundError):
        await lib.get("nobody")
    with pytest.raises(NotFoundError):
        await lib.remove("nobody")


async def test_remove_deletes_row_file_and_index(container: Container) -> None:
    lib = _library(container, StandIn())
    s = await lib.register("Alice", WAV)
    await lib.remove("alice")
    assert not s.file.exists()
    assert lib.resolve("alice") is None
    assert await lib.list() == []
    again = await lib.register("Alice", WAV)
    assert again.id == "alice"  # the id is free again
