"""Mixed-language normalisation: each language run with its own rules."""

from __future__ import annotations

import pytest

from studio.speech.text.language import LangSegment
from studio.speech.text.normalize import normalize_mixed, normalize_segments


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("今天我们聊 Python 和 AI", "今天我们聊 Python 和 AI"),
        ("今天我们聊 Python 3 和 AI，10%的人", "今天我们聊 Python three 和 AI, 百分之十的人"),
        ("我买了iPhone15，花了$999", "我买了 iPhone fifteen, 花了九百九十九美元"),
        ("Python 3 发布于2008年", "Python three 发布于二零零八年"),
        (
            "今日はPythonの話をします。2026/11/22です。",
            "今日は Python の話をします。二千二十六年十一月二十二日です。",
        ),
        ("I paid ¥100 for 2个包子", "I paid one hundred yuan for 两个包子"),
        ("GPT-4o 很强，价格是$5", "GPT-four o 很强，价格是五美元"),
        # the link word follows the text's dominant language
        ("看 https://x.com 吧", "看链接吧"),
        ("look at https://x.com 吧", "look at link 吧"),
        ("😂", ""),
        ("", ""),
    ],
)
def test_normalize_mixed(text: str, expected: str) -> None:
    assert normalize_mixed(text) == expected


def test_segments_index_the_joined_string() -> None:
    segments = normalize_segments("今天我们聊 Python 3 和 AI，10%的人")
    assert segments == [
        LangSegment("今天我们聊", 0, 5, "zh"),
        LangSegment("Python three", 6, 18, "en"),
        LangSegment("和", 19, 20, "zh"),
        LangSegment("AI,", 21, 24, "en"),
        LangSegment("百分之十的人", 25, 31, "zh"),
    ]
    joined = normalize_mixed("今天我们聊 Python 3 和 AI，10%的人")
    for seg in segments:
        assert joined[seg.start : seg.end] == seg.text


def test_default_language_for_text_without_letters() -> None:
    assert normalize_mixed("123", default="en") == "one hundred twenty-three"
    assert normalize_mixed("123", default="ja") == "百二十三"
    assert normalize_mixed("123") == "一百二十三"
