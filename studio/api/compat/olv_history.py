"""Open-LLM-VTuber history messages over the studio's conversation history (SQLite).

An Open-LLM-VTuber history is a studio history whose id is the ``history_uid``
(``YYYY-MM-DD_HH-MM-SS_<hex>``) and whose persona is the character's ``conf_uid``. Assistant
replies cut by an interrupt show what was heard; system messages are filtered out.

Thread: engine loop.
"""

from __future__ import annotations

from typing import Any

from studio.api.compat.olv_payloads import (
    INTERRUPTED_NOTE,
    history_entry,
    history_message,
    message,
    new_history_uid,
)
from studio.api.olv_service import OlvCharacter
from studio.brain.memory import ConversationMemory
from studio.storage.history_repo import MessageRow

_LATEST_WINDOW = 8


def _shown(row: MessageRow) -> str:
    if row.role == "assistant" and row.heard_text is not None:
        return row.heard_text
    return row.text


def _olv(row: MessageRow, character: OlvCharacter) -> dict[str, Any] | None:
    return history_message(
        row.role, _shown(row), row.ts, name=character.character_name, avatar=character.avatar
    )


async def history_list(memory: ConversationMemory, character: OlvCharacter) -> dict[str, Any]:
    """``history-list``: the character's non-empty histories, newest first."""
    entries: list[dict[str, Any]] = []
    for history in await memory.repo.all(persona_id=character.conf_uid):
        rows = await memory.repo.messages(history.id, limit=_LATEST_WINDOW)
        shown = [m for m in (_olv(r, character) for r in rows) if m is not None]
        if not shown and len(rows) == _LATEST_WINDOW:  # only system notes lately: look further
            rows = await memory.repo.messages(history.id)
            shown = [m for m in (_olv(r, character) for r in rows) if m is not None]
        if shown:
            entries.append(history_entry(history.id, shown[-1]))
    entries.sort(key=lambda e: str(e["timestamp"]), reverse=True)
    return message("history-list", histories=entries)


async def history_data(
    memory: ConversationMemory, character: OlvCharacter, history_uid: str
) -> dict[str, Any] | None:
    """``history-data`` of ``history_uid`` (``None`` when there is no such history)."""
    if await memory.repo.get(history_uid) is None:
        return None
    rows = await memory.repo.messages(history_uid)
    shown = [m for m in (_olv(r, character) for r in rows) if m is not None]
    return message("history-data", messages=shown)


async def create_history(memory: ConversationMemory, character: OlvCharacter) -> str:
    """A new empty history for the character; returns its uid."""
    row = await memory.repo.create(character.conf_uid, title="Open-LLM-VTuber", history_id=new_history_uid())
    return row.id


async def delete_history(memory: ConversationMemory, history_uid: str) -> bool:
    """Delete a history; True if it existed."""
    return await memory.repo.delete(history_uid)


async def record_interrupt(
    memory: ConversationMemory, history_uid: str, reply_id: int | None, reply: str, heard: str
) -> None:
    """Store what was heard of an interrupted reply, then the ``[Interrupted by user]`` note."""
    if reply_id is not None:
        await memory.set_heard(reply_id, heard)
    elif heard.strip() or reply.strip():
        await memory.add_assistant(history_uid, reply.strip() or heard, heard_text=heard)
    await memory.repo.add_message(history_uid, "system", INTERRUPTED_NOTE, source="olv")
