"""Handing a clause's text out to streamed chunks at a speaking rate."""

from __future__ import annotations

import itertools

import pytest

from studio.speech.tts.voxcpm.tts import TextPacer, char_seconds


def test_character_costs() -> None:
    assert char_seconds("你") == char_seconds("ア") == char_seconds("か") == 0.2
    assert char_seconds("a") == char_seconds("7") == 0.065
    assert char_seconds(" ") < char_seconds(",") < char_seconds("a")


def test_text_follows_the_audio_and_keeps_the_last_character() -> None:
    pacer = TextPacer("今天好")
    assert pacer.take(0.1).text == ""
    first = pacer.take(0.1)
    assert (first.start, first.end, first.text) == (0, 1, "今")
    assert pacer.take(10.0).text == "天"  # never the last character before the end
    rest = pacer.rest()
    assert (rest.start, rest.end, rest.text) == (2, 3, "好")
    assert pacer.rest().text == ""


@pytest.mark.parametrize("text", ["Hello there, friends.", "今日は、いい天気ですね。", "x"])
def test_the_pieces_cover_the_text_in_order(text: str) -> None:
    pacer = TextPacer(text)
    pieces = [pacer.take(0.16) for _ in range(40)] + [pacer.rest()]
    assert "".join(p.text for p in pieces) == text
    assert all(text[p.start : p.end] == p.text for p in pieces)
    assert all(a.end == b.start for a, b in itertools.pairwise(pieces))
