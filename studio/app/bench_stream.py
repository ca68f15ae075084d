"""``studio bench stream``: sustained render + encode + RTMP push while the avatar talks.

The whole live path, headless, for ``--seconds``: an :class:`~studio.app.runtime.EngineRuntime`
(no API) builds speech and the avatar session; a :class:`~studio.broadcast.session.BroadcastSession`
renders the built-in avatar (or a Live2D model given by path) in a headless EGL context at the
stream size and rate, encodes H.264 + AAC and pushes to the RTMP URL, while the avatar says lines
in a loop so the mouth (and the TTS's CPU use) is what a live stream has. After a warm-up the
counters are measured over the window: achieved fps, frames, skipped/missed/dropped, the
process's CPU %, A/V drift, bitrate and encode time.

Threads: :func:`stream_benchmark` blocks the calling thread (the CLI's main thread); engine work
runs on the runtime's loop, rendering and encoding on their own threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
from pathlib import Path
from typing import Any, Final

import click

from studio.core.errors import StudioError

__all__ = ["LINES", "bench_stream", "stream_benchmark"]

_WARMUP_S: Final = 2.0  # after the output is live: the first keyframe, the encoder settles
_CONNECT_S: Final = 20.0  # longest wait for the output to go live

LINES: Final = (
    "大家好，欢迎来到我的直播间！今天我们一起聊聊天吧。",
    "Thanks for joining the stream tonight, let's have some fun together.",
    "如果你喜欢今天的内容，别忘了点个关注哦。",
    "Let me know in the chat what you would like to talk about next.",
)


def stream_benchmark(
    url: str, seconds: float, width: int, height: int, fps: int, model: Path | None = None
) -> dict[str, Any]:
    """Stream for a warm-up plus ``seconds`` and report the rates over the measured window.

    Args:
        url: ``rtmp(s)://host/app[/key]`` (the last path part is the key when there are two).
        seconds: Measured time after the warm-up.
        width: Frame width.
        height: Frame height.
        fps: Frames per second.
        model: A Live2D model json, or ``None`` for the current (built-in) avatar.

    Returns:
        The measurements (see the ``studio bench stream`` help); ``ok`` is False when the output
        failed or nothing was encoded.

    Raises:
        StudioError: no GL, a bad model, the encoder could not open.
    """
    from studio.app.container import Container
    from studio.app.demo_cli import split_rtmp
    from studio.app.runtime import EngineRuntime
    from studio.config.settings import StreamSettings

    server, key = split_rtmp(url)
    container = Container.build()
    runtime = EngineRuntime(container, serve_api=False)
    try:
        cfg = container.config
        cfg.stream = StreamSettings.model_validate(
            {**cfg.stream.model_dump(), "width": width, "height": height, "fps": fps}
        )
        runtime.start()
        with tempfile.TemporaryDirectory(prefix="cream-bench-stream-") as tmp:
            result = _bench(runtime, server, key, seconds, model, Path(tmp))
    finally:
        runtime.stop(timeout=10.0)
        container.close()
    result.update(
        model=str(model) if model is not None else "built-in",
        width=width,
        height=height,
        fps_target=fps,
        seconds=round(seconds, 2),
    )
    return result


def _bench(
    runtime: Any, server: str, key: str, seconds: float, model: Path | None, tmp: Path
) -> dict[str, Any]:
    import psutil

    from studio.app.broadcast import StageFeed, live2d_renderer, make_renderer
    from studio.app.demo_cli import warm_up
    from studio.broadcast.presets import redact_url
    from studio.broadcast.session import BroadcastSession, OutputTarget

    c = runtime.container
    runtime.submit(warm_up(runtime, list(LINES), None)).result(300)
    stack = runtime.submit(runtime.speech()).result(120)
    avatar = runtime.submit(runtime.avatar()).result(120)

    def renderer() -> Any:
        if model is not None:
            return live2d_renderer(model)
        return make_renderer(avatar.avatar, resources_dir=c.paths.resources_dir)

    # A benchmark reports a server that is not there at once instead of retrying for minutes.
    settings = c.config.stream.model_copy(
        update={"reconnect_retries": 2, "reconnect_delay_s": 0.5, "reconnect_max_delay_s": 1.0}
    )
    feed = StageFeed(renderer, avatar.director.frame_state, c.clock, lambda: settings)
    session = BroadcastSession(settings, stack.playout.mixer, feed, tmp, bus=c.bus)
    talking = runtime.submit(_talk(stack.speaker))
    process = psutil.Process()
    try:
        session.go_live([OutputTarget("bench", server, key)])
        _wait_live(session, _CONNECT_S)
        time.sleep(_WARMUP_S)
        first = session.stats()
        cpu0, t0 = process.cpu_times(), time.monotonic()
        stage0 = feed.stats
        time.sleep(seconds)
        last = session.stats()
        cpu1, t1 = process.cpu_times(), time.monotonic()
        stage1 = feed.stats
    finally:
        talking.cancel()
        with contextlib.suppress(BaseException):
            talking.result(5)
        runtime.submit(_hush(stack.speaker)).result(5)
        session.stop()
    elapsed = t1 - t0
    e0, e1 = first.encoder, last.encoder
    out0 = next((o for o in first.outputs if o.name == "bench"), None)
    out1 = next((o for o in last.outputs if o.name == "bench"), None)
    frames = e1.frames_encoded - e0.frames_encoded
    sent_bytes = (out1.bytes_sent - out0.bytes_sent) if out0 and out1 else 0
    cpu_s = (cpu1.user + cpu1.system) - (cpu0.user + cpu0.system)
    ok = bool(out1 is not None and out1.state == "live" and frames > 0 and e1.error is None and e1.running)
    return {
        "ok": ok,
        "url": redact_url(server.rstrip("/") + ("/" + key if key else ""), key or None),
        "video_encoder": e1.video_encoder,
        "fps": round(frames / elapsed, 2),
        "frames": frames,
        "skipped_frames": e1.skipped_frames - e0.skipped_frames,
        "missed_frames": e1.missed_frames - e0.missed_frames,
        "dropped_frames": (out1.dropped_frames - out0.dropped_frames) if out0 and out1 else None,
        "render_skipped_ticks": stage1.skipped - stage0.skipped,
        "render_ms_mean": round(stage1.render_ms_mean, 2),
        "cpu_percent": round(100 * cpu_s / elapsed, 1),
        "cpu_count": psutil.cpu_count(),
        "av_drift_ms": e1.av_drift_ms,
        "audio_gap_s": round(e1.audio_gap_s - e0.audio_gap_s, 3),
        "bitrate_kbps": round(sent_bytes * 8 / 1000 / elapsed, 1),
        "encode_ms_mean": e1.encode_ms_mean,
        "output_state": out1.state if out1 else "missing",
        "reconnects": out1.reconnects if out1 else 0,
        "last_error": out1.last_error if out1 else None,
        "encoder_error": e1.error,
        "measured_s": round(elapsed, 2),
    }


def _wait_live(session: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = {o.state for o in session.stats().outputs}
        if states & {"live", "failed", "stopped"}:
            return
        time.sleep(0.05)


async def _talk(speaker: Any) -> None:
    """Say the lines in a loop until cancelled (engine loop)."""
    index = 0
    while True:
        await speaker.say(LINES[index % len(LINES)])
        index += 1
        await asyncio.sleep(0.3)


async def _hush(speaker: Any) -> None:
    speaker.stop()


@click.command("stream")
@click.option("--url", required=True, help="RTMP URL to push to, e.g. rtmp://127.0.0.1:1935/live/KEY.")
@click.option(
    "--seconds", type=click.FloatRange(1, 3600), default=30.0, show_default=True, help="Measured time."
)
@click.option("--size", default="1280x720", show_default=True, help="Video size WIDTHxHEIGHT.")
@click.option("--fps", type=click.IntRange(10, 60), default=30, show_default=True, help="Frames per second.")
@click.option(
    "--model",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A Live2D .model3.json/.model.json (default: the current avatar, normally the built-in one).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
def bench_stream(url: str, seconds: float, size: str, fps: int, model: Path | None, as_json: bool) -> None:
    """Render + encode + push to an RTMP server while the avatar talks; fps, losses, CPU, drift, bitrate.

    Exits with 1 when the stream failed (no connection, encoder error, nothing encoded).
    """
    import json

    from studio.app.demo_cli import parse_size

    width, height = parse_size(size)
    try:
        result = stream_benchmark(url, seconds, width, height, fps, model)
    except StudioError as exc:
        raise click.ClickException(exc.user_message) from exc
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        for name, value in result.items():
            click.echo(f"{name:>22}: {value}")
    if not result["ok"]:
        raise SystemExit(1)
