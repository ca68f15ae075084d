"""The conversation service: the chat model, persona, memory and voice loop, built on first use.

:func:`build_conversation` makes the :class:`~studio.brain.openai_compat.OpenAICompatChat` from
``[llm]`` (the key is read off the loop: an OS keyring may block), the persona from the database,
the conversation memory (the persona's most recent history, or a new one) and the
:class:`~studio.pipeline.graph.ConversationGraph` on the speech stack, and starts it: from then
on final transcripts on the bus are answered and user speech barges in.

:class:`ConversationApiAdapter` is what the API routes get (``api_services["conversation"]``); it
builds the service on the first request. Thread: engine loop.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from studio.core.errors import ValidationError
from studio.pipeline.inputs import InputPolicy, InputSource, TurnRequest
from studio.storage.history_repo import MessageRow

if TYPE_CHECKING:  # the brain and the voice loop load when the conversation is first used
    from studio.app.runtime import EngineRuntime
    from studio.brain.memory import ConversationMemory
    from studio.brain.openai_compat import OpenAICompatChat
    from studio.brain.persona import Persona
    from studio.pipeline.graph import ConversationGraph

log = logging.getLogger(__name__)

__all__ = ["ConversationApiAdapter", "ConversationService", "build_conversation"]

MAX_MESSAGE_CHARS = 2000


@dataclass(slots=True)
class ConversationService:
    """The running conversation (engine loop)."""

    llm: OpenAICompatChat
    persona: Persona
    memory: ConversationMemory
    graph: ConversationGraph

    @property
    def history_id(self) -> str:
        """The conversation the turns are stored in."""
        return self.graph.history_id

    def send(self, text: str, source: InputSource = "api") -> TurnRequest:
        """Queue a message; the reply is spoken and reported on the bus.

        Raises:
            ValidationError: empty or too long.
        """
        text = text.strip()
        if not text:
            raise ValidationError("The message is empty.")
        if len(text) > MAX_MESSAGE_CHARS:
            raise ValidationError(f"The message is longer than {MAX_MESSAGE_CHARS} characters.")
        return self.graph.submit(text, source)

    def interrupt(self, reason: str = "api") -> bool:
        """Cut the reply being spoken; True if there was one."""
        return self.graph.interrupt(reason)

    async def history(self, limit: int = 100) -> list[MessageRow]:
        """The newest ``limit`` messages of the conversation, oldest first."""
        return await self.memory.repo.messages(self.history_id, limit=limit)

    async def close(self) -> None:
        """Stop answering and close the HTTP client."""
        try:
            await self.graph.close()
        finally:
            await self.llm.aclose()


async def build_conversation(
    runtime: EngineRuntime, *, policy: InputPolicy | None = None
) -> ConversationService:
    """Build and start the conversation on ``runtime``'s speech stack (engine loop).

    Raises:
        ConfigError: the ``[llm]`` settings name no usable provider URL.
    """
    from studio.brain.memory import ConversationMemory
    from studio.brain.openai_compat import OpenAICompatChat
    from studio.brain.persona import PersonaStore, build_system_prompt
    from studio.pipeline.graph import ConversationGraph
    from studio.storage.history_repo import HistoryRepo, PersonaRepo

    c = runtime.container
    settings = c.config.llm
    speech = await runtime.speech()
    llm = await asyncio.to_thread(OpenAICompatChat.from_settings, settings, c.secrets)
    try:
        persona = await PersonaStore(PersonaRepo(c.db)).get_or_default(settings.persona)
        repo = HistoryRepo(c.db)
        memory = ConversationMemory(
            repo, llm, context_tokens=settings.context_tokens, reply_tokens=settings.max_tokens
        )
        histories = await repo.all(persona.id)
        history = histories[0] if histories else await repo.create(persona.id, "Live chat")
        graph = ConversationGraph(
            llm=llm,
            memory=memory,
            speech=speech.speaker,
            bus=c.bus,
            history_id=history.id,
            system_prompt=build_system_prompt(persona),
            policy=policy,
            temperature=settings.temperature,
            max_tokens=settings.max_tokens,
        )
        graph.start()
    except BaseException:
        await llm.aclose()
        raise
    log.info("conversation ready", extra={"model": llm.name, "persona": persona.id, "history": history.id})
    return ConversationService(llm, persona, memory, graph)


class ConversationApiAdapter:
    """``api_services["conversation"]``: the service, built on the first request (engine loop)."""

    def __init__(self, runtime: EngineRuntime) -> None:
        self._runtime = runtime

    async def send(self, text: str, source: InputSource = "api") -> str:
        """Queue a message; returns the turn id."""
        service = await self._runtime.conversation()
        return service.send(text, source).id

    async def interrupt(self) -> bool:
        """Cut the reply being spoken (no-op when nothing was built yet)."""
        service = self._runtime.current_conversation
        return service.interrupt("api") if service is not None else False

    async def history(self, limit: int) -> tuple[str, list[MessageRow]]:
        """The conversation id and its newest messages."""
        service = await self._runtime.conversation()
        return service.history_id, await service.history(limit)
