"""English readings (American style): one thousand two hundred thirty-four, twenty-first, nineteen
ninety-nine, five dollars and ninety-nine cents, ten point five percent.

A small number-to-words of our own (no num2words): integers up to 10**18, larger ones digit by digit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar

from studio.speech.text.reader import Amount, NumberReader, Rule

__all__ = ["EnglishReader", "cardinal_words", "ordinal_words", "year_words"]

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_GROUPS = ("", "thousand", "million", "billion", "trillion", "quadrillion")
_ORDINAL_IRREGULAR = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth"}
_ORDINAL_IRREGULAR |= {"nine": "ninth", "twelve": "twelfth"}
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
# currency: (singular, plural, cent singular, cent plural); no cents for yen and yuan
_CURRENCY: dict[str, tuple[str, str, str, str]] = {
    "USD": ("dollar", "dollars", "cent", "cents"),
    "EUR": ("euro", "euros", "cent", "cents"),
    "GBP": ("pound", "pounds", "penny", "pence"),
    "CNY": ("yuan", "yuan", "", ""),
    "JPY": ("yen", "yen", "", ""),
    "HKD": ("Hong Kong dollar", "Hong Kong dollars", "cent", "cents"),
    "TWD": ("New Taiwan dollar", "New Taiwan dollars", "", ""),
    "CAD": ("Canadian dollar", "Canadian dollars", "cent", "cents"),
    "AUD": ("Australian dollar", "Australian dollars", "cent", "cents"),
}
_SCALE_WORDS = {"k": "thousand", "K": "thousand", "千": "thousand"}
_SCALE_FACTORS = {"万": 4, "亿": 8, "億": 8}
_UNITS = {"km/h": ("kilometer per hour", "kilometers per hour"), "km": ("kilometer", "kilometers")}
_UNITS |= {"cm": ("centimeter", "centimeters"), "mm": ("millimeter", "millimeters"), "m": ("meter", "meters")}
_UNITS |= {"kg": ("kilogram", "kilograms"), "g": ("gram", "grams"), "mg": ("milligram", "milligrams")}
_UNITS |= {"ml": ("milliliter", "milliliters"), "mL": ("milliliter", "milliliters"), "L": ("liter", "liters")}
_UNITS |= {"GB": ("gigabyte", "gigabytes"), "MB": ("megabyte", "megabytes"), "KB": ("kilobyte", "kilobytes")}
_UNITS |= {"TB": ("terabyte", "terabytes"), "Hz": ("hertz", "hertz"), "kHz": ("kilohertz", "kilohertz")}
_UNITS |= {"MHz": ("megahertz", "megahertz"), "GHz": ("gigahertz", "gigahertz"), "min": ("minute", "minutes")}
_UNITS |= {"ms": ("millisecond", "milliseconds"), "h": ("hour", "hours"), "°": ("degree", "degrees")}
_UNITS |= {"°C": ("degree Celsius", "degrees Celsius"), "°F": ("degree Fahrenheit", "degrees Fahrenheit")}
_DENOMINATORS = {2: ("half", "halves"), 4: ("quarter", "quarters")}

_ORDINAL = re.compile(r"(?<![\d.])(\d+)(?:st|nd|rd|th)\b", re.IGNORECASE)
_DECADE = re.compile(r"(?<![\d.])'?(1\d|20)?([1-9]0)s\b")
_YEAR_AFTER = re.compile(
    r"\b(in|since|by|from|until|till|year|before|after|around|circa|during|of|to)(\s+)(1[1-9]\d\d|20\d\d)\b(?!\.\d|,\d)",
    re.IGNORECASE,
)


def _below_thousand(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    parts = [f"{_ONES[hundreds]} hundred"] if hundreds else []
    if rest >= 20:
        tens, ones = divmod(rest, 10)
        parts.append(_TENS[tens] + (f"-{_ONES[ones]}" if ones else ""))
    elif rest or not hundreds:
        parts.append(_ONES[rest])
    return " ".join(parts)


def cardinal_words(n: int) -> str:
    """``1234`` -> ``one thousand two hundred thirty-four`` (``0 <= n < 10**18``)."""
    if n == 0:
        return "zero"
    parts: list[str] = []
    group = 0
    while n:
        n, chunk = divmod(n, 1000)
        if chunk:
            parts.append(_below_thousand(chunk) + (f" {_GROUPS[group]}" if group else ""))
        group += 1
    return " ".join(reversed(parts))


def ordinal_words(n: int) -> str:
    """``21`` -> ``twenty-first``."""
    words = cardinal_words(n)
    head, sep, last = words.rpartition("-" if "-" in words.split(" ")[-1] else " ")
    if last in _ORDINAL_IRREGULAR:
        last = _ORDINAL_IRREGULAR[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return head + sep + last


def year_words(year: int) -> str:
    """``1999`` -> ``nineteen ninety-nine``, ``2005`` -> ``two thousand five``, ``2026`` ->
    ``twenty twenty-six``, ``1905`` -> ``nineteen oh five``."""
    if not 1100 <= year <= 2099 or 2000 <= year <= 2009:
        return cardinal_words(year)
    high, low = divmod(year, 100)
    if low == 0:
        return f"{cardinal_words(high)} hundred"
    tail = f"oh {_ONES[low]}" if low < 10 else cardinal_words(low)
    return f"{cardinal_words(high)} {tail}"


def _plural_of(words: str) -> str:
    return words[:-1] + "ies" if words.endswith("y") else words + "s"


class EnglishReader(NumberReader):
    """English readings."""

    language = "en"
    link_word = "link"
    email_word = "email address"
    dot_word = " dot "
    range_word = " to "
    full_stop = "."
    ellipsis = "..."
    cell_separator = ", "
    symbol_words: ClassVar[Mapping[str, str]] = {
        "&": "and",
        "+": "plus",
        "-": "minus",
        "=": "equals",
        "@": "at",
        "×": "times",
        "x": "by",
        "÷": "divided by",
        "≈": "about",
        "%": "percent",
        "°": "degrees",
        ".": " point ",
        "24/7": "twenty-four seven",
    }

    def cardinal(self, whole: str) -> str:
        whole = whole.lstrip("0") or "0"
        if len(whole) > 18:
            return self.digits(whole)
        return cardinal_words(int(whole))

    def digits(self, text: str) -> str:
        return " ".join(_ONES[ord(c) - 48] if "0" <= c <= "9" else c for c in text)

    def decimal(self, amount: Amount) -> str:
        words = self.cardinal(amount.whole)
        if amount.fraction:
            words += " point " + self.digits(amount.fraction)
        return ("minus " if amount.negative else "") + words

    def date(self, year: str | None, month: int, day: int) -> str:
        words = f"{_MONTHS[month - 1]} {ordinal_words(day)}"
        return f"{words}, {year_words(int(year))}" if year else words

    def time(self, hour: int, minute: int, second: int | None, meridiem: str | None) -> str:
        words = cardinal_words(hour)
        if minute:
            words += f" oh {_ONES[minute]}" if minute < 10 else f" {cardinal_words(minute)}"
        elif meridiem is None:
            words += " o'clock" if hour <= 12 else " hundred"
        if second:
            words += f" and {cardinal_words(second)} second" + ("s" if second != 1 else "")
        if meridiem:
            words += " a m" if meridiem == "am" else " p m"
        return words

    def money(self, currency: str, amount: Amount, scale: str | None) -> str:
        one, many, cent, cents = _CURRENCY.get(currency, (currency, currency, "", ""))
        sign = "minus " if amount.negative else ""
        if scale in _SCALE_FACTORS:
            amount = _shift(amount, _SCALE_FACTORS[scale])
            scale = None
        fraction = amount.fraction.rstrip("0")
        if scale:
            number = self.decimal(Amount(False, amount.whole, fraction))
            return f"{sign}{number} {_SCALE_WORDS.get(scale, scale)} {many}"
        if cent and len(fraction) <= 2 and fraction:
            units = int(amount.whole)
            hundredths = int(fraction.ljust(2, "0"))
            words = f"{cardinal_words(units)} {one if units == 1 else many}" if units else ""
            words += (" and " if words else "") + f"{cardinal_words(hundredths)} "
            return sign + words + (cent if hundredths == 1 else cents)
        number = self.decimal(Amount(False, amount.whole, fraction))
        return f"{sign}{number} {one if number == 'one' else many}"

    def percent(self, amount: Amount) -> str:
        return self.decimal(amount) + " percent"

    def unit(self, amount: Amount, unit: str) -> str:
        one, many = _UNITS.get(unit, (unit, unit))
        number = self.decimal(amount)
        return f"{number} {one if number in ('one', 'minus one') else many}"

    def fraction(self, numerator: str, denominator: str) -> str:
        top, bottom = int(numerator), int(denominator)
        if bottom > 10 and top >= bottom:
            return f"{cardinal_words(top)} over {cardinal_words(bottom)}"
        one, many = _DENOMINATORS.get(bottom, (ordinal_words(bottom), _plural_of(ordinal_words(bottom))))
        if bottom == 1:
            return cardinal_words(top)
        return f"{cardinal_words(top)} {one if top == 1 else many}"

    def hash_number(self, whole: str) -> str:
        return "number " + self.cardinal(whole)

    def pre_rules(self) -> list[Rule]:
        return [
            (_ORDINAL, lambda m: ordinal_words(int(m.group(1))) if len(m.group(1)) <= 18 else m.group(0)),
            (_DECADE, _decade),
            (_YEAR_AFTER, lambda m: f"{m.group(1)}{m.group(2)}{year_words(int(m.group(3)))}"),
        ]


def _decade(m: re.Match[str]) -> str:
    century, tens = m.group(1), m.group(2)
    words = year_words(int(century + tens)) if century else cardinal_words(int(tens))
    return _plural_of(words)


def _shift(amount: Amount, places: int) -> Amount:
    """Multiply by ``10**places`` (for 万 and 亿)."""
    digits = amount.whole + amount.fraction.ljust(places, "0")
    whole, fraction = digits[: len(amount.whole) + places], digits[len(amount.whole) + places :]
    return Amount(amount.negative, whole.lstrip("0") or "0", fraction)
