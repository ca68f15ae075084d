"""The speech engine as the API sees it: :class:`~studio.api.tts_service.SpeechApi` on the runtime.

Text goes through the runtime's speech stack (``TtsService.stream``: clause split, language
routing, the voices' own worker threads), the chunks are joined into one WAV, and the mouth
timeline is laid over that very audio, clause by clause (each chunk knows the text it speaks).
Requests are served one at a time in arrival order, so concurrent callers all succeed.
"""

from __future__ import annotations

import asyncio
import io
import logging
import wave
from dataclasses import dataclass
from itertools import groupby
from typing import TYPE_CHECKING

import numpy as np

from studio.api.tts_service import MOUTH_HOP, SynthesisResult
from studio.core.errors import ValidationError
from studio.core.frames import AudioChunk, PcmArray

if TYPE_CHECKING:  # the avatar analysis loads on the first synthesis
    from studio.app.runtime import EngineRuntime
    from studio.avatar.mouth_timeline import MouthTimelineItem

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Piece:
    """Consecutive chunks speaking one span of the text, joined."""

    start: int  # span start in the request text
    end: int
    text: str
    language: str
    pcm: PcmArray


def _join(chunks: list[AudioChunk]) -> tuple[list[_Piece], int]:
    """Chunks -> pieces per span, all at the highest sample rate among them."""
    import soxr

    rate = max(c.sample_rate for c in chunks)

    def at_rate(c: AudioChunk) -> PcmArray:
        if c.sample_rate == rate:
            return c.pcm.astype(np.float32, copy=False)
        return np.asarray(soxr.resample(c.pcm, c.sample_rate, rate), dtype=np.float32)

    pieces: list[_Piece] = []
    for span, group in groupby(chunks, key=lambda c: c.span):
        parts = list(group)
        pcm = np.concatenate([at_rate(c) for c in parts]).astype(np.float32)
        if span is None:
            pieces.append(_Piece(-1, -1, "", parts[0].language, pcm))
        else:
            pieces.append(_Piece(span.start, span.end, span.text, parts[0].language, pcm))
    return pieces, rate


def _gap(text: str, at: float) -> MouthTimelineItem:
    from studio.avatar.mouth_timeline import MouthTimelineItem
    from studio.avatar.visemes import NEUTRAL_SHAPE, PARAM_IDS

    shape = dict(zip(PARAM_IDS, NEUTRAL_SHAPE, strict=True))
    return MouthTimelineItem(start=at, end=at, vowel="", char=text, mouth_open=0.0, mouth_shape=shape)


def _timeline(text: str, pieces: list[_Piece], rate: int) -> list[MouthTimelineItem]:
    """Each piece's text over its own audio, shifted to where it plays; text no voice spoke
    (spaces between language runs, skipped symbols) becomes zero-length pause items."""
    from studio.avatar.mouth_timeline import MouthTimelineItem, text_to_mouth_timeline

    items: list[MouthTimelineItem] = []
    offset = 0.0
    cursor = 0
    for piece in pieces:
        at = round(offset, 3)
        if piece.start > cursor:
            items.append(_gap(text[cursor : piece.start], at))
        for item in text_to_mouth_timeline(piece.text, piece.pcm, rate, language=piece.language):
            items.append(
                MouthTimelineItem(
                    start=round(item.start + offset, 3),
                    end=round(item.end + offset, 3),
                    vowel=item.vowel,
                    char=item.char,
                    mouth_open=item.mouth_open,
                    mouth_shape=item.mouth_shape,
                )
            )
        cursor = max(cursor, piece.end)
        offset += len(piece.pcm) / rate
    if cursor < len(text) and text[cursor:].strip():
        items.append(_gap(text[cursor:], round(offset, 3)))
    return items


def _mouth_open(text: str, pcm: PcmArray, rate: int) -> list[float]:
    """ParamMouthOpenY every ``MOUTH_HOP`` seconds over the whole audio."""
    from studio.avatar.mouth_analysis import HOP
    from studio.avatar.mouth_track import build_track

    assert abs(HOP - MOUTH_HOP) < 1e-12
    track = build_track(pcm, rate, text=text, tail=0.0)
    return [round(float(v), 4) for v in track.values[: track.audio_frames, 0]]


