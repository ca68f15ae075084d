"""Text -> speakable text for Chinese, English and Japanese voices.

:func:`normalize` reads one language's text the way a voice of that language should say it:

======================  =====================  ==========================  ======================
written                 zh                     en                          ja
======================  =====================  ==========================  ======================
1234 / 1,234            一千二百三十四         one thousand two hundred    千二百三十四
                                               thirty-four
3.14 / -5               三点一四 / 负五        three point one four /      三点一四 / マイナス五
                                               minus five
10.5%                   百分之十点五           ten point five percent      十点五パーセント
2026年 / 2026-11-22     二零二六年 /           ... / November twenty-      二千二十六年 /
                        二零二六年十一月二十   second, twenty twenty-six   二千二十六年十一月二十
                        二日                                               二日
14:30 / 2:05 pm         十四点三十分 /         fourteen thirty /           十四時三十分 /
                        下午两点零五分         two oh five p m             午後二時五分
$5 / ¥100 / €3 / £2     五美元 / 一百元 ...    five dollars / one hundred  五ドル / 百円 ...
                                               yuan ...
25°C / 5km / 2kg        二十五摄氏度 /         twenty-five degrees         二十五度 / 五キロメートル
                        五公里 / 两公斤        Celsius / five kilometers
2个 / 第2               两个 / 第二            (1st -> first)              (11月22日 kept)
13812345678             一三八一二三四五六七八  one three eight ...         一三八一二三四五六七八
======================  =====================  ==========================  ======================

plus symbols (& + = × ÷ ~ @ #), ranges (3-5, 3~5), fractions (3/4), version numbers, markdown,
links, e-mail addresses, emoji, repeated punctuation and whitespace: see :mod:`.cleanup` for the
choices made there (emoji are dropped; URLs are read as the word for "link").

:func:`normalize_mixed` and :func:`normalize_segments` first cut mixed text into language runs
(:func:`~studio.speech.text.language.segment_languages`) and read each with its own rules, so
"Python 3 发布于2008年" becomes "Python three" + "发布于二零零八年".

All functions are pure and thread-safe; a clause takes well under a millisecond.
"""

from __future__ import annotations

import itertools

from studio.speech.text.cleanup import prepare, tidy, without_links
from studio.speech.text.language import LangSegment, dominant_language, segment_languages
from studio.speech.text.reader import NumberReader
from studio.speech.text.reader_en import EnglishReader
from studio.speech.text.reader_ja import JapaneseReader
from studio.speech.text.reader_zh import ChineseReader
from studio.speech.text.rules import apply_rules

__all__ = ["canonical_language", "normalize", "normalize_mixed", "normalize_segments"]

_READERS: dict[str, NumberReader] = {"zh": ChineseReader(), "en": EnglishReader(), "ja": JapaneseReader()}
_ALIASES = {"cmn": "zh", "zho": "zh", "chi": "zh", "cn": "zh", "eng": "en", "jp": "ja", "jpn": "ja"}


def canonical_language(language: str) -> str:
    """``"zh-CN"`` -> ``"zh"``, ``"ja_JP"`` -> ``"ja"``, ``"EN"`` -> ``"en"``; others lower-cased."""
    base = language.strip().replace("_", "-").split("-")[0].lower()
    return _ALIASES.get(base, base)


def normalize(text: str, language: str) -> str:
    """Rewrite ``text`` as a ``language`` voice should say it.

    Args:
        text: One language's text (a clause or a segment); Latin words inside Chinese are kept.
        language: ``"zh"``, ``"en"`` or ``"ja"`` (region suffixes are ignored), or ``"auto"`` for
            :func:`normalize_mixed`. Any other language gets the language-independent clean-up
            only (markdown, links, emoji, punctuation, whitespace) with English words for links.

    Returns:
        The speakable text, stripped; empty when nothing speakable was left (e.g. only emoji).
    """
    lang = canonical_language(language)
    if lang == "auto":
        return normalize_mixed(text)
    reader = _READERS.get(lang)
    if reader is None:
        return tidy(prepare(text, _READERS["en"]), _READERS["en"])
    return tidy(apply_rules(prepare(text, reader), reader), reader)


def normalize_segments(text: str, default: str = "zh") -> list[LangSegment]:
    """Normalise mixed-language text run by run.

    Links and e-mail addresses are replaced with the word of the text's dominant language, then
    each language run is read with its own rules.

    Args:
        text: Text that may mix Chinese, English and Japanese.
        default: Language of text without letters (see
            :func:`~studio.speech.text.language.segment_languages`).

    Returns:
        Normalised segments (empty ones dropped). Their offsets index the string
        :func:`normalize_mixed` returns: runs are joined with a space when either side is English.
    """
    default = canonical_language(default)
    lead = _READERS.get(dominant_language(without_links(text), default), _READERS["zh"])
    cleaned = prepare(text, lead)
    out: list[LangSegment] = []
    pos = 0
    for seg in segment_languages(cleaned, default):
        reader = _READERS[seg.language]
        spoken = tidy(apply_rules(seg.text, reader), reader)
        if not spoken:
            continue
        if out and out[-1].language == seg.language:
            prev = out.pop()
            pos = prev.start
            spoken = prev.text + (" " if seg.language == "en" else "") + spoken
        elif out and "en" in (out[-1].language, seg.language):
            pos += 1
        out.append(LangSegment(spoken, pos, pos + len(spoken), seg.language))
        pos += len(spoken)
    return out


def normalize_mixed(text: str, default: str = "zh") -> str:
    """Normalise mixed-language text, each language run with its own rules.

    Example:
        >>> normalize_mixed("今天我们聊 Python 3 和 AI，10%的人")
        '今天我们聊 Python three 和 AI，百分之十的人'
    """
    segments = normalize_segments(text, default)
    if not segments:
        return ""
    out = [segments[0].text]
    for prev, seg in itertools.pairwise(segments):
        out.append(" " * (seg.start - prev.end) + seg.text)
    return "".join(out)
