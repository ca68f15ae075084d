"""Where numbers, dates, times, prices, units and symbols are in text; a reader supplies the words.

The patterns are shared by all languages and applied in a fixed order, most specific first:
dates, times, phone numbers, prices, percentages, ranges, "about" (~5), temperatures and units, fractions,
arithmetic, version numbers, ``#n``, then any number left, then leftover symbols. Only ASCII digits
are matched (full-width digits are folded earlier). Everything here is pure and thread-safe.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from studio.speech.text.reader import NumberReader, Rule, parse_amount

__all__ = ["apply_rules"]

_NUM = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?"
# A minus sign, unless it joins a word or number ("COVID-19", "3-5").
_SIGN = r"(?P<sign>(?<![A-Za-z0-9_.])[-−])?"
_START = r"(?<![\d.])"

_DATE_YMD = re.compile(r"(?<![\d.])(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?![\d.]|[-/]\d)")
_DATE_MDY = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4})(?![\d/])")
_MERIDIEM = r"(?P<mer>[AaPp](?:\.[Mm]\.|[Mm])(?![A-Za-z]))"
_TIME = re.compile(
    r"(?<![\d:.])(?P<h>[01]?\d|2[0-4]):(?P<m>[0-5]\d)(?::(?P<s>[0-5]\d))?(?![\d:])" + rf"(?:\s?{_MERIDIEM})?"
)
_HOUR_MERIDIEM = re.compile(rf"(?<![\d.:])(?P<h>1[0-2]|0?[1-9])\s?{_MERIDIEM}")
_PHONE = re.compile(r"(?<![\d-])(?:\+\d{1,3}[- ]?)?\d{3,4}-\d{3,4}-\d{4}(?![\d-])")
_SCALE = r"(?:\s?(?P<scale>thousand|million|billion|trillion|[kK万亿億千])(?![A-Za-z]))?"
_MONEY_PREFIX = re.compile(
    rf"{_SIGN}(?P<cur>US\$|HK\$|NT\$|C\$|A\$|\$|€|£|¥|￥)\s?(?P<amount>{_NUM})"
    rf"(?:\s?[-~～–]\s?(?:US\$|HK\$|NT\$|C\$|A\$|\$|€|£|¥|￥)?(?P<upper>{_NUM}))?{_SCALE}"
)
_MONEY_SUFFIX = re.compile(
    rf"{_SIGN}{_START}(?P<amount>{_NUM})\s?(?P<scale>[万亿億千])?\s?"
    r"(?P<cur>USD|RMB|CNY|EUR|JPY|GBP|HKD|美元|欧元|英镑|日元|港元|元|円)(?![A-Za-z])"
)
_PERCENT_RANGE = re.compile(rf"{_SIGN}{_START}(?P<a>{_NUM})\s?[%％]?\s?[-~～–]\s?(?P<b>{_NUM})\s?[%％]")
_PERCENT = re.compile(rf"{_SIGN}{_START}(?P<amount>{_NUM})\s?[%％]")
_RANGE = re.compile(rf"{_SIGN}(?<![A-Za-z0-9_.,])(?P<a>{_NUM})\s?[-~～–]\s?(?=\d)(?!{_NUM}\s?=)")
_APPROX = re.compile(r"(?<![A-Za-z0-9_.])[~～≈]\s?(?=\d)")
_TEMPERATURE = re.compile(rf"{_SIGN}{_START}(?P<amount>{_NUM})\s?(?P<unit>°C|℃|°F|℉|°)")
_UNIT = re.compile(
    rf"{_SIGN}(?<![A-Za-z0-9_.])(?P<amount>{_NUM})\s?"
    r"(?P<unit>km/h|km|cm|mm|kg|mg|ml|mL|GB|MB|KB|TB|GHz|MHz|kHz|Hz|ms|min|m|g|L|h)(?![A-Za-z/²³])"
)
_SLASH = re.compile(r"(?<![\d/.])(\d{1,3})/(\d{1,3})(?![\d/.])")
_OPERATOR = re.compile(r"(?<=\d)\s?([×xX*÷+=])\s?(?=-?\d)")
_MINUS = re.compile(r"(?<=\d)\s?[-−]\s?(?=\d+(?:\.\d+)?\s?=)")
_VERSION = re.compile(r"(?<![\d.])\d+(?:\.\d+){2,}(?![\d.])")
_HASH = re.compile(r"[#＃](\d+)")
_NUMBER = re.compile(rf"(?P<number>(?:(?<![A-Za-z0-9_.])[-−])?(?<!\d)(?<!\d\.){_NUM})")
_SYMBOL = re.compile(r"[&+=@×÷%°~～*^\\|_/#<>]")

_PREFIX_CURRENCY = {"US$": "USD", "HK$": "HKD", "NT$": "TWD", "C$": "CAD", "A$": "AUD", "$": "USD"}
_PREFIX_CURRENCY |= {"€": "EUR", "£": "GBP"}
_SUFFIX_CURRENCY = {"RMB": "CNY", "元": "CNY", "円": "JPY", "美元": "USD", "欧元": "EUR", "英镑": "GBP"}
_SUFFIX_CURRENCY |= {"日元": "JPY", "港元": "HKD"}
_TEMPERATURE_UNITS = {"℃": "°C", "℉": "°F"}


def _signed(match: re.Match[str], group: str = "amount") -> str:
    return ("-" if match.group("sign") else "") + match.group(group)


def _date_ymd(reader: NumberReader, m: re.Match[str]) -> str:
    month, day = int(m.group(3)), int(m.group(4))
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return m.group(0)
    return reader.date(m.group(1), month, day)


def _date_mdy(reader: NumberReader, m: re.Match[str]) -> str:
    month, day = int(m.group(1)), int(m.group(2))
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return m.group(0)
    return reader.date(m.group(3), month, day)


def _meridiem(m: re.Match[str]) -> str | None:
    mer = m.group("mer")
    return None if mer is None else "am" if mer[0] in "Aa" else "pm"


def _time(reader: NumberReader, m: re.Match[str]) -> str:
    second = m.group("s")
    return reader.time(int(m.group("h")), int(m.group("m")), int(second) if second else None, _meridiem(m))


def _phone(reader: NumberReader, m: re.Match[str]) -> str:
    text = m.group(0)
    plus = reader.symbol_words.get("+", "+") if text.startswith("+") else ""
    groups = re.split(r"[- ]", text.lstrip("+"))
    return plus + reader.cell_separator.join(reader.digits(g) for g in groups)


def _money_prefix(reader: NumberReader, m: re.Match[str]) -> str:
    cur = m.group("cur")
    code = reader.yen_code() if cur in "¥￥" else _PREFIX_CURRENCY[cur]
    upper = m.group("upper")
    if upper is None:
        return reader.money(code, parse_amount(_signed(m)), m.group("scale"))
    low = reader.decimal(parse_amount(_signed(m)))
    return low + reader.range_word + reader.money(code, parse_amount(upper), m.group("scale"))


def _money_suffix(reader: NumberReader, m: re.Match[str]) -> str:
    cur = m.group("cur")
    code = _SUFFIX_CURRENCY.get(cur, cur)
    return reader.money(code, parse_amount(_signed(m)), m.group("scale"))


def _percent_range(reader: NumberReader, m: re.Match[str]) -> str:
    low = reader.percent(parse_amount(_signed(m, "a")))
    return f"{low}{reader.range_word}{reader.percent(parse_amount(m.group('b')))}"


def _range(reader: NumberReader, m: re.Match[str]) -> str:
    return reader.decimal(parse_amount(_signed(m, "a"))) + reader.range_word


def _unit(reader: NumberReader, m: re.Match[str]) -> str:
    unit = m.group("unit")
    return reader.unit(parse_amount(_signed(m)), _TEMPERATURE_UNITS.get(unit, unit))


def _slash(reader: NumberReader, m: re.Match[str]) -> str:
    a, b = m.group(1), m.group(2)
    if int(b) == 0:
        return m.group(0)
    if a == "24" and b == "7":
        return reader.symbol_words.get("24/7", reader.fraction(a, b))
    if 1 <= int(a) <= 12 and 13 <= int(b) <= 31:
        return reader.date(None, int(a), int(b))
    return reader.fraction(a, b)


def _operator(reader: NumberReader, m: re.Match[str]) -> str:
    op = m.group(1)
    key = "x" if op in "xX" else "×" if op == "*" else op
    return _pad(reader, reader.symbol_words.get(key, op))


def _version(reader: NumberReader, m: re.Match[str]) -> str:
    point = reader.symbol_words.get(".", ".")
    return point.join(reader.cardinal(part.lstrip("0") or "0") for part in m.group(0).split("."))


def _symbol(reader: NumberReader, m: re.Match[str]) -> str:
    return _pad(reader, reader.symbol_words.get(m.group(0), ""))


def _pad(reader: NumberReader, words: str) -> str:
    """Words for a symbol, spaced from their neighbours in languages written with spaces."""
    return words if reader.cjk and words else f" {words} "


_SHARED: list[tuple[re.Pattern[str], Callable[[NumberReader, re.Match[str]], str]]] = [
    (_DATE_YMD, _date_ymd),
    (_DATE_MDY, _date_mdy),
    (_TIME, _time),
    (_HOUR_MERIDIEM, lambda r, m: r.time(int(m.group("h")), 0, None, _meridiem(m))),
    (_PHONE, _phone),
    (_MONEY_PREFIX, _money_prefix),
    (_PERCENT_RANGE, _percent_range),
    (_RANGE, _range),
    (_APPROX, lambda r, m: _pad(r, r.symbol_words.get("≈", ""))),
    (_MONEY_SUFFIX, _money_suffix),
    (_PERCENT, lambda r, m: r.percent(parse_amount(_signed(m)))),
    (_TEMPERATURE, _unit),
    (_UNIT, _unit),
    (_SLASH, _slash),
    (_MINUS, lambda r, m: _pad(r, r.symbol_words.get("-", "-"))),
    (_OPERATOR, _operator),
    (_VERSION, _version),
    (_HASH, lambda r, m: r.hash_number(m.group(1).lstrip("0") or "0")),
    (_NUMBER, lambda r, m: r.standalone(m)),
    (_SYMBOL, _symbol),
]


def _bind(
    reader: NumberReader, fn: Callable[[NumberReader, re.Match[str]], str]
) -> Callable[[re.Match[str]], str]:
    if reader.cjk:
        return lambda m: fn(reader, m)

    def spaced(m: re.Match[str]) -> str:
        # Words must not fuse with a neighbouring word: "iPhone15" -> "iPhone fifteen".
        words = fn(reader, m)
        if words != m.group(0):
            text = m.string
            if m.start() and text[m.start() - 1].isalnum() and words[:1].isalnum():
                words = " " + words
            if m.end() < len(text) and text[m.end()].isalnum() and words[-1:].isalnum():
                words += " "
        return words

    return spaced


@functools.cache
def _rules_for(reader: NumberReader) -> tuple[Rule, ...]:
    return (*reader.pre_rules(), *((pattern, _bind(reader, fn)) for pattern, fn in _SHARED))


def apply_rules(text: str, reader: NumberReader) -> str:
    """Replace numbers, dates, times, prices, units and symbols in ``text`` by ``reader``'s words."""
    for pattern, repl in _rules_for(reader):
        text = pattern.sub(repl, text)
    return text
