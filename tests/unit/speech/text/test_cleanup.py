"""Language-independent clean-up: markdown, links, e-mails, emoji, punctuation, whitespace."""

from __future__ import annotations

import pytest

from studio.speech.text.normalize import normalize


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        # markdown
        ("**粗体**和*斜体*", "zh", "粗体和斜体"),
        ("__bold__ and _em_ and ~~gone~~", "en", "bold and em and gone"),
        ("use `pip install` now", "en", "use pip install now"),
        ("snake_case_name stays", "en", "snake case name stays"),
        ("# 标题", "zh", "标题"),
        ("## Heading ##\nBody text", "en", "Heading. Body text"),
        ("- 第一项\n- 第二项", "zh", "第一项。第二项"),
        ("* one\n* two", "en", "one. two"),
        ("1. 首先\n2. 然后", "zh", "一，首先。二，然后"),
        ("> quoted line", "en", "quoted line"),
        ("看[这篇文章](https://example.com/a)吧", "zh", "看这篇文章吧"),
        ("![a cat](cat.png) here", "en", "a cat here"),
        ("| 名字 | 年龄 |\n|---|:---:|\n| 小明 | 12 |", "zh", "名字，年龄。小明，十二"),
        ("```python\nprint(1)\n```", "en", "print(one)"),
        ("line<br>break", "en", "line. break"),
        ("<b>bold</b> text", "en", "bold text"),
        ("前面\n\n---\n\n后面", "zh", "前面。后面"),
        # links and e-mails: a word, not the address
        ("看这个 https://example.com/a?b=1 吧", "zh", "看这个链接吧"),
        ("Visit https://x.com/a?b=1. Then leave.", "en", "Visit link. Then leave."),
        ("www.bilibili.com 见", "zh", "链接见"),
        ("詳しくは https://example.jp を見て", "ja", "詳しくはリンクを見て"),
        ("写信到 a.b+c@example.com 吧", "zh", "写信到邮箱吧"),
        ("Mail alice@example.org today", "en", "Mail email address today"),
        ("メールは a@b.jp まで", "ja", "メールはメールアドレスまで"),
        # bare domains are spoken with the dot read out
        ("Go to Python.org", "en", "Go to Python dot org"),
        ("访问example.com", "zh", "访问example点com"),
        ("github.com/user/repo", "en", "link"),
        # emoji are dropped
        ("太好了😂😂", "zh", "太好了"),
        ("I ❤️ you 👍🏽", "en", "I you"),
        ("family 👨‍👩‍👧 time", "en", "family time"),
        ("最高★♪", "ja", "最高"),
        ("🇯🇵 Japan", "en", "Japan"),
        ("1️⃣ first", "en", "one first"),
        ("😂", "zh", ""),
        # repeated punctuation
        ("太好了！！！", "zh", "太好了！"),
        ("真的吗？！？", "zh", "真的吗？"),
        ("What?!?!", "en", "What?"),
        ("Wow!!!", "en", "Wow!"),
        ("嗯。。。好吧", "zh", "嗯…好吧"),
        ("嗯……好吧", "zh", "嗯…好吧"),
        ("Well.... ok", "en", "Well... ok"),
        ("好，，好", "zh", "好，好"),
        # whitespace
        ("  你  好  ", "zh", "你好"),
        ("hello   \t world", "en", "hello world"),
        ("第一行\n第二行", "zh", "第一行。第二行"),
        ("第一行。\r\n第二行", "zh", "第一行。第二行"),
        ("one\ntwo", "en", "one. two"),
        ("全角\u3000空格", "zh", "全角空格"),
    ],
)
def test_cleanup(text: str, language: str, expected: str) -> None:
    assert normalize(text, language) == expected


def test_tags_pass_through() -> None:
    # Emotion tags are the brain's business; normalisation leaves them alone.
    assert normalize("[happy]你好", "zh") == "[happy]你好"


def test_unknown_language_gets_cleanup_only() -> None:
    assert normalize("**안녕** 123 https://x.com 😂", "ko") == "안녕 123 link"


def test_auto_language_normalises_each_part() -> None:
    assert normalize("我有2个 iPhone 15", "auto") == "我有两个 iPhone fifteen"
