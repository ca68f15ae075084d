"""``services["olv"]``: what the Open-LLM-VTuber routes need, from the running studio.

The chat model and memory are the conversation's (one history store, one key read); characters
come from the persona store and the current avatar from the avatar library. Everything is built on
first use, so connecting a client never loads models the studio does not need yet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from studio.api.olv_service import OlvCharacter

if TYPE_CHECKING:
    from studio.app.runtime import EngineRuntime
    from studio.avatar.model_dict import AvatarSource
    from studio.brain.llm import ChatModel
    from studio.brain.memory import ConversationMemory

__all__ = ["RuntimeOlvBackend"]


class RuntimeOlvBackend:
    """:class:`~studio.api.olv_service.OlvBackend` over :class:`EngineRuntime` (engine loop)."""

    def __init__(self, runtime: EngineRuntime) -> None:
        self._runtime = runtime

    async def chat_model(self) -> ChatModel:
        """The conversation's chat model (raises a clear error when no LLM is configured)."""
        return (await self._runtime.conversation()).llm

    async def memory(self) -> ConversationMemory:
        """The conversation's memory (histories in SQLite)."""
        return (await self._runtime.conversation()).memory

    async def characters(self) -> list[OlvCharacter]:
        """Every persona, the current one first (``conf.yaml``)."""
        from studio.api.compat.olv_backend import StudioOlvBackend
        from studio.brain.persona import PersonaStore
        from studio.storage.history_repo import PersonaRepo

        conversation = await self._runtime.conversation()
        backend = StudioOlvBackend(
            chat=conversation.llm,
            memory=conversation.memory,
            personas=PersonaStore(PersonaRepo(self._runtime.container.db)),
            current_persona=conversation.persona.id,
            library=await self.avatar_library(),
            current_avatar=self._runtime.container.config.avatar.current,
        )
        return await backend.characters()

    async def avatar_library(self) -> AvatarSource | None:
        """The studio's avatar library."""
        return (await self._runtime.avatar()).library
