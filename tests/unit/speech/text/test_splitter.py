"""Incremental clause splitting of streamed text."""

from __future__ import annotations

import random
import re

import pytest

from studio.speech.text.splitter import Clause, ClauseSplitter

ZH = (
    "大家好，欢迎来到我的直播间！今天我们来聊一聊最近特别火的AI话题，大家准备好了吗？"
    "首先，价格是1,234.56元，时间是14:30。其次……我觉得这件事情没有那么简单。"
    "[开心]说真的，我一直在想一个问题：人工智能到底能不能理解我们说的话？"
    "这是一段很长很长没有任何标点符号的文字用来测试硬切分是否正常工作并且不会丢失任何一个字符或者重复任何一个字符直到最后"
)
EN = (
    "Hello everyone, welcome back to the stream! Today Mr. Smith and I will talk about e.g. the "
    "number 3.14, the site https://example.com/a?b=1.5&c=2, and the U.S. economy. Isn't that fun? "
    "Well... I think so! [happy] At 14:30 we start; at 2:05 p.m. we stop: 1,000 people joined.\n"
    "- First point\n- Second point\n"
    "This sentence is long enough that it really has to be hard split somewhere between its words "
    "because nobody put a single comma anywhere in it at all which is rude\n"
)
JA = (
    "皆さん、こんにちは！今日はいい天気ですね。東京タワーに行きたいです。でも、ちょっと遠いかな……"
    "ところで、新しいゲームが11月22日に発売されます。価格は5,980円です！楽しみですね？"
    "じゅげむじゅげむごこうのすりきれかいじゃりすいぎょのすいぎょうまつうんらいまつふうらいまつくうねるところにすむところ"
)


def _run(text: str, chunks: list[str], **kwargs: int) -> list[Clause]:
    splitter = ClauseSplitter(**kwargs)
    out: list[Clause] = []
    for chunk in chunks:
        out += splitter.feed(chunk)
    return out + splitter.flush()


def _random_chunks(text: str, rng: random.Random) -> list[str]:
    chunks: list[str] = []
    i = 0
    while i < len(text):
        step = rng.choice([1, 1, 2, 3, 5, 8, 13, 40])
        chunks.append(text[i : i + step])
        i += step
    return chunks


def _weight(text: str) -> int:
    return len(re.sub(r"\s|\[[^\]\n]{0,32}\]", "", text))


def _check_invariants(text: str, clauses: list[Clause]) -> None:
    pos = 0
    for clause in clauses:
        assert clause.text, "no empty clauses"
        assert clause.text == clause.text.strip()
        assert text[clause.start : clause.end] == clause.text
        assert clause.start >= pos
        assert text[pos : clause.start].strip() == "", "only whitespace between clauses"
        pos = clause.end
    assert text[pos:].strip() == ""
    assert re.sub(r"\s", "", "".join(c.text for c in clauses)) == re.sub(r"\s", "", text)


@pytest.mark.parametrize("text", [ZH, EN, JA, ZH + EN + JA], ids=["zh", "en", "ja", "mixed"])
@pytest.mark.parametrize("seed", range(12))
def test_random_chunkings_lose_and_duplicate_nothing(text: str, seed: int) -> None:
    rng = random.Random(seed)
    whole = _run(text, [text])
    chunked = _run(text, _random_chunks(text, rng))
    _check_invariants(text, chunked)
    assert chunked == whole, "the result must not depend on how the stream was cut"


@pytest.mark.parametrize("text", [ZH, EN, JA])
def test_clause_lengths_respect_the_limits(text: str) -> None:
    clauses = _run(text, list(text), first_min_chars=4, min_chars=12, max_chars=40, first_max_chars=24)
    _check_invariants(text, clauses)
    for k, clause in enumerate(clauses):
        limit = 24 if k == 0 else 40
        assert _weight(clause.text) <= limit + 3, clause  # + a trailing punctuation run
        if k < len(clauses) - 1:
            assert _weight(clause.text) >= 4, clause


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("大家好，欢迎来到直播间！今天聊AI。", ["大家好，", "欢迎来到直播间！", "今天聊AI。"]),
        # Too-short fragments merge into the next clause.
        ("嗯。好。我们开始吧！", ["嗯。好。", "我们开始吧！"]),
        ("Hi, everyone! Welcome.", ["Hi, everyone!", "Welcome."]),
        # Clause marks need min_chars after the first clause.
        (
            "你好，朋友。我们今天，一起，来聊一聊天吧，好不好？",
            ["你好，朋友。", "我们今天，一起，来聊一聊天吧，", "好不好？"],
        ),
        # Closing quotes stay with the sentence end.
        ("他说：“好！”然后走了。", ["他说：“好！”", "然后走了。"]),
        ('He said "yes." Then he left.', ['He said "yes."', "Then he left."]),
        # No split inside decimals, abbreviations, initials, URLs, thousands, times.
        ("Pi is 3.14 and e is 2.71, roughly.", ["Pi is 3.14 and e is 2.71,", "roughly."]),
        ("Mr. Smith met Dr. Jones today.", ["Mr. Smith met Dr. Jones today."]),
        ("J. K. Rowling wrote it. Read it.", ["J. K. Rowling wrote it.", "Read it."]),
        ("Use e.g. this one. Or not.", ["Use e.g. this one.", "Or not."]),
        (
            "Okay, see https://x.com/a?b=1.5!c for more. Bye.",
            ["Okay,", "see https://x.com/a?b=1.5!c for more.", "Bye."],
        ),
        (
            "Okay, we had 1,000 visitors at 14:30 today, wow.",
            ["Okay,", "we had 1,000 visitors at 14:30 today,", "wow."],
        ),
        # The first clause is hard-split early at a word boundary when no mark comes.
        ("We had 1,000 visitors at 14:30 today, wow.", ["We had 1,000 visitors at", "14:30 today, wow."]),
        # Ellipses and repeated marks are one boundary.
        ("Well... I think so?! Yes.", ["Well...", "I think so?!", "Yes."]),
        ("真的吗？？？太好了！！！", ["真的吗？？？", "太好了！！！"]),
        # Newlines end sentences (markdown lists have no full stops).
        ("First item\nSecond item\nThird", ["First item", "Second item", "Third"]),
        # A CJK character after ASCII punctuation is a boundary.
        ("Python很好.我们开始吧,好吗", ["Python很好.", "我们开始吧,好吗"]),
        # Tags are not split and not counted; they stay in the text.
        ("[happy]嗯。好的，我们开始吧。", ["[happy]嗯。好的，", "我们开始吧。"]),
        ("[very happy, really] Hello there, friend.", ["[very happy, really] Hello there,", "friend."]),
        # Markdown marks close a sentence only when they were opened in it.
        ("**注意！**然后呢。**下一句**好。", ["**注意！**", "然后呢。", "**下一句**好。"]),
        ("Yes. **Bold** text here.", ["Yes.", "**Bold** text here."]),
        # An unclosed "[" is not a tag once a newline comes.
        ("[not a tag\nNext line here", ["[not a tag", "Next line here"]),
        ("", []),
        ("   \n  ", []),
    ],
)
def test_boundaries(text: str, expected: list[str]) -> None:
    clauses = _run(text, list(text))
    assert [c.text for c in clauses] == expected
    assert _run(text, [text]) == clauses


