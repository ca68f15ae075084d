"""English normalisation with the built-in number-to-words."""

from __future__ import annotations

import pytest

from studio.speech.text.normalize import normalize
from studio.speech.text.reader_en import cardinal_words, ordinal_words, year_words


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "zero"),
        (7, "seven"),
        (13, "thirteen"),
        (20, "twenty"),
        (42, "forty-two"),
        (100, "one hundred"),
        (101, "one hundred one"),
        (999, "nine hundred ninety-nine"),
        (1000, "one thousand"),
        (1001, "one thousand one"),
        (1234, "one thousand two hundred thirty-four"),
        (1_000_000, "one million"),
        (2_000_345, "two million three hundred forty-five"),
        (1_000_000_000_000, "one trillion"),
    ],
)
def test_cardinal_words(n: int, expected: str) -> None:
    assert cardinal_words(n) == expected


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "first"),
        (2, "second"),
        (3, "third"),
        (4, "fourth"),
        (5, "fifth"),
        (8, "eighth"),
        (9, "ninth"),
        (12, "twelfth"),
        (20, "twentieth"),
        (21, "twenty-first"),
        (100, "one hundredth"),
        (123, "one hundred twenty-third"),
    ],
)
def test_ordinal_words(n: int, expected: str) -> None:
    assert ordinal_words(n) == expected


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (1999, "nineteen ninety-nine"),
        (1905, "nineteen oh five"),
        (1900, "nineteen hundred"),
        (2000, "two thousand"),
        (2005, "two thousand five"),
        (2010, "twenty ten"),
        (2026, "twenty twenty-six"),
        (1066, "one thousand sixty-six"),
    ],
)
def test_year_words(year: int, expected: str) -> None:
    assert year_words(year) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # numbers
        ("1234", "one thousand two hundred thirty-four"),
        ("1,234,567", "one million two hundred thirty-four thousand five hundred sixty-seven"),
        ("3.14", "three point one four"),
        ("-5", "minus five"),
        ("I have 3 cats.", "I have three cats."),
        ("iPhone15", "iPhone fifteen"),
        ("COVID-19", "COVID-nineteen"),
        ("Call 5551234567", "Call five five five one two three four five six seven"),
        ("Call 555-123-4567", "Call five five five, one two three, four five six seven"),
        # ordinals, decades, years after prepositions
        ("the 1st, 2nd, 3rd and 4th", "the first, second, third and fourth"),
        ("my 21st birthday", "my twenty-first birthday"),
        ("in 1999", "in nineteen ninety-nine"),
        ("since 2010", "since twenty ten"),
        ("the 1990s and the 80s", "the nineteen nineties and the eighties"),
        ("1500 people", "one thousand five hundred people"),
        # dates and times
        ("2026-11-22", "November twenty-second, twenty twenty-six"),
        ("2026/11/22", "November twenty-second, twenty twenty-six"),
        ("11/22/2026", "November twenty-second, twenty twenty-six"),
        ("12/25", "December twenty-fifth"),
        ("14:30", "fourteen thirty"),
        ("9:05", "nine oh five"),
        ("9:00", "nine o'clock"),
        ("14:00", "fourteen hundred"),
        ("2:05 pm", "two oh five p m"),
        ("2:05 p.m.", "two oh five p m"),
        ("7 AM", "seven a m"),
        # money
        ("$5", "five dollars"),
        ("$1", "one dollar"),
        ("$1.50", "one dollar and fifty cents"),
        ("$5.01", "five dollars and one cent"),
        ("$0.99", "ninety-nine cents"),
        ("-$5", "minus five dollars"),
        ("$1.5 million", "one point five million dollars"),
        ("$20k", "twenty thousand dollars"),
        ("$5-10", "five to ten dollars"),
        ("US$100", "one hundred dollars"),
        ("€20", "twenty euros"),
        ("£1", "one pound"),
        ("£2.50", "two pounds and fifty pence"),
        ("¥100", "one hundred yuan"),
        ("100元", "one hundred yuan"),
        ("5万元", "fifty thousand yuan"),
        ("1000円", "one thousand yen"),
        ("50 USD", "fifty dollars"),
        # percentages
        ("10.5%", "ten point five percent"),
        ("10-20%", "ten percent to twenty percent"),
        # units and temperatures
        ("25°C", "twenty-five degrees Celsius"),
        ("1°C", "one degree Celsius"),
        ("-3°C", "minus three degrees Celsius"),
        ("98.6°F", "ninety-eight point six degrees Fahrenheit"),
        ("5 km", "five kilometers"),
        ("1 kg", "one kilogram"),
        ("2.5GB", "two point five gigabytes"),
        ("120 km/h", "one hundred twenty kilometers per hour"),
        ("3-5 km", "three to five kilometers"),
        ("3.2 GHz", "three point two gigahertz"),
        # symbols and arithmetic
        ("Tom & Jerry", "Tom and Jerry"),
        ("1+1=2", "one plus one equals two"),
        ("3 × 4", "three times four"),
        ("1920x1080", "one thousand nine hundred twenty by one thousand eighty"),
        ("3/4", "three quarters"),
        ("1/2", "one half"),
        ("2/3", "two thirds"),
        ("24/7", "twenty-four seven"),
        ("C++", "C plus plus"),
        ("#1 fan", "number one fan"),
        ("@alice", "at alice"),
        ("version 3.10.2", "version three point ten point two"),
        ("~5 minutes", "about five minutes"),
        ("good~", "good"),
        # CJK punctuation becomes ASCII punctuation
        ("Hello，world。", "Hello, world."),
    ],
)
def test_en(text: str, expected: str) -> None:
    assert normalize(text, "en") == expected


@pytest.mark.parametrize("language", ["en", "en-US", "EN_gb", "eng"])
def test_language_codes(language: str) -> None:
    assert normalize("2 cats", language) == "two cats"
