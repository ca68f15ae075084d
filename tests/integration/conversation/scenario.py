"""Run in a fresh process (PortAudio reads ALSA's config once): the voice loop on a private PulseAudio
server whose null sink is the speaker and whose monitor is the microphone, so the studio's own
voice always reaches its microphone (speaker -> mic loop).

Usage: python -m tests.integration.conversation.scenario MODE WORKDIR QUESTION.f32 [VOICE2.f32]
MODE ``turn``: the question is played into the mic; the reply is answered and spoken.
MODE ``barge``: a long reply is spoken; after a while the second voice is played over it.
Prints ``RESULT {json}``.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from studio.audio.echo import ReferenceTap
from studio.audio.playout import AudioPlayout
from studio.avatar.lipsync import LipSyncTimeline
from studio.brain.memory import ConversationMemory
from studio.brain.openai_compat import OpenAICompatChat
from studio.config.listen_settings import ListenSettings
from studio.config.settings import TtsSettings
from studio.core.bus import EventBus
from studio.core.clock import MediaClock
from studio.core.events import Event, TranscriptEvent, UserSpeechEvent
from studio.pipeline.graph import ConversationGraph
from studio.pipeline.speaker import Speaker
from studio.speech.asr.stream import WhisperAsr
from studio.speech.listener import Listener
from studio.speech.tts.registry import build_tts
from studio.storage.db import Database
from studio.storage.history_repo import HistoryRepo
from studio.testing.llm_server import LlmTestServer

ROOT = Path(__file__).resolve().parents[3]
SHORT_REPLY = "The capital of France is Paris."
LONG_REPLY = (
    "Let me tell you a long story. Once upon a time there was a little cat who lived in a quiet town. "
    "Every morning the cat walked to the river and watched the boats go by. "
    "One day a big boat stopped and a kind sailor invited the cat to travel around the world. "
    "They visited many cities, met many friends and ate a lot of fish together."
)


def _play(path: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            "pacat",
            "--playback",
            "--raw",
            f"--server={os.environ['PULSE_SERVER']}",
            "--device=studio_null",
            "--format=float32le",
            "--rate=16000",
            "--channels=1",
            path,
        ],
    )


class _SilenceWatch:
    """Wraps the echo tap: when the studio's speaker output last carried sound (render thread)."""

    def __init__(self, tap: ReferenceTap) -> None:
        self.tap = tap
        self.last_loud = 0.0
        self.silent_since = 0.0
        self.changes: list[tuple[float, bool]] = []  # (when, loud) at every loud <-> silent change

    def __call__(self, block: np.ndarray, pos: int) -> None:
        self.tap(block, pos)
        now = time.monotonic()
        if float(np.abs(block).max(initial=0.0)) > 1e-3:
            if self.silent_since != 0.0 or not self.changes:
                self.changes.append((now, True))
            self.last_loud, self.silent_since = now, 0.0
        elif self.silent_since == 0.0:
            self.silent_since = now
            self.changes.append((now, False))

    def silence_after(self, trigger: float) -> tuple[float, float]:
        """(first silence at or after ``trigger``, last loud block before it), both in seconds
        after ``trigger`` (a later reply to the user's question does not count)."""
        loud_before = trigger
        state_at_trigger = False
        for when, loud in self.changes:
            if when < trigger:
                state_at_trigger = loud
            if loud:
                loud_before = when
            elif when >= trigger:
                return when - trigger, max(0.0, loud_before - trigger)
            if when >= trigger and not state_at_trigger:
                return 0.0, 0.0  # silent (between clauses) when the trigger came
        return (0.0, 0.0) if not state_at_trigger else (float("inf"), float("inf"))


