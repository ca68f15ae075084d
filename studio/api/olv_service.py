"""The seam between the Open-LLM-VTuber compat routes (``studio.api.compat.olv``) and the engine.

The composition root registers an :class:`OlvBackend` as ``ApiContext.services["olv"]`` (the chat
model, the conversation memory, the characters and the avatar library) and may register a
:class:`SpeechRecognizer` as ``services["asr"]``; without one, :class:`PackagedWhisperRecognizer`
(Whisper base from the packaged model, in a worker thread) is used. Speech synthesis goes through
``services["speech"]`` (:class:`~studio.api.tts_service.SpeechApi`).

Thread: engine loop for every coroutine.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from studio.core.errors import StudioError

if TYPE_CHECKING:
    from studio.avatar.model_dict import AvatarSource
    from studio.brain.llm import ChatModel
    from studio.brain.memory import ConversationMemory

log = logging.getLogger(__name__)

ASR_RATE = 16000
"""Open-LLM-VTuber sends and expects 16 kHz mono audio."""


class OlvUnavailableError(StudioError):
    """No conversation backend is registered with the API (no language model set up)."""

    code = "olv_unavailable"


@dataclass(frozen=True, slots=True)
class OlvCharacter:
    """One character as Open-LLM-VTuber sees it (a ``conf.yaml`` / ``characters/*.yaml``).

    Attributes:
        filename: ``conf.yaml`` for the current character, else ``<persona id>.yaml``.
        conf_name: Display name of the configuration.
        conf_uid: Stable id (the persona id); histories are kept per ``conf_uid``.
        character_name: The character's name (``display_text.name``).
        avatar: A picture file under ``/avatars`` (``display_text.avatar``) or ``None``.
        system_prompt: The system prompt of the chat model.
        model_info: The ``model_dict.json`` entry sent in ``set-model-and-conf``.
        persona_id: The studio persona behind it.
    """

    filename: str
    conf_name: str
    conf_uid: str
    character_name: str
    avatar: str | None
    system_prompt: str
    model_info: dict[str, Any] = field(default_factory=dict)
    persona_id: str = ""

    @property
    def emotion_map(self) -> dict[str, int | str]:
        """``emotionMap`` of :attr:`model_info` (keyword -> expression)."""
        value = self.model_info.get("emotionMap")
        return dict(value) if isinstance(value, dict) else {}


@runtime_checkable
class OlvBackend(Protocol):
    """What the Open-LLM-VTuber routes need from the engine (``services["olv"]``)."""

    async def chat_model(self) -> ChatModel:
        """The chat model for replies.

        Raises:
            StudioError: no language model is configured.
        """
        ...

    async def memory(self) -> ConversationMemory:
        """The conversation memory (histories in SQLite, prompts within the context budget)."""
        ...

    async def characters(self) -> list[OlvCharacter]:
        """Every character; the first is the current one (``conf.yaml``)."""
        ...

    async def avatar_library(self) -> AvatarSource | None:
        """The avatar library for ``/live2d-models/info`` (``None``: no library)."""
        ...


@runtime_checkable
class SpeechRecognizer(Protocol):
    """Speech to text for ``mic-audio-end`` and ``POST /asr`` (``services["asr"]``)."""

    async def transcribe(self, pcm: npt.NDArray[np.float32], sample_rate: int) -> str:
        """The text spoken in mono ``pcm`` (-1..1); ``""`` for silence. Never blocks the loop.

        Raises:
            ProviderError: the recogniser failed.
        """
        ...


class PackagedWhisperRecognizer:
    """:class:`SpeechRecognizer` over the packaged Whisper base model, in a worker thread.

    Args:
        language: ``zh``, ``en``, ``ja`` ... (Whisper language code); ``None`` detects it per
            request (Open-LLM-VTuber clients send any language).
        cache_dir: Where the model is joined (default: a shared temp folder).
    """

    def __init__(self, language: str | None = None, cache_dir: Path | None = None) -> None:
        self.language = language
        self.cache_dir = cache_dir
        self._lock: asyncio.Lock | None = None

    async def transcribe(self, pcm: npt.NDArray[np.float32], sample_rate: int) -> str:
        """See :meth:`SpeechRecognizer.transcribe`; one transcription at a time (two cores)."""
        from studio.speech.asr.packaged_whisper import transcribe

        if pcm.size == 0:
            return ""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            return await asyncio.to_thread(
                transcribe, pcm, sample_rate, self.language, cache_dir=self.cache_dir
            )


def backend_of(services: dict[str, Any]) -> OlvBackend:
    """The registered backend.

    Raises:
        OlvUnavailableError: none is registered.
    """
    backend = services.get("olv")
    if not isinstance(backend, OlvBackend):
        raise OlvUnavailableError("Conversation is not available: set up a language model in Settings first.")
    return backend


def recognizer_of(services: dict[str, Any]) -> SpeechRecognizer:
    """The registered recogniser, or a packaged Whisper one kept in ``services["asr"]``."""
    asr = services.get("asr")
    if not isinstance(asr, SpeechRecognizer):
        asr = PackagedWhisperRecognizer()
        services["asr"] = asr
    return asr
