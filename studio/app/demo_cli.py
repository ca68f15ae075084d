"""``studio demo``: the default avatar says a line with lip-sync, recorded to MP4 (or streamed to RTMP).

The whole studio path headless: :class:`~studio.app.runtime.EngineRuntime` (no API) builds the
speech stack, the avatar session and the broadcast; the recording (or the RTMP output) starts, the
avatar speaks the text through :meth:`~studio.pipeline.speaker.Speaker.say`, a short tail follows
the last heard sample, and everything stops cleanly (the file is complete when the command ends).
"""

from __future__ import annotations

import locale
import os
import re
import sys
import threading
import time
from pathlib import Path
from typing import Any

import click

from studio.core.errors import StudioError

_SIZE = re.compile(r"^(\d{2,4})[xX](\d{2,4})$")
_FORMATS = {".mp4": "mp4", ".mkv": "mkv", ".flv": "flv"}
_LEAD_S = 0.3  # frames before the voice starts (a closed mouth to compare against)

DEFAULT_TEXTS = {
    "zh": "大家好，欢迎来到我的直播间！今天我们一起轻松地聊聊天吧。",
    "en": "Hello everyone, welcome to my stream! Let's have a relaxing chat together today.",
    "ja": "みなさん、こんにちは！配信へようこそ。今日はゆっくりおしゃべりしましょう。",
}
BILINGUAL_TEXT = "大家好，欢迎来到直播间！Hello everyone, welcome to the stream!"


def default_text(ui_language: str) -> str:
    """The line to say: in the UI language (``system``: the OS locale), else zh + en."""
    lang = ui_language
    if lang == "system":
        lang = (locale.getlocale()[0] or os.environ.get("LANG", "")).replace("-", "_")
    return DEFAULT_TEXTS.get(lang.split("_")[0].lower(), BILINGUAL_TEXT)


def parse_size(value: str) -> tuple[int, int]:
    """``WIDTHxHEIGHT`` -> even (width, height) within the stream limits.

    Raises:
        click.BadParameter: not ``WxH`` or out of range.
    """
    match = _SIZE.match(value.strip())
    if match is None:
        raise click.BadParameter(f"{value!r} is not WIDTHxHEIGHT (e.g. 1280x720).")
    width, height = int(match.group(1)), int(match.group(2))
    if not (160 <= width <= 3840 and 120 <= height <= 2160):
        raise click.BadParameter("The size must be between 160x120 and 3840x2160.")
    return width - width % 2, height - height % 2


def check_output(out: Path) -> tuple[Path, str]:
    """The absolute output path and its container format; the folder must exist and be writable.

    Raises:
        click.BadParameter: unknown extension, missing or read-only folder, or a folder given.
    """
    out = out.expanduser().absolute()
    fmt = _FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise click.BadParameter(f"{out.name}: use a .mp4, .mkv or .flv file name.", param_hint="--out")
    if out.is_dir():
        raise click.BadParameter(f"{out} is a folder; give a file name.", param_hint="--out")
    folder = out.parent
    if not folder.is_dir():
        raise click.BadParameter(f"The folder {folder} does not exist.", param_hint="--out")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise click.BadParameter(f"The folder {folder} is not writable.", param_hint="--out")
    return out, fmt


def split_rtmp(url: str) -> tuple[str, str]:
    """``rtmp://host/app/KEY`` -> (``rtmp://host/app``, ``KEY``); the key is the last path part."""
    from urllib.parse import urlsplit

    from studio.broadcast.presets import validate_server

    try:
        url = validate_server(url).rstrip("/")
    except StudioError:  # its message would repeat the URL, key included
        raise click.BadParameter(
            "Give an rtmp:// or rtmps:// URL: rtmp://host/app/STREAM_KEY.", param_hint="--rtmp"
        ) from None
    if len([p for p in urlsplit(url).path.split("/") if p]) < 2:
        return url, ""  # rtmp://host/app: no key
    head, _, key = url.rpartition("/")
    return head, key


