"""``studio bench tts``: first-audio latency, real-time factor and peak memory per default voice.

Each voice is measured in its own process, so load time and peak RSS are that voice's alone.
"First audio" is from the call to the first chunk being queued to playout (a null sink here, so
the number does not depend on a sound card).

``--engine voxcpm`` measures a VoxCPM model folder instead (:func:`voxcpm_benchmark`): load time,
time to the first streamed chunk, total time and real-time factor, on the device it chose. Its
worker is a spawned process, so this module imports its heavy dependencies lazily: the spawned
child re-imports the ``__main__`` module when run as ``python -m studio.app.bench_tts``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from studio.speech.tts.voxcpm.engine import VoxCpmEngine
from studio.speech.tts.voxcpm.request import VoxCpmRequest
from studio.testing.voxcpm_tiny import TINY_NOTE, build_tiny_voxcpm

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
    from studio.audio.playout import AudioPlayout
    from studio.config.settings import TtsSettings
    from studio.core.clock import MediaClock
    from studio.speech.tts.registry import build_tts

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
    from studio.speech.tts.registry import BUILTIN_DEFAULTS

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


async def _measure_voxcpm(model_dir: Path, device: str, runs: int, text: str, tiny: bool) -> dict[str, Any]:
    engine = VoxCpmEngine(model_dir, device=device, name=model_dir.name)
    try:
        t0 = time.perf_counter()
        await engine.load()
        load_s = time.perf_counter() - t0
        rate = engine.sample_rate or 1
        first: list[float] = []
        totals: list[float] = []
        audio: list[float] = []
        chunks: list[int] = []
        for run in range(runs):
            start = time.perf_counter()
            got_first: float | None = None
            samples = count = 0
            async for pcm in engine.stream(VoxCpmRequest(text, seed=run)):
                if got_first is None:
                    got_first = time.perf_counter() - start
                samples += len(pcm)
                count += 1
            totals.append(time.perf_counter() - start)
            first.append(got_first if got_first is not None else totals[-1])
            audio.append(samples / rate)
            chunks.append(count)
        status = await engine.gpu_status()
        rss = _rss_mb(engine.worker_pid)
    finally:
        await engine.close()
    row: dict[str, Any] = {
        "engine": "voxcpm",
        "model": str(model_dir) if not tiny else "tiny (built for this run)",
        "architecture": engine.architecture,
        "device": engine.device_label,
        "device_name": status.name,
        "sample_rate": engine.sample_rate,
        "text_chars": len(text),
        "runs": runs,
        "load_and_warm_up_s": round(load_s, 3),
        "first_chunk_p50_ms": round(statistics.median(first) * 1000, 1),
        "first_chunk_p95_ms": round(_percentile(first, 0.95) * 1000, 1),
        "total_p50_s": round(statistics.median(totals), 3),
        "audio_p50_s": round(statistics.median(audio), 3),
        "chunks_p50": statistics.median(chunks),
        "rtf": round(
            statistics.median(t / a if a else float("inf") for t, a in zip(totals, audio, strict=True)), 4
        ),
        "worker_rss_mb": rss,
    }
    if tiny:
        row["note"] = TINY_NOTE
    return row


def _rss_mb(pid: int | None) -> float | None:
    try:
        import psutil

        return round(psutil.Process(pid).memory_info().rss / 2**20, 1) if pid else None
    except Exception:
        return None


def voxcpm_benchmark(
    model_dir: Path | None,
    *,
    tiny: bool = False,
    device: str = "auto",
    runs: int = 3,
    language: str = "zh",
    text: str | None = None,
) -> dict[str, Any]:
    """Measure a VoxCPM model: load, time to first streamed chunk, total time, RTF, device.

    Args:
        model_dir: The model folder; None with ``tiny=True`` builds the tiny random model in a
            temporary folder (it measures the plumbing, not a real model's speed or quality).
        tiny: See ``model_dir``.
        device: ``auto``, ``cpu``, ``cuda``, ``cuda:N`` or ``mps``.
        runs: Streamed syntheses after loading.
        language: Which sentence of :data:`SENTENCES` to speak.
        text: Speak this instead.

    Raises:
        ValidationError: bad device. ProviderError: the model does not load.
        ValueError: neither a model folder nor ``tiny``.
    """
    text = text or SENTENCES[language]
    if model_dir is not None:
        return asyncio.run(_measure_voxcpm(model_dir, device, runs, text, tiny=False))
    if not tiny:
        raise ValueError("give --model DIR (a VoxCPM model folder) or --tiny")
    with tempfile.TemporaryDirectory(prefix="studio-voxcpm-tiny-") as tmp:
        folder = build_tiny_voxcpm(Path(tmp) / "voxcpm-tiny")
        return asyncio.run(_measure_voxcpm(folder, device, runs, text, tiny=True))


def voxcpm_benchmark_cli(
    model_dir: Path | None, *, tiny: bool, device: str, runs: int, language: str, as_json: bool
) -> int:
    """``studio bench tts --engine voxcpm``: print the row (JSON list or key=value); exit status."""
    from studio.core.errors import StudioError

    if tiny and model_dir is None:
        print(f"NOTE: {TINY_NOTE}", file=sys.stderr)
    try:
        row = voxcpm_benchmark(model_dir, tiny=tiny, device=device, runs=runs, language=language)
    except (StudioError, ValueError) as exc:
        row = {"engine": "voxcpm", "model": str(model_dir) if model_dir else None, "error": str(exc)}
    if as_json:
        print(json.dumps([row], indent=2, ensure_ascii=False))
    else:
        print("  ".join(f"{k}={v}" for k, v in row.items()))
    return 1 if "error" in row else 0


def _voxcpm_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m studio.app.bench_tts", description="VoxCPM TTS benchmark"
    )
    parser.add_argument("--engine", choices=["voxcpm"], required=True)
    parser.add_argument("--model", type=Path, default=None, help="VoxCPM model folder")
    parser.add_argument("--tiny", action="store_true", help="build and measure the tiny random model")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lang", default="zh", choices=sorted(SENTENCES))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    return voxcpm_benchmark_cli(
        args.model, tiny=args.tiny, device=args.device, runs=args.runs, language=args.lang, as_json=args.json
    )


if __name__ == "__main__":
    if "--engine" in sys.argv[1:]:
        raise SystemExit(_voxcpm_main(sys.argv[1:]))
    voice_arg, lang_arg, runs_arg, models_arg, cache_arg = sys.argv[1:6]
    print(json.dumps(run_one(voice_arg, lang_arg, int(runs_arg), Path(models_arg), Path(cache_arg))))
