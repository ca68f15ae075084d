"""Shared set-up of the conversation tests: voices, the PulseAudio loop and the scenario process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.integration.audio import pulse
from tests.integration.audio.conftest import ROOT, portaudio_missing
from tests.unit.speech.vad.voices import RATE, synthesize

WHY = portaudio_missing() or pulse.missing()


def voice_file(tmp_path: Path, text: str, engine: str, name: str) -> Path:
    """``text`` in a default voice, with silence around it, as raw float32 16 kHz mono."""
    speech = synthesize(text, engine, tmp_path / "tts")
    audio = np.concatenate([np.zeros(RATE // 2), speech, np.zeros(RATE)]).astype("<f4")
    path = tmp_path / f"{name}.f32"
    path.write_bytes(audio.tobytes())
    return path


def run(tmp_path: Path, mode: str, *files: Path) -> dict[str, Any]:
    """Start the private PulseAudio server (monitor = default mic) and run the scenario in it."""
    pytest.importorskip("faster_whisper", reason="faster-whisper is not installed")
    from studio.speech.asr.packaged_whisper import packaged_whisper_model_dir

    packaged_whisper_model_dir(tmp_path / "models")
    server = pulse.PulseServer(tmp_path)
    server.start()
    try:
        subprocess.run(
            ["pactl", f"--server={server.server}", "set-default-source", f"{pulse.SINK}.monitor"],
            check=True,
            timeout=10,
        )
        proc = subprocess.run(
            [sys.executable, "-m", "tests.integration.conversation.scenario", mode, str(tmp_path)]
            + [str(f) for f in files],
            cwd=ROOT,
            env={**os.environ, **server.env()},
            capture_output=True,
            text=True,
            timeout=150,
            check=False,
        )
    finally:
        server.stop()
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    result: dict[str, Any] = json.loads(lines[-1][len("RESULT ") :])
    return result
