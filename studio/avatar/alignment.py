"""Text-to-audio alignment for lip-sync: syllable units of the text onto voiced audio.

The text becomes :class:`TextUnit` s (one per Han character, one per Latin/digit word, and
gaps for spaces and punctuation). The audio's voiced frames are cut into syllable candidates at
silences and at energy dips; candidates are then merged (smallest gap first) or split (longest
first, at its deepest dip) until there is one per syllable unit, and the units are laid over them
in order. With (almost) no voiced audio the units are spread proportionally over the whole audio.

Pure functions: safe on any thread. pypinyin is imported on first use (Mandarin only); without
it, Han characters are still aligned but their vowels come from the audio alone.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Final, cast

import numpy as np
import numpy.typing as npt

from studio.avatar.visemes import FINALS, Trajectory, pinyin_final

F64 = npt.NDArray[np.float64]

_log = logging.getLogger(__name__)

VOICED_OPEN: Final = 0.02
"""Opening (0..1) above which a frame counts as voiced."""
_MIN_SYLLABLE_FRAMES: Final = 3
_DIP: Final = 0.15  # an energy dip this deep (opening units) separates two syllables


@dataclass(frozen=True, slots=True)
class TextUnit:
    """One piece of text that the mouth says (or pauses for).

    Attributes:
        text: The character(s): a Han character, a word, or a space/punctuation mark.
        final: Pinyin final (a :data:`~studio.avatar.visemes.FINALS` key) or ``''``.
        spoken: False for whitespace and punctuation (laid in the gaps between syllables).
    """

    text: str
    final: str
    spoken: bool


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\U00020000" <= ch <= "\U0002fa1f"


@lru_cache(maxsize=1)
def _lazy_pinyin() -> Callable[[str], list[str]] | None:
    try:
        from pypinyin import Style, lazy_pinyin  # imported late: only Mandarin needs it
    except ImportError:
        _log.warning("pypinyin is not installed: Mandarin lip-sync uses the audio vowels only")
        return None

    # pypinyin documents list-returning error handlers (one item per character); its stubs
    # only admit str, hence the cast.
    per_char = cast("Callable[[str], str]", list)

    def convert(text: str) -> list[str]:
        return list(lazy_pinyin(text, style=Style.NORMAL, errors=per_char))

    return convert


def text_units(text: str, language: str = "") -> list[TextUnit]:
    """Split ``text`` into syllable units (Han characters via pypinyin, words otherwise).

    Args:
        text: The spoken text.
        language: ``zh`` forces pinyin for Han characters; with ``''`` they are detected.

    Returns:
        Units in text order; concatenating ``unit.text`` gives ``text`` back.
    """
    has_han = any(_is_han(c) for c in text)
    readings: list[str] = []
    convert = _lazy_pinyin() if has_han or language.startswith("zh") else None
    if convert is not None:
        readings = convert(text)
        if len(readings) != len(text):  # never expected; keep going without readings
            readings = []
    units: list[TextUnit] = []
    word = ""
    for idx, ch in enumerate(text):
        if ch.isalnum() and not _is_han(ch):
            word += ch
            continue
        if word:
            units.append(TextUnit(word, "", True))
            word = ""
        if _is_han(ch):
            units.append(TextUnit(ch, pinyin_final(readings[idx]) if readings else "", True))
        else:
            units.append(TextUnit(ch, "", False))
    if word:
        units.append(TextUnit(word, "", True))
    return units


def _runs(mask: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def _deepest_dip(level: F64, a: int, b: int, margin: int) -> tuple[int, float]:
    """Frame of the lowest level inside ``[a+margin, b-margin)`` and its depth below both peaks."""
    lo, hi = a + margin, b - margin
    if hi <= lo:
        return (a + b) // 2, 0.0
    k = lo + int(np.argmin(level[lo:hi]))
    depth = min(float(level[a:k].max()), float(level[k:b].max())) - float(level[k])
    return k, depth


def _split_at_dips(level: F64, a: int, b: int) -> list[tuple[int, int]]:
    if b - a < 2 * _MIN_SYLLABLE_FRAMES:
        return [(a, b)]
    k, depth = _deepest_dip(level, a, b, _MIN_SYLLABLE_FRAMES)
    if depth < _DIP:
        return [(a, b)]
    return _split_at_dips(level, a, k) + _split_at_dips(level, k, b)


def syllable_spans(level: F64, count: int) -> list[tuple[int, int]]:
    """Cut the frames into ``count`` syllable spans ``[a, b)`` (frame indices, in order).

    Args:
        level: Mouth opening per frame (0..1, unsmoothed).
        count: Number of syllables wanted.

    Returns:
        ``count`` non-overlapping spans; empty when ``count`` is 0. Spans may be empty (a == b)
        only when the audio has fewer frames than syllables.
    """
    n = len(level)
    if count <= 0:
        return []
    runs = [r for r in _runs(level > VOICED_OPEN) if r[1] - r[0] >= _MIN_SYLLABLE_FRAMES]
    if sum(b - a for a, b in runs) < count * _MIN_SYLLABLE_FRAMES:
        # Too little voice to segment: spread evenly over all of it (the proportional fallback).
        edges = np.linspace(0, n, count + 1).round().astype(int).tolist()
        return list(pairwise(edges))
    spans = [s for a, b in runs for s in _split_at_dips(level, a, b)]
    while len(spans) > count:
        gaps = [(spans[j + 1][0] - spans[j][1], spans[j + 1][1] - spans[j][0], j)
                for j in range(len(spans) - 1)]  # fmt: skip
        _, _, j = min(gaps)
        spans[j : j + 2] = [(spans[j][0], spans[j + 1][1])]
    while len(spans) < count:
        j = max(range(len(spans)), key=lambda m: spans[m][1] - spans[m][0])
        a, b = spans[j]
        k, _ = _deepest_dip(level, a, b, max(1, (b - a) // 4))
        spans[j : j + 1] = [(a, k), (k, b)]
    return spans


@dataclass(frozen=True, slots=True)
class PlacedUnit:
    """A text unit with its frame span ``[start, end)`` in the analysed audio."""

    unit: TextUnit
    start: int
    end: int


def place_units(units: Sequence[TextUnit], level: F64) -> list[PlacedUnit]:
    """Lay ``units`` over the frames: spoken ones on syllables, the others in the gaps."""
    spoken = [u for u in units if u.spoken]
    spans = iter(syllable_spans(level, len(spoken)))
    placed: list[PlacedUnit] = []
    pending: list[TextUnit] = []  # silent units waiting for the next syllable's start
    cursor = 0
    for unit in units:
        if not unit.spoken:
            pending.append(unit)
            continue
        a, b = next(spans)
        placed.extend(PlacedUnit(p, cursor, a) for p in pending)
        pending.clear()
        placed.append(PlacedUnit(unit, a, b))
        cursor = b
    end = len(level) if placed or pending else 0
    placed.extend(PlacedUnit(p, cursor, max(cursor, end)) for p in pending)
    return placed


def _trajectory_at(traj: Trajectory, frac: float) -> tuple[float, ...]:
    acc = 0.0
    for weights, part in traj:
        acc += part
        if frac < acc:
            return weights
    return traj[-1][0]


def text_viseme_track(placed: Sequence[PlacedUnit], n_frames: int) -> tuple[F64, F64]:
    """Per-frame A/I/U/E/O weights from the units' pinyin finals, and an OpenY scale.

    Returns:
        ``(weights (n_frames, 5), has_text (n_frames,) 1.0 where a final covers the frame)``.
    """
    weights = np.zeros((n_frames, 5))
    has = np.zeros(n_frames)
    for p in placed:
        traj = FINALS.get(p.unit.final) if p.unit.spoken else None
        if not traj or p.end <= p.start:
            continue
        length = p.end - p.start
        for k in range(p.start, min(p.end, n_frames)):
            weights[k] = _trajectory_at(traj, (k - p.start + 0.5) / length)
        has[p.start : min(p.end, n_frames)] = 1.0
    return weights, has


def is_letter_text(text: str) -> bool:
    """True if ``text`` has any letter or Han character (something to say)."""
    return any(unicodedata.category(c).startswith("L") for c in text)
