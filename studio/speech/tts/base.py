"""The TTS protocol every engine implements, and the voice catalogue entry.

An engine streams :class:`~studio.core.frames.AudioChunk` s for a piece of text; it is cancelled by
cancelling the consuming task (the engine stops at its next chunk boundary and drops the rest).
Heavy work runs off the engine loop, in a :class:`~studio.inference.host.ModelHost`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from studio.core.frames import AudioChunk


@dataclass(frozen=True, slots=True)
class VoiceInfo:
    """One voice in the catalogue.

    Attributes:
        id: Stable id, ``<engine>:<voice>`` (e.g. ``piper:en_US-joe-medium``).
        engine: Engine name (``zh_onnx``, ``piper``, ``kokoro``, ``gpt_sovits`` ...).
        languages: Languages the voice speaks well (``zh``, ``en``, ``ja``).
        sample_rate: Native output rate.
        display_name: Name shown in the GUI.
        licence: Licence / terms note shown beside the voice.
        offline: True when it runs without any network.
    """

    id: str
    engine: str
    languages: tuple[str, ...]
    sample_rate: int
    display_name: str
    licence: str = ""
    offline: bool = True


@dataclass(frozen=True, slots=True)
class TtsOptions:
    """Per-request prosody. ``speed`` 0.5-2.0, ``pitch`` in semitones -12..12, ``volume`` 0-2."""

    speed: float = 1.0
    pitch: float = 0.0
    volume: float = 1.0

    def __post_init__(self) -> None:
        if not 0.5 <= self.speed <= 2.0:
            raise ValueError("speed must be between 0.5 and 2.0")
        if not -12.0 <= self.pitch <= 12.0:
            raise ValueError("pitch must be between -12 and 12 semitones")
        if not 0.0 <= self.volume <= 2.0:
            raise ValueError("volume must be between 0 and 2")


@runtime_checkable
class TtsEngine(Protocol):
    """A speech synthesizer. Methods are called on the engine loop."""

    name: str

    def voices(self) -> list[VoiceInfo]:
        """The voices this engine offers (cheap; no model loading)."""
        ...

    async def warm_up(self, voice_id: str) -> None:
        """Load the voice's model and run a tiny synthesis so the first real request is fast."""
        ...

    def stream(self, text: str, voice_id: str, options: TtsOptions) -> AsyncIterator[AudioChunk]:
        """Synthesize ``text`` (already normalised, one language) and yield chunks as they are ready.

        Raises:
            ProviderError: the engine failed (``retryable`` says whether trying again may help).
        """
        ...

    async def close(self) -> None:
        """Release models and workers."""
        ...
