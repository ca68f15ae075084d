"""Stream scripts: chapters of sentences, editable, stored as JSON, read aloud by the script reader.

A :class:`Script` comes from a topic (the StreamCream 3-step flow: topic -> outline -> text per
chapter, see :mod:`studio.brain.script_writer`) or from pasted text (:func:`parse_pasted_script`,
no language model needed). Sentences keep the persona's emotion tags as data (``[happy] 太好了！``
is the sentence ``太好了！`` with emotion ``happy``) so the avatar shows them when it is read.

Everything here is plain data and pure functions. Thread: any; a script being edited belongs to
whoever edits it (the GUI passes copies to the engine through JSON).
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Final, cast

from studio.avatar.emotion import EMOTIONS, Emotion
from studio.brain.tags import emotion_in_span, strip_emotion_tags, tag_emotion
from studio.core.errors import StudioError
from studio.speech.text.splitter import ClauseSplitter

__all__ = [
    "FORMAT_VERSION",
    "Chapter",
    "Script",
    "ScriptError",
    "Sentence",
    "join_sentences",
    "parse_pasted_script",
    "split_sentences",
]

FORMAT_VERSION: Final = 1
_MAX_SENTENCE: Final = 160  # a sentence longer than this is cut at a clause mark or a space
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$")
_CHAPTER_LINE = re.compile(
    r"^(?:第\s*[0-9０-９一二三四五六七八九十百]+\s*[章节節部分回幕篇话話]"
    r"|(?:chapter|part|section)\s+(?:[0-9]+|[ivx]+)\b"
    r"|その\s*[0-9０-９一二三四五六七八九十]+)"
    r"(?=$|[\s:：、.．\-–—「『(（])",  # "第二章的第一句话。" is a sentence, not a heading
    re.IGNORECASE,
)
_BRACKET_LINE = re.compile(r"^[【\[]([^】\]]{1,30})[】\]]$")
_CJK_END: Final = frozenset("。！？…，、；：」』）》】”’")


class ScriptError(StudioError):
    """A script could not be read, written or generated."""

    code = "script_error"


@dataclass(slots=True)
class Sentence:
    """One sentence as it is spoken, with the emotion its tag named (``None``: none given)."""

    text: str
    emotion: Emotion | None = None

    @property
    def tagged(self) -> str:
        """The sentence as editable text: ``[happy] 太好了！``."""
        return f"[{self.emotion}] {self.text}" if self.emotion else self.text


@dataclass(slots=True)
class Chapter:
    """A chapter: title, notes from the outline, and its sentences (empty until written)."""

    title: str
    summary: str = ""
    sentences: list[Sentence] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The chapter as editable text, emotion tags included (what :meth:`set_text` takes)."""
        return join_sentences([s.tagged for s in self.sentences])

    @property
    def plain_text(self) -> str:
        """The chapter without tags (subtitles, previews)."""
        return join_sentences([s.text for s in self.sentences])

    def set_text(self, text: str) -> None:
        """Replace the sentences with ``text`` (tags allowed), split by the studio's splitter."""
        self.sentences = split_sentences(text)


