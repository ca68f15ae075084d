"""Input sources of the conversation and the queue policy between them and the brain.

Messages come from typed chat (the GUI), the API and the microphone (final transcripts); live
platform chat will come the same way. Each becomes a :class:`TurnRequest` in an
:class:`InputQueue`, answered one at a time. A burst of messages must not pile up minutes of
replies, so the queue keeps at most ``max_pending`` typed/API requests:

* ``overflow="merge"`` (default): the two oldest pending typed/API requests are folded into one
  (texts joined by a newline), so the model answers them together; when the merged text would be
  longer than ``max_merged_chars`` the oldest is dropped instead;
* ``overflow="drop_oldest"``: the oldest pending typed/API request is dropped.

Typed/API requests that waited longer than ``max_age_s`` are dropped when they come up. The
microphone always wins: a spoken request goes ahead of every typed/API one (spoken requests keep
their order among themselves, at most ``max_pending`` of them), and with ``mic_clears_chat`` the
pending typed/API requests are dropped when someone speaks. Dropped requests are returned to the
caller, which tells the GUI/API (:class:`~studio.pipeline.turns.AssistantTurnEvent` ``dropped``).

Thread: engine loop.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

__all__ = ["InputPolicy", "InputQueue", "InputSource", "TurnRequest"]

InputSource = Literal["chat", "api", "mic"]


def _new_id() -> str:
    return uuid.uuid4().hex[:16]


@dataclass(frozen=True, slots=True)
class TurnRequest:
    """A message to answer.

    Attributes:
        text: What the viewer / streamer said or typed.
        source: ``chat`` (typed in the studio), ``api`` or ``mic``.
        id: Turn id (reported back by the API and in every event of the reply).
        language: Language of a transcript (``""``: unknown).
        queued_at: ``time.monotonic()`` when it arrived (the oldest part, for a merged request).
        merged: Ids of the requests folded into this one (oldest first).
    """

    text: str
    source: InputSource = "chat"
    id: str = field(default_factory=_new_id)
    language: str = ""
    queued_at: float = field(default_factory=time.monotonic)
    merged: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class InputPolicy:
    """How the queue keeps replies from piling up (see the module docs)."""

    max_pending: int = 3
    overflow: Literal["merge", "drop_oldest"] = "merge"
    max_merged_chars: int = 400
    max_age_s: float = 120.0
    mic_clears_chat: bool = False

    def __post_init__(self) -> None:
        if self.max_pending < 1:
            raise ValueError("max_pending must be at least 1")


class InputQueue:
    """Pending requests under an :class:`InputPolicy` (engine loop).

    Args:
        policy: The queue policy.
        monotonic: Clock for ages (tests).
    """

    def __init__(
        self, policy: InputPolicy | None = None, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.policy = policy or InputPolicy()
        self._mono = monotonic
        self._mic: list[TurnRequest] = []
        self._typed: list[TurnRequest] = []
        self._ready = asyncio.Event()

    @property
    def pending(self) -> list[TurnRequest]:
        """Requests in the order they will be answered."""
        return [*self._mic, *self._typed]

    def __len__(self) -> int:
        return len(self._mic) + len(self._typed)

    def put(self, request: TurnRequest) -> list[TurnRequest]:
        """Queue ``request``; return the requests the policy dropped (possibly ``request`` itself).

        A merged request keeps the id of its newest part and lists the others in ``merged``.
        """
        dropped: list[TurnRequest] = []
        p = self.policy
        if request.source == "mic":
            if p.mic_clears_chat:
                dropped.extend(self._typed)
                self._typed.clear()
            self._mic.append(request)
            while len(self._mic) > p.max_pending:
                dropped.append(self._mic.pop(0))
        else:
            self._typed.append(request)
            while len(self._typed) > p.max_pending:
                first, second = self._typed[0], self._typed[1]
                text = f"{first.text}\n{second.text}"
                if p.overflow == "merge" and len(text) <= p.max_merged_chars:
                    self._typed[0:2] = [
                        replace(
                            second,
                            text=text,
                            queued_at=first.queued_at,
                            merged=(*first.merged, first.id, *second.merged),
                        )
                    ]
                else:
                    dropped.append(self._typed.pop(0))
        if self:
            self._ready.set()
        return dropped

    def take(self) -> tuple[TurnRequest | None, list[TurnRequest]]:
        """The next request to answer (or ``None``) and the stale ones dropped on the way."""
        stale: list[TurnRequest] = []
        if self._mic:
            request: TurnRequest | None = self._mic.pop(0)
        else:
            request = None
            now = self._mono()
            while self._typed:
                candidate = self._typed.pop(0)
                if now - candidate.queued_at > self.policy.max_age_s:
                    stale.append(candidate)
                    continue
                request = candidate
                break
        if not self:
            self._ready.clear()
        return request, stale

    async def wait(self) -> None:
        """Wait until something is pending."""
        await self._ready.wait()

    def clear(self) -> list[TurnRequest]:
        """Drop everything pending; return it."""
        dropped = self.pending
        self._mic.clear()
        self._typed.clear()
        self._ready.clear()
        return dropped
