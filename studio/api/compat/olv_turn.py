"""One Open-LLM-VTuber conversation turn (reference-contracts.md 4.2, "Turn sequence").

``control: conversation-chain-start`` -> ``full-text "Thinking..."`` -> [``user-input-transcription``]
-> one ``audio`` payload per clause of the streamed reply, in order (clauses are synthesised
concurrently with the LLM stream and with each other) -> ``backend-synth-complete`` (twice, as the
reference does in single-client mode) -> wait for ``frontend-playback-complete`` when any audio was
sent -> ``force-new-message`` -> ``control: conversation-chain-end``.

Cancelling the task (``interrupt-signal``) stops the LLM request, pending syntheses and sends;
:class:`TurnState` then tells the session what was said and stored so far.

Thread: engine loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from studio.api.compat.olv_payloads import (
    PROACTIVE_PROMPT,
    THINKING,
    audio_payload,
    control,
    expressions_in,
    guess_language,
    message,
    speakable,
)
from studio.api.olv_service import ASR_RATE, OlvBackend, OlvCharacter, SpeechRecognizer
from studio.api.tts_service import SpeechApi
from studio.brain.llm import ChatMessage
from studio.core.errors import StudioError
from studio.core.tasks import TaskOwner, cancel_with_timeout
from studio.speech.text.splitter import ClauseSplitter

log = logging.getLogger(__name__)

Send = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass(slots=True)
class TurnState:
    """What a turn has done so far (read by the session after an interrupt).

    Attributes:
        history_uid: The history the turn writes to (``None``: not stored).
        reply: The reply text received from the LLM so far.
        reply_id: Id of the stored reply message once stored.
        store: False for proactive speech (kept out of history).
    """

    history_uid: str | None
    reply: str = ""
    reply_id: int | None = None
    store: bool = True
    sent_audio: int = 0
    done: bool = False


@dataclass(slots=True)
class TurnInput:
    """What starts a turn: typed text, buffered mic audio, or proactive speech."""

    text: str = ""
    audio: npt.NDArray[np.float32] | None = None
    proactive: bool = False


@dataclass(slots=True)
class TurnDeps:
    """The services one turn uses."""

    backend: OlvBackend
    speech: SpeechApi | None
    recognizer: SpeechRecognizer | None
    character: OlvCharacter
    send: Send
    playback_done: asyncio.Event
    owner: TaskOwner
    state: TurnState = field(default_factory=lambda: TurnState(None))


async def _synthesize(speech: SpeechApi | None, text: str) -> bytes | None:
    """The clause as a WAV, or ``None`` (silent payload) when there is nothing to say or TTS failed."""
    if speech is None or not text:
        return None
    try:
        result = await speech.synthesize(
            text, voice=None, language=guess_language(text), speed=1.0, pitch=0.0
        )
    except StudioError as exc:
        log.warning("olv: synthesis failed; sending the text only", extra={"error": exc.user_message})
        return None
    return result.wav


async def run_turn(deps: TurnDeps, given: TurnInput) -> None:
    """Run one turn to ``conversation-chain-end`` (see the module docstring). Engine loop.

    Raises:
        StudioError: the LLM or storage failed (the session reports it as ``error``).
    """
    send, state = deps.send, deps.state
    await send(control("conversation-chain-start"))
    await send(message("full-text", text=THINKING))
    text = given.text
    if given.audio is not None:
        if deps.recognizer is None:
            raise StudioError("Speech recognition is not available.")
        text = (await deps.recognizer.transcribe(given.audio, ASR_RATE)).strip()
        await send(message("user-input-transcription", text=text))
    if text or given.proactive:
        await _reply(deps, text, given.proactive)
    if state.sent_audio:
        deps.playback_done.clear()
        await send(message("backend-synth-complete"))
        await send(message("backend-synth-complete"))
        await deps.playback_done.wait()
    await send(message("force-new-message"))
    await send(control("conversation-chain-end"))
    state.done = True


async def _reply(deps: TurnDeps, text: str, proactive: bool) -> None:
    state, character = deps.state, deps.character
    memory = await deps.backend.memory()
    history = state.history_uid if state.store else None
    if history is not None and not proactive:
        await memory.add_user(history, text, source="olv")
    if history is not None:
        context = await memory.build_context(history, character.system_prompt)
    else:
        context = [ChatMessage("system", character.system_prompt)]
    if proactive:
        context.append(ChatMessage("user", PROACTIVE_PROMPT))
    elif history is None:
        context.append(ChatMessage("user", text))
    chat = await deps.backend.chat_model()

    queue: asyncio.Queue[tuple[str, asyncio.Task[bytes | None]] | None] = asyncio.Queue()

    async def deliver() -> None:
        while (item := await queue.get()) is not None:
            clause, synth = item
            wav = await synth
            await deps.send(
                audio_payload(
                    wav,
                    text=clause,
                    name=character.character_name,
                    avatar=character.avatar,
                    expressions=expressions_in(clause, character.emotion_map),
                )
            )
            state.sent_audio += 1

    splitter = ClauseSplitter()
    tasks: list[asyncio.Task[Any]] = [deps.owner.spawn(deliver(), "olv-deliver")]
    sender = tasks[0]

    def enqueue(clause: str) -> None:
        synth = deps.owner.spawn(_synthesize(deps.speech, speakable(clause)), "olv-tts")
        tasks.append(synth)
        queue.put_nowait((clause, synth))

    try:
        stream = chat.stream(context)
        try:
            async for delta in stream:
                state.reply += delta
                for clause in splitter.feed(delta):
                    enqueue(clause.text)
        finally:
            aclose = getattr(stream, "aclose", None)
            if aclose is not None:
                await aclose()  # ends the provider's request at once (interrupt)
        for clause in splitter.flush():
            enqueue(clause.text)
        queue.put_nowait(None)
        await sender
    finally:
        await cancel_with_timeout([t for t in tasks if not t.done()], 2.0)
    if history is not None and state.reply.strip():
        row = await memory.add_assistant(history, state.reply.strip())
        state.reply_id = row.id
