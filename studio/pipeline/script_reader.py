"""The read-aloud queue of script mode: sentences in order, the next one synthesised ahead.

While sentence *n* plays, sentence *n+1* is already being synthesised (it starts as soon as the
audio of *n* is complete), so the only silence between sentences is the chosen pause. Each
sentence goes the way :class:`~studio.pipeline.speaker.Speaker` sends speech: chunks queued to the
playout at the pts it gives, the lip-sync timeline keyed to that pts, a
:class:`~studio.pipeline.speaker.SpeechEvent` around it and, when the sentence carries an emotion
tag, an :class:`~studio.brain.tags.EmotionTagEvent` first, so the avatar director shows it.

Controls (pause/resume, skip, jump to a chapter, stop) act at once: the sentence being heard is
cut (queued audio dropped, mouth closed) and reading continues from the new place; a paused
sentence is read again from its start on resume, from audio already synthesised. Progress goes
to the bus as :class:`ScriptProgressEvent` for the GUI.

Thread: everything on the engine loop; the tasks are owned (:class:`~studio.core.tasks.TaskOwner`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Literal

from studio.avatar.emotion import Emotion
from studio.brain.script import Script
from studio.brain.tags import EmotionTagEvent
from studio.core.bus import EventBus
from studio.core.events import Event
from studio.core.frames import AudioChunk
from studio.core.tasks import TaskOwner
from studio.pipeline.speaker import Speaker, SpeechEvent
from studio.speech.tts.base import TtsOptions

log = logging.getLogger(__name__)

__all__ = ["ReaderState", "ScriptProgressEvent", "ScriptReader", "SentenceTiming"]

ReaderState = Literal["idle", "playing", "paused", "finished", "stopped", "failed"]
Position = tuple[int, int]


@dataclass(frozen=True, slots=True, kw_only=True)
class ScriptProgressEvent(Event):
    """Where the reader is: ``state`` at sentence ``sentence`` of chapter ``chapter`` (0-based).

    Published when a sentence starts, and when reading pauses, finishes, stops or fails.
    """

    script_id: str
    state: ReaderState
    chapter: int
    sentence: int
    chapters: int
    sentences: int
    text: str = ""
    detail: str = ""


@dataclass(slots=True)
class SentenceTiming:
    """When one sentence was synthesised and heard (media-clock pts, s), for tests and diagnostics."""

    chapter: int
    sentence: int
    text: str
    synth_start_pts: float
    ready_pts: float = float("nan")
    start_pts: float | None = None
    end_pts: float | None = None
    audio_s: float = 0.0
    completed: bool = False


@dataclass(slots=True)
class _Audio:
    chunks: list[AudioChunk] = field(default_factory=list)
    timing: SentenceTiming | None = None


class ScriptReader:
    """Reads a :class:`~studio.brain.script.Script` aloud (engine loop).

    Args:
        speaker: The studio's speaker; its TTS service, playout and lip-sync timeline are used.
        bus: Where progress, speech and emotion events go.
        voice_id: Voice for every sentence (``None``: the default voice per language).
        options: Speed, pitch, volume.
        sentence_pause: Silence (s) between sentences of a chapter.
        chapter_pause: Silence (s) between chapters.
    """

    def __init__(
        self,
        speaker: Speaker,
        bus: EventBus,
        *,
        voice_id: str | None = None,
        options: TtsOptions | None = None,
        sentence_pause: float = 0.25,
        chapter_pause: float = 0.8,
    ) -> None:
        self._speaker = speaker
        self._bus = bus
        self.voice_id = voice_id
        self.options = options
        self.sentence_pause = sentence_pause
        self.chapter_pause = chapter_pause
        self._owner = TaskOwner("script-reader")
        self._script: Script | None = None
        self._pos: Position | None = None
        self._state: ReaderState = "idle"
        self._audio: dict[Position, asyncio.Task[_Audio]] = {}
        self._runner: asyncio.Task[None] | None = None
        self._step: asyncio.Task[None] | None = None
        self._redirect: tuple[Position | None] | None = None  # (new position,) set by skip/jump
        self._paused = False
        self._resume = asyncio.Event()
        self._gap = 0.0  # silence owed before the next sentence
        self.timings: list[SentenceTiming] = []
        """Every sentence synthesised since :meth:`play`, in synthesis order."""

    # ---- state (engine loop) ----

    @property
    def state(self) -> ReaderState:
        """``idle`` before :meth:`play`, then ``playing``/``paused``, ``finished``/``stopped``/``failed``."""
        return self._state

    @property
    def position(self) -> Position | None:
        """``(chapter, sentence)`` being read (or paused at); ``None`` when not reading."""
        return self._pos

    @property
    def script(self) -> Script | None:
        """The script being read."""
        return self._script

    # ---- controls (engine loop) ----

    async def play(self, script: Script, chapter: int = 0, sentence: int = 0) -> None:
        """Start reading ``script`` at ``(chapter, sentence)``; whatever was being read stops.

        Returns at once; :meth:`wait` waits for the end.

        Raises:
            IndexError: no such chapter or sentence.
        """
        await self.stop()
        self._check(script, chapter, sentence)
        self._script = script
        self._pos = self._first_from(script, (chapter, sentence))
        self._owner = TaskOwner("script-reader")
        self.timings = []
        self._paused = False
        self._resume.set()
        self._redirect = None
        self._gap = 0.0
        self._state = "playing"
        self._runner = self._owner.spawn(self._run(), "run")

    def pause(self) -> None:
        """Stop sound now; :meth:`resume` reads the current sentence again from its start."""
        if self._state != "playing":
            return
        self._paused = True
        self._resume.clear()
        self._cut()

    def resume(self) -> None:
        """Continue after :meth:`pause`."""
        if self._paused:
            self._paused = False
            self._state = "playing"  # pause() works again before the next sentence starts
            self._resume.set()

    def skip(self) -> None:
        """Cut the current sentence and go on with the next (also while paused)."""
        if self._script is not None and self._pos is not None:
            self._move(self._next(self._script, self._pos))

    def jump(self, chapter: int, sentence: int = 0) -> None:
        """Go to ``(chapter, sentence)`` now (also while paused).

        Raises:
            IndexError: no such chapter or sentence.
        """
        if self._script is None or self._pos is None:
            return
        self._check(self._script, chapter, sentence)
        self._move(self._first_from(self._script, (chapter, sentence)))

    async def stop(self) -> None:
        """Stop reading and drop the queued audio (idempotent)."""
        runner = self._runner
        if runner is None:
            return
        self._runner = None
        await self._owner.close(timeout=2.0)
        if not runner.cancelled() and self._state not in ("finished", "failed"):
            self._state = "stopped"
        self._audio.clear()
        self._pos = None

    async def wait(self) -> ReaderState:
        """Wait until reading finishes, stops or fails; return that state."""
        runner = self._runner
        if runner is not None:
            await asyncio.wait({runner})
        return self._state

    async def close(self) -> None:
        """Stop and release everything (engine loop)."""
        await self.stop()

    # ---- internals ----

    @staticmethod
    def _check(script: Script, chapter: int, sentence: int) -> None:
        if not 0 <= chapter < len(script.chapters):
            raise IndexError(f"no chapter {chapter}")
        if sentence and not 0 <= sentence < len(script.chapters[chapter].sentences):
            raise IndexError(f"no sentence {sentence} in chapter {chapter}")

    @staticmethod
    def _first_from(script: Script, pos: Position) -> Position | None:
        chapter, sentence = pos
        while chapter < len(script.chapters):
            if sentence < len(script.chapters[chapter].sentences):
                return chapter, sentence
            chapter, sentence = chapter + 1, 0
        return None

    def _next(self, script: Script, pos: Position) -> Position | None:
        return self._first_from(script, (pos[0], pos[1] + 1))

    def _move(self, target: Position | None) -> None:
        self._redirect = (target,)
        if self._paused:
            self._pos = target
            self._redirect = None
            self._publish("paused")
            if target is None:
                self.resume()  # nothing left: let the runner finish
        self._cut()

    def _cut(self) -> None:
        step = self._step
        if step is not None and not step.done():
            step.cancel()

    def _publish(self, state: ReaderState, text: str = "", detail: str = "") -> None:
        script, pos = self._script, self._pos
        if script is None:
            return
        chapter, sentence = pos if pos is not None else (len(script.chapters), 0)
        count = len(script.chapters[chapter].sentences) if chapter < len(script.chapters) else 0
        self._state = state
        self._bus.publish(
            ScriptProgressEvent(
                script_id=script.id,
                state=state,
                chapter=chapter,
                sentence=sentence,
                chapters=len(script.chapters),
                sentences=count,
                text=text,
                detail=detail,
            )
        )

    async def _run(self) -> None:
        script = self._script
        assert script is not None
        try:
            while self._pos is not None:
                if self._paused:
                    self._publish("paused")
                    await self._resume.wait()
                    continue
                pos = self._pos
                step = self._step = self._owner.spawn(self._read(script, pos), "sentence")
                await asyncio.wait({step})
                self._step = None
                if self._redirect is not None:
                    (self._pos,) = self._redirect
                    self._redirect = None
                    self._gap = 0.0
                    continue
                if step.cancelled():
                    self._gap = 0.0
                    continue  # paused: read this sentence again on resume
                exc = step.exception()
                if exc is not None:
                    self._publish("failed", detail=str(exc))
                    return
                nxt = self._next(script, pos)
                self._gap = self.chapter_pause if nxt is None or nxt[0] != pos[0] else self.sentence_pause
                self._pos = nxt
            self._publish("finished")
        except asyncio.CancelledError:
            self._speaker.playout.clear()
            self._speaker.lipsync.clear(self._speaker.playout.clock.now())
            self._publish("stopped")
            raise

    def _audio_for(self, script: Script, pos: Position) -> asyncio.Task[_Audio]:
        task = self._audio.get(pos)
        if task is None:
            text = script.chapters[pos[0]].sentences[pos[1]].text
            task = self._owner.spawn(self._synthesize(pos, text), f"synth:{pos[0]}.{pos[1]}")
            self._audio[pos] = task
        return task

    async def _synthesize(self, pos: Position, text: str) -> _Audio:
        clock = self._speaker.playout.clock
        timing = SentenceTiming(pos[0], pos[1], text, synth_start_pts=clock.now())
        self.timings.append(timing)
        audio = _Audio(timing=timing)
        async for chunk in self._speaker.tts.stream(text, self.voice_id, self.options):
            audio.chunks.append(chunk)
            timing.audio_s += chunk.duration
        timing.ready_pts = clock.now()
        return audio

    async def _read(self, script: Script, pos: Position) -> None:
        audio = await asyncio.shield(self._audio_for(script, pos))
        nxt = self._next(script, pos)
        keep = {pos, nxt}
        for old in [p for p in self._audio if p not in keep]:
            self._audio.pop(old).cancel()
        if nxt is not None:
            self._audio_for(script, nxt)  # synthesised while this one plays
        if self._gap > 0:
            await asyncio.sleep(self._gap)
        self._gap = 0.0
        sentence = script.chapters[pos[0]].sentences[pos[1]]
        self._publish("playing", text=sentence.text)
        if not audio.chunks:
            return
        await self._play(sentence.text, sentence.emotion, audio)

    async def _play(self, text: str, emotion: Emotion | None, audio: _Audio) -> None:
        playout, lipsync = self._speaker.playout, self._speaker.lipsync
        timing = audio.timing
        assert timing is not None
        if emotion is not None:
            self._bus.publish(EmotionTagEvent(text=text, emotion=emotion))
        timing.start_pts = timing.end_pts = None  # a sentence read again after a pause
        timing.completed = False
        voices = tuple(dict.fromkeys(c.voice_id for c in audio.chunks))
        self._bus.publish(SpeechEvent(state="started", text=text, voices=voices))
        started = time.perf_counter()
        try:
            end = None
            for chunk in audio.chunks:
                pts = playout.enqueue(chunk)
                if timing.start_pts is None:
                    timing.start_pts = pts
                end = pts + chunk.duration
                await lipsync.add_async(chunk, pts)
            timing.end_pts = end
            if end is not None:
                await asyncio.wrap_future(playout.when_heard(end))
        except asyncio.CancelledError:
            playout.clear()
            lipsync.clear(playout.clock.now())
            self._bus.publish(SpeechEvent(state="interrupted", text=text, voices=voices))
            raise
        timing.completed = True
        self._bus.publish(SpeechEvent(state="finished", text=text, voices=voices))
        log.debug("sentence read", extra={"seconds": round(time.perf_counter() - started, 3)})