async def main(mode: str, work: Path, question: str, voice2: str | None) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    bus = EventBus()
    bus.bind_loop(loop)
    events: list[tuple[float, Event]] = []
    bus.subscribe(Event, lambda e: events.append((time.monotonic(), e)))
    tts = build_tts(TtsSettings(), models_dir=ROOT / "models", cache_dir=work / "tts")
    await tts.service.warm_up()
    clock = MediaClock()
    playout = AudioPlayout(clock, bus=bus)  # the default output: the PulseAudio null sink
    playout.start()
    clock.start()
    speaker = Speaker(tts.service, playout, LipSyncTimeline(), bus)
    tap = ReferenceTap(playout.mixer.sample_rate, playout.mixer.max_frames)
    watch = _SilenceWatch(tap)
    playout.mixer.speaker_tap = watch
    barge: list[float] = []

    def hook() -> None:  # as studio.app.listening wires it
        barge.append(time.monotonic())
        playout.clear()

    asr = WhisperAsr(work / "models")
    await asr.warm_up()
    listener = Listener(
        ListenSettings(mode="hands_free", language="auto"),
        bus,
        asr,
        reference=tap.reader(clock),
        on_barge_in=hook,
    )
    db = Database(work / "studio.db")
    db.open()
    result: dict[str, Any] = {"playout": playout.status.message, "mode": playout.status.mode}
    server = LlmTestServer(SHORT_REPLY if mode == "turn" else LONG_REPLY)
    try:
        with server.running() as url:
            llm = OpenAICompatChat(base_url=url, model="test-model")
            repo = HistoryRepo(db)
            memory = ConversationMemory(repo, None, context_tokens=8000)
            history = await repo.create("cream", "test")
            graph = ConversationGraph(
                llm=llm,
                memory=memory,
                speech=speaker,
                bus=bus,
                history_id=history.id,
                system_prompt="Be brief.",
            )
            graph.start()
            await listener.start()
            result["mic"] = listener.capture.status.state
            await asyncio.sleep(0.5)
            if mode == "turn":
                await asyncio.to_thread(_play(question).wait, 30)
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline and not (graph.results and playout.idle):  # noqa: ASYNC110 (polling the render thread)
                    await asyncio.sleep(0.1)
                await graph.wait_idle(30)
            else:
                graph.submit("Tell me a long story.", "chat")
                t_start = time.monotonic()
                while watch.last_loud == 0.0 and time.monotonic() - t_start < 20:  # noqa: ASYNC110 (polling the render thread)
                    await asyncio.sleep(0.05)
                await asyncio.sleep(4.0)  # the studio talks to itself through the loop
                result["self_started"] = sum(
                    1 for _t, e in events if isinstance(e, UserSpeechEvent) and e.state == "started"
                )
                result["echo_rejected"] = listener.front.gate.rejected if listener.front else -1
                assert voice2 is not None
                player = _play(voice2)
                t_voice = time.monotonic()
                while not barge and time.monotonic() - t_voice < 10:  # noqa: ASYNC110 (polling the render thread)
                    await asyncio.sleep(0.01)
                await asyncio.sleep(0.5)
                await asyncio.to_thread(player.wait, 30)
                await graph.wait_idle(30)
                started = [t for t, e in events if isinstance(e, UserSpeechEvent) and e.state == "started"]
                result["barge_in"] = bool(barge)
                if barge and started:
                    result["barge_after_voice_s"] = barge[0] - t_voice
                    silent, loud = watch.silence_after(min(started[0], barge[0]))
                    result["silent_after_trigger_ms"] = 1000 * silent
                    result["loud_after_trigger_ms"] = 1000 * loud
            await listener.stop()
            result["speech"] = [e.state for _t, e in events if isinstance(e, UserSpeechEvent)]
            result["finals"] = [e.text for _t, e in events if isinstance(e, TranscriptEvent) and e.final]
            rows = await repo.messages(history.id)
            result["history"] = [[r.role, r.text, r.heard_text, r.source] for r in rows]
            result["errors"] = [repr(e) for e in listener.errors]
            await graph.close()
            await llm.aclose()
    finally:
        db.close()
        playout.close()
        await asr.close()
        await tts.service.close()
    return result


if __name__ == "__main__":
    args = sys.argv[1:]
    out = asyncio.run(main(args[0], Path(args[1]), args[2], args[3] if len(args) > 3 else None))
    print("RESULT " + json.dumps(out), flush=True)
    from studio.inference.host import busy_model_threads

    # A model thread still in native code when the interpreter finalises aborts the process
    # ("terminate called without an active exception"), e.g. Whisper on the barge-in utterance.
    if busy_model_threads(timeout=30.0):
        os._exit(0)
