"""Hot-path data passed between stages: audio chunks and text deltas.

``AudioChunk.pcm`` is float32 mono in -1..1 at ``sample_rate``. Chunks carry the text span they
speak, so lip-sync and subtitles can align text to audio.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

PcmArray = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class TextSpan:
    """Characters ``start:end`` of the request text, and the text itself."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AudioChunk:
    """A piece of synthesized (or captured) audio.

    Attributes:
        pcm: Mono float32 samples in -1..1.
        sample_rate: Samples per second of ``pcm``.
        span: The text this chunk speaks (``None`` for audio without text, e.g. music).
        voice_id: Voice that produced it (``engine:voice``).
        language: BCP-47-ish code of the spoken text (``zh``, ``en``, ``ja``).
        final: True on the last chunk of an utterance.
        spoken: The text this chunk actually voices, as the engine read it (normalised, e.g.
            "三点一四" for "3.14"); lip-sync aligns it to the audio. ``None`` means ``span.text``;
            ``""`` means the chunk voices no text (e.g. a piece holding only the start of a
            syllable whose centre is in the next piece).
    """

    pcm: PcmArray
    sample_rate: int
    span: TextSpan | None = None
    voice_id: str = ""
    language: str = ""
    final: bool = False
    spoken: str | None = None

    @property
    def voiced_text(self) -> str:
        """What this chunk says: ``spoken`` if set (even to ``""``), else the span's text."""
        if self.spoken is not None:
            return self.spoken
        return self.span.text if self.span is not None else ""

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.pcm) / self.sample_rate if self.sample_rate else 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class TextDelta:
    """A piece of streamed text (from an LLM, a script or typed chat)."""

    text: str
    final: bool = False
    source: str = ""
    meta: dict[str, str] = field(default_factory=dict)
