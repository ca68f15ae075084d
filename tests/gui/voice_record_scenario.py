"""Run in a fresh process (PortAudio reads ALSA's config once): record a speaker from the microphone.

The default input is the monitor of a private PulseAudio null sink; while the Speakers page records,
English speech is played into that sink. The page then registers and transcribes the recording.

Usage: python -m tests.gui.voice_record_scenario SPEECH.f32 (16 kHz mono float32)
Needs STUDIO_HOME, the PulseAudio/ALSA environment of ``tests.integration.audio.pulse`` and a Qt
platform (``offscreen`` is enough). Prints ``RESULT {json}``.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication

from studio.app.container import Container
from studio.app.runtime import EngineRuntime
from studio.ui.bridge import EngineBridge
from studio.ui.panels.voice_library_session import VoiceLibrarySession, hub_of
from studio.ui.panels.voice_speakers_page import LANGUAGE, TRANSCRIPT, VoiceSpeakersPage


async def _until(check: Callable[[], bool], timeout: float) -> bool:
    end = time.monotonic() + timeout
    while not check():
        if time.monotonic() > end:
            return False
        await asyncio.sleep(0.05)
    return True


async def scenario(runtime: EngineRuntime, container: Container, speech: Path) -> dict[str, Any]:
    bridge = EngineBridge(container, runtime)
    library = VoiceLibrarySession(container, bridge)
    page = VoiceSpeakersPage(container, bridge, library)
    page.show()
    errors: list[str] = []
    bridge.error.connect(lambda source, message: errors.append(f"{source}: {message}"))
    library.load()
    result: dict[str, Any] = {"errors": errors}
    ready = await _until(page.record_button.isEnabled, 20)
    result["tooltip"] = page.record_button.toolTip()
    if not ready:
        return result
    page.name_edit.setText("Mic test")
    page.record_button.click()
    await _until(lambda: library.recorder is not None and library.recorder.elapsed > 0.3, 10)
    result["recording_text"] = page.record_button.text()
    loudest = 0.0

    async def watch() -> None:
        nonlocal loudest
        while True:
            loudest = max(loudest, page.meter.rms)
            await asyncio.sleep(0.02)

    watcher = asyncio.ensure_future(watch())
    play = [
        "pacat", "--playback", "--raw", f"--server={os.environ['PULSE_SERVER']}", "--device=studio_null",
        "--format=float32le", "--rate=16000", "--channels=1", str(speech),
    ]  # fmt: skip
    await asyncio.to_thread(subprocess.run, play, check=True, timeout=30)
    await asyncio.sleep(0.5)
    page.record_button.click()  # Stop and save
    watcher.cancel()
    result["loudest"] = loudest
    await _until(lambda: page.table.rowCount() == 1 or page.status.text().startswith("Failed"), 120)
    result["status"] = page.status.text()
    result["rows"] = page.table.rowCount()
    if page.table.rowCount() == 1:
        result["transcript"] = page.table.item(0, TRANSCRIPT).text()
        result["language"] = page.table.item(0, LANGUAGE).text()
        speakers = runtime.submit(hub_of(runtime).speakers.list()).result(30)
        result["duration_s"] = speakers[0].duration_s
    result["button_after"] = page.record_button.text()
    page.close()
    bridge.close()
    return result


def main(speech: Path) -> dict[str, Any]:
    import qasync

    app = QApplication([])
    container = Container.build()
    runtime = EngineRuntime(container, serve_api=False)
    runtime.start()
    built = getattr(runtime, "voices", None) is None and "voices" not in runtime.api_services
    if built:
        from studio.app.voices import VoiceHub

        runtime.voices = VoiceHub(container)  # type: ignore[attr-defined]
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        with loop:
            return loop.run_until_complete(scenario(runtime, container, speech))
    finally:
        if built:
            hub = hub_of(runtime)
            runtime.submit(hub.close()).result(30)
        runtime.stop(timeout=5.0)
        container.close()


if __name__ == "__main__":
    out = main(Path(sys.argv[1]))
    print("RESULT " + json.dumps(out), flush=True)
