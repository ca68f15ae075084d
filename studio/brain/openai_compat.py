"""Chat through any OpenAI-compatible provider (OpenAI, DeepSeek, Qwen, Ollama ...) with streaming.

One :class:`OpenAICompatChat` wraps one ``openai.AsyncOpenAI`` client pointed at the provider's
base URL. What it adds to the SDK:

* **barge-in**: closing the delta iterator (``aclose()`` or cancelling the task that iterates)
  closes the HTTP response at once, so the provider stops generating and the connection is gone;
* **retries only before the first delta**: a retryable failure (timeout, connection error, 429,
  5xx) before any text was produced is retried ``retries`` times with exponential backoff; once
  text has been yielded an error is raised instead, so no sentence is ever spoken twice. The SDK's
  own retries are off (``max_retries=0``) so that this is the only retry loop;
* **errors as** :class:`~studio.brain.llm.LlmError` with ``retryable`` set and a message a
  streamer understands (bad key, unknown model, out of credit ...). The API key never appears in
  a message, a log line or an exception chain (errors are raised ``from None``; provider messages
  are scrubbed of the key, since some providers echo it back).

Thread: engine loop. The SDK client is bound to the loop that first uses it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

import openai
from openai.types.chat import ChatCompletionMessageParam

from studio.brain.llm import ChatMessage, LlmError
from studio.brain.providers import ResolvedProvider, resolve
from studio.config.llm_settings import LLM_API_KEY_SECRET, LlmSettings
from studio.config.secrets import SecretStore

__all__ = ["ConnectionReport", "OpenAICompatChat"]

log = logging.getLogger(__name__)

_NO_KEY = "no-key"  # sent to key-less local servers: the SDK wants some bearer value
_MAX_PROVIDER_MESSAGE = 300
_MAX_BACKOFF_S = 8.0


@dataclass(frozen=True, slots=True)
class ConnectionReport:
    """Result of :meth:`OpenAICompatChat.test_connection`.

    Attributes:
        ok: A reply came back.
        models: Model ids the provider lists (empty when it has no ``/models``).
        reply: The short test reply.
        first_token_s: Seconds from the request to the first reply text.
        total_s: Seconds for the whole test.
        message: What to tell the user (the error, or a note such as an unlisted model).
    """

    ok: bool
    provider: str
    model: str
    models: tuple[str, ...] = ()
    reply: str = ""
    first_token_s: float | None = None
    total_s: float = 0.0
    message: str = ""


class OpenAICompatChat:
    """A :class:`~studio.brain.llm.ChatModel` over an OpenAI-compatible Chat Completions API.

    Args:
        base_url: API base, e.g. ``https://api.deepseek.com/v1``.
        model: Model id; ``""`` takes the first one the server lists (LM Studio).
        api_key: The provider key, or ``None`` for servers without keys.
        provider: Preset id or label, for messages and logs.
        needs_key: Refuse to call without a key (cloud providers).
        timeout_s: Longest silence accepted: connect, first token, gap between tokens.
        retries: Retries of retryable failures before the first delta.
        backoff_s: First retry delay; doubles each retry (with jitter).
        temperature: Default sampling temperature.
        max_tokens: Default reply length limit.
    """

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None = None,
        provider: str = "custom",
        needs_key: bool = False,
        timeout_s: float = 20.0,
        retries: int = 2,
        backoff_s: float = 0.5,
        temperature: float | None = None,
        max_tokens: int | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.provider = provider
        self.needs_key = needs_key
        self.timeout_s = timeout_s
        self.retries = retries
        self.backoff_s = backoff_s
        self.temperature = temperature
        self.max_tokens = max_tokens
        self._key = api_key or ""
        self._client = openai.AsyncOpenAI(
            api_key=self._key or _NO_KEY,
            base_url=self.base_url,
            timeout=timeout_s,
            max_retries=0,
        )

    @classmethod
    def from_settings(cls, settings: LlmSettings, secrets: SecretStore) -> OpenAICompatChat:
        """Build from the ``[llm]`` settings and the key in the secrets store.

        Thread: any but the engine loop (an OS keyring read may block); e.g.
        ``await asyncio.to_thread(OpenAICompatChat.from_settings, settings, secrets)``.

        Raises:
            ConfigError: no base URL for a custom provider.
        """
        resolved: ResolvedProvider = resolve(settings)
        return cls(
            base_url=resolved.base_url,
            model=resolved.model,
            api_key=secrets.get(LLM_API_KEY_SECRET),
            provider=resolved.label,
            needs_key=resolved.needs_key,
            timeout_s=settings.timeout_s,
            retries=settings.retries,
            temperature=settings.temperature,
            max_tokens=settings.max_tokens,
        )

    @property
    def name(self) -> str:
        """Provider and model, for logs and the GUI (no secrets)."""
        return f"{self.provider} / {self.model or '(server default)'}"

    async def aclose(self) -> None:
        """Close the HTTP client and its connections. Thread: engine loop."""
        await self._client.close()

    # ChatModel ---------------------------------------------------------------------------------

    async def stream(
        self,
        messages: Sequence[ChatMessage],
        *,
        temperature: float | None = None,
        max_tokens: int | None = None,
    ) -> AsyncIterator[str]:
        """Text deltas of the reply as they arrive. Thread: engine loop.

        Close the iterator (``aclose()``, ``contextlib.aclosing`` or cancelling the consuming task)
        to stop: the HTTP response is closed before the close returns.

        Raises:
            LlmError: the provider failed (after the retries allowed before the first delta).
        """
        params = await self._params(messages, temperature, max_tokens)
        attempt = 0
        while True:
            emitted = False
            try:
                response = await self._client.chat.completions.create(**params, stream=True)
            except openai.OpenAIError as exc:
                error = self._map(exc)
                if await self._may_retry(error, exc, attempt):
                    attempt += 1
                    continue
                raise error from None
            try:
                async for chunk in response:
                    text = chunk.choices[0].delta.content if chunk.choices else None
                    if text:
                        emitted = True
                        yield text
                return
            except openai.OpenAIError as exc:
                error = self._map(exc)
                if not emitted and await self._may_retry(error, exc, attempt):
                    attempt += 1
                    continue
                if emitted:
                    error = LlmError(
                        f"The reply broke off. {error}", provider=self.provider, retryable=error.retryable
                    )
                raise error from None
            finally:
                # Runs on completion, error, aclose() and cancellation alike: the provider sees
                # the connection close and stops generating (barge-in).
                await response.close()

    async def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        temperature: float | None = None,
        max_tokens: int | None = None,
    ) -> str:
        """The whole reply (streamed underneath, so timeouts mean silence, not length).

        Thread: engine loop.

        Raises:
            LlmError: the provider failed.
        """
        parts: list[str] = []
        deltas = self.stream(messages, temperature=temperature, max_tokens=max_tokens)
        try:
            async for delta in deltas:
                parts.append(delta)
        finally:
            await cast("Any", deltas).aclose()
        return "".join(parts)

    # connection test ---------------------------------------------------------------------------

    async def list_models(self) -> list[str]:
        """Model ids the provider offers (``GET /models``). Thread: engine loop.

        Raises:
            LlmError: the request failed.
        """
        self._check_key()
        try:
            page = await self._client.models.list()
        except openai.OpenAIError as exc:
            raise self._map(exc, listing=True) from None
        return [m.id for m in page.data]

    async def test_connection(self, prompt: str = "Reply with one word: OK") -> ConnectionReport:
        """Check key, URL and model: list the models, then stream a short reply and time it.

        Never raises for provider failures: ``ok`` is False and ``message`` says why.
        Thread: engine loop.
        """
        started = time.monotonic()
        models: tuple[str, ...] = ()
        notes: list[str] = []
        try:
            models = tuple(await self.list_models())
        except LlmError as exc:
            if "API key" in str(exc) or exc.retryable:
                return self._report(False, started, message=exc.user_message)
            notes.append("The provider does not list its models.")  # /models is optional
        model = self.model or (models[0] if models else "")
        if self.model and models and self.model not in models:
            notes.append(f"Model {self.model!r} is not in the provider's list.")
        first: float | None = None
        parts: list[str] = []
        deltas = self.stream([ChatMessage("user", prompt)], temperature=0.0, max_tokens=16)
        try:
            async for delta in deltas:
                first = first if first is not None else time.monotonic() - started
                parts.append(delta)
        except LlmError as exc:
            return self._report(False, started, model, models, message=exc.user_message)
        finally:
            await cast("Any", deltas).aclose()
        reply = "".join(parts).strip()
        if not reply:
            notes.append("The model answered with no text.")
        return self._report(bool(reply), started, model, models, reply, first, " ".join(notes))

    def _report(
        self,
        ok: bool,
        started: float,
        model: str = "",
        models: tuple[str, ...] = (),
        reply: str = "",
        first: float | None = None,
        message: str = "",
    ) -> ConnectionReport:
        total = time.monotonic() - started
        log.info(
            "LLM connection test",
            extra={"provider": self.provider, "model": model or self.model, "ok": ok, "seconds": total},
        )
        return ConnectionReport(
            ok, self.provider, model or self.model, models, reply, first, total, self._scrub(message)
        )

    # internals ---------------------------------------------------------------------------------

    def _check_key(self) -> None:
        if self.needs_key and not self._key:
            raise LlmError(
                f"No API key for {self.provider}: add it in Settings > Chat model.",
                provider=self.provider,
            )

    async def _params(
        self, messages: Sequence[ChatMessage], temperature: float | None, max_tokens: int | None
    ) -> dict[str, Any]:
        self._check_key()
        if not self.model:  # LM Studio style: whichever model the server has loaded
            models = await self.list_models()
            if not models:
                raise LlmError(f"{self.provider} has no model loaded.", provider=self.provider)
            self.model = models[0]
        params: dict[str, Any] = {
            "model": self.model,
            "messages": [
                cast(ChatCompletionMessageParam, {"role": m.role, "content": m.content}) for m in messages
            ],
        }
        temperature = self.temperature if temperature is None else temperature
        max_tokens = self.max_tokens if max_tokens is None else max_tokens
        if temperature is not None:
            params["temperature"] = temperature
        if max_tokens is not None:
            params["max_tokens"] = max_tokens
        return params

    async def _may_retry(self, error: LlmError, exc: openai.OpenAIError, attempt: int) -> bool:
        if not error.retryable or attempt >= self.retries:
            return False
        delay = min(self.backoff_s * 2**attempt, _MAX_BACKOFF_S) * random.uniform(0.8, 1.2)
        if isinstance(exc, openai.APIStatusError):
            # A provider's Retry-After wins when it is short enough to wait for.
            with contextlib.suppress(ValueError):
                retry_after = float(exc.response.headers.get("retry-after", ""))
                delay = max(delay, min(retry_after, _MAX_BACKOFF_S))
        log.warning(
            "LLM request failed, retrying",
            extra={"provider": self.provider, "attempt": attempt + 1, "delay_s": round(delay, 3),
                   "error": str(error)},
        )  # fmt: skip
        await asyncio.sleep(delay)
        return True

    def _scrub(self, text: str) -> str:
        if self._key and len(self._key) >= 4:
            text = text.replace(self._key, "***")
        return text

    def _provider_message(self, exc: openai.APIStatusError) -> str:
        body = exc.body
        message = body.get("message") if isinstance(body, dict) else None
        if not isinstance(message, str) or not message.strip():
            return ""
        message = self._scrub(message.strip())
        if len(message) > _MAX_PROVIDER_MESSAGE:
            message = message[:_MAX_PROVIDER_MESSAGE] + "…"
        return f" The provider said: {message}"

    def _map(self, exc: openai.OpenAIError, *, listing: bool = False) -> LlmError:
        """Translate an SDK error into an LlmError with a message for the streamer (no key)."""
        who = self.provider
        if isinstance(exc, openai.APITimeoutError):
            return self._error(
                f"{who} did not answer within {self.timeout_s:g} s (timeout). It may be overloaded.", True
            )
        if isinstance(exc, openai.APIConnectionError):
            cause = self._scrub(str(exc.__cause__ or "")) or "connection failed"
            return self._error(f"Cannot reach {who} at {self.base_url}: {cause}.", True)
        if not isinstance(exc, openai.APIStatusError):
            return self._error(f"{who} failed: {self._scrub(str(exc))[:_MAX_PROVIDER_MESSAGE]}", False)
        status = exc.status_code
        said = self._provider_message(exc)
        code = str(exc.code or "")
        if status == 401:  # never quote the provider here: some echo the key they were sent
            return self._error(
                f"{who} rejected the API key (HTTP 401). Check the key in Settings > Chat model.", False
            )
        if status == 403:
            return self._error(
                f"{who} refused access (HTTP 403): the key may lack permission for this model "
                f"or the account is not enabled for it.{said}",
                False,
            )
        if status == 404:
            what = "the model list" if listing else f"model {self.model!r}"
            return self._error(
                f"{who} does not know {what} (HTTP 404). Check the model name and the base URL "
                f"{self.base_url}; the connection test lists the models.{said}",
                False,
            )
        if status == 402 or code in {"insufficient_quota", "insufficient_balance"}:
            return self._error(f"{who} says the account is out of credit (HTTP {status}).{said}", False)
        if status == 429:
            return self._error(f"{who} is rate-limiting requests (HTTP 429).{said}", True)
        if status >= 500 or status in {408, 409}:
            return self._error(f"{who} had a server error (HTTP {status}).{said}", True)
        return self._error(f"{who} rejected the request (HTTP {status}).{said}", False)

    def _error(self, message: str, retryable: bool) -> LlmError:
        return LlmError(self._scrub(message), provider=self.provider, retryable=retryable)
