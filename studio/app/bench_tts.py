"""``studio bench tts``: first-audio latency, real-time factor and peak memory per default voice.

Each voice is measured in its own process, so load time and peak RSS are that voice's alone.
"First audio" is from the call to the first chunk being queued to playout (a null sink here, so
the number does not depend on a sound card).
"""

from __future__ import annotations

import asyncio
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from studio.audio.playout import AudioPlayout
from studio.config.settings import TtsSettings
from studio.core.clock import MediaClock
from studio.speech.tts.registry import BUILTIN_DEFAULTS, build_tts

SENTENCES = {
    "zh": "今天的直播我们来聊一聊最近很火的新游戏",  # 19 characters
    "en": "Welcome to my stream, friends",
    "ja": "今日は一緒にゲームを遊びましょう",
}


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


async def _measure(
    voice_id: str, language: str, runs: int, models_dir: Path, cache_dir: Path
) -> dict[str, Any]:
    engine = voice_id.split(":", 1)[0]
    build = build_tts(TtsSettings(), models_dir=models_dir, cache_dir=cache_dir, only=(engine,))
    service = build.service
    playout = AudioPlayout(MediaClock(), use_device=False)
    playout.start()
    text = SENTENCES[language]
    try:
        t0 = time.perf_counter()
        await service.warm_up([voice_id])
        load_s = time.perf_counter() - t0
        first: list[float] = []
        rtf: list[float] = []
        for _ in range(runs):
            start = time.perf_counter()
            got_first = None
            audio_s = 0.0
            async for chunk in service.stream(text, voice_id):
                playout.enqueue(chunk)
                if got_first is None:
                    got_first = time.perf_counter() - start
                audio_s += chunk.duration
            total = time.perf_counter() - start
            playout.clear()
            first.append(got_first or total)
            rtf.append(total / audio_s if audio_s else float("inf"))
    finally:
        playout.close()
        await service.close()
    return {
        "voice": voice_id,
        "language": language,
        "text_chars": len(text),
        "runs": runs,
        "load_and_warm_up_s": round(load_s, 3),
        "first_audio_p50_ms": round(statistics.median(first) * 1000, 1),
        "first_audio_p95_ms": round(_percentile(first, 0.95) * 1000, 1),
        "rtf": round(statistics.median(rtf), 4),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def run_one(voice_id: str, language: str, runs: int, models_dir: Path, cache_dir: Path) -> dict[str, Any]:
    """Measure one voice in this process."""
    return asyncio.run(_measure(voice_id, language, runs, models_dir, cache_dir))


def tts_benchmark(
    runs: int, languages: tuple[str, ...], models_dir: Path, cache_dir: Path
) -> list[dict[str, Any]]:
    """Measure each language's default voice in a fresh process; returns one row per voice."""
    rows = []
    for language in languages:
        voice = BUILTIN_DEFAULTS[language]
        cmd = [
            sys.executable,
            "-m",
            "studio.app.bench_tts",
            voice,
            language,
            str(runs),
            str(models_dir),
            str(cache_dir),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
        if proc.returncode != 0:
            rows.append({"voice": voice, "language": language, "error": proc.stderr.strip()[-500:]})
            continue
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return rows


if __name__ == "__main__":
    voice_arg, lang_arg, runs_arg, models_arg, cache_arg = sys.argv[1:6]
    print(json.dumps(run_one(voice_arg, lang_arg, int(runs_arg), Path(models_arg), Path(cache_arg))))