def test_sentence_end_flag() -> None:
    clauses = _run("大家好，欢迎光临！再见", ["大家好，欢迎光临！再见"])
    assert [(c.text, c.sentence_end) for c in clauses] == [
        ("大家好，", False),
        ("欢迎光临！", True),
        ("再见", True),
    ]


def test_hard_split_english_at_word_boundaries() -> None:
    words = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi " * 4
    clauses = _run(words, list(words), max_chars=30, first_max_chars=20, min_chars=12)
    _check_invariants(words, clauses)
    assert len(clauses) > 5
    for clause in clauses:
        assert clause.start == 0 or words[clause.start - 1] == " "
        assert clause.end == len(words.rstrip()) or words[clause.end] == " "


def test_hard_split_cjk_without_punctuation() -> None:
    text = "这是一段很长很长没有任何标点符号的文字" * 8
    clauses = _run(text, list(text), max_chars=30, first_max_chars=20, min_chars=12)
    _check_invariants(text, clauses)
    assert [len(c.text) for c in clauses[:3]] == [20, 30, 30]


def test_hard_split_never_cuts_inside_a_tag() -> None:
    text = "这是一段很长很长没有任何标点[happy mood]符号的文字" * 6
    clauses = _run(text, list(text), max_chars=20, first_max_chars=16, min_chars=8)
    _check_invariants(text, clauses)
    for clause in clauses:
        assert clause.text.count("[") == clause.text.count("]")


@pytest.mark.parametrize(
    "paragraph",
    [
        "Hello everyone, and welcome back to the stream. Today we are going to talk about AI.",
        "So today I really want to talk about something that has been on my mind for a long time.",
        "大家好，欢迎回到直播间。今天我们要聊的是人工智能。",
        "今天我想和大家聊一聊一个在我心里憋了很久很久的问题就是人工智能到底会不会取代我们",
        "皆さん、こんばんは！今日も配信に来てくれてありがとうございます。",
    ],
)
def test_first_clause_arrives_within_40_characters(paragraph: str) -> None:
    splitter = ClauseSplitter()
    fed = 0
    first: list[Clause] = []
    for ch in paragraph:
        fed += 1
        first = splitter.feed(ch)
        if first:
            break
    assert first, "no clause before the end of the paragraph"
    assert fed < 40, f"first clause only after {fed} characters"


def test_offsets_continue_across_feeds_and_restart_after_flush() -> None:
    splitter = ClauseSplitter()
    a = splitter.feed("大家好，")
    b = splitter.feed(" 世界你好！再见。")
    c = splitter.flush()
    assert [(x.text, x.start, x.end) for x in a + b + c] == [
        ("大家好，", 0, 4),
        ("世界你好！", 5, 10),
        ("再见。", 10, 13),
    ]
    assert splitter.feed("大家好，") == [Clause("大家好，", 0, 4, False)]


def test_reset_discards_pending_text() -> None:
    splitter = ClauseSplitter()
    splitter.feed("今天天气")
    assert splitter.pending == "今天天气"
    splitter.reset()
    assert splitter.pending == ""
    assert splitter.flush() == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"first_min_chars": 0},
        {"min_chars": 2, "first_min_chars": 4},
        {"max_chars": 5, "min_chars": 12},
        {"first_max_chars": 2, "first_min_chars": 4},
    ],
)
def test_invalid_lengths(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError, match=r"first_min|positive"):
        ClauseSplitter(**kwargs)