@click.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Recording file (.mp4, .mkv or .flv; default: demo.mp4 here, unless --rtmp is given).",
)
@click.option("--text", default=None, help="What the avatar says (default: a greeting in the UI language).")
@click.option("--voice", default=None, help="Voice id (see `studio say --list-voices`).")
@click.option("--rtmp", default=None, help="Stream to this RTMP URL; the last path part is the stream key.")
@click.option("--size", default="1280x720", show_default=True, help="Video size WIDTHxHEIGHT.")
@click.option("--fps", type=click.IntRange(10, 60), default=30, show_default=True, help="Frames per second.")
@click.option(
    "--seconds-after",
    type=click.FloatRange(0, 30),
    default=0.5,
    show_default=True,
    help="Keep recording this long after the speech ends.",
)
def demo(
    out: Path | None,
    text: str | None,
    voice: str | None,
    rtmp: str | None,
    size: str,
    fps: int,
    seconds_after: float,
) -> None:
    """Record (or stream) the default avatar saying a line with lip-sync, headless.

    Needs headless OpenGL (EGL, e.g. Mesa) for the avatar; no display or sound card.
    """
    from studio.app.container import Container
    from studio.app.runtime import EngineRuntime
    from studio.config.settings import StreamSettings

    width, height = parse_size(size)
    target: tuple[Path, str] | None = None
    if out is not None or rtmp is None:
        target = check_output(out if out is not None else Path("demo.mp4"))
    server_key = split_rtmp(rtmp) if rtmp is not None else None
    try:
        container = Container.build()
    except StudioError as exc:
        raise click.ClickException(exc.user_message) from exc
    runtime: EngineRuntime | None = None
    try:
        cfg = container.config
        # For this run only (never saved): the demo's size and rate.
        cfg.stream = StreamSettings.model_validate(
            {**cfg.stream.model_dump(), "width": width, "height": height, "fps": fps}
        )
        line = text if text else default_text(cfg.ui.language)
        runtime = EngineRuntime(container, serve_api=False)
        runtime.start()
        result = _run(runtime, line, voice, target, server_key, seconds_after)
    except StudioError as exc:
        raise click.ClickException(_explain(exc)) from exc
    finally:
        if runtime is not None:
            runtime.stop(timeout=10.0)
        container.close()
    failed = _report(result)
    left = [t.name for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
    if left:
        click.echo(f"Warning: still running: {', '.join(left)}", err=True)
        sys.exit(1)
    if failed:
        sys.exit(1)


def _explain(exc: StudioError) -> str:
    if getattr(exc, "code", "") == "gl_unavailable":
        return (
            f"No headless OpenGL for the avatar: {exc.user_message} "
            "Install EGL and a Mesa driver (Debian: libegl1 libgl1-mesa-dri) and try again."
        )
    return exc.user_message


def _run(
    runtime: Any,
    text: str,
    voice: str | None,
    target: tuple[Path, str] | None,
    server_key: tuple[str, str] | None,
    seconds_after: float,
) -> dict[str, Any]:
    """Start the outputs, speak, wait for the tail, stop; the numbers to print (blocking)."""
    from studio.broadcast.session import OutputTarget

    runtime.submit(warm_up(runtime, [text], voice)).result(300)  # the video starts near the voice
    session = runtime.submit(runtime.broadcast()).result(120)
    started = time.monotonic()
    try:
        if target is not None:
            session.start_recording(target[1], target[0])
        if server_key is not None:
            session.go_live([OutputTarget("main", server_key[0], server_key[1])])
        time.sleep(_LEAD_S)

        async def speak() -> Any:
            stack = await runtime.speech()
            return await stack.speaker.say(text, voice)

        spoken = runtime.submit(speak()).result(300)
        time.sleep(seconds_after)
        stats = session.stats()
    finally:
        session.stop()
    return {
        "out": str(target[0]) if target is not None else None,
        "rtmp": next((o.target for o in stats.outputs if o.kind == "rtmp"), None),
        "spoken": spoken,
        "stats": stats,  # taken before the stop: the session forgets its encoder then
        "wall_s": time.monotonic() - started,
    }


async def warm_up(runtime: Any, texts: list[str], voice: str | None) -> None:
    """Load the voices ``texts`` will be spoken with (engine loop).

    Raises:
        ValidationError: nothing speakable in the texts, or an unknown voice.
    """
    from studio.core.errors import ValidationError

    service = (await runtime.speech()).tts.service
    voices = {item.voice_id for text in texts for item in service.plan(text, voice)}
    if not voices:
        raise ValidationError("Nothing to say: the text has no speakable characters.")
    await service.warm_up(sorted(voices))


def _report(result: dict[str, Any]) -> bool:
    """Print what happened; True if an output failed."""
    stats = result["stats"]
    enc = stats.encoder
    spoken = result["spoken"]
    if result["out"]:
        click.echo(f"Wrote {result['out']}")
    if result["rtmp"]:
        click.echo(f"Streamed to {result['rtmp']}")
    click.echo(
        f"Said {spoken.audio_s:.2f} s with {', '.join(spoken.voices)} "
        f"(first audio after {spoken.first_audio_s or 0:.2f} s)."
    )
    click.echo(
        f"Video: {enc.width}x{enc.height} @ {enc.fps_target:g} fps, {enc.video_encoder}; "
        f"duration {enc.duration_s:.2f} s, frames {enc.frames_encoded}, skipped {enc.skipped_frames}, "
        f"missed {enc.missed_frames}, A/V drift {enc.av_drift_ms:.1f} ms, "
        f"encode {enc.encode_ms_mean:.1f} ms, audio lost {enc.audio_gap_s:.2f} s"
    )
    for output in stats.outputs:
        click.echo(
            f"Output {output.name}: {output.state}, {output.frames_sent} frames, "
            f"{output.bytes_sent / 1e6:.2f} MB, dropped {output.dropped_frames}"
            + (f", error: {output.last_error}" if output.last_error else "")
        )
    bad = [o.name for o in stats.outputs if o.state == "failed" or (o.frames_sent == 0)]
    if enc.error or bad:
        click.echo(f"Error: {enc.error or 'output ' + ', '.join(bad) + ' failed'}", err=True)
        return True
    return False
