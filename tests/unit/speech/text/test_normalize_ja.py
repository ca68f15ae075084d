"""Japanese normalisation: kanji numerals for a Japanese TTS frontend."""

from __future__ import annotations

import pytest

from studio.speech.text.normalize import normalize
from studio.speech.text.reader_ja import kanji_number


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "ゼロ"),
        (1, "一"),
        (10, "十"),
        (11, "十一"),
        (20, "二十"),
        (100, "百"),
        (305, "三百五"),
        (1000, "千"),
        (1234, "千二百三十四"),
        (2026, "二千二十六"),
        (10000, "一万"),
        (12345, "一万二千三百四十五"),
        (10_000_000, "千万"),
        (100_000_000, "一億"),
        (100_010_000, "一億一万"),
    ],
)
def test_kanji_number(n: int, expected: str) -> None:
    assert kanji_number(n) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234", "千二百三十四"),
        ("1,234", "千二百三十四"),
        ("3.14", "三点一四"),
        ("0.5", "零点五"),
        ("3.05", "三点零五"),
        ("-5", "マイナス五"),
        ("10%", "十パーセント"),
        ("12.5%", "十二点五パーセント"),
        # dates: 月/日 with digits kept; full dates in kanji
        ("11月22日", "11月22日"),
        ("3日間", "3日間"),
        ("2026年", "二千二十六年"),
        ("2026/11/22", "二千二十六年十一月二十二日"),
        ("2026-11-22", "二千二十六年十一月二十二日"),
        ("12/25", "12月25日"),
        # times
        ("14:30", "十四時三十分"),
        ("14:00", "十四時"),
        ("0:15", "零時十五分"),
        ("2:05 pm", "午後二時五分"),
        ("9 am", "午前九時"),
        # money
        ("¥100", "百円"),
        ("￥1,500", "千五百円"),
        ("100円", "百円"),
        ("$5", "五ドル"),
        ("US$5", "五ドル"),
        ("€20", "二十ユーロ"),
        ("£3", "三ポンド"),
        ("5万円", "五万円"),
        ("$5-10", "五から十ドル"),
        # units
        ("5km", "五キロメートル"),
        ("2kg", "二キログラム"),
        ("25°C", "二十五度"),
        ("-3°C", "マイナス三度"),
        ("500ml", "五百ミリリットル"),
        ("16GB", "十六ギガバイト"),
        ("3~5個", "三から五個"),
        ("3～5個", "三から五個"),
        # symbols
        ("1/2", "二分の一"),
        ("1+1=2", "一プラス一イコール二"),
        ("3×4", "三かける四"),
        ("#1", "一番"),
        ("090-1234-5678", "ゼロ九ゼロ、一二三四、五六七八"),
        ("007", "ゼロゼロ七"),
        ("すごい～！！", "すごい！"),
        ("本当に？？", "本当に？"),
        ("えーと…。。。", "えーと…"),
        ("１２３", "百二十三"),
    ],
)
def test_ja(text: str, expected: str) -> None:
    assert normalize(text, "ja") == expected


@pytest.mark.parametrize("language", ["ja", "ja-JP", "jp", "JPN"])
def test_language_codes(language: str) -> None:
    assert normalize("10%", language) == "十パーセント"