@dataclass(slots=True)
class Script:
    """A stream script.

    Attributes:
        title: Shown in the GUI (the topic when generated).
        chapters: In reading order.
        topic: What the script was generated from ("" for a pasted one).
        language: ``zh``, ``en`` or ``ja``: the language prompts were written in.
        id: Stable id (storage key).
    """

    title: str
    chapters: list[Chapter] = field(default_factory=list)
    topic: str = ""
    language: str = "zh"
    id: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def sentence_count(self) -> int:
        """Sentences in all chapters."""
        return sum(len(c.sentences) for c in self.chapters)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the storage and API format)."""
        return {
            "format": FORMAT_VERSION,
            "id": self.id,
            "title": self.title,
            "topic": self.topic,
            "language": self.language,
            "chapters": [
                {
                    "title": c.title,
                    "summary": c.summary,
                    "sentences": [{"text": s.text, "emotion": s.emotion} for s in c.sentences],
                }
                for c in self.chapters
            ],
        }

    def to_json(self) -> str:
        """The script as JSON text (UTF-8 characters kept as they are)."""
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Any) -> Script:
        """Build a script from :meth:`to_dict` output.

        Raises:
            ScriptError: not a script, a newer format, or a field of the wrong type.
        """
        try:
            if not isinstance(data, dict):
                raise TypeError("a script is a JSON object")
            version = data.get("format", FORMAT_VERSION)
            if not isinstance(version, int) or version > FORMAT_VERSION:
                raise ScriptError(f"This script was saved by a newer studio (format {version}).")
            chapters = [_chapter_from(c) for c in _list(data.get("chapters", []), "chapters")]
            script = cls(
                title=_str(data.get("title", ""), "title"),
                chapters=chapters,
                topic=_str(data.get("topic", ""), "topic"),
                language=_str(data.get("language", "zh"), "language") or "zh",
            )
            if data.get("id"):
                script.id = _str(data["id"], "id")
            return script
        except (TypeError, ValueError) as exc:
            raise ScriptError(f"Not a valid script: {exc}") from exc

    @classmethod
    def from_json(cls, text: str) -> Script:
        """Parse :meth:`to_json` output.

        Raises:
            ScriptError: not JSON, or not a script.
        """
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ScriptError(f"Not a valid script: {exc}") from exc
        return cls.from_dict(data)


def _str(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be text")
    return value


def _list(value: Any, name: str) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError(f"{name} must be a list")
    return value


def _chapter_from(data: Any) -> Chapter:
    if not isinstance(data, dict):
        raise TypeError("a chapter is a JSON object")
    sentences: list[Sentence] = []
    for s in _list(data.get("sentences", []), "sentences"):
        if not isinstance(s, dict):
            raise TypeError("a sentence is a JSON object")
        emotion = s.get("emotion")
        if emotion is not None and emotion not in EMOTIONS:
            raise ValueError(f"unknown emotion {emotion!r}")
        sentences.append(Sentence(_str(s.get("text", ""), "text"), cast("Emotion | None", emotion)))
    return Chapter(_str(data.get("title", ""), "title"), _str(data.get("summary", ""), "summary"), sentences)


def _speakable(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def split_sentences(text: str) -> list[Sentence]:
    """Split chapter text into sentences with :class:`~studio.speech.text.splitter.ClauseSplitter`.

    Emotion tags are taken out; a tag counts for the sentence that follows it. Clauses are merged
    back into whole sentences (a sentence ends at ``。！？.!?…`` or a line break); a very long
    run without sentence ends is cut at a clause mark near :data:`_MAX_SENTENCE` characters.
    Pieces without letters or digits (``---``, ``……``) are dropped.
    """
    clean = strip_emotion_tags(text)
    splitter = ClauseSplitter(first_min_chars=1, min_chars=_MAX_SENTENCE // 2, max_chars=_MAX_SENTENCE)
    clauses = [*splitter.feed(clean.text), *splitter.flush()]
    sentences: list[Sentence] = []
    start = 0  # where the current sentence's text (and its tags) begins in clean.text
    first: int | None = None
    for clause in clauses:
        if first is None:
            first = clause.start
        if not clause.sentence_end and clause.end - first < _MAX_SENTENCE // 2:
            continue
        body = clean.text[first : clause.end].strip()
        if _speakable(body):
            sentences.append(Sentence(body, emotion_in_span(clean.tags, start, clause.end)))
            start = clause.end
        first = None
    if first is not None:
        body = clean.text[first:].strip()
        if _speakable(body):
            sentences.append(Sentence(body, emotion_in_span(clean.tags, start, len(clean.text) + 1)))
    return sentences


def join_sentences(parts: list[str]) -> str:
    """Join sentences into running text: no space after CJK punctuation, one after Latin text."""
    out = ""
    for part in parts:
        wide = out[-1:] in _CJK_END or part[:1] in _CJK_END or ord(part[:1] or " ") >= 0x2E80
        if out and (not wide or (part.startswith("[") and out[-1] not in _CJK_END)):
            out += " "
        out += part
    return out


def _heading_of(line: str) -> tuple[int, str] | None:
    """``(level, title)`` when ``line`` is a chapter heading in a pasted script, else ``None``."""
    stripped = line.strip()
    heading = _HEADING.match(stripped)
    if heading:
        return len(heading.group(1)), heading.group(2).strip().strip("*_").strip()
    if len(stripped) <= 40 and _CHAPTER_LINE.match(stripped):
        return 7, stripped.strip("*_").strip()
    bracket = _BRACKET_LINE.match(stripped)
    if bracket and tag_emotion(bracket.group(1)) is None:  # 【开心】 alone is a tag, not a title
        return 7, bracket.group(1).strip()
    return None


def _short_title(text: str, limit: int = 24) -> str:
    first = split_sentences(text)
    title = first[0].text if first else text.strip()
    return title if len(title) <= limit else title[: limit - 1] + "…"


def parse_pasted_script(text: str, title: str = "", language: str = "") -> Script:
    """Make a script from pasted text without a language model.

    Chapters start at Markdown headings (``## Opening``), chapter lines (``第一章 开场``,
    ``Chapter 2``, ``その3``) or bracketed title lines (``【开场】``); a lone top-level heading
    above deeper ones is the script's title. Without headings, paragraphs (blocks separated by
    blank lines) are the chapters. Sentences are split as :func:`split_sentences` does.

    Args:
        text: The pasted script.
        title: The script's title (default: its top heading, or its first words).
        language: ``zh``/``en``/``ja`` (default: the script's dominant language).

    Raises:
        ScriptError: nothing speakable in ``text``.
    """
    from studio.speech.text.language import dominant_language

    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    headings = [(i, h) for i, h in ((i, _heading_of(ln)) for i, ln in enumerate(lines)) if h is not None]
    chapters: list[Chapter] = []
    if headings:
        top = min(level for _, (level, _) in headings)
        first_index, (first_level, first_title) = headings[0]
        lone_top = sum(1 for _, (level, _) in headings if level == top) == 1
        skip = -1
        if first_level == top and lone_top and len(headings) > 1 and not "".join(lines[:first_index]).strip():
            title = title or first_title  # "# Title" above "## Chapter" headings
            skip = first_index
            headings = headings[1:]
        intro = "\n".join(ln for k, ln in enumerate(lines[: headings[0][0]]) if k != skip)
        if _speakable(strip_emotion_tags(intro).text):
            chapters.append(Chapter("", sentences=split_sentences(intro)))
        for n, (index, (_, heading)) in enumerate(headings):
            end = headings[n + 1][0] if n + 1 < len(headings) else len(lines)
            chapters.append(Chapter(heading, sentences=split_sentences("\n".join(lines[index + 1 : end]))))
    else:
        for block in re.split(r"\n\s*\n", "\n".join(lines)):
            sentences = split_sentences(block)
            if sentences:
                chapters.append(Chapter(_short_title(block), sentences=sentences))
    chapters = [c for c in chapters if c.sentences or c.title]
    if not any(c.sentences for c in chapters):
        raise ScriptError("The pasted script has no text to read.")
    plain = " ".join(c.plain_text for c in chapters)
    return Script(
        title=title or _short_title(plain),
        chapters=chapters,
        language=language or dominant_language(plain),
    )
