"""Script mode, brain side: outlines in every shape a model writes, pasted scripts, JSON, the writer."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

import pytest

from studio.brain.llm import ChatMessage, LlmError
from studio.brain.outline import OutlineError, parse_outline
from studio.brain.script import Chapter, Script, ScriptError, Sentence, parse_pasted_script, split_sentences
from studio.brain.script_writer import ScriptWriter, clean_chapter_text

ZH_TITLES = ["开场白", "游戏介绍", "实况演示", "观众互动", "总结与预告"]
EN_TITLES = ["Opening", "What is Python", "Live demo", "Questions", "Wrap-up"]
JA_TITLES = ["オープニング", "ゲーム紹介", "実況プレイ", "質問コーナー", "まとめ"]

OUTLINES: dict[str, tuple[str, list[str]]] = {
    "zh numbered (StreamCream)": (
        "1. 开场白\n2. 游戏介绍\n3. 实况演示\n4. 观众互动\n5. 总结与预告",
        ZH_TITLES,
    ),
    "zh chatter + 、": (
        "好的，以下是大纲：\n\n1、开场白\n2、游戏介绍\n3、实况演示\n4、观众互动\n5、总结与预告\n\n希望对你有帮助！",
        ZH_TITLES,
    ),
    "zh chapters + notes": (
        "第一章：开场白\n  - 打招呼\n第二章：游戏介绍\n第三章：实况演示\n"
        "第四章：观众互动\n第五章：总结与预告",
        ZH_TITLES,
    ),
    "zh 一、 and full-width digits": (
        "一、开场白\n二、游戏介绍\n三、实况演示\n四、观众互动\n五、总结与预告",
        ZH_TITLES,
    ),
    "zh １．": ("１．开场白\n２．游戏介绍\n３．实况演示\n４．观众互动\n５．总结与预告", ZH_TITLES),
    "en markdown headings": (
        "# Python for beginners\n\n## 1. Opening\nSay hello.\n## 2. What is Python\n## 3. Live demo\n"
        "## 4. Questions\n## 5. Wrap-up\n",
        EN_TITLES,
    ),
    "en bold with summaries": (
        "Here's the outline:\n1. **Opening**: greet the chat\n2. **What is Python** - the basics\n"
        "3. **Live demo**\n4. **Questions**\n5. **Wrap-up**",
        EN_TITLES,
    ),
    "en bold numbers": (
        "**1. Opening**\n**2. What is Python**\n**3. Live demo**\n**4. Questions**\n**5. Wrap-up**",
        EN_TITLES,
    ),
    "en Chapter N": (
        "Chapter 1: Opening\nChapter 2: What is Python\nChapter 3: Live demo\nChapter 4: Questions\n"
        "Chapter 5: Wrap-up",
        EN_TITLES,
    ),
    "en bullets with sub-points": (
        "- Opening\n  - hello\n  - agenda\n- What is Python\n- Live demo\n- Questions\n- Wrap-up",
        EN_TITLES,
    ),
    "en (1)": ("(1) Opening\n(2) What is Python\n(3) Live demo\n(4) Questions\n(5) Wrap-up", EN_TITLES),
    "ja bullets ・": ("・オープニング\n・ゲーム紹介\n・実況プレイ\n・質問コーナー\n・まとめ", JA_TITLES),
    "ja 第N章 with quotes": (
        "第1章「オープニング」\n第2章「ゲーム紹介」\n第3章「実況プレイ」\n第4章「質問コーナー」\n第5章「まとめ」",
        JA_TITLES,
    ),
    "ja ①": ("①オープニング\n②ゲーム紹介\n③実況プレイ\n④質問コーナー\n⑤まとめ", JA_TITLES),
    "json list": ('["开场白", "游戏介绍", "实况演示", "观众互动", "总结与预告"]', ZH_TITLES),
    "json object in a fence": (
        'Sure!\n```json\n{"title": "Python", "chapters": [{"title": "Opening", "summary": "hi"}, '
        '{"title": "What is Python"}, {"title": "Live demo"}, {"title": "Questions"}, '
        '{"title": "Wrap-up", "points": ["recap", "next time"]}]}\n```',
        EN_TITLES,
    ),
    "json zh keys": (
        '{"大纲": [{"标题": "开场白"}, {"标题": "游戏介绍"}, {"标题": "实况演示"}, {"标题": "观众互动"},'
        ' {"标题": "总结与预告"}]}',
        ZH_TITLES,
    ),
    "plain lines": ("Opening\nWhat is Python\nLive demo\nQuestions\nWrap-up", EN_TITLES),
}


@pytest.mark.parametrize("name", list(OUTLINES))
def test_outline_shapes(name: str) -> None:
    text, titles = OUTLINES[name]
    assert [item.title for item in parse_outline(text).items] == titles


def test_outline_keeps_title_summaries_and_notes() -> None:
    outline = parse_outline(OUTLINES["en markdown headings"][0])
    assert outline.title == "Python for beginners"
    assert outline.items[0].summary == ""
    bold = parse_outline(OUTLINES["en bold with summaries"][0])
    assert [i.summary for i in bold.items[:2]] == ["greet the chat", "the basics"]
    notes = parse_outline(OUTLINES["en bullets with sub-points"][0])
    assert notes.items[0].summary == "hello; agenda"
    fenced = parse_outline(OUTLINES["json object in a fence"][0])
    assert fenced.title == "Python" and fenced.items[-1].summary == "recap; next time"
    assert parse_outline("1. 开场：打招呼\n2. 正题：聊游戏").items[0].summary == "打招呼"


def test_numbers_inside_titles_are_not_markers() -> None:
    outline = parse_outline("1. 3.14 的故事\n2. 10:30 的约定\n3. 2024 年回顾")
    assert [i.title for i in outline.items] == ["3.14 的故事", "10:30 的约定", "2024 年回顾"]


@pytest.mark.parametrize(
    "reply",
    [
        "",
        "抱歉，我无法完成这个请求。",
        "Sure, I can help with that! What would you like to talk about?",
        "1. 只有一章",
    ],
)
def test_unusable_outline_is_a_clear_error(reply: str) -> None:
    with pytest.raises(OutlineError) as info:
        parse_outline(reply)
    message = info.value.user_message
    assert "usable outline" in message and "1. Title" in message
    assert reply[:20] in message


def test_split_sentences_keeps_emotion_tags_as_data() -> None:
    sentences = split_sentences("[happy] 太好了！我们赢了，真的赢了。[sad]可是明天就要分开了。")
    assert sentences == [
        Sentence("太好了！", "happy"),
        Sentence("我们赢了，真的赢了。"),
        Sentence("可是明天就要分开了。", "sad"),
    ]
    en = split_sentences("Hello everyone, welcome back. [surprised] Did you see that? Mr. Smith did! ---")
    assert [s.text for s in en] == ["Hello everyone, welcome back.", "Did you see that?", "Mr. Smith did!"]
    assert en[1].emotion == "surprised"
    ja = split_sentences("今日はいい天気ですね。【嬉しい】散歩に行きましょう！")
    assert ja == [Sentence("今日はいい天気ですね。"), Sentence("散歩に行きましょう！", "happy")]


def test_a_long_run_without_sentence_ends_is_cut() -> None:
    text = "，".join(["我们今天要聊的内容非常非常多"] * 20) + "。"
    sentences = split_sentences(text)
    assert len(sentences) > 2 and all(len(s.text) <= 160 for s in sentences)
    assert "".join(s.text for s in sentences) == text


def test_chapter_text_round_trips_through_the_editor() -> None:
    chapter = Chapter("开场")
    chapter.set_text("[happy] 大家好！欢迎来到直播间。[shy] 今天有点紧张。")
    assert chapter.text == "[happy] 大家好！欢迎来到直播间。[shy] 今天有点紧张。"
    assert chapter.plain_text == "大家好！欢迎来到直播间。今天有点紧张。"
    again = Chapter("开场")
    again.set_text(chapter.text)
    assert again == chapter
    en = Chapter("x", sentences=split_sentences("Hi there. [happy] Great to see you."))
    assert en.text == "Hi there. [happy] Great to see you."


def test_pasted_script_with_headings() -> None:
    script = parse_pasted_script(
        "# 我的直播\n\n## 开场\n大家好！欢迎来到直播间。\n\n## 游戏时间\n今天我们玩新游戏。[happy]很开心！\n"
    )
    assert script.title == "我的直播" and script.language == "zh" and script.topic == ""
    assert [c.title for c in script.chapters] == ["开场", "游戏时间"]
    assert [s.text for s in script.chapters[1].sentences] == ["今天我们玩新游戏。", "很开心！"]
    assert script.chapters[1].sentences[1].emotion == "happy"


def test_pasted_script_with_chapter_lines_and_an_intro() -> None:
    script = parse_pasted_script(
        "先说一句开场白。\n第一章 起源\n很久以前。\n第二章 发展\n后来呢？\n"
        "【结尾】\n谢谢大家。第二章的内容都说完了。\n【开心】拜拜！"
    )
    assert [c.title for c in script.chapters] == ["", "第一章 起源", "第二章 发展", "结尾"]
    assert script.chapters[-1].sentences == [
        Sentence("谢谢大家。"),
        Sentence("第二章的内容都说完了。"),
        Sentence("拜拜！", "happy"),
    ]
    ja = parse_pasted_script("その1 はじめに\nこんにちは。\nその2 本題\n今日は雨です。")
    assert [c.title for c in ja.chapters] == ["その1 はじめに", "その2 本題"] and ja.language == "ja"


def test_pasted_script_without_headings_splits_on_blank_lines() -> None:
    script = parse_pasted_script(
        "Hello everyone. Welcome!\n\nToday we talk about games.\nThey are fun.\n\n\nBye now."
    )
    assert script.language == "en"
    assert [len(c.sentences) for c in script.chapters] == [2, 2, 1]
    assert script.chapters[2].title == "Bye now."
    assert script.sentence_count == 5
    one = parse_pasted_script("只有一段话。没有空行。", title="T")
    assert one.title == "T" and len(one.chapters) == 1


def test_pasted_script_without_text_is_an_error() -> None:
    with pytest.raises(ScriptError, match="no text"):
        parse_pasted_script("\n\n## 标题\n---\n")


def test_script_json_round_trip() -> None:
    script = parse_pasted_script('## 开场\n[happy] 大家好！\n## Part two\nHello "world". 今日は。')
    script.topic = "测试"
    copy = Script.from_json(script.to_json())
    assert copy == script
    assert "大家好" in script.to_json()  # readable UTF-8, not \\u escapes
    assert Script.from_dict(script.to_dict()) == script


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"format": 99, "chapters": []}',
        '{"chapters": {}}',
        '{"chapters": [{"title": 3}]}',
        '{"chapters": [{"title": "a", "sentences": [{"text": "x", "emotion": "bored"}]}]}',
    ],
)
def test_bad_script_json_is_a_script_error(text: str) -> None:
    with pytest.raises(ScriptError):
        Script.from_json(text)


def test_clean_chapter_text_drops_repeated_heading_and_markdown() -> None:
    assert clean_chapter_text("## 开场\n**大家好**！欢迎。", "开场") == "大家好！欢迎。"
    assert clean_chapter_text("大家好！", "开场") == "大家好！"


class FakeChat:
    """A ChatModel with scripted replies; records what it was asked."""

    name = "fake"

    def __init__(self, *replies: str, fail: LlmError | None = None) -> None:
        self.replies = list(replies)
        self.calls: list[list[ChatMessage]] = []
        self.fail = fail

    async def stream(
        self,
        messages: Sequence[ChatMessage],
        *,
        temperature: float | None = None,
        max_tokens: int | None = None,
    ) -> AsyncIterator[str]:
        reply = await self.complete(messages)
        for k in range(0, len(reply), 3):
            yield reply[k : k + 3]

    async def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        temperature: float | None = None,
        max_tokens: int | None = None,
    ) -> str:
        self.calls.append(list(messages))
        if self.fail is not None:
            raise self.fail
        return self.replies.pop(0)


async def test_writer_outline_then_streamed_chapters() -> None:
    outline = "好的！\n1. 开场白\n2. 游戏介绍\n3. 实况演示\n4. 观众互动\n5. 总结与预告\n"
    outline += "6. 彩蛋\n7. 抽奖\n8. 告别\n9. 多余"
    chapters = [f"## 第{n}章\n[happy] 第{n}章开始了！这是正文。" for n in range(1, 9)]
    model = FakeChat(outline, *chapters)
    writer = ScriptWriter(model, persona="你是奶油酱。", language="zh")
    deltas: list[tuple[int, str]] = []
    script = await writer.write("新游戏", on_delta=lambda i, d: deltas.append((i, d)))
    assert script.topic == "新游戏" and len(script.chapters) == 8, "trimmed to the most chapters asked for"
    assert script.chapters[0].sentences == [Sentence("第1章开始了！", "happy"), Sentence("这是正文。")]
    assert "".join(d for i, d in deltas if i == 7) == chapters[7]
    first = model.calls[0]
    assert first[0] == ChatMessage("system", "你是奶油酱。")
    assert "5 到 8" in first[1].content and "1. 标题" in first[1].content
    chapter_prompt = model.calls[3][1].content
    assert (
        "第 3 章「实况演示」" in chapter_prompt
        and "[happy]" in chapter_prompt
        and "1. 开场白" in chapter_prompt
    )


async def test_writer_retries_once_with_the_format_then_fails_clearly() -> None:
    model = FakeChat("当然可以！你想聊什么？", "1. Opening\n2. Demo\n3. Questions\n4. Games\n5. Bye")
    script = await ScriptWriter(model, language="en").outline("Python")
    assert [c.title for c in script.chapters][:2] == ["Opening", "Demo"]
    retry = model.calls[1]
    assert retry[-2] == ChatMessage("assistant", "当然可以！你想聊什么？")
    assert "only 5 to 8 lines" in retry[-1].content

    stubborn = FakeChat("我不想写。", "还是不想写。")
    with pytest.raises(OutlineError, match="还是不想写"):
        await ScriptWriter(stubborn, language="ja").outline("テスト")
    assert len(stubborn.calls) == 2


async def test_writer_errors() -> None:
    with pytest.raises(ScriptError, match="topic"):
        await ScriptWriter(FakeChat()).outline("  ")
    failing = FakeChat(fail=LlmError("rate limited", provider="fake", retryable=True))
    with pytest.raises(LlmError) as info:
        await ScriptWriter(failing).outline("x")
    assert info.value.retryable
    script = Script("t", [Chapter("a")])
    with pytest.raises(ScriptError, match="nothing to read"):
        await ScriptWriter(FakeChat("---")).write_chapter(script, 0)
    with pytest.raises(IndexError):
        await ScriptWriter(FakeChat("x")).write_chapter(script, 3)
