"""text_to_mouth_timeline: StreamCream items aligned to the real audio."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from studio.avatar.lipsync import text_to_mouth_timeline
from studio.avatar.visemes import PARAM_IDS
from tests.unit.avatar.signals import silence, syllable

SR = 22050


def _syllables(
    specs: list[tuple[float, float]], gaps: list[float]
) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """Syllables (F1, F2) separated by ``gaps`` s of silence; returns audio and true spans."""
    parts: list[np.ndarray] = [silence(0.1)]
    spans = []
    t = 0.1
    for (f1, f2), gap in zip(specs, gaps, strict=True):
        s = syllable(f1, f2)
        parts += [s, silence(gap)]
        spans.append((t, t + len(s) / SR))
        t += len(s) / SR + gap
    return np.concatenate(parts), spans


def test_characters_land_on_their_syllables_and_punctuation_in_the_pause() -> None:
    # 八 ba, 一 yi, pause for the comma, 五 wu, 我 wo
    a, i, u, o = (768, 1333), (342, 2322), (378, 997), (497, 910)
    pcm, truth = _syllables([a, i, u, o], [0.06, 0.35, 0.06, 0.1])
    items = text_to_mouth_timeline("八一，五我", pcm, SR)
    assert [it.char for it in items] == ["八", "一", "，", "五", "我"]
    assert [it.vowel for it in items] == ["a", "i", "", "u", "uo"]
    spoken = [it for it in items if it.vowel]
    for item, (start, end) in zip(spoken, truth, strict=True):
        assert item.start == pytest.approx(start, abs=0.03)
        assert item.end == pytest.approx(end, abs=0.03)
        assert item.mouth_open > 0.5
        assert set(item.mouth_shape) == set(PARAM_IDS)
    comma = items[2]
    assert comma.start >= truth[1][1] - 0.03 and comma.end <= truth[2][0] + 0.03
    assert comma.mouth_open < 0.05
    assert items[0].mouth_shape["ParamMouthOpenWidth"] > items[1].mouth_shape["ParamMouthOpenWidth"]
    d = items[0].to_dict()
    assert set(d) == {"start", "end", "vowel", "char", "mouth_open", "mouth_shape"}


def test_syllables_joined_by_dips_are_split_at_the_dips() -> None:
    # One breath, no silence: four syllables joined by energy dips to ~10 %.
    a = (768, 1333)
    parts = [syllable(*a, dur=0.18) for _ in range(4)]
    bridge = np.full(round(0.03 * SR), 0.0, np.float32)
    rng = np.random.default_rng(1)
    pcm = np.concatenate(
        [np.concatenate((p, bridge + rng.normal(0, 0.01, len(bridge)).astype(np.float32))) for p in parts]
    )
    items = text_to_mouth_timeline("大家好啊", pcm, SR, language="zh")
    assert [it.char for it in items] == list("大家好啊")
    step = 0.18 + 0.03
    for k, item in enumerate(items):
        assert item.start == pytest.approx(k * step, abs=0.04)


def test_more_characters_than_syllables_still_gives_one_ordered_span_each() -> None:
    pcm, _ = _syllables([(768, 1333), (342, 2322)], [0.05, 0.05])
    items = text_to_mouth_timeline("我们今天一起唱歌", pcm, SR)
    assert len(items) == 8
    duration = len(pcm) / SR
    assert all(0.0 <= it.start <= it.end <= duration for it in items)
    assert all(x.end <= y.start + 1e-9 for x, y in itertools.pairwise(items))
    assert all(it.end > it.start for it in items)


def test_silent_audio_spreads_the_text_proportionally() -> None:
    items = text_to_mouth_timeline("你好", np.zeros(SR, np.float32), SR)
    assert [(it.start, it.end) for it in items] == [(0.0, 0.5), (0.5, 1.0)]
    assert all(it.mouth_open == 0.0 for it in items)


def test_int16_audio_and_empty_text() -> None:
    pcm, _ = _syllables([(768, 1333)], [0.1])
    as_int = (pcm * 32767).astype(np.int16)
    a = text_to_mouth_timeline("啊", pcm, SR)
    b = text_to_mouth_timeline("啊", as_int, SR)
    assert a[0].start == b[0].start and a[0].mouth_open == pytest.approx(b[0].mouth_open, abs=0.01)
    assert text_to_mouth_timeline("", pcm, SR) == []


def test_without_pypinyin_han_characters_are_still_aligned(monkeypatch: pytest.MonkeyPatch) -> None:
    from studio.avatar import alignment

    monkeypatch.setattr(alignment, "_lazy_pinyin", lambda: None)
    pcm, truth = _syllables([(768, 1333), (342, 2322)], [0.06, 0.1])
    items = text_to_mouth_timeline("八一", pcm, SR)
    assert [it.char for it in items] == ["八", "一"]
    assert [it.vowel for it in items] == ["a", "i"]  # from the audio, as visemes
    assert items[1].start == pytest.approx(truth[1][0], abs=0.03)
