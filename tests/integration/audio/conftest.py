"""Run device scenarios in fresh processes (PortAudio reads the ALSA config once per process)."""

from __future__ import annotations

import ctypes.util
import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "alsa"

Runner = Callable[..., dict[str, Any]]


def portaudio_missing() -> str:
    """Why real-PortAudio tests cannot run here; empty when they can."""
    if ctypes.util.find_library("portaudio") is None:
        return "PortAudio library not installed (Debian libportaudio2)"
    # Not imported here: importing sounddevice initialises PortAudio in the test process.
    if importlib.util.find_spec("sounddevice") is None:
        return "sounddevice not installed"
    return ""


@pytest.fixture
def run_scenario(tmp_path: Path) -> Runner:
    """``run_scenario(name, **env)`` runs tests/integration/audio/scenarios.py NAME; returns its result."""

    def run(name: str, timeout: float = 90.0, **env: str) -> dict[str, Any]:
        proc = subprocess.run(
            [sys.executable, "-m", "tests.integration.audio.scenarios", name, str(tmp_path)],
            check=False,
            cwd=ROOT,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
        if proc.returncode != 0 or not lines:
            tail = "\n".join(proc.stderr.splitlines()[-30:])
            pytest.fail(f"scenario {name} failed (exit {proc.returncode}):\n{tail}")
        result: dict[str, Any] = json.loads(lines[-1][len("RESULT ") :])
        return result

    return run
