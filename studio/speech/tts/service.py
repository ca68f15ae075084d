"""TtsService: the studio's one way to speak text.

It splits text into clauses, finds the language of each part, normalises it for that language,
routes it to the chosen voice (or the default voice of that language, so "今天我们聊 Python"
is spoken by the Mandarin and the English voice), and streams audio while synthesising ahead.
A remote voice that fails falls back to the default voice of the language, with a warning.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass

from studio.core.errors import ProviderError, ValidationError
from studio.core.frames import AudioChunk, TextSpan
from studio.core.tasks import TaskOwner
from studio.speech.text.language import segment_languages
from studio.speech.text.normalize import normalize
from studio.speech.text.splitter import ClauseSplitter
from studio.speech.tts.base import TtsEngine, TtsOptions, VoiceInfo

log = logging.getLogger(__name__)

_SPEAKABLE_MIN = 1


@dataclass(frozen=True, slots=True)
class SpeechItem:
    """One piece of the plan: original text span, its language, the voice and the text it speaks."""

    start: int
    end: int
    text: str
    language: str
    voice_id: str
    spoken: str


def _has_speakable(text: str) -> bool:
    return sum(ch.isalnum() for ch in text) >= _SPEAKABLE_MIN


class TtsService:
    """Routes text to voices and streams audio (engine loop).

    Args:
        engines: Engines by name (``VoiceInfo.engine``).
        defaults: Default voice id per language (``{"zh": ..., "en": ..., "ja": ...}``).
        on_warning: Called with a person-readable message when a voice falls back.
        default_language: Language assumed for text without letters of any script.
    """

    def __init__(
        self,
        engines: Mapping[str, TtsEngine],
        defaults: Mapping[str, str],
        on_warning: Callable[[str], None] | None = None,
        default_language: str = "zh",
    ) -> None:
        self._engines = dict(engines)
        self._voices: dict[str, VoiceInfo] = {}
        for engine in self._engines.values():
            for voice in engine.voices():
                self._voices[voice.id] = voice
        self._defaults = {lang: vid for lang, vid in defaults.items() if vid in self._voices}
        self._on_warning = on_warning
        self.default_language = default_language

    def catalogue(self) -> list[VoiceInfo]:
        """Every voice of every engine."""
        return list(self._voices.values())

    def voice(self, voice_id: str) -> VoiceInfo:
        """The voice ``voice_id``.

        Raises:
            ValidationError: no such voice (the message lists the available ones).
        """
        try:
            return self._voices[voice_id]
        except KeyError:
            known = ", ".join(sorted(self._voices)) or "none"
            raise ValidationError(f"Unknown voice {voice_id!r}. Available voices: {known}") from None

    def default_voice(self, language: str) -> str | None:
        """The default voice id for ``language`` (or ``None``)."""
        return self._defaults.get(language)

    def plan(self, text: str, voice_id: str | None = None) -> list[SpeechItem]:
        """Split ``text`` into clauses and language runs, choose a voice for each, normalise them."""
        chosen = self.voice(voice_id) if voice_id else None
        splitter = ClauseSplitter()
        clauses = [*splitter.feed(text), *splitter.flush()]
        items: list[SpeechItem] = []
        for clause in clauses:
            for seg in segment_languages(clause.text, default=self.default_language):
                original = clause.text[seg.start : seg.end]
                if not _has_speakable(original):
                    continue
                lang = seg.language
                if chosen is not None and lang in chosen.languages:
                    vid = chosen.id
                else:
                    vid = self._defaults.get(lang) or (chosen.id if chosen else None) or self._any_voice()
                spoken = normalize(original, lang).strip()
                if not _has_speakable(spoken):
                    continue
                start = clause.start + seg.start
                items.append(SpeechItem(start, start + len(original), original, lang, vid, spoken))
        return self._merge(items)

    @staticmethod
    def _merge(items: list[SpeechItem]) -> list[SpeechItem]:
        # Neighbouring parts of one clause with the same voice stay separate: each is a clause-sized
        # request already; merging across clause boundaries would delay the first audio.
        return items

    def _any_voice(self) -> str:
        if not self._voices:
            raise ProviderError("No voices are available.", provider="tts")
        return next(iter(self._defaults.values()), next(iter(self._voices)))

    async def warm_up(self, voice_ids: list[str] | None = None) -> None:
        """Load the given voices (default: the default voices) so first audio is fast."""
        for vid in voice_ids or list(self._defaults.values()):
            voice = self.voice(vid)
            await self._engines[voice.engine].warm_up(vid)

    async def stream(
        self, text: str, voice_id: str | None = None, options: TtsOptions | None = None, lookahead: int = 3
    ) -> AsyncIterator[AudioChunk]:
        """Speak ``text``: yield audio chunks in order while the next clauses are synthesised.

        Cancelling the consumer (or closing the generator) stops synthesis at once.

        Raises:
            ValidationError: unknown voice.
            ProviderError: synthesis failed and no fallback voice was left.
        """
        options = options or TtsOptions()
        items = self.plan(text, voice_id)
        if not items:
            return
        queue: asyncio.Queue[AudioChunk | BaseException | None] = asyncio.Queue(maxsize=max(1, lookahead))
        owner = TaskOwner("tts-stream")
        owner.spawn(self._produce(items, options, queue), "produce")
        try:
            while True:
                item = await queue.get()
                if item is None:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            await owner.close(timeout=1.0)

    async def _produce(
        self,
        items: list[SpeechItem],
        options: TtsOptions,
        queue: asyncio.Queue[AudioChunk | BaseException | None],
    ) -> None:
        failed: set[str] = set()
        try:
            for index, item in enumerate(items):
                last_item = index == len(items) - 1
                async for chunk in self._synthesize(item, options, failed):
                    await queue.put(dataclasses.replace(chunk, final=chunk.final and last_item))
            await queue.put(None)
        except asyncio.CancelledError:
            raise
        except BaseException as exc:
            await queue.put(exc)

    async def _synthesize(
        self, item: SpeechItem, options: TtsOptions, failed: set[str]
    ) -> AsyncIterator[AudioChunk]:
        vid = item.voice_id
        if vid in failed:
            vid = self._fallback_for(item, vid)
        produced = False
        span = TextSpan(item.start, item.end, item.text)
        try:
            async for chunk in self._engine_stream(vid, item, options):
                produced = True
                yield self._restamp(chunk, span, vid, item)
            return
        except ProviderError as exc:
            fallback = self._fallback_for(item, vid)
            if fallback == vid or produced:
                raise
            failed.add(vid)
            message = f"Voice {vid} failed ({exc.user_message}); using {fallback} instead."
            log.warning(message, extra={"voice": vid, "fallback": fallback, "retryable": exc.retryable})
            if self._on_warning is not None:
                self._on_warning(message)
        async for chunk in self._engine_stream(fallback, item, options):
            yield self._restamp(chunk, span, fallback, item)

    @staticmethod
    def _restamp(chunk: AudioChunk, span: TextSpan, voice_id: str, item: SpeechItem) -> AudioChunk:
        # The engine's span points into the normalised text it was given; that is what was voiced
        # (lip-sync needs it; "" when the chunk voices no text). The chunk's span becomes the
        # original text's clause (subtitles).
        engine_says = chunk.span is not None or chunk.spoken is not None
        spoken = chunk.voiced_text if engine_says else item.spoken
        return dataclasses.replace(chunk, span=span, voice_id=voice_id, language=item.language, spoken=spoken)

    def _engine_stream(self, vid: str, item: SpeechItem, options: TtsOptions) -> AsyncIterator[AudioChunk]:
        voice = self.voice(vid)
        return self._engines[voice.engine].stream(item.spoken, vid, options)

    def _fallback_for(self, item: SpeechItem, vid: str) -> str:
        default = self._defaults.get(item.language)
        if default and default != vid and self._voices[default].offline:
            return default
        return vid

    async def close(self) -> None:
        """Close every engine."""
        for engine in self._engines.values():
            try:
                await engine.close()
            except Exception:
                log.exception("closing TTS engine failed", extra={"engine": engine.name})
