"""Utterance transcription with the packaged Whisper base: partial transcripts while the user
speaks, one final per utterance, published as :class:`~studio.core.events.TranscriptEvent`.

* :class:`WhisperAsr` runs faster-whisper on a :class:`~studio.inference.host.ThreadModelHost`
  (one model thread, calls in order). Language ``auto`` detects among zh/en/ja only (Whisper's own
  detection wanders off to neighbouring languages on short clips).
* :class:`UtteranceTranscriber` collects one utterance's 16 kHz audio; while it grows it
  re-transcribes the whole buffer at most every ``partial_interval`` seconds (never two at once) and
  publishes partials; :meth:`UtteranceTranscriber.finish` publishes the final. With a wake word,
  a final that does not start with it is published with empty text (nothing to answer) and the
  wake word is removed from one that does.

Thread affinity: engine loop (model work happens on the model thread).
"""

from __future__ import annotations

import asyncio
import logging
import re
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from studio.audio.ring import Frames
from studio.core.bus import EventBus
from studio.core.errors import ProviderError
from studio.core.events import TranscriptEvent
from studio.core.tasks import TaskOwner
from studio.inference.host import ModelHost, ThreadModelHost
from studio.speech.asr.packaged_whisper import (
    _PROMPTS,
    PROVIDER,
    fast_transcribe,
    packaged_whisper_model_dir,
)

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

log = logging.getLogger(__name__)

RATE = 16000
LANGUAGES = ("zh", "en", "ja")
MIN_PARTIAL_S = 0.5  # shorter buffers give Whisper nothing to work with


@dataclass(frozen=True, slots=True)
class AsrResult:
    """One transcription: text, its language, the audio length and the time it took (s)."""

    text: str
    language: str
    audio_s: float
    elapsed_s: float


def transcribe_utterance(model: WhisperModel, audio: Frames, language: str | None) -> tuple[str, str]:
    """Model thread: ``(text, language)``; ``language=None`` picks the likeliest of zh/en/ja.

    Short utterances take :func:`~studio.speech.asr.packaged_whisper.fast_transcribe` (one encoder
    pass over a window fitted to the audio); long ones, and a fast result that looks wrong, the
    standard 30 s windows.
    """
    fast = fast_transcribe(model, audio, language, LANGUAGES)
    if fast is not None:
        return fast
    if language is None:
        _lang, _prob, probs = model.detect_language(audio)
        allowed = [(p, code) for code, p in probs if code in LANGUAGES]
        language = max(allowed)[1] if allowed else "en"
    segments, _info = model.transcribe(
        audio,
        language=language,
        beam_size=1,
        temperature=0.0,
        without_timestamps=True,
        condition_on_previous_text=False,
        initial_prompt=_PROMPTS.get(language),
    )
    joiner = " " if language == "en" else ""
    return joiner.join(seg.text.strip() for seg in segments).strip(), language


class WhisperAsr:
    """Whisper base (packaged) on its own model thread.

    Args:
        cache_dir: Where the packaged model is joined (default: the system temp folder).
        threads: CTranslate2 CPU threads.
        host: A model host to use instead of building one (tests, a shared host).
    """

    def __init__(
        self,
        cache_dir: Path | None = None,
        *,
        threads: int = 2,
        host: ModelHost[WhisperModel] | None = None,
    ) -> None:
        self._cache_dir = cache_dir or Path(tempfile.gettempdir()) / "cream-studio-models"
        self._threads = threads
        self.host: ModelHost[WhisperModel] = host or ThreadModelHost("whisper-base", self._load)

    def _load(self) -> WhisperModel:
        model_dir = packaged_whisper_model_dir(self._cache_dir)
        try:
            from faster_whisper import WhisperModel
        except ImportError as exc:
            raise ProviderError("faster-whisper is not installed.", provider=PROVIDER) from exc
        return WhisperModel(str(model_dir), device="cpu", compute_type="int8", cpu_threads=self._threads)

    async def warm_up(self) -> None:
        """Load the model now (about a second) so the first utterance is not slower."""
        await self.host.load()

    async def transcribe(self, pcm: Frames, language: str = "auto") -> AsrResult:
        """Transcribe 16 kHz mono audio; ``language`` is ``auto``, ``zh``, ``en`` or ``ja``."""
        audio = np.ascontiguousarray(pcm, dtype=np.float32)
        lang = None if language in ("", "auto") else language
        started = time.perf_counter()
        text, detected = await self.host.run(lambda m: transcribe_utterance(m, audio, lang))
        return AsrResult(text, detected, len(audio) / RATE, time.perf_counter() - started)

    async def close(self) -> None:
        """Release the model thread."""
        await self.host.close()


