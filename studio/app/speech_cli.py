"""``studio say`` and ``studio bench tts``."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import click
import numpy as np

from studio.core.errors import StudioError


def _options(speed: float | None, pitch: float | None, volume: float | None, defaults: object) -> object:
    from studio.speech.tts.base import TtsOptions

    assert isinstance(defaults, TtsOptions)
    return TtsOptions(
        speed=defaults.speed if speed is None else speed,
        pitch=defaults.pitch if pitch is None else pitch,
        volume=defaults.volume if volume is None else volume,
    )


@click.command()
@click.argument("text", required=False)
@click.option(
    "--voice", default=None, help="Voice id (see --list-voices); default: the default voice per language."
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write a WAV file instead of playing.",
)
@click.option("--speed", type=click.FloatRange(0.5, 2.0), default=None, help="Speaking rate, 0.5-2.0.")
@click.option(
    "--pitch",
    type=click.FloatRange(-12, 12),
    default=None,
    help="Pitch shift in semitones, if the voice supports it.",
)
@click.option("--volume", type=click.FloatRange(0, 2), default=None, help="Volume, 0-2.")
@click.option("--list-voices", is_flag=True, help="List the voices and exit.")
def say(
    text: str | None,
    voice: str | None,
    out: Path | None,
    speed: float | None,
    pitch: float | None,
    volume: float | None,
    list_voices: bool,
) -> None:
    """Speak TEXT with the studio's voices (zh, en, ja and mixed), or write it to a WAV file.

    Without a sound device the audio plays into a silent, real-time sink (and says so).
    """
    from studio.app.container import Container
    from studio.speech.tts.registry import build_tts, options_from

    if not list_voices and not text:
        raise click.UsageError("Give the TEXT to say (or --list-voices).")
    try:
        container = Container.build()
    except StudioError as exc:
        raise click.ClickException(exc.user_message) from exc
    try:
        cfg = container.config
        if list_voices:
            build = build_tts(
                cfg.tts, models_dir=container.paths.models_dir, cache_dir=container.paths.cache_dir
            )
            for v in build.service.catalogue():
                default = (
                    " (default)"
                    if v.id in {build.service.default_voice(lang) for lang in v.languages}
                    else ""
                )
                click.echo(
                    f"{v.id:<32} {','.join(v.languages):<9} {v.sample_rate:>6} Hz  {v.display_name}{default}"
                )
                if v.licence:
                    click.echo(f"{'':<32} licence: {v.licence}")
            for name, reason in build.unavailable.items():
                click.echo(f"{name}: unavailable ({reason})", err=True)
            asyncio.run(build.service.close())
            return
        assert text is not None
        options = _options(speed, pitch, volume, options_from(cfg.tts))
        if out is not None:
            asyncio.run(_to_file(container, text, voice, options, out))
        else:
            asyncio.run(_aloud(container, text, voice, options))
    except StudioError as exc:
        raise click.ClickException(exc.user_message) from exc
    finally:
        container.close()


async def _to_file(container: object, text: str, voice: str | None, options: object, out: Path) -> None:
    import soxr

    from studio.app.container import Container
    from studio.speech.tts.base import TtsOptions
    from studio.speech.tts.registry import build_tts
    from studio.speech.tts.wav import write_wav

    assert isinstance(container, Container) and isinstance(options, TtsOptions)
    build = build_tts(
        container.config.tts,
        models_dir=container.paths.models_dir,
        cache_dir=container.paths.cache_dir,
        secret=container.secrets.get,
        on_warning=lambda m: click.echo(f"warning: {m}", err=True),
    )
    started = time.perf_counter()
    first: float | None = None
    chunks = []
    try:
        async for chunk in build.service.stream(text, voice, options):
            if first is None:
                first = time.perf_counter() - started
            chunks.append(chunk)
            spoken = chunk.span.text if chunk.span else ""
            click.echo(f"  {chunk.voice_id:<28} {chunk.language}  {chunk.duration:5.2f} s  {spoken}")
    finally:
        await build.service.close()
    if not chunks:
        raise click.ClickException("Nothing to say: the text has no speakable characters.")
    rate = max(c.sample_rate for c in chunks)
    parts = [
        c.pcm if c.sample_rate == rate else soxr.resample(c.pcm, c.sample_rate, rate).astype(np.float32)
        for c in chunks
    ]
    audio = np.concatenate(parts).astype(np.float32)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_wav(out, audio, rate)
    click.echo(f"Wrote {out} ({len(audio) / rate:.2f} s, {rate} Hz); first audio after {first or 0:.2f} s.")


async def _aloud(container: object, text: str, voice: str | None, options: object) -> None:
    from studio.app.container import Container
    from studio.app.speech import SpeechStack
    from studio.speech.tts.base import TtsOptions

    assert isinstance(container, Container) and isinstance(options, TtsOptions)
    stack = SpeechStack.build(
        container.config, container.paths, container.secrets, container.bus, container.clock
    )
    try:
        click.echo(f"Audio: {stack.playout.status.message}")
        result = await stack.speaker.say(text, voice, options)
        click.echo(
            f"Spoke {result.audio_s:.2f} s with {', '.join(result.voices)}; "
            f"first audio after {result.first_audio_s or 0:.2f} s."
        )
    finally:
        await stack.close()


@click.command("tts")
@click.option(
    "--runs",
    type=click.IntRange(1, 200),
    default=None,
    help="Syntheses per voice after warm-up (10; VoxCPM: 3).",
)
@click.option(
    "--lang", "languages", multiple=True, type=click.Choice(["zh", "en", "ja"]), help="Only these languages."
)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option(
    "--engine",
    type=click.Choice(["default", "voxcpm"]),
    default="default",
    show_default=True,
    help="default: the built-in voices; voxcpm: a VoxCPM model (--model DIR or --tiny).",
)
@click.option(
    "--model", "model_dir", type=click.Path(file_okay=False, path_type=Path), help="VoxCPM model folder."
)
@click.option("--tiny", is_flag=True, help="VoxCPM: build and measure a tiny random model (plumbing only).")
@click.option("--device", default="auto", show_default=True, help="VoxCPM device: auto, cpu, cuda[:N], mps.")
def bench_tts(
    runs: int | None,
    languages: tuple[str, ...],
    as_json: bool,
    engine: str,
    model_dir: Path | None,
    tiny: bool,
    device: str,
) -> None:
    """First-audio latency (p50/p95), real-time factor, peak RSS of the default voices or a VoxCPM model."""
    if engine == "voxcpm":
        from studio.app.bench_tts import voxcpm_benchmark_cli

        language = languages[0] if languages else "zh"
        raise SystemExit(
            voxcpm_benchmark_cli(
                model_dir, tiny=tiny, device=device, runs=runs or 3, language=language, as_json=as_json
            )
        )
    from studio.app.bench_tts import tts_benchmark
    from studio.app.paths import StudioPaths

    paths = StudioPaths.resolve()
    paths.ensure()
    rows = tts_benchmark(runs or 10, languages or ("zh", "en", "ja"), paths.models_dir, paths.cache_dir)
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        for row in rows:
            click.echo("  ".join(f"{k}={v}" for k, v in row.items()))
    if any("error" in row for row in rows):
        raise SystemExit(1)
