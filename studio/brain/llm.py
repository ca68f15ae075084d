"""The language-model seam: chat messages in, text deltas out.

Every brain engine (the OpenAI-compatible client, test fakes, a future local model) implements
:class:`ChatModel`. Callers stream: the pipeline speaks the first clause while the rest is still
being generated, and cancelling the iteration (barge-in) must stop the request at once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from studio.core.errors import ProviderError

__all__ = ["ChatMessage", "ChatModel", "LlmError", "Role"]

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One message of a conversation."""

    role: Role
    content: str


class LlmError(ProviderError):
    """The language model failed; ``retryable`` says whether trying again may help."""

    code = "llm_error"


class ChatModel(Protocol):
    """A chat model. Methods run on the engine loop; they never block it."""

    @property
    def name(self) -> str:
        """Provider and model, for logs and the GUI (no secrets)."""
        ...

    def stream(
        self,
        messages: Sequence[ChatMessage],
        *,
        temperature: float | None = None,
        max_tokens: int | None = None,
    ) -> AsyncIterator[str]:
        """Text deltas of the reply as they arrive. Raises :class:`LlmError`.

        Closing the iterator (``aclose`` or cancelling the consuming task) ends the request.
        """
        ...

    async def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        temperature: float | None = None,
        max_tokens: int | None = None,
    ) -> str:
        """The whole reply. Raises :class:`LlmError`."""
        ...
