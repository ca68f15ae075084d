"""VoxCPM as a studio voice (``voxcpm:<model name>``), cloning the selected speaker.

The engine (one worker process per model) belongs to the VoiceHub; this adapter only borrows it
through ``engine()`` and never closes it. Each clause is synthesised with ``generate_streaming``
and every patch the model yields becomes one :class:`~studio.core.frames.AudioChunk` at once.

The model does not say which characters a patch voices, so the clause's text is handed out to
the chunks at a typical speaking rate (Han characters and kana ~0.2 s, Latin letters ~0.065 s),
never running ahead of the audio; a last 10 ms silent chunk with ``final=True`` carries whatever
is left. Lip-sync and barge-in bookkeeping then see roughly what has been heard.

Prosody: ``volume`` is applied; VoxCPM has no speed or pitch control, so those are ignored.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable
from pathlib import Path

import numpy as np

from studio.core.errors import ProviderError, ValidationError
from studio.core.frames import AudioChunk, TextSpan
from studio.speech.tts.base import TtsOptions, VoiceInfo
from studio.speech.tts.prosody import apply_gain
from studio.speech.tts.voxcpm.engine import PROVIDER, VoxCpmEngine
from studio.speech.tts.voxcpm.request import VoxCpmRequest

log = logging.getLogger(__name__)

LANGUAGES = ("zh", "en", "ja")
DEFAULT_SAMPLE_RATE = 48000  # VoxCPM2's output rate, until the model says otherwise
FINAL_SILENCE_S = 0.01
LICENCE = (
    "VoxCPM (OpenBMB) code: Apache-2.0. The model's weights keep their own licence (see its model card). "
    "Clone only voices you have the right to use."
)


def char_seconds(ch: str) -> float:
    """Typical time a character takes to say (for handing text out to streamed chunks)."""
    code = ord(ch)
    if 0x3040 <= code <= 0x30FF or 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF:
        return 0.2
    if ch.isalnum():
        return 0.065
    if ch.isspace():
        return 0.03
    return 0.05


class TextPacer:
    """Hands ``text`` out to chunks as their audio accumulates (never the last character early)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._costs = [char_seconds(ch) for ch in text]
        self._next = 0
        self._budget = 0.0

    def take(self, seconds: float) -> TextSpan:
        """The characters voiced by the next ``seconds`` of audio (possibly none)."""
        self._budget += seconds
        start = self._next
        while self._next < len(self.text) - 1 and self._costs[self._next] <= self._budget:
            self._budget -= self._costs[self._next]
            self._next += 1
        return TextSpan(start, self._next, self.text[start : self._next])

    def rest(self) -> TextSpan:
        """Everything not handed out yet."""
        start, self._next = self._next, len(self.text)
        return TextSpan(start, self._next, self.text[start:])


class VoxCpmTTS:
    """The TtsEngine for a VoxCPM model. Engine loop only.

    Args:
        engine: Returns the shared engine (owned by the VoiceHub; not closed here) or None when
            no VoxCPM model is selected.
        model_name: The model's name; the voice id is ``voxcpm:<model_name>``.
        speaker: Returns ``(wav, transcript)`` of the speaker to clone, or None for the model's
            own voice.
        sample_rate: The model's output rate if known before loading (``read_model_config``);
            default 48000 until the engine reports it.
    """

    name = "voxcpm"

    def __init__(
        self,
        engine: Callable[[], Awaitable[VoxCpmEngine | None]],
        model_name: str,
        speaker: Callable[[], tuple[Path, str] | None],
        *,
        sample_rate: int | None = None,
    ) -> None:
        self._engine = engine
        self.model_name = model_name
        self.voice_id = f"{self.name}:{model_name}"
        self._speaker = speaker
        self._sample_rate = sample_rate

    def voices(self) -> list[VoiceInfo]:
        """The one voice of this model (cheap; no loading)."""
        return [
            VoiceInfo(
                id=self.voice_id,
                engine=self.name,
                languages=LANGUAGES,
                sample_rate=self._sample_rate or DEFAULT_SAMPLE_RATE,
                display_name=f"VoxCPM {self.model_name}",
                licence=LICENCE,
                offline=True,
            )
        ]

    async def warm_up(self, voice_id: str) -> None:
        """Load the model in its worker (which runs a tiny synthesis itself).

        Raises:
            ProviderError: unknown voice, no model selected, or the model cannot be loaded.
        """
        engine = await self._get_engine(voice_id)
        await engine.load()
        self._sample_rate = engine.sample_rate or self._sample_rate

    async def stream(self, text: str, voice_id: str, options: TtsOptions) -> AsyncGenerator[AudioChunk, None]:
        """Yield each streamed patch of ``text`` as a chunk, then a 10 ms silent final chunk.

        Blank text yields nothing. Cancelling the consumer stops the worker's generation.

        Raises:
            ProviderError: unknown voice, no model, unusable speaker recording, load failure or a
                worker crash (``retryable``).
        """
        engine = await self._get_engine(voice_id)
        if not text.strip():
            return
        await engine.load()
        rate = engine.sample_rate or self._sample_rate or DEFAULT_SAMPLE_RATE
        self._sample_rate = rate
        try:
            chunks = engine.stream(self._request(text, engine))
        except ValidationError as exc:
            raise ProviderError(f"VoxCPM cannot speak this: {exc}", provider=PROVIDER) from exc
        pacer = TextPacer(text)
        async with contextlib.aclosing(chunks) as pcm_chunks:
            async for pcm in pcm_chunks:
                yield self._chunk(
                    apply_gain(pcm, options.volume), rate, pacer.take(len(pcm) / rate), final=False
                )
        silence = np.zeros(round(rate * FINAL_SILENCE_S), dtype=np.float32)
        yield self._chunk(silence, rate, pacer.rest(), final=True)

    def _request(self, text: str, engine: VoxCpmEngine) -> VoxCpmRequest:
        speaker = self._speaker()
        if speaker is None:
            return VoxCpmRequest(text=text, retry_badcase=False)
        wav, transcript = speaker
        reference = Path(wav) if engine.architecture == "voxcpm2" else None
        if transcript.strip():
            return VoxCpmRequest(
                text=text,
                prompt_wav=Path(wav),
                prompt_text=transcript,
                reference_wav=reference,
                retry_badcase=False,
            )
        if reference is None:
            log.warning("the clone speaker has no transcript; VoxCPM 1.x speaks with its own voice")
        return VoxCpmRequest(text=text, reference_wav=reference, retry_badcase=False)

    def _chunk(self, pcm: np.ndarray, rate: int, span: TextSpan, *, final: bool) -> AudioChunk:
        return AudioChunk(
            pcm=pcm,
            sample_rate=rate,
            span=span,
            voice_id=self.voice_id,
            final=final,
            spoken=None if span.text else "",
        )

    async def _get_engine(self, voice_id: str) -> VoxCpmEngine:
        if voice_id != self.voice_id:
            raise ProviderError(
                f"Unknown VoxCPM voice {voice_id!r}; this engine has only {self.voice_id!r}.",
                provider=PROVIDER,
            )
        engine = await self._engine()
        if engine is None:
            raise ProviderError(
                "No VoxCPM model is selected: choose one under Voice > Models.", provider=PROVIDER
            )
        return engine

    async def close(self) -> None:
        """Nothing to release: the engine belongs to the VoiceHub."""
