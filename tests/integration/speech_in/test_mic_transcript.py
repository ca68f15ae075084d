"""Real PortAudio capture from a virtual microphone: a private PulseAudio server whose null sink's
monitor is the default input. A question made with the default English voice is played into the
sink; the listener (hands-free: AEC -> Silero VAD -> Whisper) must publish the right transcript."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.integration.audio import pulse
from tests.integration.audio.conftest import ROOT, portaudio_missing
from tests.unit.speech.vad.voices import RATE, synthesize

_why = portaudio_missing() or pulse.missing()
pytestmark = [pytest.mark.skipif(bool(_why), reason=_why or "n/a"), pytest.mark.slow]

QUESTION = "What is the capital of France?"


def test_spoken_question_is_transcribed_from_a_virtual_microphone(tmp_path: Path) -> None:
    pytest.importorskip("faster_whisper", reason="faster-whisper is not installed")
    from studio.speech.asr.packaged_whisper import packaged_whisper_model_dir

    cache = tmp_path / "models"
    packaged_whisper_model_dir(cache)
    speech = synthesize(QUESTION, "piper", tmp_path / "tts")
    audio = np.concatenate([np.zeros(RATE // 2), speech, np.zeros(RATE)]).astype("<f4")
    raw = tmp_path / "question.f32"
    raw.write_bytes(audio.tobytes())
    server = pulse.PulseServer(tmp_path)
    server.start()
    try:
        subprocess.run(
            ["pactl", f"--server={server.server}", "set-default-source", f"{pulse.SINK}.monitor"],
            check=True,
            timeout=10,
        )
        proc = subprocess.run(
            [sys.executable, "-m", "tests.integration.speech_in.scenario", str(raw), str(cache)],
            cwd=ROOT,
            env={**os.environ, **server.env()},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        server.stop()
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    r = json.loads(lines[-1][len("RESULT ") :])
    assert r["state"] == "capturing", r["mic"]
    assert r["errors"] == []
    assert r["speech"][:2] == ["started", "ended"]
    assert len(r["finals"]) == 1, r
    text = r["finals"][0].lower()
    assert "capital" in text and "france" in text, r
