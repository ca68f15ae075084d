"""Emotion tags out of streamed LLM text: removed whole, never split, reported at their offset."""

from __future__ import annotations

import random

import pytest

from studio.brain.tags import (
    EmotionTagEvent,
    EmotionTagParser,
    TaggedText,
    emotion_in_span,
    strip_emotion_tags,
    tag_emotion,
)
from studio.core.events import Event

REPLY = (
    "[happy] 太好了！我们赢了！[sad]可是明天就要分开了。"
    "Hi [surprised] there, see [1] and [link]. 【害羞】谢谢…"
)
CLEAN = "太好了！我们赢了！可是明天就要分开了。Hi there, see [1] and [link]. 谢谢…"


def stream(parser: EmotionTagParser, deltas: list[str]) -> tuple[str, list[TaggedText]]:
    outs = [parser.feed(d) for d in deltas]
    outs.append(parser.flush())
    return "".join(o.text for o in outs), outs


@pytest.mark.parametrize(
    ("tag", "emotion"),
    [
        ("[happy]", "happy"),
        ("[joy]", "happy"),
        ("[Happy]", "happy"),
        ("[ sad ]", "sad"),
        ("[angry]", "angry"),
        ("[surprised]", "surprised"),
        ("[shy]", "shy"),
        ("[neutral]", "neutral"),
        ("[开心]", "happy"),
        ("[難過]", "sad"),
        ("[生气]", "angry"),
        ("[惊讶]", "surprised"),
        ("[不好意思]", "shy"),
        ("[悲しい]", "sad"),
        ("[嬉しい]", "happy"),
        ("[びっくり]", "surprised"),
        ("[恥ずかしい]", "shy"),
        ("【开心】", "happy"),
        ("［angry］", "angry"),
    ],
)
def test_known_tags_are_removed_and_reported(tag: str, emotion: str) -> None:
    result = strip_emotion_tags(f"好的。{tag}你好")
    assert result.text == "好的。你好"
    assert [(t.emotion, t.offset, t.raw) for t in result.tags] == [(emotion, 3, tag)]


def test_whole_reply_text_and_offsets() -> None:
    result = strip_emotion_tags(REPLY)
    assert result.text == CLEAN
    assert [(t.emotion, t.offset) for t in result.tags] == [
        ("happy", 0),
        ("sad", CLEAN.index("可是")),
        ("surprised", CLEAN.index("there")),
        ("shy", CLEAN.index("谢谢")),
    ]


def test_every_two_way_split_gives_the_same_result() -> None:
    whole = strip_emotion_tags(REPLY)
    for cut in range(len(REPLY) + 1):
        text, outs = stream(EmotionTagParser(), [REPLY[:cut], REPLY[cut:]])
        assert text == whole.text, cut
        assert tuple(t for o in outs for t in o.tags) == whole.tags, cut


def test_random_char_level_streams_never_emit_part_of_a_tag() -> None:
    rng = random.Random(7)
    text = "[happy]你好！[sad] ok [shy]嗯…[neutral] fine [angry]!"
    whole = strip_emotion_tags(text)
    assert "[" not in whole.text
    for _ in range(200):
        cuts = sorted(rng.sample(range(1, len(text)), rng.randint(1, 12)))
        deltas = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
        parser = EmotionTagParser()
        joined, outs = stream(parser, deltas)
        assert joined == whole.text
        assert all("[" not in o.text and "]" not in o.text for o in outs)
        assert tuple(t for o in outs for t in o.tags) == whole.tags
        assert parser.emitted == len(whole.text)


def test_a_tag_is_held_until_it_closes() -> None:
    parser = EmotionTagParser()
    assert parser.feed("Well [hap") == TaggedText("Well ")
    done = parser.feed("py] yes")
    assert done.text == "yes"
    assert [(t.emotion, t.offset) for t in done.tags] == [("happy", 5)]


@pytest.mark.parametrize(
    "text",
    [
        "see [1] and [link]",
        "[ok then] fine",
        "[a very long bracketed aside that is no tag] x",
        "[unknown]",
        "[]",
        "array[i] = x[j]",
        "【注意】这里",
        "line [happy\nnext] line",
    ],
)
def test_unknown_bracket_text_passes_through_unchanged(text: str) -> None:
    result = strip_emotion_tags(text)
    assert result.text == text
    assert result.tags == ()


def test_an_unclosed_bracket_is_released_by_flush() -> None:
    parser = EmotionTagParser()
    assert parser.feed("the end [happy").text == "the end "
    assert parser.flush().text == "[happy"


def test_long_unclosed_bracket_is_released_without_waiting_for_the_end() -> None:
    parser = EmotionTagParser()
    out = parser.feed("x [" + "y" * 40)
    assert out.text == "x [" + "y" * 40


def test_spaces_around_a_removed_tag_collapse() -> None:
    assert strip_emotion_tags("Hi [happy] there").text == "Hi there"
    assert strip_emotion_tags("[happy] Hi").text == "Hi"
    assert strip_emotion_tags("Hi[happy] there").text == "Hi there"
    assert strip_emotion_tags("Hi [happy]there").text == "Hi there"
    parser = EmotionTagParser()
    assert parser.feed("Hi [happy]").text == "Hi "
    assert parser.feed(" there").text == "there"


def test_a_bracket_inside_a_pending_tag_restarts_it() -> None:
    result = strip_emotion_tags("a [b [sad] c")
    assert result.text == "a [b c"
    assert [(t.emotion, t.offset) for t in result.tags] == [("sad", 5)]


def test_reset_restarts_offsets() -> None:
    parser = EmotionTagParser()
    parser.feed("hello [sad]")
    parser.reset()
    out = parser.feed("[happy]x")
    assert out.text == "x"
    assert out.tags[0].offset == 0


def test_emotion_in_span_picks_the_sentence_a_tag_precedes() -> None:
    result = strip_emotion_tags("[happy]太好了！还有一件事。[sad]可惜。")
    text, tags = result.text, result.tags
    first = (0, text.index("还有"))
    second = (first[1], text.index("可惜"))
    third = (second[1], len(text))
    assert emotion_in_span(tags, *first) == "happy"
    assert emotion_in_span(tags, *second) is None
    assert emotion_in_span(tags, *third) == "sad"


def test_tag_words_and_event() -> None:
    assert tag_emotion(" Joy ") == "happy"
    assert tag_emotion("ムカつく") == "angry"
    assert tag_emotion("banana") is None
    event = EmotionTagEvent(text="你好", emotion="shy")
    assert isinstance(event, Event)
    assert event.emotion == "shy"
