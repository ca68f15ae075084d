"""The voice loop, in one readable place.

::

    typed chat / API / final TranscriptEvent --> InputQueue (queue policy) --> one turn at a time:
        memory.add_user + memory.build_context            (history, rolling summary, persona prompt)
        ChatModel.stream deltas
          -> EmotionTagParser     (tags out of the text; the latest tag goes with AssistantTurnEvent)
          -> ClauseSplitter       (first clause as soon as it is speakable)
          -> ClausePlayer         (TTS stream -> playout + lip-sync, clause after clause, gapless;
                                   EmotionTagEvent + SpeechEvent when each clause is heard, so the
                                   avatar director shows the tag's expression in time)
        memory.add_assistant(text, heard_text)             (what was actually heard)

    UserSpeechEvent(started) (when barge-in is on) or interrupt():
        playout.clear() + lip-sync cleared at once (silence on the next 10 ms render block),
        the turn task cancelled (which closes the LLM stream and stops TTS), the cut reply stored
        with the part that was heard.

Everything the GUI and API need goes to the bus as
:class:`~studio.pipeline.turns.AssistantTurnEvent`. Thread: engine loop; tasks are owned.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable

from studio.avatar.emotion import Emotion
from studio.brain.llm import ChatMessage, ChatModel, LlmError
from studio.brain.memory import ConversationMemory
from studio.brain.tags import EmotionTag, EmotionTagParser, emotion_in_span
from studio.core.bus import EventBus, Subscription
from studio.core.errors import StudioError
from studio.core.events import ErrorEvent, TranscriptEvent, UserSpeechEvent
from studio.core.tasks import TaskOwner
from studio.pipeline.inputs import InputPolicy, InputQueue, InputSource, TurnRequest
from studio.pipeline.turns import AssistantTurnEvent, ClausePlayer, SpeechOutput, TurnResult
from studio.speech.text.splitter import ClauseSplitter
from studio.speech.tts.base import TtsOptions

log = logging.getLogger(__name__)

__all__ = ["ConversationGraph"]

_RESULTS_KEPT = 50


class ConversationGraph:
    """Answers messages by voice, one turn at a time, with barge-in (engine loop).

    Args:
        llm: The chat model.
        memory: History and prompt building.
        speech: TTS service, playout and lip-sync (the studio's :class:`~studio.pipeline.speaker.Speaker`).
        bus: Where turn, speech and emotion events go; barge-in and transcripts come from it.
        history_id: The conversation the turns are stored in.
        system_prompt: The persona's system prompt, or a callable returning the current one.
        voice_id: Voice of the replies (``None``: the default voice per language).
        options: Speed, pitch, volume of the replies.
        policy: Queue policy of the input sources.
        barge_in: Stop the reply when the user starts speaking (:class:`UserSpeechEvent`).
        listen: Answer final :class:`TranscriptEvent` s from the microphone.
        temperature: Passed to the model (``None``: the model's default).
        max_tokens: Longest reply.
        splitter: Makes the clause splitter of a reply.
    """

    def __init__(
        self,
        *,
        llm: ChatModel,
        memory: ConversationMemory,
        speech: SpeechOutput,
        bus: EventBus,
        history_id: str,
        system_prompt: str | Callable[[], str],
        voice_id: str | None = None,
        options: TtsOptions | None = None,
        policy: InputPolicy | None = None,
        barge_in: bool = True,
        listen: bool = True,
        temperature: float | None = None,
        max_tokens: int | None = None,
        splitter: Callable[[], ClauseSplitter] = ClauseSplitter,
    ) -> None:
        self.llm = llm
        self.memory = memory
        self.speech = speech
        self.bus = bus
        self.history_id = history_id
        self._system_prompt = system_prompt
        self.voice_id = voice_id
        self.options = options
        self.inputs = InputQueue(policy)
        self.barge_in = barge_in
        self.listen = listen
        self.temperature = temperature
        self.max_tokens = max_tokens
        self._splitter = splitter
        self._owner = TaskOwner("conversation")
        self._subs: list[Subscription] = []
        self._turn: asyncio.Task[TurnResult] | None = None
        self._voice: asyncio.Task[None] | None = None  # the turn's clause player
        self._current: TurnResult | None = None
        self._cut: tuple[str, float] | None = None  # (turn id, pts heard when it was cut)
        self.results: deque[TurnResult] = deque(maxlen=_RESULTS_KEPT)
        """Finished turns, newest last."""
        self._idle = asyncio.Event()
        self._idle.set()

    # ---- control (engine loop) ----

    def start(self) -> None:
        """Follow the microphone events on the bus and start answering."""
        self._subs.append(self.bus.subscribe(UserSpeechEvent, self._on_user_speech))
        self._subs.append(self.bus.subscribe(TranscriptEvent, self._on_transcript))
        self._owner.spawn(self._loop(), "loop")

    def submit(self, text: str, source: InputSource = "chat", *, language: str = "") -> TurnRequest:
        """Queue a message to answer; returns the request (its ``id`` names the turn).

        Raises:
            ValueError: empty text.
        """
        text = text.strip()
        if not text:
            raise ValueError("empty message")
        request = TurnRequest(text, source, language=language)
        self._idle.clear()
        for dropped in self.inputs.put(request):
            self._publish_dropped(dropped, "queue full")
        return request

    def interrupt(self, reason: str = "api") -> bool:
        """Barge-in: silence the reply now and cancel the LLM, TTS and playout. True if one was cut."""
        task, current = self._turn, self._current
        if task is None or task.done() or current is None:
            return False
        playout = self.speech.playout
        cut_pts = playout.clock.now()
        playout.clear()
        self.speech.lipsync.clear(cut_pts)
        self._cut = (current.turn_id, cut_pts)
        if self._voice is not None:
            self._voice.cancel()  # now, so it queues no chunk it was already handed
        task.cancel()
        log.info("reply interrupted", extra={"turn": current.turn_id, "reason": reason})
        return True

    @property
    def current(self) -> TurnResult | None:
        """The turn being answered, if any."""
        return self._current

    async def wait_idle(self, timeout: float | None = None) -> None:
        """Wait until nothing is pending or being answered."""
        await asyncio.wait_for(self._idle.wait(), timeout)

    async def close(self) -> None:
        """Stop answering: cut the reply, drop pending requests, unsubscribe."""
        for sub in self._subs:
            sub.close()
        self._subs.clear()
        self.interrupt("shutdown")
        self.inputs.clear()
        await self._owner.close(timeout=2.0)

    # ---- bus (engine loop) ----

    def _on_user_speech(self, event: UserSpeechEvent) -> None:
        if event.state == "started" and self.barge_in:
            self.interrupt("user speech")

    def _on_transcript(self, event: TranscriptEvent) -> None:
        if event.final and self.listen and event.text.strip():
            self.submit(event.text, "mic", language=event.language)

    def _publish_dropped(self, request: TurnRequest, why: str) -> None:
        self.bus.publish(
            AssistantTurnEvent(
                turn_id=request.id, state="dropped", user_text=request.text, source=request.source, detail=why
            )
        )

    # ---- the loop ----

    async def _loop(self) -> None:
        while True:
            await self.inputs.wait()
            request, stale = self.inputs.take()
            for old in stale:
                self._publish_dropped(old, "waited too long")
            if request is None:
                self._set_idle()
                continue
            self._current = TurnResult(request.id, request.text, request.source)
            self._turn = self._owner.spawn(self._answer(request, self._current), f"turn:{request.id}")
            await asyncio.wait({self._turn})
            self.results.append(self._current)
            self._turn, self._current, self._cut, self._voice = None, None, None, None
            self._set_idle()

    def _set_idle(self) -> None:
        if not self.inputs:
            self._idle.set()

    def _event(self, result: TurnResult, request: TurnRequest, **kw: object) -> None:
        self.bus.publish(
            AssistantTurnEvent(
                turn_id=result.turn_id,
                text=result.text,
                emotion=result.emotion,
                user_text=request.text,
                source=request.source,
                merged=request.merged,
                **kw,  # type: ignore[arg-type]
            )
        )

    async def _answer(self, request: TurnRequest, result: TurnResult) -> TurnResult:
        """One turn: prompt -> LLM deltas -> tags out -> clauses -> voice; history saved."""
        timings = result.timings
        self._event(result, request, state="started")
        player = ClausePlayer(
            self.speech, self.bus, voice_id=self.voice_id, options=self.options, timings=timings
        )
        owner = TaskOwner(f"turn:{request.id}")
        try:
            await self.memory.add_user(self.history_id, request.text, source=request.source)
            prompt = self._system_prompt() if callable(self._system_prompt) else self._system_prompt
            messages = await self.memory.build_context(self.history_id, prompt)
            timings.context_ready = time.perf_counter()
            voice = self._voice = owner.spawn(player.run(), "voice")
            parser, splitter = EmotionTagParser(), self._splitter()
            tags: list[EmotionTag] = []
            llm_error: LlmError | None = None
            try:
                await self._read_llm(messages, parser, tags, splitter, player, result, request, voice)
            except LlmError as exc:  # what was written is still spoken; then the failure is reported
                llm_error = exc
            self._take(parser.flush().text, tags, splitter, player, result, request, final=True)
            timings.llm_done = time.perf_counter()
            player.finish()
            await voice
            if llm_error is not None:
                await self._fail(result, request, llm_error, heard=result.text)
                return result
            result.heard_text = result.text
            result.state = "done"
            await self.memory.add_assistant(self.history_id, result.text)
            self._event(result, request, state="done", heard_text=result.text)
        except asyncio.CancelledError:
            await owner.close(timeout=1.0)
            await self._store_cut(result, request, player)
            raise
        except StudioError as exc:  # TTS ProviderError, StorageError
            await self._fail(result, request, exc, heard=self._heard_so_far(player, result))
        except Exception as exc:
            log.exception("reply failed", extra={"turn": result.turn_id})
            error = StudioError(f"The reply failed: {exc!r}")
            await self._fail(result, request, error, heard=self._heard_so_far(player, result))
        finally:
            await owner.close(timeout=1.0)
            timings.finished = time.perf_counter()
        return result

    async def _read_llm(
        self,
        messages: list[ChatMessage],
        parser: EmotionTagParser,
        tags: list[EmotionTag],
        splitter: ClauseSplitter,
        player: ClausePlayer,
        result: TurnResult,
        request: TurnRequest,
        voice: asyncio.Task[None],
    ) -> None:
        timings = result.timings
        stream = self.llm.stream(messages, temperature=self.temperature, max_tokens=self.max_tokens)
        async for delta in stream:
            if timings.first_delta is None:
                timings.first_delta = time.perf_counter()
            if voice.done():  # the voice failed: stop the reply (raises its error)
                await voice
            tagged = parser.feed(delta)
            tags.extend(tagged.tags)
            if tagged.tags:
                result.emotion = tagged.tags[-1].emotion
            self._take(tagged.text, tags, splitter, player, result, request)

    def _take(
        self,
        text: str,
        tags: list[EmotionTag],
        splitter: ClauseSplitter,
        player: ClausePlayer,
        result: TurnResult,
        request: TurnRequest,
        *,
        final: bool = False,
    ) -> None:
        """Cleaned reply text in: clauses to the player, deltas to the bus."""
        result.text += text
        clauses = splitter.feed(text)
        if final:
            clauses += splitter.flush()
        for clause in clauses:
            emotion: Emotion | None = emotion_in_span(tags, clause.start, clause.end)
            if result.timings.first_clause is None:
                result.timings.first_clause = time.perf_counter()
            player.put(clause.text, clause.start, clause.end, emotion)
        if text:
            self._event(result, request, state="delta", delta=text)

    async def _store_cut(self, result: TurnResult, request: TurnRequest, player: ClausePlayer) -> None:
        cut = self._cut
        pts = cut[1] if cut is not None and cut[0] == result.turn_id else self.speech.playout.clock.now()
        result.heard_text = player.tracker.heard_text(result.text, pts)
        result.state = "interrupted"
        if result.text:
            try:
                await self.memory.add_assistant(self.history_id, result.text, heard_text=result.heard_text)
            except StudioError:
                log.exception("storing the interrupted reply failed")
        self._event(result, request, state="interrupted", heard_text=result.heard_text)

    def _heard_so_far(self, player: ClausePlayer, result: TurnResult) -> str:
        return player.tracker.heard_text(result.text, self.speech.playout.end_pts)

    async def _fail(self, result: TurnResult, request: TurnRequest, exc: StudioError, *, heard: str) -> None:
        result.state, result.detail, result.heard_text = "failed", exc.user_message, heard
        log.warning("reply failed: %s", exc.user_message, extra={"turn": result.turn_id, "code": exc.code})
        if result.text:
            try:
                await self.memory.add_assistant(self.history_id, result.text, heard_text=heard)
            except StudioError:
                log.exception("storing the failed reply failed")
        retryable = bool(getattr(exc, "retryable", False))
        self.bus.publish(
            ErrorEvent(source="conversation", message=exc.user_message, code=exc.code, retryable=retryable)
        )
        self._event(result, request, state="failed", detail=exc.user_message, heard_text=heard)
