"""Japanese readings in kanji numerals for a Japanese TTS frontend (e.g. Open JTalk).

1234 -> 千二百三十四, 3.14 -> 三点一四, 10% -> 十パーセント, 2026/11/22 -> 二千二十六年十一月二十二日,
14:30 -> 十四時三十分. Digits directly before 月 or 日 ("11月22日", "3日間") are kept as they are:
frontends read them correctly, including the irregular day readings (ついたち, はつか).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar

from studio.speech.text.reader import Amount, NumberReader, is_code_like, parse_amount

__all__ = ["JapaneseReader", "kanji_number"]

_KANJI = "〇一二三四五六七八九"
_GROUPS = ("", "万", "億", "兆", "京")
_CURRENCY = {"JPY": "円", "USD": "ドル", "EUR": "ユーロ", "GBP": "ポンド", "CNY": "元", "HKD": "香港ドル"}
_CURRENCY |= {"TWD": "台湾ドル", "CAD": "カナダドル", "AUD": "豪ドル"}
_SCALE = {"k": "千", "K": "千", "thousand": "千", "million": "百万", "billion": "十億", "trillion": "兆"}
_SCALE |= {"万": "万", "亿": "億", "億": "億", "千": "千"}
_UNITS = {"km/h": "キロメートル毎時", "km": "キロメートル", "cm": "センチメートル", "mm": "ミリメートル"}
_UNITS |= {"m": "メートル", "kg": "キログラム", "g": "グラム", "mg": "ミリグラム", "ml": "ミリリットル"}
_UNITS |= {"mL": "ミリリットル", "L": "リットル", "GB": "ギガバイト", "MB": "メガバイト", "KB": "キロバイト"}
_UNITS |= {"TB": "テラバイト", "Hz": "ヘルツ", "kHz": "キロヘルツ", "MHz": "メガヘルツ", "GHz": "ギガヘルツ"}
_UNITS |= {"ms": "ミリ秒", "min": "分", "h": "時間", "°C": "度", "°F": "度", "°": "度"}


def _below_10000(n: int) -> str:
    out = []
    for value, mark in ((1000, "千"), (100, "百"), (10, "十")):
        count, n = divmod(n, value)
        if count:
            out.append(("" if count == 1 else _KANJI[count]) + mark)
    if n:
        out.append(_KANJI[n])
    return "".join(out)


def kanji_number(n: int) -> str:
    """``1234`` -> ``千二百三十四``, ``10000`` -> ``一万``, ``0`` -> ``ゼロ`` (``0 <= n < 10**20``)."""
    if n == 0:
        return "ゼロ"
    out: list[str] = []
    group = 0
    while n:
        n, chunk = divmod(n, 10000)
        if chunk:
            # 一万, 一億: the leading 一 is said before the big units, unlike 十, 百, 千.
            words = "一" if chunk == 1 and group else _below_10000(chunk)
            out.append(words + _GROUPS[group])
        group += 1
    return "".join(reversed(out))


class JapaneseReader(NumberReader):
    """Japanese readings."""

    language = "ja"
    link_word = "リンク"
    email_word = "メールアドレス"
    dot_word = "ドット"
    range_word = "から"
    full_stop = "。"
    ellipsis = "…"
    cell_separator = "、"
    cjk = True
    symbol_words: ClassVar[Mapping[str, str]] = {
        "&": "アンド",
        "+": "プラス",
        "-": "マイナス",
        "=": "イコール",
        "@": "アット",
        "×": "かける",
        "x": "かける",
        "÷": "わる",
        "≈": "約",
        "%": "パーセント",
        "°": "度",
        ".": "点",
        "24/7": "年中無休",
    }

    def yen_code(self) -> str:
        return "JPY"

    def cardinal(self, whole: str) -> str:
        whole = whole.lstrip("0") or "0"
        if len(whole) > 20:
            return self.digits(whole)
        return kanji_number(int(whole))

    def digits(self, text: str) -> str:
        return "".join(("ゼロ" if c == "0" else _KANJI[ord(c) - 48]) if "0" <= c <= "9" else c for c in text)

    def decimal(self, amount: Amount) -> str:
        if amount.fraction:
            whole = "零" if amount.whole == "0" else self.cardinal(amount.whole)
            words = whole + "点" + "".join(_KANJI[ord(c) - 48] for c in amount.fraction).replace("〇", "零")
        else:
            words = self.cardinal(amount.whole)
        return ("マイナス" if amount.negative else "") + words

    def date(self, year: str | None, month: int, day: int) -> str:
        if year is None:
            return f"{month}月{day}日"
        return f"{self.cardinal(year)}年{self.cardinal(str(month))}月{self.cardinal(str(day))}日"

    def time(self, hour: int, minute: int, second: int | None, meridiem: str | None) -> str:
        prefix = {"am": "午前", "pm": "午後"}.get(meridiem or "", "")
        words = f"{prefix}{self.cardinal(str(hour)) if hour else '零'}時"
        if minute:
            words += self.cardinal(str(minute)) + "分"
        if second:
            words += self.cardinal(str(second)) + "秒"
        return words

    def money(self, currency: str, amount: Amount, scale: str | None) -> str:
        amount = Amount(amount.negative, amount.whole, amount.fraction.rstrip("0"))
        scale_word = _SCALE.get(scale, "") if scale else ""
        return f"{self.decimal(amount)}{scale_word}{_CURRENCY.get(currency, currency)}"

    def percent(self, amount: Amount) -> str:
        return self.decimal(amount) + "パーセント"

    def unit(self, amount: Amount, unit: str) -> str:
        prefix = "華氏" if unit == "°F" else ""
        return prefix + self.decimal(amount) + _UNITS.get(unit, unit)

    def fraction(self, numerator: str, denominator: str) -> str:
        return f"{self.cardinal(denominator)}分の{self.cardinal(numerator)}"

    def hash_number(self, whole: str) -> str:
        return self.cardinal(whole) + "番"

    def standalone(self, match: re.Match[str]) -> str:
        text = match.group("number")
        after = match.string[match.end() : match.end() + 1]
        if after in ("月", "日") and text.isdigit():
            return text
        amount = parse_amount(text)
        if amount.is_integer and "," not in text and not amount.negative and is_code_like(text):
            return self.digits(text)
        return self.decimal(amount)
