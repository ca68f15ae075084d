"""Per-segment language detection (zh / en / ja) by script."""

from __future__ import annotations

import itertools

import pytest

from studio.speech.text.language import LangSegment, dominant_language, segment_languages


def _pairs(text: str, default: str = "zh") -> list[tuple[str, str]]:
    return [(s.text, s.language) for s in segment_languages(text, default)]


def test_the_mixed_example_exactly() -> None:
    assert segment_languages("今天我们聊 Python 和 AI") == [
        LangSegment("今天我们聊 ", 0, 6, "zh"),
        LangSegment("Python", 6, 12, "en"),
        LangSegment(" 和 ", 12, 15, "zh"),
        LangSegment("AI", 15, 17, "en"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("你好，世界。", [("你好，世界。", "zh")]),
        ("Hello, world!", [("Hello, world!", "en")]),
        ("こんにちは、世界。", [("こんにちは、世界。", "ja")]),
        # Han in a sentence with kana is Japanese; without kana it is Chinese.
        ("東京タワーに行きたい。", [("東京タワーに行きたい。", "ja")]),
        ("东京塔很高。", [("东京塔很高。", "zh")]),
        ("今日は晴れです。这是中文。", [("今日は晴れです。", "ja"), ("这是中文。", "zh")]),
        # A kanji-only sentence between Japanese sentences is Japanese.
        ("そうですね。本当。すごい！", [("そうですね。本当。すごい！", "ja")]),
        # Short Latin tokens inside Chinese are still English.
        ("我喜欢AI和ML", [("我喜欢", "zh"), ("AI", "en"), ("和", "zh"), ("ML", "en")]),
        # Digits glued to a word go with it.
        ("我买了iPhone15，很好用", [("我买了", "zh"), ("iPhone15，", "en"), ("很好用", "zh")]),
        ("iPhone 15 很好", [("iPhone 15", "en"), (" 很好", "zh")]),
        ("Python3版本", [("Python3", "en"), ("版本", "zh")]),
        ("我有3个苹果", [("我有3个苹果", "zh")]),
        # A punctuation mark ends the previous part; the number after it goes right.
        ("AI，10%的人", [("AI，", "en"), ("10%的人", "zh")]),
        # An opening bracket starts the next part.
        ("人工智能（AI）是未来", [("人工智能", "zh"), ("（AI）", "en"), ("是未来", "zh")]),
        # A lone letter glued to Han is part of the word.
        ("B站和A股", [("B站和A股", "zh")]),
        ("维生素C很重要", [("维生素C很重要", "zh")]),
        ("我用 C 写代码", [("我用 ", "zh"), ("C", "en"), (" 写代码", "zh")]),
        ("Hello, 世界!", [("Hello,", "en"), (" 世界!", "zh")]),
        ("今日はPythonの話です", [("今日は", "ja"), ("Python", "en"), ("の話です", "ja")]),
        # Full-width Latin letters are English too.
        ("ＡＩ很强", [("ＡＩ", "en"), ("很强", "zh")]),
        # Leading and trailing neutral characters join the first / last part.
        ("  123 hello 456  ", [("  123 hello 456  ", "en")]),
        ("「你好」", [("「你好」", "zh")]),
    ],
)
def test_segments(text: str, expected: list[tuple[str, str]]) -> None:
    assert _pairs(text) == expected


@pytest.mark.parametrize(
    ("text", "default", "expected"),
    [
        ("12345", "zh", "zh"),
        ("12345", "en", "en"),
        ("!!!", "ja", "ja"),
        # A kanji-only text is Chinese unless the caller expects Japanese.
        ("東京", "zh", "zh"),
        ("東京", "ja", "ja"),
        ("そうですね。本当。", "ja", "ja"),
        ("そうですね。本当。", "zh", "zh"),
    ],
)
def test_default_language(text: str, default: str, expected: str) -> None:
    segments = segment_languages(text, default)
    assert [s.language for s in segments][-1] == expected


@pytest.mark.parametrize(
    "text",
    [
        "今天我们聊 Python 和 AI，还有 GPT-4o 的 128k context（上下文）。",
        "今日は「Python」の話をします！ 2026年11月22日、東京で。然后我们说中文。",
        "  Mixed: 中文, English と 日本語 ... 123 ",
        "\n\n",
    ],
)
def test_segments_cover_text_exactly(text: str) -> None:
    segments = segment_languages(text)
    assert "".join(s.text for s in segments) == text
    pos = 0
    for seg in segments:
        assert seg.start == pos
        assert text[seg.start : seg.end] == seg.text
        pos = seg.end
    assert pos == len(text)
    for a, b in itertools.pairwise(segments):
        assert a.language != b.language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("今天我们聊 Python 和 AI", "zh"),
        ("Let's talk about 人工智能 today, shall we?", "en"),
        ("今日はPythonの話をします", "ja"),
        ("", "zh"),
        ("2026", "zh"),
    ],
)
def test_dominant_language(text: str, expected: str) -> None:
    assert dominant_language(text) == expected


def test_dominant_language_tie_goes_to_default() -> None:
    assert dominant_language("", default="en") == "en"
    assert dominant_language("abc 中", default="ja") == "ja"
