"""Which parts of a text are Chinese, English or Japanese, by Unicode script alone.

No model and no dictionary: the script of each character decides, which is fast (a few
microseconds per clause), deterministic and good enough to route text to a Mandarin, an English or
a Japanese voice.

Rules:

- Latin letters (ASCII, Latin-1/Extended, full-width) are English, even a short token such as
  "AI" inside Chinese: a Mandarin voice cannot say it well. One exception: a single letter glued to
  Han characters ("B站", "A股", "X光", "T恤") is part of a Chinese (or Japanese) word and stays there.
- Kana (and 々) are Japanese. Han characters are Japanese when their sentence holds any kana,
  otherwise Chinese. A sentence of Han characters only is Japanese when it sits between Japanese
  sentences, or when ``default`` is ``"ja"`` and no Chinese sentence borders it.
- Digits, punctuation, spaces and symbols take the language of their neighbours. Between two
  languages: an opening bracket or quote starts the next part, a punctuation mark ends the
  previous one ("AI，" + "10%的人"), other characters glued to a word go with it ("GPT4", "3个",
  "5G"), and spaces go to the Chinese/Japanese side ("聊 " + "Python" + " 和 ").
- Hangul, Cyrillic, Greek and other scripts count as neutral here.

Everything here is pure and thread-safe.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

__all__ = ["LANGUAGES", "LangSegment", "dominant_language", "segment_languages"]

LANGUAGES = ("zh", "en", "ja")

_NEUTRAL, _HAN, _KANA, _LATIN = 0, 1, 2, 3
_SENTENCE_END = frozenset("。！？!?．\n")
_OPENERS = frozenset("([{（［｛「『【〔〈《“‘")
_PAUSES = frozenset("。！？!?．.，,、；;：:…")


@dataclass(frozen=True, slots=True)
class LangSegment:
    """A run of text in one language.

    Attributes:
        text: The characters ``start:end`` of the text that was segmented.
        start: Offset of the first character.
        end: Offset after the last character.
        language: ``"zh"``, ``"en"`` or ``"ja"``.
    """

    text: str
    start: int
    end: int
    language: str


def _script(ch: str) -> int:
    o = ord(ch)
    if o < 0x80:
        return _LATIN if ch.isalpha() else _NEUTRAL
    if 0x3041 <= o <= 0x30FA or 0x30FC <= o <= 0x30FF or 0x31F0 <= o <= 0x31FF or 0xFF66 <= o <= 0xFF9F:
        return _KANA
    if o == 0x3005:  # 々 is a Japanese iteration mark
        return _KANA
    if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x2FA1F:
        return _HAN
    if o == 0x3007:  # 〇
        return _HAN
    if ch.isalpha() and (0xC0 <= o <= 0x24F or 0x1E00 <= o <= 0x1EFF or 0xFF21 <= o <= 0xFF5A):
        return _LATIN
    return _NEUTRAL


def _sentence_han_languages(scripts: list[int], text: str, default: str) -> list[str]:
    """The language of Han characters, per character position (only meaningful at Han positions)."""
    # (start, end, has_kana, has_han) per sentence
    sentences: list[tuple[int, int, bool, bool]] = []
    start = 0
    kana = han = False
    for i, ch in enumerate(text):
        kana = kana or scripts[i] == _KANA
        han = han or scripts[i] == _HAN
        if ch in _SENTENCE_END or i == len(text) - 1:
            sentences.append((start, i + 1, kana, han))
            start, kana, han = i + 1, False, False
    cjk = [(s, e, "ja" if k else "zh") for s, e, k, h in sentences if k or h]
    resolved: list[tuple[int, int, str]] = []
    for idx, (s, e, lang) in enumerate(cjk):
        if lang == "ja":
            resolved.append((s, e, lang))
            continue
        prev = cjk[idx - 1][2] if idx > 0 else None
        nxt = cjk[idx + 1][2] if idx + 1 < len(cjk) else None
        resolved.append((s, e, _han_only_language(prev, nxt, default)))
    out = [default] * len(text)
    for s, e, lang in resolved:
        out[s:e] = [lang] * (e - s)
    return out


def _han_only_language(prev: str | None, nxt: str | None, default: str) -> str:
    """A sentence without kana: Chinese unless its Japanese surroundings say otherwise."""
    neighbours = [lang for lang in (prev, nxt) if lang is not None]
    if neighbours and all(lang == "ja" for lang in neighbours) and (len(neighbours) == 2 or default == "ja"):
        return "ja"
    if not neighbours and default == "ja":
        return "ja"
    return "zh"


def _split_gap(gap: str, left: str, right: str) -> int:
    """How many characters of a neutral ``gap`` between a ``left`` and a ``right`` run go left."""
    spaces = [i for i, ch in enumerate(gap) if ch.isspace()]
    if not spaces:
        for i, ch in enumerate(gap):
            if ch in _OPENERS:
                return i
        marks = [i for i, ch in enumerate(gap) if ch in _PAUSES]
        if marks:
            return marks[-1] + 1  # "AI，" + "10%的人"
        if right == "en" and left != "en":
            i = len(gap)
            while i > 0 and gap[i - 1].isdigit():
                i -= 1
            return i
        return len(gap)
    first, last = spaces[0], spaces[-1]
    for i in range(last + 1, len(gap)):
        if gap[i] in _OPENERS:
            return i
    if left == "en" and right != "en":
        k = last
        while k > first and gap[k - 1].isspace():
            k -= 1
        return k
    return last + 1


def _strong_runs(text: str, default: str) -> list[list[int | str]]:
    """Maximal runs ``[start, end, language]`` of letters, neutral characters excluded."""
    scripts = [_script(ch) for ch in text]
    han_lang = _sentence_han_languages(scripts, text, default)
    runs: list[list[int | str]] = []
    for i, sc in enumerate(scripts):
        if sc == _NEUTRAL:
            continue
        lang = "en" if sc == _LATIN else "ja" if sc == _KANA else han_lang[i]
        if runs and runs[-1][1] == i and runs[-1][2] == lang:
            runs[-1][1] = i + 1
        else:
            runs.append([i, i + 1, lang])
    return runs


def _absorb_single_letters(runs: list[list[int | str]]) -> None:
    """A lone letter glued to Han characters (B站, A股) joins the Chinese/Japanese word."""
    for k, run in enumerate(runs):
        s, e, lang = int(run[0]), int(run[1]), run[2]
        if lang != "en" or e - s != 1:
            continue
        before = runs[k - 1] if k > 0 else None
        after = runs[k + 1] if k + 1 < len(runs) else None
        if after is not None and after[2] != "en" and after[0] == e:
            run[2] = after[2]
        elif before is not None and before[2] != "en" and before[1] == s:
            # "维生素C" yes, but "C罗" is caught above; the right side wins when both are glued.
            run[2] = before[2]


def segment_languages(text: str, default: str = "zh") -> list[LangSegment]:
    """Cut ``text`` into runs of one language each.

    The segments cover ``text`` exactly: their texts concatenated give ``text`` back, and
    ``text[seg.start:seg.end] == seg.text``. Neighbouring segments always differ in language.

    Args:
        text: Any text; may mix Chinese, English and Japanese.
        default: Language for text without letters of any script (digits or punctuation only),
            and the tie-breaker for kanji-only Japanese (see the module docstring).

    Returns:
        The segments in order; empty for empty ``text``.

    Example:
        >>> [(s.text, s.language) for s in segment_languages("今天我们聊 Python 和 AI")]
        [('今天我们聊 ', 'zh'), ('Python', 'en'), (' 和 ', 'zh'), ('AI', 'en')]
    """
    if not text:
        return []
    runs = _strong_runs(text, default)
    if not runs:
        return [LangSegment(text, 0, len(text), default)]
    _absorb_single_letters(runs)
    merged: list[list[int | str]] = []
    for run in runs:
        if merged and merged[-1][2] == run[2]:
            merged[-1][1] = run[1]
        else:
            merged.append(list(run))
    bounds = [0]
    for left, right in itertools.pairwise(merged):
        gap_start, gap_end = int(left[1]), int(right[0])
        cut = gap_start + _split_gap(text[gap_start:gap_end], str(left[2]), str(right[2]))
        bounds.append(cut)
    bounds.append(len(text))
    segments: list[LangSegment] = []
    for k, run in enumerate(merged):
        s, e = bounds[k], bounds[k + 1]
        segments.append(LangSegment(text[s:e], s, e, str(run[2])))
    return segments


def dominant_language(text: str, default: str = "zh") -> str:
    """The language most of ``text`` would be spoken in.

    Han and kana characters weigh one each; Latin letters a third each (an English word takes
    about as long to say as one or two Chinese characters).

    Args:
        text: Any text.
        default: Returned for text without letters, and on a tie.
    """
    weight = {"zh": 0.0, "en": 0.0, "ja": 0.0}
    for seg in segment_languages(text, default):
        letters = sum(1 for ch in seg.text if _script(ch) != _NEUTRAL)
        weight[seg.language] += letters / 3 if seg.language == "en" else letters
    best = max(weight.values())
    if best == 0:
        return default
    top = [lang for lang, w in weight.items() if w == best]
    return default if default in top or len(top) > 1 else top[0]
