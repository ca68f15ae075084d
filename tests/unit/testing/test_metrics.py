from __future__ import annotations

from studio.testing.metrics import char_error_rate, edit_distance, word_error_rate


def test_edit_distance() -> None:
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance([], ["a"]) == 1


def test_char_error_rate_ignores_punctuation_and_width() -> None:
    assert char_error_rate("今天，天气。", "今天天气") == 0.0
    assert char_error_rate("今天天气", "今天空气") == 0.25
    assert char_error_rate("好", "") == 1.0
    assert char_error_rate("今日は、いい天気。", "今日はいい天気") == 0.0
    assert char_error_rate("ＡＢＣ", "abc".upper()) == 0.0


def test_word_error_rate() -> None:
    assert word_error_rate("The quick fox.", "the QUICK fox") == 0.0
    assert word_error_rate("a b c d", "a x c") == 0.5
