"""Conversation memory: history in SQLite and a prompt that stays within the context budget.

Every turn is stored (:class:`~studio.storage.history_repo.HistoryRepo`). For an assistant turn
cut short by a barge-in, what the viewer actually heard (``heard_text``) is what goes back into
the prompt, so the model does not believe it said things nobody heard.

:meth:`ConversationMemory.build_context` makes the message list for the next reply: the system
prompt, then a rolling summary of older turns, then the recent turns verbatim. When the estimated
prompt would exceed ``context_tokens - reply_tokens``, the older turns (all but a recent tail of
about ``recent_share`` of the budget) are summarised by the chat model together with the previous
summary, and the new summary is stored with the id of the last message it covers; later prompts
start from there. If summarising fails, the oldest turns are dropped instead (and nothing is
stored), so a reply is never blocked by the summary.

Token counts are estimated without a tokenizer (:func:`estimate_tokens`): one token per CJK /
kana / hangul character, one per four other characters. Real tokenizers give ~0.6-1.5 tokens per
Chinese character and ~4 characters per English token, so the estimate errs on the safe side for
Chinese.

Thread: engine loop.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
from collections.abc import Sequence
from typing import Final

from studio.brain.llm import ChatMessage, ChatModel, LlmError
from studio.storage.history_repo import HistoryRepo, MessageRow

__all__ = ["ConversationMemory", "estimate_tokens", "message_tokens"]

log = logging.getLogger(__name__)

_WIDE = re.compile(
    r"[\u1100-\u11ff\u2e80-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]"
)
_PER_MESSAGE: Final = 4  # role and framing tokens of the chat format
SUMMARY_INSTRUCTION: Final = (
    "You keep the memory of a live-stream chat. Update the summary of the conversation so far with "
    "the new messages. Keep what matters later: viewers' names and what they said about "
    "themselves, questions still open, promises, running jokes and the topics covered. Drop "
    "greetings and small talk. Write plain sentences in the language of the conversation, at most "
    "{words} words. Reply with the summary only."
)


def estimate_tokens(text: str) -> int:
    """Cheap token estimate that works for CJK and Latin text. Thread: any."""
    wide = len(_WIDE.findall(text))
    return wide + math.ceil((len(text) - wide) / 4)


def message_tokens(message: ChatMessage) -> int:
    """Estimated tokens of one chat message, framing included. Thread: any."""
    return _PER_MESSAGE + estimate_tokens(message.content)


def _chat(row: MessageRow) -> ChatMessage:
    text = row.heard_text if row.role == "assistant" and row.heard_text is not None else row.text
    return ChatMessage(row.role, text)


class ConversationMemory:
    """Stores turns and builds prompts that fit the context window.

    Args:
        repo: The history tables.
        summariser: Model that writes the rolling summaries (usually the chat model itself);
            ``None`` drops old turns instead.
        context_tokens: Prompt budget of the model (``[llm] context_tokens``).
        reply_tokens: Tokens kept free for the reply (``[llm] max_tokens``).
        recent_share: Part of the budget kept for verbatim recent turns when summarising.
        summary_tokens: Longest summary.
    """

    def __init__(
        self,
        repo: HistoryRepo,
        summariser: ChatModel | None,
        *,
        context_tokens: int,
        reply_tokens: int = 400,
        recent_share: float = 0.5,
        summary_tokens: int = 400,
    ) -> None:
        self.repo = repo
        self.summariser = summariser
        self.context_tokens = context_tokens
        self.reply_tokens = reply_tokens
        self.recent_share = recent_share
        self.summary_tokens = summary_tokens
        self._lock = asyncio.Lock()

    @property
    def budget(self) -> int:
        """Tokens the prompt may use."""
        return max(self.context_tokens - self.reply_tokens, 64)

    async def add_user(self, history_id: str, text: str, source: str = "") -> MessageRow:
        """Store a viewer / streamer message."""
        return await self.repo.add_message(history_id, "user", text, source=source)

    async def add_assistant(self, history_id: str, text: str, heard_text: str | None = None) -> MessageRow:
        """Store a reply; ``heard_text`` when a barge-in cut it."""
        return await self.repo.add_message(history_id, "assistant", text, heard_text=heard_text)

    async def set_heard(self, message_id: int, heard_text: str) -> bool:
        """Record what was heard of a stored reply that was cut short."""
        return await self.repo.set_heard(message_id, heard_text)

    async def build_context(self, history_id: str, system_prompt: str) -> list[ChatMessage]:
        """System prompt + summary + recent turns of ``history_id``, within :attr:`budget`.

        May call the summariser (and store a new summary) when the history outgrew the budget.
        """
        async with self._lock:
            summary = await self.repo.latest_summary(history_id)
            rows = await self.repo.messages(history_id, after_id=summary.upto_message_id if summary else 0)
            summary_text = summary.text if summary else ""
            turns = [_chat(r) for r in rows]
            if self._total(system_prompt, summary_text, turns) > self.budget and len(turns) > 1:
                keep = self._recent_tail(turns, self._fixed(system_prompt, summary_text))
                old = rows[: len(rows) - keep]
                if old and self.summariser is not None:
                    new_text = await self._summarise(summary_text, [_chat(r) for r in old])
                    if new_text:
                        await self.repo.add_summary(history_id, old[-1].id, new_text)
                        summary_text, turns = new_text, turns[len(old) :]
            return self._fit(system_prompt, summary_text, turns)

    # internals ---------------------------------------------------------------------------------

    @staticmethod
    def _system(system_prompt: str, summary: str) -> ChatMessage:
        if not summary:
            return ChatMessage("system", system_prompt)
        return ChatMessage(
            "system",
            f"{system_prompt}\n\nEarlier in this conversation (summary / 之前的对话摘要):\n{summary}",
        )

    def _fixed(self, system_prompt: str, summary: str) -> int:
        return message_tokens(self._system(system_prompt, summary))

    def _total(self, system_prompt: str, summary: str, turns: Sequence[ChatMessage]) -> int:
        return self._fixed(system_prompt, summary) + sum(message_tokens(t) for t in turns)

    def _recent_tail(self, turns: Sequence[ChatMessage], fixed: int) -> int:
        """How many of the newest turns to keep verbatim (at least one)."""
        room = min(int(self.budget * self.recent_share), self.budget - fixed - self.summary_tokens)
        keep, used = 0, 0
        for turn in reversed(turns):
            cost = message_tokens(turn)
            if keep and used + cost > room:
                break
            keep, used = keep + 1, used + cost
        return keep

    async def _summarise(self, previous: str, turns: Sequence[ChatMessage]) -> str:
        assert self.summariser is not None
        lines = [f"{'Viewer' if t.role == 'user' else 'Streamer'}: {t.content}" for t in turns if t.content]
        prompt = (
            (f"Summary so far:\n{previous}\n\n" if previous else "") + "New messages:\n" + "\n".join(lines)
        )
        words = max(self.summary_tokens // 2, 30)
        messages = [
            ChatMessage("system", SUMMARY_INSTRUCTION.format(words=words)),
            ChatMessage("user", prompt),
        ]
        try:
            text = await self.summariser.complete(messages, temperature=0.2, max_tokens=self.summary_tokens)
        except LlmError as exc:
            log.warning("history summary failed; dropping old turns instead", extra={"error": str(exc)})
            return ""
        text = text.strip()
        if estimate_tokens(text) > self.summary_tokens * 2:  # a runaway model: cut, keep the head
            text = text[: self.summary_tokens * 2]
        return text

    def _fit(self, system_prompt: str, summary: str, turns: list[ChatMessage]) -> list[ChatMessage]:
        system = self._system(system_prompt, summary)
        room = self.budget - message_tokens(system)
        kept: list[ChatMessage] = []
        for turn in reversed(turns):
            cost = message_tokens(turn)
            if cost > room:
                if not kept:  # the newest turn alone is too long: keep its end
                    kept.append(ChatMessage(turn.role, _tail(turn.content, max(room - _PER_MESSAGE, 16))))
                break
            kept.append(turn)
            room -= cost
        if len(kept) < len(turns):
            log.info("old turns left out of the prompt", extra={"dropped": len(turns) - len(kept)})
        return [system, *reversed(kept)]


def _tail(text: str, tokens: int) -> str:
    """The end of ``text`` within about ``tokens`` estimated tokens."""
    lo, hi = 0, len(text)
    while lo < hi:  # smallest start whose tail fits
        mid = (lo + hi) // 2
        if estimate_tokens(text[mid:]) <= tokens:
            hi = mid
        else:
            lo = mid + 1
    return text[lo:]
