"""The per-language half of normalisation: how numbers, dates, money and units are read aloud.

:mod:`studio.speech.text.rules` finds numbers, dates, times, prices, percentages and units in
text (the same patterns for every language) and asks a :class:`NumberReader` for the words. Each
language implements one reader (:mod:`.reader_zh`, :mod:`.reader_en`, :mod:`.reader_ja`).

Amounts reach readers as plain strings of ASCII digits, optionally with a leading ``-``, a
fraction after ``.`` and thousands separators ``,``; readers never see full-width digits.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import ClassVar

__all__ = ["Amount", "NumberReader", "Rule", "is_code_like", "parse_amount"]

Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]
"""A pattern and the function that turns one of its matches into spoken text."""


@dataclass(frozen=True, slots=True)
class Amount:
    """A parsed decimal number: ``-`` if ``negative``, ``whole`` digits, ``.`` and ``fraction`` digits."""

    negative: bool
    whole: str
    fraction: str

    @property
    def is_integer(self) -> bool:
        """True when there are no digits after the point."""
        return not self.fraction


def parse_amount(text: str) -> Amount:
    """Parse ``-1,234.50`` style text into an :class:`Amount` (separators dropped)."""
    text = text.strip()
    negative = text.startswith(("-", "−"))
    if negative:
        text = text[1:]
    whole, _, fraction = text.replace(",", "").partition(".")
    return Amount(negative, whole.lstrip("0") or "0", fraction)


def is_code_like(digits: str) -> bool:
    """Digit strings read one digit at a time: leading zero ("007", "0755"), or 7+ digits not
    ending in 000 (phone numbers, IDs). Amounts with separators never get here."""
    if len(digits) > 1 and digits[0] == "0":
        return True
    return len(digits) >= 7 and not digits.endswith("000")


class NumberReader(ABC):
    """Words for numbers, dates, times, money and units in one language (pure, thread-safe)."""

    language: str = ""
    #: Spoken instead of a URL, an e-mail address, the dot of a bare domain.
    link_word: str = ""
    email_word: str = ""
    dot_word: str = ""
    #: Between the two ends of a range ("3-5", "3~5").
    range_word: str = ""
    #: Words for symbols between numbers or left in the text.
    symbol_words: ClassVar[Mapping[str, str]] = {}
    #: Sentence mark added where a line ends without one; ellipsis form.
    full_stop: str = "."
    ellipsis: str = "..."
    #: Joins the cells of a markdown table row.
    cell_separator: str = ", "
    #: Whether spaces between two CJK characters are dropped.
    cjk: bool = False

    @abstractmethod
    def cardinal(self, whole: str) -> str:
        """A non-negative integer given as ASCII digits."""

    @abstractmethod
    def digits(self, text: str) -> str:
        """Digit by digit (phone numbers, codes); non-digits are kept as they are."""

    @abstractmethod
    def decimal(self, amount: Amount) -> str:
        """A signed number with or without a fraction."""

    @abstractmethod
    def date(self, year: str | None, month: int, day: int) -> str:
        """A calendar date; ``year`` as written (4 digits) or ``None``."""

    @abstractmethod
    def time(self, hour: int, minute: int, second: int | None, meridiem: str | None) -> str:
        """A clock time; ``meridiem`` is ``"am"``, ``"pm"`` or ``None``."""

    @abstractmethod
    def money(self, currency: str, amount: Amount, scale: str | None) -> str:
        """A price; ``currency`` is an ISO code (``USD``, ``CNY``, ``JPY`` ...), ``scale`` a
        multiplier word as written ("k", "million", "万") or ``None``."""

    @abstractmethod
    def percent(self, amount: Amount) -> str:
        """A percentage."""

    @abstractmethod
    def unit(self, amount: Amount, unit: str) -> str:
        """A measurement; ``unit`` as written ("km", "kg", "°C", "GB" ...)."""

    @abstractmethod
    def fraction(self, numerator: str, denominator: str) -> str:
        """A fraction such as 3/4."""

    @abstractmethod
    def hash_number(self, whole: str) -> str:
        """``#1`` style numbering."""

    def yen_code(self) -> str:
        """The currency ``¥`` stands for (yuan except in Japanese)."""
        return "CNY"

    def standalone(self, match: re.Match[str]) -> str:
        """A number on its own (group ``number``; the match's string gives the context)."""
        text = match.group("number")
        amount = parse_amount(text)
        if amount.is_integer and "," not in text and not amount.negative and is_code_like(text):
            return self.digits(text)
        return self.decimal(amount)

    def pre_rules(self) -> list[Rule]:
        """Language-specific rules applied before the shared ones (ordinals, years ...)."""
        return []
