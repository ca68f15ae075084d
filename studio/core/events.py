"""Events carried by the :class:`~studio.core.bus.EventBus`.

Events are small immutable records. Packages add their own by subclassing :class:`Event`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Literal


def _now() -> float:
    return time.time()


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Base of every bus event. ``ts`` is wall-clock time (seconds since the epoch)."""

    ts: float = field(default_factory=_now)


EngineState = Literal["starting", "running", "stopping", "stopped", "failed"]


@dataclass(frozen=True, slots=True, kw_only=True)
class EngineStateEvent(Event):
    """The engine runtime changed state."""

    state: EngineState
    detail: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiServerEvent(Event):
    """The API server started listening, stopped, or failed to start."""

    state: Literal["listening", "stopped", "failed"]
    url: str = ""
    detail: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class StreamStateEvent(Event):
    """A broadcast output changed state (``output``: ``main``, an extra output id, ``recording``)."""

    state: Literal["offline", "connecting", "live", "reconnecting", "failed"]
    detail: str = ""
    output: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorEvent(Event):
    """Something failed that a person should see (the GUI's single error path)."""

    source: str
    message: str
    code: str = "error"
    retryable: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigChangedEvent(Event):
    """A settings area was saved; ``area`` is its name in the config file (e.g. ``"api"``)."""

    area: str


@dataclass(frozen=True, slots=True, kw_only=True)
class UserSpeechEvent(Event):
    """The user started or stopped speaking (voice activity on the microphone, echo removed).

    ``started`` is the barge-in trigger; ``utterance`` numbers the utterances of a session.
    """

    state: Literal["started", "ended"]
    utterance: int = 0
    source: str = "mic"


@dataclass(frozen=True, slots=True, kw_only=True)
class TranscriptEvent(Event):
    """Speech recognised from the user: partial while speaking, ``final`` once per utterance."""

    text: str
    final: bool
    language: str = ""
    utterance: int = 0
    source: str = "mic"
