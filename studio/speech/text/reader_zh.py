"""Mandarin readings: 一千二百三十四, 三点一四, 百分之十点五, 二零二六年, 两个.

Integers go through cn2an; years, phone numbers and codes are read digit by digit; "2" becomes 两
before measure words (两个, 两点, 两公斤) and as the leading digit of 千/万/亿 (两千), but stays 二
after 第 and in 二月, 二号, 十二.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar

import cn2an

from studio.speech.text.reader import Amount, NumberReader, Rule, is_code_like, parse_amount

__all__ = ["ChineseReader"]

_DIGITS = "零一二三四五六七八九"
# Measure words (and 千/万/亿) after which 2 is read 两.
_LIANG_BEFORE = frozenset(
    "个只位次本张件条种天年岁点周倍台辆家名块元斤杯瓶碗首部场份双对把支根层间句遍趟口头匹架颗粒片篇门节期集季款套枚"
    "千万亿百"
)
_LIANG_WORDS = (
    "小时",
    "分钟",
    "公里",
    "公斤",
    "千克",
    "秒钟",
    "星期",
    "毛钱",
    "美元",
    "欧元",
    "英镑",
    "日元",
)
_CURRENCY = {"USD": "美元", "EUR": "欧元", "GBP": "英镑", "CNY": "元", "JPY": "日元", "HKD": "港元"}
_CURRENCY |= {"TWD": "新台币", "CAD": "加元", "AUD": "澳元"}
_SCALE = {"k": "千", "K": "千", "thousand": "千", "million": "百万", "billion": "十亿", "trillion": "万亿"}
_SCALE |= {"万": "万", "亿": "亿", "億": "亿", "千": "千"}
_UNITS = {"km/h": "公里每小时", "km": "公里", "cm": "厘米", "mm": "毫米", "m": "米", "kg": "公斤", "g": "克"}
_UNITS |= {"mg": "毫克", "ml": "毫升", "mL": "毫升", "L": "升", "Hz": "赫兹", "kHz": "千赫", "MHz": "兆赫"}
_UNITS |= {"GHz": "吉赫", "ms": "毫秒", "min": "分钟", "h": "小时", "°C": "摄氏度", "°F": "华氏度", "°": "度"}
_YEAR = re.compile(r"(?<![\d.])([12]\d{3})(?=年)")


class ChineseReader(NumberReader):
    """Mandarin (Putonghua) readings."""

    language = "zh"
    link_word = "链接"
    email_word = "邮箱"
    dot_word = "点"
    range_word = "到"
    full_stop = "。"
    ellipsis = "…"
    cell_separator = "，"
    cjk = True
    symbol_words: ClassVar[Mapping[str, str]] = {
        "&": "和",
        "+": "加",
        "-": "减",
        "=": "等于",
        "@": "艾特",
        "×": "乘",
        "x": "乘",
        "÷": "除以",
        "≈": "约",
        "%": "百分号",
        "°": "度",
        ".": "点",
        "24/7": "全天候",
    }

    def cardinal(self, whole: str) -> str:
        whole = whole.lstrip("0") or "0"
        if len(whole) > 16:
            return self.digits(whole)
        words = str(cn2an.an2cn(whole))
        if len(words) > 1 and words[0] == "二" and words[1] in "千万亿":
            words = "两" + words[1:]
        return words

    def digits(self, text: str) -> str:
        return "".join(_DIGITS[ord(c) - 48] if "0" <= c <= "9" else c for c in text)

    def decimal(self, amount: Amount) -> str:
        words = self.cardinal(amount.whole)
        if amount.fraction:
            words += "点" + self.digits(amount.fraction)
        return ("负" if amount.negative else "") + words

    def _liang(self, amount: Amount) -> str:
        if amount.whole == "2" and amount.is_integer and not amount.negative:
            return "两"
        return self.decimal(amount)

    def date(self, year: str | None, month: int, day: int) -> str:
        prefix = f"{self.digits(year)}年" if year else ""
        return f"{prefix}{self.cardinal(str(month))}月{self.cardinal(str(day))}日"

    def time(self, hour: int, minute: int, second: int | None, meridiem: str | None) -> str:
        prefix = ""
        if meridiem == "am":
            prefix = "凌晨" if hour < 6 else "上午"
        elif meridiem == "pm":
            prefix = "中午" if hour == 12 else "晚上" if 6 <= hour < 12 else "下午"
        words = prefix + ("两" if hour == 2 else self.cardinal(str(hour))) + "点"
        if minute or second:
            words += ("零" if minute < 10 else "") + self.cardinal(str(minute)) + "分"
        if second:
            words += self.cardinal(str(second)) + "秒"
        return words

    def money(self, currency: str, amount: Amount, scale: str | None) -> str:
        amount = Amount(amount.negative, amount.whole, amount.fraction.rstrip("0"))
        scale_word = _SCALE.get(scale, "") if scale else ""
        number = self.decimal(amount) if scale_word else self._liang(amount)
        return f"{number}{scale_word}{_CURRENCY.get(currency, currency)}"

    def percent(self, amount: Amount) -> str:
        sign = "负" if amount.negative else ""
        return f"{sign}百分之{self.decimal(Amount(False, amount.whole, amount.fraction))}"

    def unit(self, amount: Amount, unit: str) -> str:
        name = _UNITS.get(unit, unit)
        if unit in ("°C", "°F", "°"):
            if amount.negative:
                return "零下" + self.decimal(Amount(False, amount.whole, amount.fraction)) + name
            return self.decimal(amount) + name
        return self._liang(amount) + name

    def fraction(self, numerator: str, denominator: str) -> str:
        return f"{self.cardinal(denominator)}分之{self.cardinal(numerator)}"

    def hash_number(self, whole: str) -> str:
        return self.cardinal(whole) + "号"

    def standalone(self, match: re.Match[str]) -> str:
        text = match.group("number")
        amount = parse_amount(text)
        before = match.string[match.start() - 1] if match.start() else ""
        after = match.string[match.end() : match.end() + 2]
        if (
            text == "2"
            and before != "第"
            and (after[:1] in _LIANG_BEFORE or after.startswith(_LIANG_WORDS))
            and not (after[:1] == "点" and after[1:2].isdigit())
        ):
            return "两"
        if amount.is_integer and "," not in text and not amount.negative and is_code_like(text):
            return self.digits(text)
        return self.decimal(amount)

    def pre_rules(self) -> list[Rule]:
        return [(_YEAR, lambda m: self.digits(m.group(1)))]
