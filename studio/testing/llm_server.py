"""A local OpenAI-compatible chat server with fault knobs, for tests, script mode and benchmarks.

It streams a fixed or scripted reply as Server-Sent Events exactly like ``/v1/chat/completions``
does (``data: {chunk}`` lines, then ``data: [DONE]``), answers ``stream: false`` with one
completion and lists models at ``/v1/models``. Knobs:

* ``first_token_delay_s`` / ``token_delay_s``: pacing of the stream;
* :meth:`LlmTestServer.inject`: faults for the next requests, one per request, in order:
  ``"429"``, ``"500"``, ``"503"``, ``"401"``, ``"404"`` (an OpenAI-style error body) or
  ``"disconnect"`` (the connection is dropped after ``disconnect_after`` tokens);
* ``api_key``: when set, requests without ``Authorization: Bearer <api_key>`` get a 401 whose
  message repeats the key that was sent (as some providers do), so tests can prove it never
  reaches an error message;
* :meth:`LlmTestServer.queue_reply` / ``responder``: scripted replies.

Every request is recorded (:attr:`LlmTestServer.requests`), including whether the client went
away before the reply ended (:meth:`LlmTestServer.wait_disconnected`).

Thread: the server runs on its own thread and loop (:func:`studio.testing.http.serve_in_thread`);
the knobs and records are shared under a lock and may be used from any thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from studio.testing.http import serve_in_thread

__all__ = ["DEFAULT_REPLY", "LlmTestServer", "RecordedRequest", "split_tokens"]

DEFAULT_REPLY = "[happy] 你好呀！Nice to meet you. 今天想聊点什么？"
_TOKEN = re.compile(r"\s*(?:[A-Za-z0-9_'\-]+|\S)|\s+$")
_ERRORS: dict[str, tuple[int, str, str]] = {
    "429": (429, "rate_limit_exceeded", "Rate limit reached, please retry later."),
    "500": (500, "server_error", "The server had an error while processing your request."),
    "503": (503, "server_error", "The engine is currently overloaded."),
    "401": (401, "invalid_api_key", "Incorrect API key provided."),
    "404": (404, "model_not_found", "The model does not exist or you do not have access to it."),
}


class _InjectedDisconnectError(ConnectionError):
    """Raised inside the response to make the server drop the connection mid-stream."""


def split_tokens(text: str) -> list[str]:
    """Cut ``text`` like a tokenizer would, roughly: words with their leading space, CJK by character.

    ``"".join(split_tokens(t)) == t`` for every ``t``.
    """
    return _TOKEN.findall(text)


@dataclass
class RecordedRequest:
    """One request the server got.

    Attributes:
        path: URL path.
        body: JSON body (``{}`` for GET).
        authorization: The ``Authorization`` header as sent, or ``None``.
        fault: The injected fault that answered it, or ``None``.
        tokens_sent: Content deltas written to the client.
        completed: The whole reply (and ``[DONE]``) was sent.
        disconnected: The client went away before the reply ended.
    """

    path: str
    body: dict[str, Any]
    authorization: str | None
    fault: str | None = None
    tokens_sent: int = 0
    completed: bool = False
    disconnected: bool = False
    started: float = field(default_factory=time.monotonic)

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The chat messages of a completion request."""
        value = self.body.get("messages", [])
        return value if isinstance(value, list) else []


