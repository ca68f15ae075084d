"""VoxCPM 1.x (the tiny 16 kHz model): prompt audio loads in the worker (torchaudio.load replaced,
since torchaudio 2.9 decodes through torchcodec), reference_wav is refused, and closing the engine
leaves no child process."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import numpy as np
import pytest

from studio.core.errors import ValidationError
from studio.speech.tts.voxcpm import VoxCpmEngine, VoxCpmRequest


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().split(")")[-1].split()[0] == "Z"
    except FileNotFoundError:
        return True


async def test_voxcpm1_clones_from_prompt_wavs_and_closes_cleanly(
    tiny_voxcpm1: Path, prompt_wavs: dict[str, Path]
) -> None:
    engine = VoxCpmEngine(tiny_voxcpm1, device="cpu", name="tiny-1x", warm_up=False)
    try:
        await engine.load()
        assert engine.sample_rate == 16000
        assert engine.architecture == "voxcpm"
        for wav in prompt_wavs.values():  # 16 kHz mono, 44.1 kHz stereo, 22.05 kHz mono
            req = VoxCpmRequest("Continue.", prompt_wav=wav, prompt_text="Prompt words.", max_len=4)
            chunks = [c async for c in engine.stream(req)]
            assert chunks and all(c.dtype == np.float32 for c in chunks)
        audio = await engine.generate(VoxCpmRequest("Plain.", max_len=5, retry_badcase=False))
        assert len(audio) == 5 * 2 * 640  # 5 patches x 2 latent frames x 640 samples at 16 kHz
        with pytest.raises(ValidationError, match="reference_wav needs a VoxCPM2 model"):
            engine.stream(VoxCpmRequest("Hi", reference_wav=prompt_wavs["mono16k"]))
    finally:
        pid = engine.worker_pid
        t0 = time.perf_counter()
        await engine.close()
    assert time.perf_counter() - t0 < 5.0
    assert pid is not None and _gone(pid)
    assert not [p for p in multiprocessing.active_children() if p.pid == pid]
    assert not engine.loaded and engine.worker_pid is None