def _render(
    text: str, chunks: list[AudioChunk]
) -> tuple[bytes, int, float, list[MouthTimelineItem], list[float]]:
    """Worker thread: the WAV, its rate and duration, the timeline and the mouth track."""
    from studio.speech.tts.wav import wav_bytes

    pieces, rate = _join(chunks)
    pcm = np.concatenate([p.pcm for p in pieces]).astype(np.float32)
    timeline = _timeline(text, pieces, rate)
    return wav_bytes(pcm, rate), rate, len(pcm) / rate, timeline, _mouth_open(text, pcm, rate)


def _read_wav(data: bytes) -> tuple[PcmArray, int]:
    from studio.speech.tts.wav import int16_to_float

    try:
        with wave.open(io.BytesIO(data), "rb") as wf:
            if wf.getsampwidth() != 2:
                raise ValidationError("Only 16-bit PCM WAV audio can be aligned.")
            channels, rate = wf.getnchannels(), wf.getframerate()
            pcm = int16_to_float(wf.readframes(wf.getnframes()))
    except (wave.Error, EOFError) as exc:
        raise ValidationError(f"Not a readable WAV file ({exc}).") from None
    return (pcm[::channels] if channels > 1 else pcm), rate


class SpeechApiAdapter:
    """:class:`~studio.api.tts_service.SpeechApi` on :meth:`EngineRuntime.speech` (engine loop).

    Args:
        runtime: The engine runtime; its speech stack is built on the first request.
    """

    def __init__(self, runtime: EngineRuntime) -> None:
        self._runtime = runtime
        self._queue: asyncio.Lock | None = None  # made on the engine loop; FIFO for waiters

    async def synthesize(
        self, text: str, *, voice: str | None, language: str, speed: float, pitch: float
    ) -> SynthesisResult:
        """Speak ``text`` (see :meth:`SpeechApi.synthesize`). Engine loop."""
        from studio.speech.tts.base import TtsOptions

        stack = await self._runtime.speech()
        service = stack.tts.service
        config = self._runtime.container.config.tts
        voice_id = voice or config.voice or None
        if voice_id is None:
            languages = sorted({lang for v in service.catalogue() for lang in v.languages})
            voice_id = service.default_voice(language.lower())
            if voice_id is None:
                raise ValidationError(
                    f"No voice for language {language!r}. Languages: {', '.join(languages) or 'none'}.",
                    code="unknown_language",
                )
        else:
            service.voice(voice_id)  # unknown voice -> ValidationError listing the voices
        try:
            options = TtsOptions(speed=speed, pitch=pitch, volume=config.volume)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        if self._queue is None:
            self._queue = asyncio.Lock()
        async with self._queue:
            chunks = [chunk async for chunk in service.stream(text, voice_id, options)]
        if not chunks:
            raise ValidationError("Nothing to say: the text has no speakable characters.", code="empty_text")
        wav, rate, duration, timeline, mouth = await asyncio.to_thread(_render, text, chunks)
        voices = list(dict.fromkeys(c.voice_id for c in chunks))
        log.debug("synthesized for the API", extra={"seconds": round(duration, 3), "voices": voices})
        return SynthesisResult(wav, rate, duration, timeline, mouth, voices)

    async def align(self, text: str, wav: bytes, *, language: str) -> list[MouthTimelineItem]:
        """The timeline of ``text`` over the audio of a WAV file (worker thread). Engine loop."""

        def work() -> list[MouthTimelineItem]:
            from studio.avatar.mouth_timeline import text_to_mouth_timeline

            pcm, rate = _read_wav(wav)
            lang = language if language in ("zh", "en", "ja") else ""
            return text_to_mouth_timeline(text, pcm, rate, language=lang)

        return await asyncio.to_thread(work)