class LlmTestServer:
    """The server's knobs and records; :meth:`running` serves it.

    Args:
        reply: The reply when no scripted one is queued and there is no ``responder``.
        first_token_delay_s: Wait before the first content delta.
        token_delay_s: Wait between deltas.
        models: Ids listed by ``GET /v1/models``.
        api_key: Require this bearer key (``None``: accept anything).
        disconnect_after: Deltas sent before an injected ``"disconnect"`` drops the connection.
        responder: ``messages -> reply`` for requests without a queued reply.
    """

    def __init__(
        self,
        reply: str = DEFAULT_REPLY,
        *,
        first_token_delay_s: float = 0.0,
        token_delay_s: float = 0.0,
        models: tuple[str, ...] = ("test-model",),
        api_key: str | None = None,
        disconnect_after: int = 2,
        responder: Callable[[list[dict[str, Any]]], str] | None = None,
    ) -> None:
        self.reply = reply
        self.first_token_delay_s = first_token_delay_s
        self.token_delay_s = token_delay_s
        self.models = models
        self.api_key = api_key
        self.disconnect_after = disconnect_after
        self.responder = responder
        self.requests: list[RecordedRequest] = []
        self._faults: deque[str | None] = deque()
        self._replies: deque[str] = deque()
        self._lock = threading.Lock()
        self._disconnected = threading.Event()
        self._first_token = threading.Event()

    # knobs -------------------------------------------------------------------------------------

    def inject(self, *faults: str | None) -> None:
        """Answer the next requests with these faults, one each (``None`` = no fault)."""
        for fault in faults:
            if fault is not None and fault != "disconnect" and fault not in _ERRORS:
                raise ValueError(f"unknown fault {fault!r}")
        with self._lock:
            self._faults.extend(faults)

    def queue_reply(self, *replies: str) -> None:
        """Use these replies, in order, for the next completion requests."""
        with self._lock:
            self._replies.extend(replies)

    # records -----------------------------------------------------------------------------------

    @property
    def completions(self) -> list[RecordedRequest]:
        """The chat completion requests received so far."""
        with self._lock:
            return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def wait_disconnected(self, timeout: float = 5.0) -> bool:
        """Block until a client went away before its reply ended; False on timeout."""
        return self._disconnected.wait(timeout)

    def wait_first_token(self, timeout: float = 5.0) -> bool:
        """Block until some request was sent its first content delta; False on timeout."""
        return self._first_token.wait(timeout)

    # serving -----------------------------------------------------------------------------------

    @contextmanager
    def running(self) -> Iterator[str]:
        """Serve on a free loopback port; yields the API base URL (``http://127.0.0.1:<port>/v1``)."""
        with serve_in_thread(self.app()) as url:
            yield url + "/v1"

    def app(self) -> Callable[..., Awaitable[None]]:
        """The ASGI app (FastAPI, wrapped so an injected disconnect drops the connection quietly)."""
        api = self._api()

        async def asgi(scope: Any, receive: Any, send: Any) -> None:
            # uvicorn closes the connection of a response that did not complete
            with contextlib.suppress(_InjectedDisconnectError):
                await api(scope, receive, send)

        return asgi

    def _api(self) -> FastAPI:
        app = FastAPI(title="LLM test server", openapi_url=None, docs_url=None, redoc_url=None)

        @app.get("/v1/models")
        async def models(request: Request) -> Response:
            rec = self._record(request, {})
            if (denied := self._check_key(rec)) is not None:
                return denied
            data = [{"id": m, "object": "model", "created": 0, "owned_by": "test"} for m in self.models]
            rec.completed = True
            return JSONResponse({"object": "list", "data": data})

        @app.post("/v1/chat/completions")
        async def completions(request: Request) -> Response:
            body = await request.json()
            rec = self._record(request, body if isinstance(body, dict) else {})
            if (denied := self._check_key(rec)) is not None:
                return denied
            with self._lock:
                fault = self._faults.popleft() if self._faults else None
                queued = self._replies.popleft() if self._replies else None
            rec.fault = fault
            if fault in _ERRORS:
                return _error(*_ERRORS[fault])
            reply = queued if queued is not None else self._respond(rec)
            model = str(rec.body.get("model", ""))
            if not rec.body.get("stream"):
                if self.first_token_delay_s:
                    await asyncio.sleep(self.first_token_delay_s)
                rec.completed = True
                return JSONResponse(_completion(model, reply))
            return StreamingResponse(
                self._stream(rec, model, reply, fault == "disconnect"), media_type="text/event-stream"
            )

        return app

    def _record(self, request: Request, body: dict[str, Any]) -> RecordedRequest:
        rec = RecordedRequest(request.url.path, body, request.headers.get("authorization"))
        with self._lock:
            self.requests.append(rec)
        return rec

    def _check_key(self, rec: RecordedRequest) -> Response | None:
        if self.api_key is None or rec.authorization == f"Bearer {self.api_key}":
            return None
        sent = (rec.authorization or "").removeprefix("Bearer ")
        rec.fault = "401"
        return _error(401, "invalid_api_key", f"Incorrect API key provided: {sent}.")

    def _respond(self, rec: RecordedRequest) -> str:
        return self.responder(rec.messages) if self.responder is not None else self.reply

    async def _stream(self, rec: RecordedRequest, model: str, reply: str, drop: bool) -> AsyncIterator[str]:
        try:
            yield _sse(_chunk(model, {"role": "assistant", "content": ""}))
            for i, token in enumerate(split_tokens(reply)):
                if drop and i >= self.disconnect_after:
                    raise _InjectedDisconnectError("injected disconnect")
                delay = self.first_token_delay_s if i == 0 else self.token_delay_s
                if delay:
                    await asyncio.sleep(delay)
                yield _sse(_chunk(model, {"content": token}))
                rec.tokens_sent += 1
                self._first_token.set()
            if drop:
                raise _InjectedDisconnectError("injected disconnect")
            yield _sse(_chunk(model, {}, finish="stop"))
            yield "data: [DONE]\n\n"
            rec.completed = True
        finally:
            if not rec.completed and not drop:
                rec.disconnected = True
                self._disconnected.set()


def _sse(data: dict[str, Any]) -> str:
    return "data: " + json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n\n"


def _chunk(model: str, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def _completion(model: str, text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(
        {"error": {"message": message, "type": "invalid_request_error", "code": code}},
        status_code=status,
    )
