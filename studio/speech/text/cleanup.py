"""Language-independent clean-up before numbers are read: width folding, markdown, links, emoji,
repeated punctuation, line breaks; and the final tidying of spaces and punctuation.

Choices (stated once, relied on by tests):

- Emoji are dropped, all of them (pictographs, dingbats such as ★ ♪ ✓, flags, skin tones, ZWJ
  sequences, variation selectors; a keycap "1️⃣" keeps its digit). Reading their names ("face with
  tears of joy") mid-sentence sounds wrong; the avatar shows the emotion instead.
- A URL (``http(s)://``, ``ftp://``, ``www.``) is read as the language's word for "link" (链接,
  link, リンク) and an e-mail address as "e-mail address" (邮箱, email address, メールアドレス):
  spelling them out is long and useless on a stream, and the chat shows them anyway. A bare
  domain such as "example.com" is spoken with the dot read out ("example dot com"), since someone
  named it on purpose.
- Markdown: (spans up to 200 characters on one line, so that clean-up stays linear in the text
  length) fences, headings, quotes, bullets, emphasis, inline code marks and table pipes go;
  the text inside stays (code in fences too). ``[text](url)`` and ``![alt](url)`` keep the text.
  Ordered list numbers stay ("1." -> "1, "), rules and table separator rows go.
"""

from __future__ import annotations

import re

from studio.speech.text.reader import NumberReader

__all__ = ["prepare", "tidy", "without_links"]

_FOLD = {chr(0xFF10 + i): chr(0x30 + i) for i in range(10)}
_FOLD |= {chr(0xFF21 + i): chr(0x41 + i) for i in range(26)} | {
    chr(0xFF41 + i): chr(0x61 + i) for i in range(26)
}
_FOLD |= {"％": "%", "＋": "+", "＝": "=", "＆": "&", "＠": "@", "＄": "$", "＃": "#", "／": "/", "－": "-"}
_FOLD |= {"−": "-", "\u00a0": " ", "\u200b": "", "\ufeff": ""}
_WIDTH = str.maketrans(_FOLD)
_WIDE_POINT = re.compile(r"(?<=\d)．(?=\d)")

_FENCE = re.compile(r"(?m)^[ \t]*(?:```|~~~)[^\n]*$\n?")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_HTML = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>\n]*)?/?>")
_TABLE_RULE = re.compile(r"(?m)^[ \t]*(?:\|[ \t]*)?:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*(?:\|[ \t]*)?$")
_TABLE_ROW = re.compile(r"(?m)^[ \t]*\|(.*)\|[ \t]*$")
_HEADING = re.compile(r"(?m)^[ \t]{0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$")
_QUOTE = re.compile(r"(?m)^[ \t]{0,3}>[ \t]?")
_RULE = re.compile(r"(?m)^[ \t]{0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_BULLET = re.compile(r"(?m)^[ \t]*[-*+•·▪◦●][ \t]+")
_ORDERED = re.compile(r"(?m)^[ \t]*(\d{1,3})[.)][ \t]+")
_LINK = re.compile(
    r"!?\[([^\]\n]{0,200})\]\((?:[^()\s]|\([^()\s]{0,200}\)){0,500}(?:\s+\"[^\"\n]{0,200}\")?\)"
)
_CODE = re.compile(r"(`{1,3})([^\n]{1,200}?)\1")
_STRONG = re.compile(r"(\*\*|__)(?=\S)([^\n]{1,200}?)(?<=\S)\1")
_EMPHASIS = re.compile(
    r"(?<![\w*])\*(?=[^\s*])([^\n]{1,200}?)(?<=[^\s*])\*(?![\w*])|(?<!\w)_(?=\S)([^\n]{1,200}?)(?<=\S)_(?!\w)"
)
_STRIKE = re.compile(r"~~(?=\S)([^\n]{1,200}?)(?<=\S)~~")

_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_URL_CHARS = r"[^\s<>\"'，。！？、；：（）「」『』【】《》\u3000-\u30ff\u4e00-\u9fff]"
_URL = re.compile(rf"(?:(?:https?|ftp)://|www\.){_URL_CHARS}+")
_URL_TAIL = re.compile(r"[.,;:!?)\]'\"]+$")
_TLD = r"(?:com|net|org|io|cn|jp|dev|ai|tv|me|co|gg|app|info|edu|gov|uk|de)"
_DOMAIN = re.compile(rf"(?<![A-Za-z0-9_@.-])(?:[A-Za-z0-9-]+\.)+{_TLD}(?![A-Za-z0-9_-])(/{_URL_CHARS}*)?")

_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\ufe0e\ufe0f\u200d\u20e3"
    "\U000e0020-\U000e007f\U0001f1e6-\U0001f1ff]+"
)
_ELLIPSIS = re.compile(r"(?:\.{3,}|…|。{3,}|・{3,})+")
_DOUBLE_STOP = re.compile(r"。{2}")
_BANG = re.compile(r"[!！?？][!！?？]+")
_REPEAT = re.compile(r"([，,、；;：:~～])\1+")
_SPACES = re.compile(r"[ \t\u3000]+")
_LINE_END = frozenset("。！？!?.…，,；;：:、~～")
_CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_EN_PUNCT = str.maketrans(
    {
        "，": ", ",
        "。": ". ",
        "！": "! ",
        "？": "? ",
        "；": "; ",
        "：": ": ",
        "、": ", ",
        "（": " (",
        "）": ") ",
    }
    | {"「": '"', "」": '"', "『": '"', "』": '"', "“": '"', "”": '"', "‘": "'", "’": "'", "…": "..."}
)
_SPACE_BEFORE_PUNCT = re.compile(r"(?<! ) +(?=[,.!?;:)])")


