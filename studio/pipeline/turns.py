"""One assistant turn: its bus events, its timings, and the clause player that knows what was heard.

:class:`ClausePlayer` speaks the clauses of a streamed reply back to back through the studio's TTS
service, playout and lip-sync timeline (the :class:`~studio.pipeline.speaker.Speaker` path): each
chunk is queued to the playout as soon as it is synthesised, so the next clause follows the
previous one without a gap while the LLM is still writing. Speech events
(:class:`~studio.pipeline.speaker.SpeechEvent`, and an :class:`~studio.brain.tags.EmotionTagEvent`
for a tagged clause) are published when a clause is *heard*, not when it is queued, so the avatar
director changes expression in time with the voice.

:class:`HeardTracker` keeps the pts of every queued chunk; after a barge-in at pts ``t`` it says
which part of the reply the viewer heard (whole clauses, and the heard share of the clause being
spoken, by its voiced characters). That is what the conversation history stores as ``heard_text``.

Thread: engine loop.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Literal, Protocol

from studio.audio.playout import AudioPlayout
from studio.avatar.emotion import Emotion
from studio.avatar.lipsync import LipSyncTimeline
from studio.brain.tags import EmotionTagEvent
from studio.core.bus import EventBus
from studio.core.events import Event
from studio.core.frames import AudioChunk
from studio.core.tasks import TaskOwner
from studio.pipeline.speaker import SpeechEvent
from studio.speech.tts.base import TtsOptions

log = logging.getLogger(__name__)

__all__ = [
    "AssistantTurnEvent",
    "ClausePlayer",
    "ClauseTts",
    "HeardTracker",
    "SpeechOutput",
    "TurnResult",
    "TurnState",
    "TurnTimings",
]

TurnState = Literal["started", "delta", "done", "interrupted", "failed", "dropped"]


@dataclass(frozen=True, slots=True, kw_only=True)
class AssistantTurnEvent(Event):
    """Progress of a reply, for the GUI and the API.

    Attributes:
        turn_id: Id of the request being answered (see :class:`~studio.pipeline.inputs.TurnRequest`).
        state: ``started`` (the request is being answered), ``delta`` (more reply text),
            ``done``, ``interrupted`` (barge-in), ``failed`` (LLM or TTS error; ``detail``),
            ``dropped`` (the queue policy dropped the request unanswered).
        text: Reply text so far, emotion tags removed.
        delta: The new text of a ``delta`` event.
        emotion: The latest emotion tag of the reply (``None`` before any).
        heard_text: What was heard (``done``/``interrupted``).
        user_text: The message answered.
        source: ``chat``, ``api`` or ``mic``.
        merged: Ids of requests folded into this one by the queue policy.
    """

    turn_id: str
    state: TurnState
    text: str = ""
    delta: str = ""
    emotion: Emotion | None = None
    heard_text: str | None = None
    user_text: str = ""
    source: str = ""
    detail: str = ""
    merged: tuple[str, ...] = ()


@dataclass(slots=True)
class TurnTimings:
    """``time.perf_counter()`` marks of one turn (``None`` when not reached)."""

    started: float = field(default_factory=time.perf_counter)
    context_ready: float | None = None
    first_delta: float | None = None
    first_clause: float | None = None
    first_audio_queued: float | None = None
    first_audio_heard: float | None = None
    llm_done: float | None = None
    finished: float | None = None


@dataclass(slots=True)
class TurnResult:
    """What one turn did. ``heard_text`` equals ``text`` when the reply was heard to the end."""

    turn_id: str
    user_text: str
    source: str
    state: TurnState = "started"
    text: str = ""
    heard_text: str = ""
    emotion: Emotion | None = None
    detail: str = ""
    timings: TurnTimings = field(default_factory=TurnTimings)


class ClauseTts(Protocol):
    """The part of :class:`~studio.speech.tts.service.TtsService` the player uses."""

    def stream(
        self, text: str, voice_id: str | None = None, options: TtsOptions | None = None
    ) -> AsyncIterator[AudioChunk]:
        """Audio of ``text``, chunk by chunk; cancelling the consumer stops synthesis."""
        ...


class SpeechOutput(Protocol):
    """Where speech goes: :class:`~studio.pipeline.speaker.Speaker` satisfies it."""

    @property
    def tts(self) -> ClauseTts:
        """Routing TTS service."""
        ...

    @property
    def playout(self) -> AudioPlayout:
        """Audio output (device or null sink), started."""
        ...

    @property
    def lipsync(self) -> LipSyncTimeline:
        """Mouth timeline keyed to the media clock."""
        ...


@dataclass(slots=True)
class _ClauseAudio:
    text: str
    start: int  # offset of the clause in the cleaned reply
    end: int
    emotion: Emotion | None
    chunks: list[tuple[float, float, int]] = field(default_factory=list)  # pts, duration, voiced chars
    queued: asyncio.Event = field(default_factory=asyncio.Event)
    complete: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def start_pts(self) -> float:
        return self.chunks[0][0]

    @property
    def end_pts(self) -> float:
        pts, duration, _ = self.chunks[-1]
        return pts + duration


def _speakable(text: str) -> int:
    return sum(ch.isalnum() for ch in text)


class HeardTracker:
    """Which part of a reply had been heard at a given pts. Thread: engine loop."""

    def __init__(self) -> None:
        self.clauses: list[_ClauseAudio] = []

    def heard_end(self, pts: float) -> int:
        """Offset in the cleaned reply up to which the audio before ``pts`` reached."""
        end = 0
        for clause in self.clauses:
            if not clause.chunks or clause.start_pts >= pts:
                break
            if clause.complete.is_set() and clause.end_pts <= pts:
                end = clause.end
                continue
            voiced = heard = 0.0
            for start, duration, chars in clause.chunks:
                voiced += chars
                if start + duration <= pts:
                    heard += chars
                elif start < pts and duration > 0:
                    heard += chars * (pts - start) / duration
            # A clause cut while still being synthesised: its unsynthesised rest was not heard
            # either; count it by the clause's speakable characters.
            total = voiced if clause.complete.is_set() else max(voiced, _speakable(clause.text))
            share = min(1.0, heard / total) if total else 0.0
            return clause.start + round(share * len(clause.text))
        return end

    def heard_text(self, reply: str, pts: float) -> str:
        """The heard part of ``reply`` (the cleaned reply text) when the sound stopped at ``pts``."""
        return reply[: self.heard_end(pts)].rstrip()


class ClausePlayer:
    """Speaks clauses back to back and narrates them on the bus when heard (engine loop).

    Feed it with :meth:`put`, end with :meth:`finish`; :meth:`run` returns once everything has
    been heard. Cancelling :meth:`run` stops synthesis; the caller clears the playout.

    Args:
        speech: TTS service, playout and lip-sync timeline.
        bus: Where speech and emotion events go.
        voice_id: Voice of the reply (``None``: the default voice per language).
        options: Speed, pitch, volume.
        timings: Marks ``first_audio_queued`` / ``first_audio_heard``.
    """

    def __init__(
        self,
        speech: SpeechOutput,
        bus: EventBus,
        *,
        voice_id: str | None = None,
        options: TtsOptions | None = None,
        timings: TurnTimings | None = None,
    ) -> None:
        self._speech = speech
        self._bus = bus
        self._voice_id = voice_id
        self._options = options
        self.timings = timings or TurnTimings()
        self.tracker = HeardTracker()
        self._todo: asyncio.Queue[_ClauseAudio | None] = asyncio.Queue()
        self._told: asyncio.Queue[_ClauseAudio | None] = asyncio.Queue()

    def put(self, text: str, start: int, end: int, emotion: Emotion | None) -> None:
        """Speak the clause ``text`` (at ``[start, end)`` of the cleaned reply) after the previous ones."""
        self._todo.put_nowait(_ClauseAudio(text, start, end, emotion))

    def finish(self) -> None:
        """No more clauses: :meth:`run` ends once the last one has been heard."""
        self._todo.put_nowait(None)

    async def run(self) -> None:
        """Synthesise and queue every clause; return when all of it has been heard."""
        owner = TaskOwner("clause-player")
        narrator = owner.spawn(self._narrate(), "narrate")
        try:
            await self._synthesise()
            await narrator
        finally:
            await owner.close(timeout=1.0)

    async def _synthesise(self) -> None:
        playout, lipsync = self._speech.playout, self._speech.lipsync
        try:
            while (clause := await self._todo.get()) is not None:
                self.tracker.clauses.append(clause)
                self._told.put_nowait(clause)
                async for chunk in self._speech.tts.stream(clause.text, self._voice_id, self._options):
                    pts = playout.enqueue(chunk)
                    clause.chunks.append((pts, chunk.duration, _speakable(chunk.voiced_text)))
                    if not clause.queued.is_set():
                        clause.queued.set()
                        if self.timings.first_audio_queued is None:
                            self.timings.first_audio_queued = time.perf_counter()
                    await lipsync.add_async(chunk, pts)
                clause.queued.set()  # also when it had nothing speakable
                clause.complete.set()
        finally:
            self._told.put_nowait(None)

    async def _narrate(self) -> None:
        playout = self._speech.playout
        speaking: _ClauseAudio | None = None
        try:
            while (clause := await self._told.get()) is not None:
                await clause.queued.wait()
                if not clause.chunks:  # nothing speakable in it
                    continue
                await asyncio.wrap_future(playout.when_heard(clause.start_pts))
                if self.timings.first_audio_heard is None:
                    self.timings.first_audio_heard = time.perf_counter()
                if clause.emotion is not None:
                    self._bus.publish(EmotionTagEvent(text=clause.text, emotion=clause.emotion))
                self._bus.publish(SpeechEvent(state="started", text=clause.text))
                speaking = clause
                await clause.complete.wait()
                await asyncio.wrap_future(playout.when_heard(clause.end_pts))
                speaking = None
                self._bus.publish(SpeechEvent(state="finished", text=clause.text))
        except asyncio.CancelledError:
            if speaking is not None:
                self._bus.publish(SpeechEvent(state="interrupted", text=speaking.text))
            raise
