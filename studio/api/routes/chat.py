"""Native chat routes: send a message, interrupt the reply, read the conversation.

``POST /v1/chat`` queues a message (the reply is spoken by the studio and reported on the event
bus, ``/v1/ws/events``, as ``AssistantTurnEvent``); ``POST /v1/chat/interrupt`` cuts the reply
being spoken (barge-in); ``GET /v1/chat/history`` lists the conversation's newest messages with
what was heard of cut replies. Thin: the routes call the ``conversation`` service registered by
the composition root (:class:`ChatApi`). Engine loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal, Protocol, runtime_checkable

from fastapi import APIRouter, FastAPI, Query, Request, params
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from studio.api.deps import get_ctx
from studio.api.schemas import Envelope
from studio.core.errors import StudioError, ValidationError
from studio.storage.history_repo import MessageRow

router = APIRouter(prefix="/v1/chat", tags=["chat"])

MAX_CHARS = 2000
_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": Envelope[None], "description": text}
    for code, text in {
        400: "Empty or too long message",
        500: "The conversation could not be started (e.g. no LLM provider URL)",
        503: "No conversation service in this studio",
    }.items()
}


@runtime_checkable
class ChatApi(Protocol):
    """What the routes need from the engine (``services["conversation"]``)."""

    async def send(self, text: str, source: Literal["chat", "api", "mic"] = "api") -> str:
        """Queue a message; return the turn id."""
        ...

    async def interrupt(self) -> bool:
        """Cut the reply being spoken; True if one was."""
        ...

    async def history(self, limit: int) -> tuple[str, list[MessageRow]]:
        """Conversation id and its newest ``limit`` messages, oldest first."""
        ...


class ChatIn(BaseModel):
    """``POST /v1/chat`` body."""

    text: str = Field(min_length=1, max_length=MAX_CHARS, description="The message to answer.")


class ChatQueued(BaseModel):
    """The queued turn; follow it on ``/v1/ws/events`` (``AssistantTurnEvent`` with this id)."""

    turn_id: str


class Interrupted(BaseModel):
    """Whether a reply was being spoken and was cut."""

    interrupted: bool


class ChatMessageOut(BaseModel):
    """One stored message; ``heard_text`` is what was heard of a reply cut by a barge-in."""

    id: int
    role: str
    text: str
    heard_text: str | None
    source: str
    ts: float


class ChatHistory(BaseModel):
    """The conversation and its newest messages, oldest first."""

    history_id: str
    messages: list[ChatMessageOut]


def _service(request: Request) -> ChatApi:
    service = get_ctx(request).services.get("conversation")
    if not isinstance(service, ChatApi):
        raise _UnavailableError("The conversation is not available in this studio.", code="chat_unavailable")
    return service


class _UnavailableError(StudioError):
    code = "chat_unavailable"


def _error(exc: StudioError) -> JSONResponse:
    status = 400 if isinstance(exc, ValidationError) else 503 if isinstance(exc, _UnavailableError) else 500
    body = Envelope[Any](success=False, message=exc.user_message, code=exc.code)
    return JSONResponse(status_code=status, content=body.model_dump(mode="json"))


@router.post("", response_model=Envelope[ChatQueued], summary="Send a message", responses=_ERRORS)
async def send(body: ChatIn, request: Request) -> Envelope[ChatQueued] | JSONResponse:
    """Queue ``text``; the studio answers it by voice (queue policy: bursts are merged)."""
    try:
        turn_id = await _service(request).send(body.text, "api")
    except StudioError as exc:
        return _error(exc)
    return Envelope(message="Queued.", data=ChatQueued(turn_id=turn_id))


@router.post(
    "/interrupt", response_model=Envelope[Interrupted], summary="Interrupt the reply", responses=_ERRORS
)
async def interrupt(request: Request) -> Envelope[Interrupted] | JSONResponse:
    """Stop the reply being spoken now (LLM, speech synthesis and sound)."""
    try:
        cut = await _service(request).interrupt()
    except StudioError as exc:
        return _error(exc)
    return Envelope(data=Interrupted(interrupted=cut))


@router.get("/history", response_model=Envelope[ChatHistory], summary="The conversation", responses=_ERRORS)
async def history(
    request: Request, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> Envelope[ChatHistory] | JSONResponse:
    """The newest ``limit`` messages of the current conversation."""
    try:
        history_id, rows = await _service(request).history(limit)
    except StudioError as exc:
        return _error(exc)
    messages = [
        ChatMessageOut(id=r.id, role=r.role, text=r.text, heard_text=r.heard_text, source=r.source, ts=r.ts)
        for r in rows
    ]
    return Envelope(data=ChatHistory(history_id=history_id, messages=messages))


def include_chat_routes(app: FastAPI, dependencies: Sequence[params.Depends] = ()) -> None:
    """Mount ``/v1/chat`` (``dependencies``: e.g. ``Depends(require_user)`` for a non-loopback bind)."""
    app.include_router(router, dependencies=list(dependencies))
