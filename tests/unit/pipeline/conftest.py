"""Fakes for the conversation graph: a scripted chat model and a TTS that makes tones.

The playout, clock, lip-sync timeline, bus and database are the real ones (null sink, temp DB).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from studio.audio.playout import AudioPlayout
from studio.avatar.lipsync import LipSyncTimeline
from studio.brain.llm import ChatMessage, LlmError
from studio.core.clock import MediaClock
from studio.core.frames import AudioChunk, TextSpan
from studio.speech.tts.base import TtsOptions
from studio.storage.db import Database

RATE = 24000


class FakeChat:
    """Streams ``deltas`` with ``delay`` s between them; ``gate`` (if set) holds the stream after
    ``hold_after`` deltas until it is set. ``fail_after`` raises an LlmError after that many."""

    def __init__(
        self,
        deltas: Sequence[str],
        *,
        delay: float = 0.0,
        hold_after: int | None = None,
        fail_after: int | None = None,
    ) -> None:
        self.deltas = list(deltas)
        self.delay = delay
        self.hold_after = hold_after
        self.fail_after = fail_after
        self.gate = asyncio.Event()
        self.requests: list[list[ChatMessage]] = []
        self.finished = False
        self.closed_early = False
        self.finished_at: float | None = None

    @property
    def name(self) -> str:
        return "fake / chat"

    async def stream(
        self,
        messages: Sequence[ChatMessage],
        *,
        temperature: float | None = None,
        max_tokens: int | None = None,
    ) -> AsyncIterator[str]:
        self.requests.append(list(messages))
        try:
            for i, delta in enumerate(self.deltas):
                if self.fail_after is not None and i == self.fail_after:
                    raise LlmError("the provider went away", provider="fake", retryable=True)
                if self.hold_after is not None and i == self.hold_after:
                    await self.gate.wait()
                if self.delay:
                    await asyncio.sleep(self.delay)
                yield delta
            self.finished = True
            self.finished_at = asyncio.get_running_loop().time()
        except (asyncio.CancelledError, GeneratorExit):
            self.closed_early = True
            raise

    async def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        temperature: float | None = None,
        max_tokens: int | None = None,
    ) -> str:
        return "".join(self.deltas)


class ToneTts:
    """``seconds_per_char`` of tone per speakable character, in chunks of at most ``chunk_s``."""

    def __init__(
        self, seconds_per_char: float = 0.03, chunk_s: float = 0.1, synth_delay: float = 0.002
    ) -> None:
        self.seconds_per_char = seconds_per_char
        self.chunk_s = chunk_s
        self.synth_delay = synth_delay
        self.texts: list[str] = []
        self.cancelled = 0

    async def stream(
        self, text: str, voice_id: str | None = None, options: TtsOptions | None = None
    ) -> AsyncIterator[AudioChunk]:
        self.texts.append(text)
        chars = [c for c in text if c.isalnum()]
        total = len(chars) * self.seconds_per_char
        n = max(1, int(np.ceil(total / self.chunk_s)))
        per = max(1, int(np.ceil(len(chars) / n)))
        try:
            for i in range(n):
                await asyncio.sleep(self.synth_delay)
                part = "".join(chars[i * per : (i + 1) * per])
                frames = max(1, int(len(part) * self.seconds_per_char * RATE))
                t = np.arange(frames, dtype=np.float32) / RATE
                pcm = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
                yield AudioChunk(
                    pcm=pcm,
                    sample_rate=RATE,
                    span=TextSpan(0, len(text), text),
                    voice_id="tone:a",
                    language="zh",
                    final=i == n - 1,
                    spoken=part,
                )
        except (asyncio.CancelledError, GeneratorExit):
            self.cancelled += 1
            raise


@dataclass
class FakeSpeech:
    """What :class:`~studio.pipeline.speaker.Speaker` offers the graph."""

    tts: ToneTts
    playout: AudioPlayout
    lipsync: LipSyncTimeline = field(default_factory=LipSyncTimeline)


@pytest.fixture
def speech() -> Iterator[FakeSpeech]:
    clock = MediaClock()
    playout = AudioPlayout(clock, use_device=False)
    playout.start()
    clock.start()
    try:
        yield FakeSpeech(ToneTts(), playout)
    finally:
        playout.close()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "studio.db", synchronous="NORMAL")
    database.open()
    try:
        yield database
    finally:
        database.close()
