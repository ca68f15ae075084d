"""Personas (character cards): who the studio speaks as, how, and which emotion tags it may use.

A persona is a name, a system prompt, a speaking style and the emotion tags the model may put in
front of a sentence (``[happy] 太好了！``). The tags are the avatar's six emotions
(:data:`studio.avatar.emotion.EMOTIONS`); :mod:`studio.brain.tags` takes them out of the reply
and the avatar director shows them. :func:`build_system_prompt` assembles the prompt sent to the
model: the card's own prompt, the style, the tag rules and the spoken-output rules.

Personas are stored in SQLite (:class:`~studio.storage.history_repo.PersonaRepo`); the default
bilingual persona "Cream" is created on first use and can be edited but not deleted.

Thread: engine loop (the store's methods are coroutines); the dataclass and prompt builder: any.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace
from typing import Final

from studio.avatar.emotion import EMOTIONS, Emotion, normalize_emotion
from studio.core.errors import ValidationError
from studio.storage.history_repo import PersonaRepo, PersonaRow

__all__ = ["DEFAULT_PERSONA", "DEFAULT_PERSONA_ID", "Persona", "PersonaStore", "build_system_prompt"]

DEFAULT_PERSONA_ID: Final = "cream"
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


@dataclass(frozen=True, slots=True)
class Persona:
    """A character card.

    Attributes:
        id: Stable id (lowercase letters, digits, ``_``, ``-``).
        name: The character's name.
        system_prompt: Who the character is and what it does.
        speaking_style: How it talks (tone, length, habits).
        emotions: Emotion tags it may use; empty = no tags.
    """

    id: str
    name: str
    system_prompt: str
    speaking_style: str = ""
    emotions: tuple[Emotion, ...] = EMOTIONS
    created_at: float = field(default=0.0, compare=False)
    updated_at: float = field(default=0.0, compare=False)

    def validated(self) -> Persona:
        """A copy with trimmed text and known, de-duplicated emotions.

        Raises:
            ValidationError: bad id, empty name or prompt, or an unknown emotion.
        """
        if not _ID.match(self.id):
            raise ValidationError(f"Persona id {self.id!r}: use lowercase letters, digits, _ and -.")
        if not self.name.strip() or not self.system_prompt.strip():
            raise ValidationError("A persona needs a name and a system prompt.")
        emotions: list[Emotion] = []
        for word in self.emotions:
            emotion = normalize_emotion(word)
            if emotion is None:
                raise ValidationError(f"Unknown emotion {word!r}; the avatar knows {', '.join(EMOTIONS)}.")
            if emotion not in emotions:
                emotions.append(emotion)
        return replace(
            self,
            name=self.name.strip(),
            system_prompt=self.system_prompt.strip(),
            speaking_style=self.speaking_style.strip(),
            emotions=tuple(emotions),
        )


DEFAULT_PERSONA: Final = Persona(
    id=DEFAULT_PERSONA_ID,
    name="Cream",
    system_prompt=(
        "You are Cream (奶油), a cheerful virtual streamer (VTuber) chatting live with viewers. "
        "You are warm, curious and a little playful; you remember what viewers told you earlier "
        "in the stream. You speak Chinese and English (and some Japanese): always answer in the "
        "language the viewer used.\n"
        "你是奶油（Cream），一位正在直播、和观众聊天的虚拟主播。你温暖、好奇、有点俏皮，"
        "会记得观众之前说过的话。观众用什么语言，你就用什么语言回答。"
    ),
    speaking_style=(
        "Short, natural spoken sentences: usually one to three per reply. Friendly and lively, "
        "never formal. 说话简短自然，像聊天一样，一般一到三句话。"
    ),
)

_TAG_RULES: Final = (
    "Emotion tags: when the tone of a sentence calls for it, start that sentence with one tag in "
    'square brackets. Allowed tags: {tags}. Use only these, in English, e.g. "{example} ...". '
    "Tags are not spoken; do not explain them.\n"
    "情绪标签：需要时在句首加一个方括号标签，只能用：{tags}。"
)
_NO_TAGS: Final = "Do not write any text in square brackets."
_SPOKEN_RULES: Final = (
    "Your reply is spoken aloud by a text-to-speech voice: no Markdown, lists, emoji, code or URLs; "
    "write numbers and symbols the way they are said. 你的回答会被朗读出来：不要用Markdown、列表、表情符号。"
)


def build_system_prompt(persona: Persona, *, extra: str = "") -> str:
    """The system prompt for ``persona``: card, style, allowed tags, spoken-output rules.

    Args:
        persona: The character card.
        extra: More instructions appended at the end (e.g. a script-mode task).

    Thread: any.
    """
    parts = [persona.system_prompt.strip()]
    if persona.speaking_style.strip():
        parts.append(f"Speaking style / 说话风格: {persona.speaking_style.strip()}")
    if persona.emotions:
        tags = " ".join(f"[{e}]" for e in persona.emotions)
        example = f"[{'happy' if 'happy' in persona.emotions else persona.emotions[0]}]"
        parts.append(_TAG_RULES.format(tags=tags, example=example))
    else:
        parts.append(_NO_TAGS)
    parts.append(_SPOKEN_RULES)
    if extra.strip():
        parts.append(extra.strip())
    return "\n\n".join(parts)


def _from_row(row: PersonaRow) -> Persona:
    emotions = tuple(e for e in (normalize_emotion(w) for w in row.emotions) if e is not None)
    return Persona(
        row.id, row.name, row.system_prompt, row.speaking_style, emotions, row.created_at, row.updated_at
    )


class PersonaStore:
    """Personas in the database, with the default one always present.

    Args:
        repo: The personas table.

    Thread: engine loop.
    """

    def __init__(self, repo: PersonaRepo) -> None:
        self._repo = repo

    async def ensure_default(self) -> Persona:
        """Create the default persona if it is missing; return the stored one."""
        row = await self._repo.get(DEFAULT_PERSONA_ID)
        if row is not None:
            return _from_row(row)
        return await self.save(DEFAULT_PERSONA)

    async def get(self, persona_id: str) -> Persona | None:
        """The persona ``persona_id`` or ``None``."""
        row = await self._repo.get(persona_id)
        if row is None and persona_id == DEFAULT_PERSONA_ID:
            return await self.ensure_default()
        return None if row is None else _from_row(row)

    async def get_or_default(self, persona_id: str) -> Persona:
        """The persona ``persona_id``, or the default one when it does not exist (e.g. deleted)."""
        return await self.get(persona_id) or await self.ensure_default()

    async def all(self) -> list[Persona]:
        """Every persona (the default one included), oldest first."""
        await self.ensure_default()
        return [_from_row(r) for r in await self._repo.all()]

    async def save(self, persona: Persona) -> Persona:
        """Validate and store ``persona`` (insert or update); returns what was stored.

        Raises:
            ValidationError: the card is incomplete or names an unknown emotion.
        """
        p = persona.validated()
        existing = await self._repo.get(p.id)
        now = time.time()
        created = existing.created_at if existing is not None else now
        await self._repo.upsert(
            PersonaRow(p.id, p.name, p.system_prompt, p.speaking_style, p.emotions, created, now)
        )
        return replace(p, created_at=created, updated_at=now)

    async def delete(self, persona_id: str) -> bool:
        """Delete a persona; True if it existed.

        Raises:
            ValidationError: ``persona_id`` is the default persona (reset it with :meth:`reset_default`).
        """
        if persona_id == DEFAULT_PERSONA_ID:
            raise ValidationError("The default persona cannot be deleted; edit or reset it instead.")
        return await self._repo.delete(persona_id)

    async def reset_default(self) -> Persona:
        """Restore the default persona's original card."""
        return await self.save(DEFAULT_PERSONA)
