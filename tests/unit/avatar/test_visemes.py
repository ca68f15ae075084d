"""Pinyin finals and mouth shapes: StreamCream's table with the compound-final shadowing fixed."""

from __future__ import annotations

import pytest

from studio.avatar.visemes import (
    FINALS,
    PARAM_IDS,
    PARAM_RANGES,
    VISEMES,
    dominant_viseme,
    pinyin_final,
    pinyin_vowel_shape,
    vowel_shape,
)


@pytest.mark.parametrize(
    ("syllable", "final", "viseme"),
    [
        ("ba", "a", "A"),
        ("bi", "i", "I"),
        ("bu", "u", "U"),
        ("be", "e", "E"),
        ("de", "e", "E"),
        ("bo", "o", "O"),
        ("xiang", "iang", "A"),  # StreamCream: "ia" (first substring match)
        ("shang", "ang", "A"),  # StreamCream: "an"
        ("deng", "eng", "E"),  # StreamCream: "en"
        ("ping", "ing", "I"),  # StreamCream: "in"
        ("dong", "ong", "O"),
        ("guo", "uo", "O"),
        ("tian", "ian", "E"),  # [iɛn]
        ("lü", "ü", "U"),
        ("lv", "ü", "U"),
        ("lǜ", "ü", "U"),
        ("nv3", "ü", "U"),
        ("ju", "ü", "U"),  # j/q/x + u is ü
        ("xuan", "üan", "E"),
        ("yue", "üe", "E"),
        ("zhi", "-i", "I"),
        ("chi", "-i", "I"),
        ("si", "-i", "I"),
        ("ri", "-i", "I"),
        ("er", "er", "E"),
        ("liu", "iu", "O"),
        ("gui", "ui", "I"),
        ("lun", "un", "E"),
        ("ya", "ia", "A"),
        ("yan", "ian", "E"),
        ("yi", "i", "I"),
        ("wo", "uo", "O"),
        ("wei", "ui", "I"),
        ("zhuang", "uang", "A"),
        ("jiong", "iong", "O"),
        ("hao", "ao", "A"),
        ("lai", "ai", "A"),
        ("mei", "ei", "E"),
        ("zou", "ou", "O"),
        ("xiàng", "iang", "A"),
    ],
)
def test_pinyin_finals_and_visemes(syllable: str, final: str, viseme: str) -> None:
    assert pinyin_final(syllable) == final
    shape = vowel_shape(final)
    assert dominant_viseme(shape.weights) == viseme
    assert sum(shape.weights) == pytest.approx(1.0)


def test_compound_trajectories_glide_from_the_medial() -> None:
    (first, _), *_rest, (last, _) = FINALS["iang"]
    assert dominant_viseme(first) == "I" and dominant_viseme(last) == "A"
    (first, _), *_rest, (last, _) = FINALS["uo"]
    assert dominant_viseme(first) == "U" and dominant_viseme(last) == "O"


def test_streamcream_values_for_a_i_u() -> None:
    assert pinyin_vowel_shape("ba") == ("a", dict(zip(PARAM_IDS, (0.8, 0.7, 0.8, 0.1, 0.0), strict=True)))
    assert pinyin_vowel_shape("bi")[1] == dict(zip(PARAM_IDS, (0.4, 0.3, 0.2, 0.0, 0.1), strict=True))
    assert pinyin_vowel_shape("bu")[1] == dict(zip(PARAM_IDS, (0.3, 0.2, 0.1, 0.0, 0.2), strict=True))


def test_apical_vowel_opens_less_than_i() -> None:
    assert pinyin_vowel_shape("zhi")[1]["ParamMouthOpenY"] < pinyin_vowel_shape("ji")[1]["ParamMouthOpenY"]


@pytest.mark.parametrize("syllable", ["m", "ng", "hm", "", "123", "?"])
def test_no_final_gives_the_neutral_mouth_not_a(syllable: str) -> None:
    vowel, params = pinyin_vowel_shape(syllable)
    assert vowel == ""
    assert params["ParamMouthOpenY"] == 0.0 and params["ParamMouthOpenWidth"] == 0.5


def test_every_final_is_within_the_parameter_ranges() -> None:
    for final in FINALS:
        shape = vowel_shape(final)
        assert len(shape.weights) == len(VISEMES)
        for pid, value in shape.params.items():
            lo, hi = PARAM_RANGES[pid]
            assert lo <= value <= hi, (final, pid, value)
