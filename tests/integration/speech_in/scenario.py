"""Run in a fresh process (PortAudio reads ALSA's config once): listen on the default input and
play the question into the PulseAudio null sink whose monitor is that input.

Usage: python -m tests.integration.speech_in.scenario QUESTION.f32 WHISPER_CACHE
Prints ``RESULT {json}``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

from studio.config.listen_settings import ListenSettings
from studio.core.bus import EventBus
from studio.core.events import Event, TranscriptEvent, UserSpeechEvent
from studio.speech.asr.stream import WhisperAsr
from studio.speech.listener import Listener


async def main(question: Path, cache: Path) -> dict[str, object]:
    bus = EventBus()
    bus.bind_loop(asyncio.get_running_loop())
    events: list[Event] = []
    final = asyncio.Event()

    def on_event(event: Event) -> None:
        events.append(event)
        if isinstance(event, TranscriptEvent) and event.final:
            final.set()

    bus.subscribe(Event, on_event)
    asr = WhisperAsr(cache)
    await asr.warm_up()
    listener = Listener(ListenSettings(mode="hands_free", language="auto"), bus, asr)
    await listener.start()
    status = listener.capture.status
    result: dict[str, object] = {"mic": status.message, "state": status.state, "rate": status.sample_rate}
    if status.state == "capturing":
        await asyncio.sleep(0.5)
        server = os.environ["PULSE_SERVER"]
        play = [
            "pacat", "--playback", "--raw", f"--server={server}", "--device=studio_null",
            "--format=float32le", "--rate=16000", "--channels=1", str(question),
        ]  # fmt: skip
        await asyncio.to_thread(subprocess.run, play, check=True, timeout=30)
        with contextlib.suppress(TimeoutError):  # the test reports a missing final
            await asyncio.wait_for(final.wait(), 30)
    await listener.stop()
    await asr.close()
    result["speech"] = [e.state for e in events if isinstance(e, UserSpeechEvent)]
    result["partials"] = [e.text for e in events if isinstance(e, TranscriptEvent) and not e.final]
    result["finals"] = [e.text for e in events if isinstance(e, TranscriptEvent) and e.final]
    result["overruns"] = listener.capture.overruns
    result["errors"] = [repr(e) for e in listener.errors]
    return result


if __name__ == "__main__":
    out = asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2])))
    print("RESULT " + json.dumps(out), flush=True)
