"""A ready :class:`~studio.api.olv_service.OlvBackend` over the studio's brain and avatar library.

The composition root builds one with the chat model, the conversation memory, the persona store
and (optionally) the avatar library, and registers it as ``services["olv"]``. Each persona is a
character: the current one is ``conf.yaml``, the others ``<persona id>.yaml``. ``model_info`` is the
current Live2D avatar's ``model_dict.json`` entry; with no Cubism 3+ avatar it is a stub entry
without a model URL whose ``emotionMap`` maps each of the persona's emotion tags to its own name.

Thread: engine loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from studio.api.olv_service import OlvCharacter
from studio.avatar.library import Avatar
from studio.avatar.model_dict import AvatarSource, is_olv_model, model_dict_entry
from studio.brain.llm import ChatModel
from studio.brain.memory import ConversationMemory
from studio.brain.persona import DEFAULT_PERSONA_ID, Persona, PersonaStore, build_system_prompt


def stub_model_info(persona: Persona) -> dict[str, Any]:
    """A ``model_dict.json`` entry for a character without a Live2D model."""
    return {
        "name": persona.id,
        "description": persona.name,
        "url": "",
        "kScale": 0.5,
        "initialXshift": 0,
        "initialYshift": 0,
        "kXOffset": 1150,
        "idleMotionGroupName": "Idle",
        "emotionMap": {e: e for e in persona.emotions},
        "tapMotions": {},
    }


class StudioOlvBackend:
    """:class:`~studio.api.olv_service.OlvBackend` from studio parts.

    Args:
        chat: The chat model, or a coroutine function returning it (built on first use).
        memory: The conversation memory.
        personas: The persona store.
        current_persona: Id of the character served as ``conf.yaml``.
        library: The avatar library (``None``: no Live2D models).
        current_avatar: Id of the avatar whose model the clients show.
    """

    def __init__(
        self,
        *,
        chat: ChatModel | Callable[[], Awaitable[ChatModel]],
        memory: ConversationMemory,
        personas: PersonaStore,
        current_persona: str = DEFAULT_PERSONA_ID,
        library: AvatarSource | None = None,
        current_avatar: str | None = None,
    ) -> None:
        self._chat = chat
        self._memory = memory
        self._personas = personas
        self.current_persona = current_persona
        self._library = library
        self.current_avatar = current_avatar

    async def chat_model(self) -> ChatModel:
        """The chat model (engine loop)."""
        if callable(self._chat) and not hasattr(self._chat, "stream"):
            return await self._chat()
        return self._chat  # type: ignore[return-value]

    async def memory(self) -> ConversationMemory:
        """The conversation memory (engine loop)."""
        return self._memory

    async def avatar_library(self) -> AvatarSource | None:
        """The avatar library (engine loop)."""
        return self._library

    async def characters(self) -> list[OlvCharacter]:
        """The current persona first (``conf.yaml``), then the others (engine loop)."""
        current = await self._personas.get_or_default(self.current_persona)
        others = [p for p in await self._personas.all() if p.id != current.id]
        avatar = await asyncio.to_thread(self._avatar)
        model_info = model_dict_entry(avatar) if avatar is not None else None
        picture = avatar.thumbnail_ref if avatar is not None else None
        out = []
        for persona, filename in [(current, "conf.yaml"), *((p, f"{p.id}.yaml") for p in others)]:
            out.append(
                OlvCharacter(
                    filename=filename,
                    conf_name=persona.name,
                    conf_uid=persona.id,
                    character_name=persona.name,
                    avatar=picture,
                    system_prompt=build_system_prompt(persona),
                    model_info=model_info if model_info is not None else stub_model_info(persona),
                    persona_id=persona.id,
                )
            )
        return out

    def _avatar(self) -> Avatar | None:
        if self._library is None:
            return None
        models = [a for a in self._library.list_avatars() if is_olv_model(a)]
        chosen = next((a for a in models if a.id == self.current_avatar), None)
        return chosen or (models[0] if models else None)