def _markdown(text: str, reader: NumberReader) -> str:
    text = _FENCE.sub("", text)
    text = _BR.sub("\n", text)
    text = _HTML.sub("", text)
    text = _TABLE_RULE.sub("", text)
    text = _TABLE_ROW.sub(
        lambda m: reader.cell_separator.join(c.strip() for c in m.group(1).split("|") if c.strip()), text
    )
    text = _HEADING.sub(r"\1", text)
    text = _RULE.sub("", text)
    text = _QUOTE.sub("", text)
    text = _BULLET.sub("", text)
    text = _ORDERED.sub(lambda m: m.group(1) + reader.cell_separator, text)
    text = _LINK.sub(r"\1", text)
    text = _CODE.sub(r"\2", text)
    text = _STRONG.sub(r"\2", text)
    text = _EMPHASIS.sub(lambda m: m.group(1) or m.group(2), text)
    return _STRIKE.sub(r"\1", text)


def _url(reader: NumberReader, m: re.Match[str]) -> str:
    tail = _URL_TAIL.search(m.group(0))
    return f" {reader.link_word} " + (tail.group(0) if tail else "")


def _domain(reader: NumberReader, m: re.Match[str]) -> str:
    if m.group(1) and len(m.group(1)) > 1:
        return f" {reader.link_word} "
    return reader.dot_word.join(m.group(0).rstrip("/").split("."))


def _bangs(m: re.Match[str]) -> str:
    run = m.group(0)
    if "?" in run or "？" in run:
        return "？" if "？" in run else "?"
    return run[0]


def _join_lines(text: str, reader: NumberReader) -> str:
    lines = [ln for ln in (_SPACES.sub(" ", ln).strip() for ln in text.split("\n")) if ln]
    out: list[str] = []
    for k, line in enumerate(lines):
        ends = k == len(lines) - 1 or line[-1] in _LINE_END
        out.append(line if ends else line + reader.full_stop)
    return ("" if reader.cjk else " ").join(out)


def without_links(text: str) -> str:
    """``text`` with URLs and e-mail addresses removed (to judge its language)."""
    return _URL.sub(" ", _EMAIL.sub(" ", text))


def prepare(text: str, reader: NumberReader) -> str:
    """Fold widths, strip markdown, replace links and e-mails, drop emoji, collapse repeated
    punctuation and join lines (adding ``reader.full_stop`` where a line had no ending)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_WIDTH)
    text = _WIDE_POINT.sub(".", text)
    text = _markdown(text, reader)
    text = _EMAIL.sub(f" {reader.email_word} ", text)
    text = _URL.sub(lambda m: _url(reader, m), text)
    text = _DOMAIN.sub(lambda m: _domain(reader, m), text)
    text = _EMOJI.sub("", text)
    text = _ELLIPSIS.sub(reader.ellipsis, text)
    text = _DOUBLE_STOP.sub("。", text)
    text = _BANG.sub(_bangs, text)
    text = _REPEAT.sub(r"\1", text)
    return _join_lines(text, reader)


def tidy(text: str, reader: NumberReader) -> str:
    """Final spacing: one space at most, none between CJK characters; ASCII punctuation in English."""
    if not reader.cjk:
        text = text.translate(_EN_PUNCT)
    text = _SPACES.sub(" ", text)
    text = _CJK_GAP.sub("", text) if reader.cjk else _SPACE_BEFORE_PUNCT.sub("", text)
    return text.strip()
