"""Personas: the default card, the system prompt's tag rules, storage in SQLite."""

from __future__ import annotations

import re

import pytest

from studio.avatar.emotion import EMOTIONS
from studio.brain.persona import DEFAULT_PERSONA, Persona, PersonaStore, build_system_prompt
from studio.brain.tags import EmotionTagParser, tag_emotion
from studio.core.errors import ValidationError
from studio.storage.db import Database
from studio.storage.history_repo import PersonaRepo


def test_default_persona_is_bilingual_and_allows_every_avatar_emotion() -> None:
    prompt = build_system_prompt(DEFAULT_PERSONA)
    assert "Cream" in prompt and "奶油" in prompt
    tags = re.findall(r"\[([a-z]+)\]", prompt)
    assert set(tags) == set(EMOTIONS)
    assert all(tag_emotion(t) == t for t in tags)  # the tag parser understands every allowed tag
    assert "Markdown" in prompt and DEFAULT_PERSONA.speaking_style in prompt


def test_prompt_lists_only_the_cards_tags() -> None:
    card = Persona("calm", "Calm", "You are calm.", "Slow.", ("neutral", "sad"))
    prompt = build_system_prompt(card, extra="Read the script.")
    assert set(re.findall(r"\[([a-z]+)\]", prompt)) == {"neutral", "sad"}
    assert prompt.startswith("You are calm.") and prompt.endswith("Read the script.")
    no_tags = build_system_prompt(Persona("x", "X", "You are X.", emotions=()))
    assert "Do not write any text in square brackets" in no_tags and "[happy]" not in no_tags


def test_a_tagged_reply_in_the_prompts_format_is_parsed() -> None:
    parser = EmotionTagParser()
    out = parser.feed("[happy] 太好了！")
    assert out.text.strip() == "太好了！" and [t.emotion for t in out.tags] == ["happy"]


async def test_store_creates_saves_and_protects_the_default(db: Database) -> None:
    store = PersonaStore(PersonaRepo(db))
    default = await store.ensure_default()
    assert default == DEFAULT_PERSONA and default.created_at > 0
    card = await store.save(
        Persona(" luna ".strip(), "  Luna ", "You are Luna.", emotions=("joy", "happy", "shy"))  # type: ignore[arg-type]
    )
    assert card.name == "Luna" and card.emotions == ("happy", "shy")  # synonyms folded, duplicates gone
    assert await store.get("luna") == card
    assert [p.id for p in await store.all()] == ["cream", "luna"]
    edited = await store.save(Persona("luna", "Luna", "You are Luna, a cat.", emotions=()))
    assert edited.created_at == card.created_at and (await store.get("luna")) == edited
    with pytest.raises(ValidationError, match="cannot be deleted"):
        await store.delete("cream")
    assert await store.delete("luna") and not await store.delete("luna")
    assert await store.get_or_default("luna") == DEFAULT_PERSONA


@pytest.mark.parametrize(
    ("card", "match"),
    [
        (Persona("Bad Id", "x", "y"), "Persona id"),
        (Persona("ok", " ", "y"), "name and a system prompt"),
        (Persona("ok", "x", "y", emotions=("sleepy",)), "Unknown emotion"),  # type: ignore[arg-type]
    ],
)
async def test_invalid_cards_are_refused(db: Database, card: Persona, match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        await PersonaStore(PersonaRepo(db)).save(card)
