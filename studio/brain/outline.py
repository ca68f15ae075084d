"""Reading a stream outline out of whatever a language model wrote.

StreamCream asked for ``1. 标题`` lines and parsed them with one regular expression; models answer
in many shapes. :func:`parse_outline` accepts, in zh/en/ja:

- JSON (bare or in a code fence): a list of titles, a list of objects (``title``/``name``/``标题``
  and ``summary``/``description``/``points``...), or an object holding such a list under
  ``chapters``/``outline``/``sections``/``章节``/``大纲``, with an optional ``title``.
- Numbered lines: ``1.`` ``1、`` ``1)`` ``(1)`` ``１．`` ``①`` ``一、`` ``第1章`` ``第一部分``
  ``Chapter 2:`` ``Part 3 -`` ``その1``.
- Bullets: ``-`` ``*`` ``+`` ``•`` ``・`` ``●``.
- Markdown headings (``## 1. Opening``); a lone top heading above them is the outline's title.
- Bold titles with a summary (``**Opening**: say hello``); sub-points under an item become its
  summary. Chatter around the list ("Sure! Here is the outline:") is ignored.

The chapter level is the first kind of marked line (heading level, numbering or bullet at an
indent) that occurs at least three times, else at least twice; lines of other kinds between two
chapters are that chapter's notes. Thread: any (pure functions).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Final

from studio.core.errors import StudioError

__all__ = ["Outline", "OutlineError", "OutlineItem", "parse_outline"]


class OutlineError(StudioError):
    """The text holds no usable outline (the message says what was expected and what came)."""

    code = "outline_unusable"


@dataclass(slots=True)
class OutlineItem:
    """One chapter of an outline: its title and optional notes on what it covers."""

    title: str
    summary: str = ""


@dataclass(slots=True)
class Outline:
    """A parsed outline."""

    items: list[OutlineItem] = field(default_factory=list)
    title: str = ""


_NUM: Final = r"[0-9０-９]{1,2}"
_CJK_NUM: Final = r"[一二三四五六七八九十百]{1,3}"
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_NUMBERED = re.compile(
    rf"""^(?:
        [(（]\s*(?:{_NUM}|{_CJK_NUM})\s*[)）]              # (1) （一）
      | {_NUM}\s*(?:[.．、:：)）]|\s-\s)(?!\d)             # 1. 1、 1) 1: ("3.14" is no marker)
      | {_CJK_NUM}\s*[、.．:：]                            # 一、
      | [①-⑳]
      | 第\s*(?:{_NUM}|{_CJK_NUM})\s*[章节節部分回幕篇话話段]+\s*[.:：、\-–—]?  # 第1章 第一部分
      | (?:chapter|part|section|step|segment)\s+(?:{_NUM}|[ivx]{{1,4}})\b\s*[.:：\-–—]?
      | その\s*(?:{_NUM}|{_CJK_NUM})\s*[.:：、]?
    )\s*""",
    re.IGNORECASE | re.VERBOSE,
)
_BULLET = re.compile(r"^(?:[-*+]\s+|[•・●○◆◇▪▸‣]\s*)")
_FENCE = re.compile(r"```[a-zA-Z]*\s*\n?(.*?)```", re.DOTALL)
_EMPHASIS = re.compile(r"(\*\*|__|`)")
_BOLD_HEAD = re.compile(r"^\*\*(.+?)\*\*\s*[:：\-–—]?\s*(.*)$")
_SEPARATORS: Final = ("：", ": ", " - ", " — ", " – ", "——")
_QUOTES: Final = {"「": "」", "『": "』", "《": "》", "“": "”", '"': '"', "【": "】"}
_TITLE_KEYS: Final = ("title", "name", "chapter", "heading", "标题", "標題", "章节", "タイトル")
_SUMMARY_KEYS: Final = (
    "summary", "description", "content", "points", "notes", "outline", "要点", "内容", "概要", "説明",
)  # fmt: skip
_LIST_KEYS: Final = ("chapters", "outline", "sections", "items", "parts", "章节", "大纲", "章", "目次")
_MAX_TITLE: Final = 80


def _clean(text: str) -> str:
    text = _EMPHASIS.sub("", text).strip().strip(":：、").strip()
    if len(text) >= 2 and _QUOTES.get(text[0]) == text[-1]:
        text = text[1:-1].strip()
    return text


def _title_and_summary(content: str) -> tuple[str, str]:
    bold = _BOLD_HEAD.match(content.strip())
    if bold:
        return _clean(bold.group(1)), _clean(bold.group(2))
    content = content.strip()
    for sep in _SEPARATORS:
        head, found, tail = content.partition(sep)
        if found and head.strip() and tail.strip() and len(head.strip()) <= 30:
            return _clean(head), _clean(tail)
    return _clean(content), ""


@dataclass(slots=True)
class _Line:
    key: tuple[str, int] | None  # kind and level; None for plain text
    content: str


def _classify(raw: str) -> _Line:
    expanded = raw.replace("\t", "    ")
    indent = (len(expanded) - len(expanded.lstrip())) // 2
    text = expanded.strip()
    heading = _HEADING.match(text)
    if heading:
        content = _NUMBERED.sub("", heading.group(2), count=1)
        return _Line(("h", len(heading.group(1))), content)
    numbered = _NUMBERED.match(text)
    if numbered and text[numbered.end() :].strip():
        return _Line(("n", indent), text[numbered.end() :])
    if text.startswith(("**", "__")):  # "**1. Opening**: ..." keeps its bold title
        numbered = _NUMBERED.match(text[2:])
        if numbered and text[2 + numbered.end() :].strip():
            return _Line(("n", indent), text[:2] + text[2 + numbered.end() :])
    bullet = _BULLET.match(text)
    if bullet and text[bullet.end() :].strip():
        return _Line(("b", indent), text[bullet.end() :])
    return _Line(None, text)


def _choose_level(lines: list[_Line]) -> tuple[str, int] | None:
    counts: dict[tuple[str, int], int] = {}
    for line in lines:
        if line.key is not None:
            counts[line.key] = counts.get(line.key, 0) + 1
    for least in (3, 2):
        for key, count in counts.items():  # dicts keep first-appearance order
            if count >= least:
                return key
    return None


def _from_lines(text: str) -> Outline:
    lines = [_classify(raw) for raw in text.splitlines() if raw.strip()]
    level = _choose_level(lines)
    outline = Outline()
    if level is None:
        # No markers at all: short plain lines, one chapter each ("Opening\nGames\n...").
        plain = [ln.content for ln in lines if not ln.content.endswith((":", "："))]
        if len(plain) >= 3 and all(len(p) <= 60 for p in plain):
            outline.items = [OutlineItem(*_title_and_summary(p)) for p in plain]
        return outline
    notes: list[str] = []
    for index, line in enumerate(lines):
        if line.key == level:
            if outline.items and notes:
                outline.items[-1].summary = "; ".join(filter(None, [outline.items[-1].summary, *notes]))
            notes = []
            title, summary = _title_and_summary(line.content)
            if title:
                outline.items.append(OutlineItem(title[:_MAX_TITLE], summary))
        elif outline.items and line.key is not None:
            notes.append(_clean(line.content))
        elif not outline.items and line.key is not None and line.key[0] == "h" and level[0] == "h":
            before = [ln for ln in lines[:index] if ln.key is not None and ln.key[0] == "h"]
            if not before and line.key[1] < level[1]:
                outline.title = _clean(line.content)
    if outline.items and notes:
        outline.items[-1].summary = "; ".join(filter(None, [outline.items[-1].summary, *notes]))
    return outline


def _json_candidates(text: str) -> list[str]:
    found = [m.group(1) for m in _FENCE.finditer(text)]
    for opener, closer in (("{", "}"), ("[", "]")):
        start, end = text.find(opener), text.rfind(closer)
        if 0 <= start < end:
            found.append(text[start : end + 1])
    return found


def _text_of(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "; ".join(_text_of(v) for v in value if _text_of(v))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _item_from_json(value: Any) -> OutlineItem | None:
    if isinstance(value, str):
        title, summary = _title_and_summary(_NUMBERED.sub("", value.strip(), count=1))
        return OutlineItem(title, summary) if title else None
    if not isinstance(value, dict):
        return None
    title = next((_text_of(value[k]) for k in _TITLE_KEYS if k in value and _text_of(value[k])), "")
    summary = next((_text_of(value[k]) for k in _SUMMARY_KEYS if k in value and _text_of(value[k])), "")
    title = _clean(_NUMBERED.sub("", title.strip(), count=1))
    return OutlineItem(title[:_MAX_TITLE], _clean(summary)) if title else None


def _from_json(text: str) -> Outline | None:
    for candidate in _json_candidates(text):
        try:
            data = json.loads(candidate)
        except ValueError:
            continue
        title = ""
        if isinstance(data, dict):
            title = _text_of(data.get("title") or data.get("topic") or data.get("标题") or "")
            data = next((data[k] for k in _LIST_KEYS if isinstance(data.get(k), list)), None)
        if not isinstance(data, list):
            continue
        items = [item for item in (_item_from_json(v) for v in data) if item is not None]
        if items:
            return Outline(items, _clean(title))
    return None


def parse_outline(text: str, *, min_items: int = 2) -> Outline:
    """Read the chapters out of a model's outline (any of the shapes in the module docstring).

    Args:
        text: What the model replied.
        min_items: Fewer chapters than this is no outline.

    Raises:
        OutlineError: no outline with at least ``min_items`` chapters was found.
    """
    stripped = text.strip()
    outline = None
    if "{" in stripped or "[" in stripped:
        outline = _from_json(stripped)
    if outline is None:
        body = "\n".join(m.group(1) for m in _FENCE.finditer(stripped)) or stripped
        outline = _from_lines(body)
    if len(outline.items) < min_items:
        snippet = " ".join(stripped.split())[:120] or "(nothing)"
        raise OutlineError(
            f"The model did not return a usable outline (expected at least {min_items} chapters, "
            f"one per line like '1. Title'; found {len(outline.items)}). It replied: {snippet}"
        )
    return outline
