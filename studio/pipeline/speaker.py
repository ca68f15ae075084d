"""Speaker: text -> TTS stream -> playout, with the lip-sync timeline keyed to the media clock.

The one place that turns text into heard speech. Each chunk is queued to playout as soon as it is
synthesised (the playout says at which pts it will be heard) and added to the lip-sync timeline at
exactly that pts, so the mouth moves when the sound is heard. :meth:`Speaker.stop` is barge-in:
synthesis stops, queued audio is dropped, and the mouth closes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Literal

from studio.audio.playout import AudioPlayout
from studio.avatar.lipsync import LipSyncTimeline
from studio.core.bus import EventBus
from studio.core.events import Event
from studio.speech.tts.base import TtsOptions
from studio.speech.tts.service import TtsService

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class SpeechEvent(Event):
    """The avatar started or finished speaking an utterance, or was interrupted."""

    state: Literal["started", "finished", "interrupted", "failed"]
    text: str
    voices: tuple[str, ...] = ()
    detail: str = ""


@dataclass(slots=True)
class SpeechResult:
    """What :meth:`Speaker.say` did."""

    chunks: int = 0
    audio_s: float = 0.0
    first_audio_s: float | None = None
    start_pts: float | None = None
    end_pts: float | None = None
    voices: list[str] = field(default_factory=list)
    interrupted: bool = False


class Speaker:
    """Speaks text through the TTS service and the playout (engine loop).

    Args:
        tts: Routing TTS service.
        playout: Audio output (device or null sink); already started.
        lipsync: Timeline the avatar reads its mouth from.
        bus: Where :class:`SpeechEvent` s go.
    """

    def __init__(
        self, tts: TtsService, playout: AudioPlayout, lipsync: LipSyncTimeline, bus: EventBus
    ) -> None:
        self.tts = tts
        self.playout = playout
        self.lipsync = lipsync
        self._bus = bus
        self._lock = asyncio.Lock()
        self._current: asyncio.Task[object] | None = None

    @property
    def speaking(self) -> bool:
        """True while an utterance is being synthesised or heard."""
        return self._current is not None or not self.playout.idle

    async def say(
        self, text: str, voice_id: str | None = None, options: TtsOptions | None = None, *, wait: bool = True
    ) -> SpeechResult:
        """Speak ``text`` after anything already being said; return when it has been heard.

        Args:
            text: What to say (any mix of zh/en/ja; normalised per language).
            voice_id: A voice from the catalogue, or ``None`` for the default voice per language.
            options: Speed, pitch, volume.
            wait: Return only once the last sample is heard (else once it is queued).

        Raises:
            ValidationError: unknown voice.
            ProviderError: synthesis failed with no fallback.
        """
        async with self._lock:
            self._current = asyncio.current_task()
            result = SpeechResult()
            started = time.perf_counter()
            self._bus.publish(SpeechEvent(state="started", text=text))
            try:
                async for chunk in self.tts.stream(text, voice_id, options):
                    pts = self.playout.enqueue(chunk)
                    await self.lipsync.add_async(chunk, pts)
                    if result.first_audio_s is None:
                        result.first_audio_s = time.perf_counter() - started
                        result.start_pts = pts
                    result.chunks += 1
                    result.audio_s += chunk.duration
                    if chunk.voice_id not in result.voices:
                        result.voices.append(chunk.voice_id)
                    result.end_pts = pts + chunk.duration
                if wait and result.end_pts is not None:
                    await asyncio.wrap_future(self.playout.when_heard(result.end_pts))
            except asyncio.CancelledError:
                result.interrupted = True
                self._bus.publish(SpeechEvent(state="interrupted", text=text, voices=tuple(result.voices)))
                raise
            except Exception as exc:
                self._bus.publish(SpeechEvent(state="failed", text=text, detail=str(exc)))
                raise
            finally:
                self._current = None
            self._bus.publish(SpeechEvent(state="finished", text=text, voices=tuple(result.voices)))
            return result

    def stop(self) -> None:
        """Barge-in: stop synthesis, drop queued audio and close the mouth (engine loop)."""
        task = self._current
        if task is not None and not task.done():
            task.cancel()
        self.playout.clear()
        self.lipsync.clear(self.playout.clock.now())
        log.info("speech stopped")
