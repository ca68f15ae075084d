"""Which characters of a Mandarin clause each streamed piece of audio voices.

FastSpeech2 predicts how many mel frames each input id lasts; with the frontend's map from ids to
the characters they voice (:meth:`~studio.speech.tts.zh_frontend.ZhFrontend.align`), every
character gets a frame range in the clause's spectrogram: its initial and final, and the syllable
break after it, into which the model lets the final decay (pauses, ``sil`` and ``eos`` belong to no
character). A character is voiced by the piece of audio that holds the centre of its range.

The vocoder's pieces are mel frame ranges, but what a chunk plays is what the clause trim lets out
(:class:`~studio.speech.tts.zh_vocoder.ClauseTrim`: the leading silence is cut, silence after the
last sound so far is held back until more sound follows or the clause ends), so characters are
handed out by the raw sample up to which audio has been played: every character goes to exactly
one chunk, in order, and the clause's last chunk takes whatever is left.

Thread affinity: none (plain data; the engine uses a :class:`ClauseText` from one task).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from studio.core.frames import TextSpan
from studio.speech.tts.zh_vocoder import HOP

if TYPE_CHECKING:
    from studio.speech.tts.zh_frontend import ZhChar, ZhInput


def char_frames(owners: Sequence[int], durations: Sequence[int], count: int) -> list[tuple[int, int]]:
    """Mel frame range ``[start, end)`` of each of ``count`` characters.

    Args:
        owners: Per input id, the index of the character it voices or ``-1`` (:class:`ZhInput`).
        durations: Per input id, its predicted length in mel frames.
        count: Number of characters.

    Returns:
        One range per character; a character none of whose ids lasts a frame gets an empty range
        where it would be.
    """
    ranges: list[tuple[int, int] | None] = [None] * count
    at = 0
    for owner, frames in zip(owners, durations, strict=True):
        length = max(0, int(frames))
        if owner >= 0:
            first = ranges[owner]
            ranges[owner] = (at if first is None else first[0], at + length)
        at += length
    filled: list[tuple[int, int]] = []
    for found in ranges:
        start = filled[-1][1] if filled else 0
        filled.append(found if found is not None else (start, start))
    return filled


@dataclass(slots=True)
class ClauseText:
    """Hands a clause's characters to its chunks as their audio is played.

    Each chunk gets the characters whose centre it plays (:meth:`take`) and a sub-span of the
    clause: its characters with the text after each of them up to the next voiced character
    (punctuation inside the clause goes with the character before it). The first chunk's span
    also holds any text before the first character, the last one any text after the last, so the
    chunks' span texts put together are the clause.

    Attributes:
        clause: The clause's span in the engine's input text.
        chars: The voiced characters (offsets in the clause text), in order.
        centres: Per character, the raw clause sample (before trimming) at its centre.
    """

    clause: TextSpan
    chars: Sequence[ZhChar]
    centres: Sequence[float]
    _next: int = field(init=False, default=0)  # first character not handed out yet
    _at: int = field(init=False, default=0)  # clause text offset where the next span starts

    @classmethod
    def from_durations(
        cls, clause: TextSpan, voiced: ZhInput, durations: Sequence[int], frames: int
    ) -> ClauseText:
        """The clause's characters timed by the acoustic model's per-id ``durations``.

        ``frames`` is the spectrogram's length; should the durations not add up to it, the
        character times are scaled to fit.
        """
        ranges = char_frames(voiced.owners, durations, len(voiced.chars))
        total = sum(max(0, int(d)) for d in durations)
        scale = frames / total if total > 0 else 1.0
        centres = [(a + b) / 2 * scale * HOP for a, b in ranges]
        return cls(clause, voiced.chars, centres)

    @property
    def done(self) -> bool:
        """True once every character has been handed out."""
        return self._next >= len(self.chars)

    def take(self, played: int | None) -> tuple[TextSpan, str]:
        """The span and the spoken text of the next chunk.

        Args:
            played: Raw clause sample up to which audio has now been played (the chunk holds the
                audio from the previous call's ``played`` to this one); ``None`` for the clause's
                last chunk, which takes everything left.

        Returns:
            ``(span, spoken)``: the chunk's part of the clause (may be empty) and the readings of
            its characters joined (``""`` when it voices none).
        """
        n = self._next
        while n < len(self.chars) and (played is None or self.centres[n] < played):
            n += 1
        if played is None:
            end = len(self.clause.text)
        elif n < len(self.chars):
            end = self.chars[n].start
        else:
            end = self.chars[-1].end if self.chars else self._at
        end = max(end, self._at)
        span = TextSpan(
            self.clause.start + self._at, self.clause.start + end, self.clause.text[self._at : end]
        )
        spoken = "".join(char.spoken for char in self.chars[self._next : n])
        self._next, self._at = n, end
        return span, spoken