_PUNCT = re.compile(r"^[\s\W_]+", re.UNICODE)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def strip_wake_word(text: str, wake_word: str) -> str | None:
    """``text`` without a leading wake word, or ``None`` if it does not start with it.

    Case, width, spaces and punctuation are ignored ("Hey, Cream!" matches "hey cream").
    """
    wanted = re.sub(r"[\s\W_]+", "", _fold(wake_word))
    if not wanted:
        return text
    folded = _fold(text)
    i = 0
    matched = 0
    while i < len(folded) and matched < len(wanted):
        ch = folded[i]
        if ch == wanted[matched]:
            matched += 1
        elif ch.isalnum():
            return None
        i += 1
    if matched < len(wanted):
        return None
    return _PUNCT.sub("", text[i:]).strip()


class UtteranceTranscriber:
    """Partial and final transcripts of the current utterance (engine loop).

    Args:
        asr: The recogniser.
        bus: Where :class:`TranscriptEvent` is published.
        language: ``auto``, ``zh``, ``en`` or ``ja``.
        partial_interval: Shortest time between two partial transcriptions (s); 0 disables partials.
        wake_word: Required leading name (empty: none).
        source: ``source`` of the events.
    """

    def __init__(
        self,
        asr: WhisperAsr,
        bus: EventBus,
        *,
        language: str = "auto",
        partial_interval: float = 0.7,
        wake_word: str = "",
        source: str = "mic",
    ) -> None:
        self.asr = asr
        self.bus = bus
        self.language = language
        self.partial_interval = partial_interval
        self.wake_word = wake_word
        self.source = source
        self.utterance = 0
        self._parts: list[Frames] = []
        self._samples = 0
        self._open = False
        self._grew = asyncio.Event()
        self._tasks = TaskOwner("asr-stream")
        self._partials: asyncio.Task[None] | None = None
        self._lang_hint: str | None = None
        self.finals: list[AsrResult] = []

    @property
    def active(self) -> bool:
        """True between :meth:`begin` and :meth:`finish`."""
        return self._open

    @property
    def buffered_s(self) -> float:
        """Seconds of audio in the current utterance."""
        return self._samples / RATE

    def begin(self, utterance: int) -> None:
        """Start collecting utterance ``utterance`` (drops a previous one that was not finished)."""
        self._stop_partials()
        self.utterance = utterance
        self._parts = []
        self._samples = 0
        self._open = True
        self._lang_hint = None
        if self.partial_interval > 0:
            self._partials = self._tasks.spawn(self._partial_loop(utterance), f"partials-{utterance}")

    def append(self, pcm: Frames) -> None:
        """Add audio (16 kHz mono) to the current utterance."""
        if not self._open or len(pcm) == 0:
            return
        self._parts.append(pcm)
        self._samples += len(pcm)
        self._grew.set()

    def _audio(self) -> Frames:
        return np.concatenate(self._parts) if self._parts else np.zeros(0, dtype=np.float32)

    async def _partial_loop(self, utterance: int) -> None:
        last = -1
        while self._open and self.utterance == utterance:
            await self._grew.wait()
            self._grew.clear()
            if self._samples < MIN_PARTIAL_S * RATE or self._samples == last:
                continue
            started = time.monotonic()
            last = self._samples
            lang = self._lang_hint or self.language
            try:
                result = await self.asr.transcribe(self._audio(), lang)
            except Exception as exc:  # a failed partial is not fatal; the final reports errors
                log.warning("partial transcription failed", extra={"error": str(exc)})
                return
            if not (self._open and self.utterance == utterance):
                return
            self._lang_hint = result.language
            if result.text:
                self.bus.publish(self._event(result.text, final=False, language=result.language))
            await asyncio.sleep(max(0.0, self.partial_interval - (time.monotonic() - started)))

    def _stop_partials(self) -> None:
        task, self._partials = self._partials, None
        if task is not None:
            task.cancel()

    def cancel(self) -> None:
        """Drop the current utterance without a final."""
        self._open = False
        self._stop_partials()
        self._parts = []
        self._samples = 0

    async def finish(self) -> AsrResult | None:
        """Transcribe the whole utterance and publish the final (empty text: nothing to answer).

        Returns:
            The recognition result (before the wake-word filter), or ``None`` if no utterance was open.

        Raises:
            ProviderError: the model could not be loaded or run.
        """
        if not self._open:
            return None
        self._open = False
        self._stop_partials()
        audio = self._audio()
        self._parts = []
        self._samples = 0
        result = await self.asr.transcribe(audio, self.language)
        text = result.text
        if self.wake_word:
            rest = strip_wake_word(text, self.wake_word)
            if rest is None:
                log.info("utterance ignored: no wake word", extra={"utterance": self.utterance})
            text = rest or ""
        self.finals.append(result)
        self.bus.publish(self._event(text, final=True, language=result.language))
        log.info(
            "utterance transcribed",
            extra={"utterance": self.utterance, "audio_s": result.audio_s, "asr_s": result.elapsed_s},
        )
        return result

    def _event(self, text: str, *, final: bool, language: str) -> TranscriptEvent:
        return TranscriptEvent(
            text=text, final=final, language=language, utterance=self.utterance, source=self.source
        )

    async def close(self) -> None:
        """Stop partial work (the model stays with :attr:`asr`)."""
        self.cancel()
        await self._tasks.close()
