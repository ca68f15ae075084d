"""Script mode's writer: topic -> outline (5-8 chapters) -> text per chapter, through a ChatModel.

The StreamCream flow, done on the engine: the outline prompt asks for ``1. Title`` lines (as
StreamCream's did), :func:`~studio.brain.outline.parse_outline` reads whatever shape comes back,
and a reply that holds no outline gets one retry that repeats the format. Each chapter is then
streamed (the GUI shows it as it is written) with the persona's emotion tags allowed, and split
into sentences by :func:`~studio.brain.script.split_sentences`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncGenerator, Callable, Sequence
from typing import Final

from studio.avatar.emotion import EMOTIONS
from studio.brain.llm import ChatMessage, ChatModel
from studio.brain.outline import Outline, OutlineError, parse_outline
from studio.brain.script import Chapter, Script, ScriptError

log = logging.getLogger(__name__)

__all__ = ["ScriptWriter"]

_PROMPTS: Final[dict[str, dict[str, str]]] = {
    "zh": {
        "system": "你是一位直播主播，正在为自己的直播准备讲稿。",
        "outline": "请为主题「{topic}」写一份直播讲稿大纲，分成 {lo} 到 {hi} 个章节。"
        "每行一个章节，格式为“1. 标题”，不要写其他内容。",
        "retry": "没能读出章节。请只回复 {lo} 到 {hi} 行，每行格式为“1. 标题”，不要其他文字。",
        "chapter": "直播主题：「{topic}」。\n完整大纲：\n{outline}\n\n请写第 {n} 章「{title}」的讲稿{notes}。"
        "用口语、第一人称，直接对观众说话，大约 {sentences} 句。不要标题、列表或 Markdown。"
        "可以在句子前用这些情绪标签标注语气：{tags}。",
        "notes": "（要点：{summary}）",
    },
    "en": {
        "system": "You are a live streamer preparing the script for your own stream.",
        "outline": 'Write an outline for a live stream about "{topic}" with {lo} to {hi} chapters. '
        "One chapter per line in the form '1. Title', nothing else.",
        "retry": "I could not read any chapters. Reply with only {lo} to {hi} lines, each like "
        "'1. Title', and no other text.",
        "chapter": 'Stream topic: "{topic}".\nFull outline:\n{outline}\n\nWrite the script for chapter '
        '{n}, "{title}"{notes}. Spoken style, first person, talking to the viewers, about '
        "{sentences} sentences. No headings, lists or Markdown. You may put one of these emotion "
        "tags before a sentence to set its tone: {tags}.",
        "notes": " (points: {summary})",
    },
    "ja": {
        "system": "あなたは配信者で、自分の配信の台本を準備しています。",
        "outline": "「{topic}」についての配信台本のアウトラインを、{lo}〜{hi}章で書いてください。"
        "1行に1章、「1. タイトル」の形式で、ほかには何も書かないでください。",
        "retry": "章を読み取れませんでした。「1. タイトル」の形式の行を{lo}〜{hi}行だけ返してください。",
        "chapter": "配信テーマ：「{topic}」\nアウトライン全体：\n{outline}\n\n第{n}章「{title}」の台本を"
        "書いてください{notes}。話し言葉で、一人称で視聴者に語りかけ、{sentences}文くらい。"
        "見出し・箇条書き・Markdown は使わないでください。文の前に次の感情タグを付けて"
        "口調を示せます：{tags}。",
        "notes": "（ポイント：{summary}）",
    },
}
_LEADING_HEADING = re.compile(r"^\s*(?:#{1,6}\s+[^\n]*|\*\*[^\n]*\*\*)\s*\n")
_MARKUP = re.compile(r"\*\*|__|^#{1,6}\s+", re.MULTILINE)


class ScriptWriter:
    """Writes scripts with a chat model. Methods run on the engine loop.

    Args:
        model: Any :class:`~studio.brain.llm.ChatModel`.
        persona: The persona's system prompt (character, speaking style); a neutral one if empty.
        language: ``zh``, ``en`` or ``ja`` for the prompts (scripts come back in that language).
        chapters: Fewest and most chapters asked for (StreamCream: 5 to 8).
        sentences: About how many sentences a chapter should have.
        emotions: Emotion tags the persona may use (default: the avatar's six emotions).
        temperature: Sampling temperature, ``None`` for the provider's default.
    """

    def __init__(
        self,
        model: ChatModel,
        *,
        persona: str = "",
        language: str = "zh",
        chapters: tuple[int, int] = (5, 8),
        sentences: int = 8,
        emotions: Sequence[str] = EMOTIONS,
        temperature: float | None = 0.7,
    ) -> None:
        if not 1 <= chapters[0] <= chapters[1]:
            raise ValueError("chapters must be (fewest, most) with 1 <= fewest <= most")
        self.model = model
        self.persona = persona
        self.language = language if language in _PROMPTS else "zh"
        self.chapters = chapters
        self.sentences = sentences
        self.emotions = tuple(emotions)
        self.temperature = temperature

    def _text(self, key: str, **values: object) -> str:
        return _PROMPTS[self.language][key].format(**values)

    def _system(self) -> ChatMessage:
        return ChatMessage("system", self.persona.strip() or self._text("system"))

    async def outline(self, topic: str) -> Script:
        """Step 1 and 2: a script for ``topic`` with the outline's chapters and no text yet.

        Raises:
            ScriptError: empty topic.
            OutlineError: the model's reply held no outline, also after one retry that repeats
                the format (the message quotes the reply).
            LlmError: the model failed.
        """
        topic = topic.strip()
        if not topic:
            raise ScriptError("Enter a topic for the script.")
        lo, hi = self.chapters
        messages = [self._system(), ChatMessage("user", self._text("outline", topic=topic, lo=lo, hi=hi))]
        reply = await self.model.complete(messages, temperature=self.temperature)
        try:
            outline = parse_outline(reply, min_items=min(lo, 2))
        except OutlineError as first:
            log.info("outline unreadable, asking again", extra={"model": self.model.name})
            messages += [
                ChatMessage("assistant", reply),
                ChatMessage("user", self._text("retry", lo=lo, hi=hi)),
            ]
            reply = await self.model.complete(messages, temperature=self.temperature)
            try:
                outline = parse_outline(reply, min_items=min(lo, 2))
            except OutlineError as second:
                raise second from first
        if len(outline.items) > hi:
            log.info("outline trimmed", extra={"chapters": len(outline.items), "kept": hi})
            outline.items = outline.items[:hi]
        return self._script(topic, outline)

    def _script(self, topic: str, outline: Outline) -> Script:
        chapters = [Chapter(item.title, item.summary) for item in outline.items]
        return Script(title=outline.title or topic, chapters=chapters, topic=topic, language=self.language)

    def _chapter_messages(self, script: Script, index: int) -> list[ChatMessage]:
        chapter = script.chapters[index]
        listing = "\n".join(f"{n}. {c.title}" for n, c in enumerate(script.chapters, 1))
        notes = self._text("notes", summary=chapter.summary) if chapter.summary else ""
        prompt = self._text(
            "chapter",
            topic=script.topic or script.title,
            outline=listing,
            n=index + 1,
            title=chapter.title,
            notes=notes,
            sentences=self.sentences,
            tags=" ".join(f"[{e}]" for e in self.emotions),
        )
        return [self._system(), ChatMessage("user", prompt)]

    async def stream_chapter(self, script: Script, index: int) -> AsyncGenerator[str, None]:
        """Step 3 for one chapter: the model's text deltas as they arrive (tags included).

        Closing the iterator stops the request. The chapter itself is not changed; use
        :meth:`write_chapter` for that.

        Raises:
            IndexError: no chapter ``index``.
            LlmError: the model failed.
        """
        if not 0 <= index < len(script.chapters):
            raise IndexError(f"no chapter {index}")
        async for delta in self.model.stream(
            self._chapter_messages(script, index), temperature=self.temperature
        ):
            yield delta

    async def write_chapter(
        self, script: Script, index: int, on_delta: Callable[[int, str], None] | None = None
    ) -> Chapter:
        """Write chapter ``index`` (streamed; ``on_delta(index, delta)`` sees each piece) into ``script``.

        Raises:
            ScriptError: the model's reply had nothing to read aloud.
            LlmError: the model failed.
        """
        parts: list[str] = []
        stream = self.stream_chapter(script, index)
        try:
            async for delta in stream:
                parts.append(delta)
                if on_delta is not None:
                    on_delta(index, delta)
        finally:
            await stream.aclose()
        chapter = script.chapters[index]
        chapter.set_text(clean_chapter_text("".join(parts), chapter.title))
        if not chapter.sentences:
            raise ScriptError(f"The model wrote nothing to read for chapter {index + 1} ({chapter.title}).")
        return chapter

    async def write_all(self, script: Script, on_delta: Callable[[int, str], None] | None = None) -> Script:
        """Write every chapter that has no sentences yet, in order."""
        for index, chapter in enumerate(script.chapters):
            if not chapter.sentences:
                await self.write_chapter(script, index, on_delta)
        return script

    async def write(self, topic: str, on_delta: Callable[[int, str], None] | None = None) -> Script:
        """All three steps: topic -> outline -> every chapter."""
        return await self.write_all(await self.outline(topic), on_delta)


def clean_chapter_text(text: str, title: str = "") -> str:
    """Drop what a model adds around chapter text: a heading repeating the title, Markdown marks."""
    text = text.strip()
    first_line = text.split("\n", 1)[0]
    if _LEADING_HEADING.match(text + "\n") and (not title or title in first_line or "#" in first_line):
        text = text[len(first_line) :]
    return _MARKUP.sub("", text).strip()
