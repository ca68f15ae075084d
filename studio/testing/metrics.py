"""Error rates for intelligibility checks (transcript vs the text that was spoken)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence


def edit_distance(ref: Sequence[str], hyp: Sequence[str]) -> int:
    """Levenshtein distance between two sequences (characters or words)."""
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1]


def _chars(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isalnum())


def char_error_rate(reference: str, hypothesis: str) -> float:
    """CER over letters and digits (punctuation, spaces and width differences ignored)."""
    ref = _chars(reference)
    return edit_distance(ref, _chars(hypothesis)) / max(1, len(ref))


def _words(text: str) -> list[str]:
    return re.sub(r"[^\w\s']", " ", text.lower()).split()


def word_error_rate(reference: str, hypothesis: str) -> float:
    """WER over lower-cased words (punctuation ignored)."""
    ref = _words(reference)
    return edit_distance(ref, _words(hypothesis)) / max(1, len(ref))
