"""Piece planning and streaming trim/pause/gain of the Mandarin vocoder (no models needed)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from studio.speech.tts.zh_vocoder import (
    HOP,
    PEAK_LIMIT,
    ClauseRender,
    ClauseTrim,
    plan_pieces,
    vocode_piece,
)

LEVEL, LEAD, GAIN = 0.005, 1200, 1.2


def whole_trim(audio: np.ndarray, pause: int, gain: float = GAIN) -> np.ndarray:
    """The engine's trimming before streaming (whole clause at once), as the reference."""
    loud = np.flatnonzero(np.abs(audio) > LEVEL)
    if loud.size == 0:
        return np.zeros(0, np.float32)
    start = max(0, int(loud[0]) - LEAD)
    end = int(loud[-1]) + 1 + pause
    out = audio[start:end]
    if end - start > len(out):
        out = np.concatenate([out, np.zeros(end - start - len(out), np.float32)])
    out = out * np.float32(gain)
    peak = float(np.max(np.abs(out))) if out.size else 0.0
    if peak > PEAK_LIMIT:
        out *= np.float32(PEAK_LIMIT / peak)
    return out.astype(np.float32)


def streamed(audio: np.ndarray, cuts: list[int], pause: int, gain: float = GAIN) -> list[np.ndarray]:
    trim = ClauseTrim(level=LEVEL, lead_keep=LEAD, pause=pause, gain=gain)
    bounds = [0, *cuts, len(audio)]
    return [trim.push(audio[a:b], last=b == len(audio)) for a, b in itertools.pairwise(bounds)]


def speechlike(rng: np.random.Generator, n: int, bursts: list[tuple[int, int]]) -> np.ndarray:
    """Near-silence (like the vocoder's) with decaying tone bursts at the given sample ranges."""
    audio = rng.normal(0, 0.0005, n).astype(np.float32)
    for a, b in bursts:
        t = np.arange(b - a)
        audio[a:b] += (0.5 * np.sin(2 * np.pi * 220 * t / 24000) * np.exp(-t / (b - a))).astype(np.float32)
    return audio


# --- piece plan -------------------------------------------------------------------------------


@pytest.mark.parametrize("frames", [1, 5, 20, 21, 60, 119, 120, 169, 170, 275, 300, 999, 1000])
def test_pieces_cover_the_clause_in_order_small_first(frames: int) -> None:
    pieces = plan_pieces(frames)
    assert pieces[0][0] == 0 and pieces[-1][1] == frames
    assert all(a < b for a, b in pieces)
    assert all(p[1] == q[0] for p, q in itertools.pairwise(pieces))
    assert pieces[0][1] - pieces[0][0] == min(frames, 20)
    if len(pieces) > 1:
        assert pieces[1][1] - pieces[1][0] <= 150  # computed while the first piece plays
    assert all(b - a <= 250 for a, b in pieces)
    if len(pieces) > 2:
        assert pieces[-1][1] - pieces[-1][0] >= 50  # no tiny tail piece paying a full context


def test_no_frames_no_pieces() -> None:
    assert plan_pieces(0) == []


def test_vocode_piece_gives_context_and_keeps_only_its_own_samples() -> None:
    seen: list[tuple[int, int]] = []

    def vocoder(mel: np.ndarray) -> np.ndarray:
        seen.append((int(mel[0, 0, 0]), mel.shape[1]))
        # "audio": each frame's index repeated HOP times, so the kept samples show their frame
        return np.repeat(mel[0, :, 0], HOP).astype(np.float32)

    mel = np.arange(100, dtype=np.float32)[None, :, None].repeat(80, axis=2)
    out = vocode_piece(vocoder, mel, 40, 60, context=10)
    assert seen == [(30, 40)]
    np.testing.assert_array_equal(out, np.repeat(np.arange(40, 60), HOP))
    out = vocode_piece(vocoder, mel, 0, 20, context=10)  # the clause start has no left context
    assert seen[-1] == (0, 30) and len(out) == 20 * HOP
    out = vocode_piece(vocoder, mel, 95, 100, context=10)
    assert seen[-1] == (85, 15) and out[0] == 95 and len(out) == 5 * HOP


# --- streaming trim ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(8))
def test_streamed_trim_equals_whole_clause_trim(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(30, 120)) * HOP
    bursts = []
    at = int(rng.integers(0, 9000))  # leading silence, sometimes longer than a first piece
    while at < n - 2000:
        length = int(rng.integers(800, 9000))
        bursts.append((at, min(n, at + length)))
        at += length + int(rng.integers(0, 6000))  # gaps: held back, then released
    audio = speechlike(rng, n, bursts)
    pause = int(rng.choice([0, 2400, 4800, 8400, 30000]))  # sometimes longer than the tail
    cuts = sorted({int(c) for c in rng.integers(1, n, int(rng.integers(1, 8)))})
    pieces = streamed(audio, cuts, pause)
    np.testing.assert_array_equal(np.concatenate(pieces), whole_trim(audio, pause))


