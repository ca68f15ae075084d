"""Speech made with the studio's default voices (16 kHz mono), synthesised once per test run."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[4]
RATE = 16000
_cache: dict[tuple[str, str], np.ndarray] = {}


def synthesize(text: str, engine: str, cache_dir: Path) -> np.ndarray:
    """``text`` spoken by the built-in voice of ``engine`` (``piper``, ``zh_onnx``), 16 kHz float32."""
    key = (text, engine)
    if key not in _cache:
        pytest.importorskip("onnxruntime", reason="onnxruntime is not installed")
        import soxr

        from studio.config.settings import TtsSettings
        from studio.speech.tts.registry import build_tts

        build = build_tts(TtsSettings(), models_dir=ROOT / "models", cache_dir=cache_dir, only=(engine,))
        if build.unavailable or not build.service.catalogue():
            pytest.skip(f"default voice {engine} unavailable: {build.unavailable}")

        async def run() -> list[np.ndarray]:
            try:
                return [
                    np.asarray(soxr.resample(c.pcm, c.sample_rate, RATE), dtype=np.float32)
                    async for c in build.service.stream(text)
                ]
            finally:
                await build.service.close()

        _cache[key] = np.concatenate(asyncio.run(run()))
    return _cache[key].copy()


def speech_onset(pcm: np.ndarray, threshold: float = 0.02) -> int:
    """First sample of the first 10 ms block whose RMS exceeds ``threshold``."""
    for i in range(0, len(pcm) - 160, 160):
        block = pcm[i : i + 160]
        if float(np.sqrt(np.mean(block * block))) > threshold:
            return i
    raise ValueError("no speech")
