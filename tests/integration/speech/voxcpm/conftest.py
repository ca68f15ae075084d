"""The tiny VoxCPM model, built once per session, and a VoxCPM engine shared by the session.

Tests using ``shared_engine`` run on the session's event loop (``pytestmark`` with
``loop_scope="session"``), because the engine's worker is bound to the loop that started it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from studio.speech.tts.voxcpm import VoxCpmEngine
from studio.testing.voxcpm_tiny import tiny_voxcpm_dir, voxcpm_available, write_prompt_wav


def _skip_without_voxcpm() -> None:
    reason = voxcpm_available()
    if reason is not None:
        pytest.skip(reason)


@pytest.fixture(scope="session")
def tiny_voxcpm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random VoxCPM2 model folder (48 kHz out; never stops by itself: length = max_len)."""
    _skip_without_voxcpm()
    return tiny_voxcpm_dir(tmp_path_factory.getbasetemp() / "voxcpm-cache")


@pytest.fixture(scope="session")
def tiny_voxcpm1(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random VoxCPM 1.x model folder (16 kHz)."""
    _skip_without_voxcpm()
    return tiny_voxcpm_dir(tmp_path_factory.getbasetemp() / "voxcpm-cache", architecture="voxcpm")


@pytest.fixture(scope="session")
def prompt_wavs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Prompt recordings: 16 kHz mono, 44.1 kHz stereo, 22.05 kHz mono."""
    folder = tmp_path_factory.mktemp("voxcpm-prompts")
    return {
        "mono16k": write_prompt_wav(folder / "mono16k.wav", seconds=1.0, sample_rate=16000),
        "stereo44k": write_prompt_wav(folder / "stereo44k.wav", seconds=1.2, sample_rate=44100, channels=2),
        "mono22k": write_prompt_wav(folder / "mono22k.wav", seconds=0.8, sample_rate=22050),
    }


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def shared_engine(tiny_voxcpm: Path) -> AsyncIterator[VoxCpmEngine]:
    """One loaded engine on the tiny VoxCPM2 for the whole session (closed at the end)."""
    engine = VoxCpmEngine(tiny_voxcpm, device="auto", name="tiny")
    await engine.load()
    yield engine
    await engine.close()
