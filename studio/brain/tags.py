"""Emotion tags in LLM output: ``[happy] 太好了！`` -> text ``太好了！`` plus a tag at offset 0.

The persona prompt asks the model to mark the tone of a sentence with a bracketed word. Tags are
taken out of the text before it reaches TTS or subtitles, and reported with their character offset
in the cleaned text, so whoever splits the text into sentences can tell which sentence a tag
belongs to (:func:`emotion_in_span`) and publish an :class:`EmotionTagEvent` before speaking it.

:class:`EmotionTagParser` works on the streamed deltas: a tag split across deltas (``"[hap"``,
``"py] Hi"``) is held back until it is complete, never half-emitted. Bracketed text that is not an
emotion word (``[1]``, ``[link]``, a long aside) passes through unchanged. Brackets: ``[]``,
full-width ``［］`` and ``【】``. Tag words: the six emotions and English synonyms
(:func:`~studio.avatar.emotion.normalize_emotion`) plus the Chinese and Japanese words below.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from studio.avatar.emotion import Emotion, normalize_emotion
from studio.core.events import Event

# Chinese (simplified and traditional) and Japanese tag words -> emotion.
TAG_ALIASES: Final[dict[str, Emotion]] = {
    # zh
    "平静": "neutral", "中性": "neutral", "正常": "neutral", "默认": "neutral", "思考": "neutral",
    "开心": "happy", "開心": "happy", "高兴": "happy", "高興": "happy", "快乐": "happy",
    "快樂": "happy", "喜悦": "happy", "兴奋": "happy", "興奮": "happy", "笑": "happy", "微笑": "happy",
    "难过": "sad", "難過": "sad", "伤心": "sad", "傷心": "sad", "悲伤": "sad", "悲傷": "sad",
    "哭": "sad", "失落": "sad", "沮丧": "sad", "遗憾": "sad",
    "生气": "angry", "生氣": "angry", "愤怒": "angry", "憤怒": "angry", "恼火": "angry", "不满": "angry",
    "惊讶": "surprised", "驚訝": "surprised", "吃惊": "surprised", "震惊": "surprised",
    "惊喜": "surprised", "意外": "surprised", "害怕": "surprised",
    "害羞": "shy", "不好意思": "shy", "脸红": "shy", "臉紅": "shy", "羞涩": "shy", "难为情": "shy",
    "尴尬": "shy",
    # ja
    "普通": "neutral", "通常": "neutral", "無表情": "neutral", "ニュートラル": "neutral",
    "嬉しい": "happy", "うれしい": "happy", "楽しい": "happy", "たのしい": "happy", "喜び": "happy",
    "笑顔": "happy", "ハッピー": "happy",
    "悲しい": "sad", "かなしい": "sad", "寂しい": "sad", "さびしい": "sad", "泣く": "sad",
    "怒り": "angry", "怒る": "angry", "怒った": "angry", "ムカつく": "angry", "イライラ": "angry",
    "驚き": "surprised", "驚く": "surprised", "びっくり": "surprised",
    "恥ずかしい": "shy", "はずかしい": "shy", "照れ": "shy", "照れる": "shy",
}  # fmt: skip

_PAIRS: Final[dict[str, str]] = {"[": "]", "［": "］", "【": "】"}
_MAX_WORD: Final = 16  # longest tag word looked for; longer bracketed text is passed through


def tag_emotion(word: str) -> Emotion | None:
    """The emotion a tag word names (``"Happy"``, ``"开心"``, ``"悲しい"``), or ``None``. Thread: any."""
    word = word.strip()
    return TAG_ALIASES.get(word) or normalize_emotion(word)


@dataclass(frozen=True, slots=True)
class EmotionTag:
    """One tag found in the stream.

    Attributes:
        emotion: What it names.
        offset: Index in the cleaned text (all text emitted by the parser so far) where the tag
            stood; the text that followed it starts here.
        raw: The tag as written, brackets included.
    """

    emotion: Emotion
    offset: int
    raw: str


@dataclass(frozen=True, slots=True)
class TaggedText:
    """Cleaned text released by one :meth:`EmotionTagParser.feed` call and the tags it held."""

    text: str
    tags: tuple[EmotionTag, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class EmotionTagEvent(Event):
    """The sentence ``text`` (exactly as it will be spoken) carries ``emotion`` from an LLM tag.

    Publish it before the sentence is spoken; the avatar director then shows that emotion instead
    of classifying the sentence.
    """

    text: str
    emotion: Emotion


class EmotionTagParser:
    """Removes emotion tags from a stream of text deltas. One instance per LLM reply.

    Thread: whichever single task consumes the stream (usually the engine loop); not shared.
    """

    def __init__(self) -> None:
        self._emitted = 0
        self._pending = ""  # an opening bracket and what followed it, not yet decided
        self._last = ""  # last emitted character ("" at the start)
        self._eat_space = False  # drop one space after a tag that stood between spaces

    @property
    def emitted(self) -> int:
        """Characters of cleaned text released so far (the next tag offset is at least this)."""
        return self._emitted

    def feed(self, delta: str) -> TaggedText:
        """Take the next delta; return the text that is certain now and the tags completed in it."""
        out: list[str] = []
        tags: list[EmotionTag] = []
        for ch in delta:
            self._step(ch, out, tags)
        return TaggedText("".join(out), tuple(tags))

    def flush(self) -> TaggedText:
        """End of the stream: release anything held back (an unclosed bracket is plain text)."""
        out: list[str] = []
        pending, self._pending = self._pending, ""
        self._emit(pending, out)
        self._eat_space = False
        return TaggedText("".join(out))

    def reset(self) -> None:
        """Start a new stream (offsets restart at 0)."""
        self._emitted = 0
        self._pending = ""
        self._last = ""
        self._eat_space = False

    def _emit(self, text: str, out: list[str]) -> None:
        if not text:
            return
        if self._eat_space:
            self._eat_space = False
            if text[0] == " ":
                text = text[1:]
                if not text:
                    return
        out.append(text)
        self._emitted += len(text)
        self._last = text[-1]

    def _step(self, ch: str, out: list[str], tags: list[EmotionTag]) -> None:
        pending = self._pending
        if not pending:
            if ch in _PAIRS:
                self._pending = ch
            else:
                self._emit(ch, out)
            return
        if ch == _PAIRS[pending[0]]:
            self._pending = ""
            emotion = tag_emotion(pending[1:])
            if emotion is None:
                self._emit(pending + ch, out)
                return
            tags.append(EmotionTag(emotion, self._emitted, pending + ch))
            self._eat_space = self._last in ("", " ", "\n", "\t")
            return
        if ch in _PAIRS:  # a new opening bracket: what was held cannot be a tag
            self._emit(pending, out)
            self._pending = ch
            return
        if ch == "\n" or len(pending) > _MAX_WORD:
            self._pending = ""
            self._emit(pending + ch, out)
            return
        self._pending = pending + ch


def strip_emotion_tags(text: str) -> TaggedText:
    """Remove the emotion tags from a whole string. Thread: any."""
    parser = EmotionTagParser()
    head = parser.feed(text)
    tail = parser.flush()
    return TaggedText(head.text + tail.text, head.tags)


def emotion_in_span(tags: Iterable[EmotionTag], start: int, end: int) -> Emotion | None:
    """The emotion of the cleaned text ``[start, end)``: its first tag, else ``None``.

    A tag written right after a sentence (``好的。[happy]``) has ``offset == end`` and counts for
    the next sentence, which is how persona prompts put tags (before the sentence they colour).
    """
    for tag in tags:
        if start <= tag.offset < end:
            return tag.emotion
    return None
