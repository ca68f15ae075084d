"""StreamCream-style mouth timelines aligned to real audio (``/api/tts/mouth-timeline``,
``/text2mouth_timeline``).

StreamCream guessed each character's duration from its vowel and stretched the guesses to an
estimated length. Here the characters are laid over the voiced syllables of the synthesized
audio itself (see :mod:`studio.avatar.alignment`), and each item also carries how far the mouth
opens and its Cubism shape.

Pure functions: safe on any thread (a few ms per second of audio).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from studio.avatar.mouth_analysis import HOP
from studio.avatar.mouth_track import build_track
from studio.avatar.visemes import NEUTRAL_SHAPE, PARAM_IDS, VISEMES, dominant_viseme


@dataclass(frozen=True, slots=True)
class MouthTimelineItem:
    """One unit of text and the mouth while it is said (or while the voice pauses for it).

    Attributes:
        start: Seconds from the start of the audio.
        end: Seconds from the start of the audio (``>= start``).
        vowel: Pinyin final (``a``, ``iang``, ``ü``, ``-i``, ``er`` ...) for Han characters; the
            dominant viseme in lower case (``a``/``i``/``u``/``e``/``o``) for other words;
            ``''`` for spaces, punctuation and silence.
        char: The character (Han), word (other scripts) or space/punctuation.
        mouth_open: Widest opening (ParamMouthOpenY, 0..1) reached during the item; for a pause,
            the loudest moment of the pause itself (the previous syllable's release not counted).
        mouth_shape: The five Cubism mouth parameters at that widest moment (neutral for pauses).
    """

    start: float
    end: float
    vowel: str
    char: str
    mouth_open: float
    mouth_shape: dict[str, float]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready ``{start, end, vowel, char, mouth_open, mouth_shape}``."""
        return {
            "start": self.start,
            "end": self.end,
            "vowel": self.vowel,
            "char": self.char,
            "mouth_open": self.mouth_open,
            "mouth_shape": dict(self.mouth_shape),
        }


_NEUTRAL_PARAMS = dict(zip(PARAM_IDS, NEUTRAL_SHAPE, strict=True))


def text_to_mouth_timeline(
    text: str,
    audio_pcm: npt.ArrayLike,
    sr: int,
    *,
    language: str = "",
) -> list[MouthTimelineItem]:
    """Align ``text`` to the audio that speaks it and describe the mouth per unit.

    Args:
        text: The text the audio speaks.
        audio_pcm: Mono samples (float in -1..1, or int16 which is scaled).
        sr: Sample rate of ``audio_pcm``.
        language: ``zh`` for Mandarin; empty detects Han characters.

    Returns:
        Items in text order, contiguous and non-overlapping, within the audio's duration: one
        per Han character, word, space or punctuation mark. Empty text gives ``[]``.
    """
    pcm = np.asarray(audio_pcm)
    if pcm.dtype == np.int16:
        pcm = pcm.astype(np.float32) / 32768.0
    pcm = pcm.astype(np.float32, copy=False).reshape(-1)
    if not text:
        return []
    duration = len(pcm) / sr if sr > 0 else 0.0
    track = build_track(pcm, sr, text=text, language=language, tail=0.0)
    values = track.values[: track.audio_frames]
    items: list[MouthTimelineItem] = []
    for placed in track.placed:
        a, b = placed.start, placed.end
        start = min(a * HOP, duration)
        end = min(max(b * HOP, start), duration)
        unit = placed.unit
        if b > a and len(values) and unit.spoken:
            span = values[a:b]
            peak = int(np.argmax(span[:, 0]))
            row = span[peak]
            mouth_open = float(row[0])
            shape = {pid: round(float(v), 4) for pid, v in zip(PARAM_IDS, row[:5], strict=True)}
            weights = span[:, 5:].sum(axis=0)
        else:
            # A pause: the closing motion of the syllable before it does not count.
            mouth_open = float(track.open_raw[a:b].max()) if b > a else 0.0
            shape, weights = dict(_NEUTRAL_PARAMS), np.zeros(len(VISEMES))
        if not unit.spoken:
            vowel = ""
        elif unit.final:
            vowel = unit.final
        else:
            w = weights.tolist()
            vowel = dominant_viseme((w[0], w[1], w[2], w[3], w[4])).lower()
        items.append(
            MouthTimelineItem(
                start=round(start, 3),
                end=round(end, 3),
                vowel=vowel,
                char=unit.text,
                mouth_open=round(mouth_open, 4),
                mouth_shape=shape,
            )
        )
    return items