def test_leading_silence_is_dropped_except_the_lead_in() -> None:
    rng = np.random.default_rng(1)
    audio = speechlike(rng, 40 * HOP, [(7000, 10000)])
    pieces = streamed(audio, [3000, 6000, 8000], 2400)
    assert [len(p) for p in pieces[:2]] == [0, 0]  # nothing loud yet: nothing to play
    loud = np.flatnonzero(np.abs(pieces[2]) > LEVEL * GAIN)
    assert loud[0] == LEAD  # the lead-in reaches back into the earlier pieces


def test_quiet_tail_is_held_back_until_the_clause_ends() -> None:
    rng = np.random.default_rng(2)
    audio = speechlike(rng, 60 * HOP, [(3000, 7000)])
    pieces = streamed(audio, [10000], 2400)
    loud = np.flatnonzero(np.abs(audio) > LEVEL)
    assert len(pieces[0]) == loud[-1] + 1 - (loud[0] - LEAD)  # up to the last loud sample only
    assert len(pieces[1]) == 2400  # then exactly the pause
    assert float(np.max(np.abs(pieces[1]))) <= LEVEL * GAIN


def test_pause_past_the_audio_is_zero_padded_and_silence_gives_nothing() -> None:
    rng = np.random.default_rng(3)
    audio = speechlike(rng, 10 * HOP, [(500, 2900)])
    pieces = streamed(audio, [1500], 5000)
    out = np.concatenate(pieces)
    loud = np.flatnonzero(np.abs(audio) > LEVEL)
    assert len(out) == loud[-1] + 1 + 5000  # starts at 0: the lead-in is clamped to the start
    assert not np.any(out[-(5000 - (len(audio) - loud[-1] - 1)) :])
    silent = rng.normal(0, 0.0005, 8000).astype(np.float32)
    assert [len(p) for p in streamed(silent, [3000], 2400)] == [0, 0]


def test_loud_requests_are_limited_without_clipping_or_steps() -> None:
    rng = np.random.default_rng(4)
    t = np.arange(60 * HOP)
    audio = speechlike(rng, len(t), [])
    audio += (0.3 * np.sin(2 * np.pi * 200 * t / 24000)).astype(np.float32)
    audio[9000:12000] *= 3.0  # a louder syllable in the second piece
    pieces = streamed(audio, [6030, 15000], 2400, gain=2.4)  # cut at a crest of the tone
    out = np.concatenate(pieces)
    assert float(np.max(np.abs(out))) <= PEAK_LIMIT + 1e-6
    # Before the loud syllable nothing was limited (it had been played already) ...
    np.testing.assert_array_equal(pieces[0], (audio[: len(pieces[0])] * np.float32(2.4)).astype(np.float32))
    # ... and the gain change is a ramp: no sample step bigger than the tone's own slope.
    slope = 2 * np.pi * 200 / 24000 * 0.9 * 2.4
    assert float(np.max(np.abs(np.diff(out)))) < 1.5 * slope


def test_normal_gain_matches_the_whole_clause_exactly() -> None:
    rng = np.random.default_rng(5)
    audio = speechlike(rng, 50 * HOP, [(3000, 9000), (9500, 13000)])
    for gain in (0.0, 0.6, 1.2):
        out = np.concatenate(streamed(audio, [6000, 12000], 4800, gain=gain))
        np.testing.assert_array_equal(out, whole_trim(audio, 4800, gain))


def test_clause_render_steps_through_its_pieces() -> None:
    calls: list[int] = []

    def vocoder(mel: np.ndarray) -> np.ndarray:
        calls.append(mel.shape[1])
        return np.full(mel.shape[1] * HOP, 0.1, np.float32)

    render = ClauseRender(np.zeros((1, 275, 80), np.float32), ClauseTrim(LEVEL, LEAD, 2400, 1.0))
    outs = []
    while not render.done:
        outs.append(render.step(vocoder))
    assert len(outs) == len(render.pieces) == 3 and len(calls) == 3
    assert sum(len(o) for o in outs) == 275 * HOP + 2400
    assert len(render.step(vocoder)) == 0 and len(calls) == 3  # nothing after the end
    empty = ClauseRender(np.zeros((1, 0, 80), np.float32), ClauseTrim(LEVEL, LEAD, 2400, 1.0))
    assert empty.done and len(empty.step(vocoder)) == 0
