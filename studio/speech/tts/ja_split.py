"""Cutting Japanese text into phrases for Kokoro: early first audio, natural pauses."""

from __future__ import annotations

import re
from collections.abc import Iterator

from studio.core.frames import TextSpan

_MIN_PHRASE_CHARS = 6  # a 、-phrase shorter than this is spoken together with the next one
_SENTENCE_PAUSE_S = 0.25
_PHRASE_PAUSE_S = 0.08
_SENTENCE_END = re.compile(r"[。．！？!?…]+[」』）)\"”’]*|\n+")
_PHRASE_END = re.compile(r"[、，,;；:：]+")


def split_japanese(text: str) -> list[TextSpan]:
    """Cut Japanese text into phrases at 。！？ / newlines and 、.

    A short 、-phrase joins the next one, except the very first (it plays while the rest is made).

    Spans index into ``text``, come in order, do not overlap and carry no surrounding whitespace;
    pieces without a letter or digit are dropped. Thread affinity: any thread.
    """
    pieces: list[tuple[int, int]] = []
    pending: int | None = None  # start of a short phrase waiting to be joined
    for start, end, sentence_end in _raw_phrases(text):
        begin = start if pending is None else pending
        body = text[begin:end]
        short = sum(ch.isalnum() for ch in body) < _MIN_PHRASE_CHARS
        if pieces and short and not sentence_end:
            pending = begin
            continue
        pieces.append((begin, end))
        pending = None
    if pending is not None:
        pieces.append((pending, len(text)))
    if pieces:
        # Kokoro's time grows with the audio it makes: a long first phrase delays the first sound.
        pieces[0:1] = _split_long_first(text, *pieces[0])
    spans: list[TextSpan] = []
    for start, end in pieces:
        piece = text[start:end]
        stripped = piece.strip()
        if any(ch.isalnum() for ch in stripped):
            begin = start + len(piece) - len(piece.lstrip())
            spans.append(TextSpan(begin, begin + len(stripped), stripped))
    return spans


_FIRST_MAX_CHARS = 10
_PARTICLES = frozenset("はがをにでともへ")


def _is_content(ch: str) -> bool:
    """Kanji or katakana: a particle right after one ends a word."""
    return "\u4e00" <= ch <= "\u9fff" or "\u30a0" <= ch <= "\u30ff" or (ch.isascii() and ch.isalnum())


def _split_long_first(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut a long first phrase after its first particle that follows a word (about 4-8 characters in)."""
    letters = [i for i in range(start, end) if text[i].isalnum()]
    if len(letters) <= _FIRST_MAX_CHARS:
        return [(start, end)]
    for count, i in enumerate(letters, 1):
        if count < 4 or len(letters) - count < 3:
            continue
        nxt = text[i + 1] if i + 1 < end else ""
        if text[i] in _PARTICLES and _is_content(text[i - 1]) and nxt not in _PARTICLES:
            return [(start, i + 1), (i + 1, end)]
    return [(start, end)]


def _raw_phrases(text: str) -> Iterator[tuple[int, int, bool]]:
    start = 0
    for sentence in _SENTENCE_END.finditer(text):
        yield from _phrases_in(text, start, sentence.end())
        start = sentence.end()
    if start < len(text):
        yield from _phrases_in(text, start, len(text))


def _phrases_in(text: str, start: int, end: int) -> Iterator[tuple[int, int, bool]]:
    for match in _PHRASE_END.finditer(text, start, end):
        if match.end() < end:
            yield start, match.end(), False
            start = match.end()
    yield start, end, True


def pause_after(span: TextSpan) -> float:
    """Seconds of silence after a (non-final) phrase: longer after 。！？ than after 、, none after a cut."""
    last = span.text[-1]
    if _PHRASE_END.fullmatch(last):
        return _PHRASE_PAUSE_S
    if _SENTENCE_END.fullmatch(last) or last in '」』）)"”’':
        return _SENTENCE_PAUSE_S
    return 0.0  # a long first phrase cut after a particle: no audible break
