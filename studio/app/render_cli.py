"""``studio bench render``: avatar render + readback speed, headless (EGL)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click

from studio.core.errors import StudioError

_SIZE = re.compile(r"^\s*(\d{1,5})\s*[xX*]\s*(\d{1,5})\s*$")


def _parse_size(ctx: click.Context | None, param: click.Parameter | None, value: str) -> tuple[int, int]:
    match = _SIZE.match(value)
    if not match:
        raise click.BadParameter(f"{value!r} is not WIDTHxHEIGHT (e.g. 1280x720).")
    width, height = int(match[1]), int(match[2])
    if not (16 <= width <= 8192 and 16 <= height <= 8192):
        raise click.BadParameter("width and height must be 16..8192 pixels.")
    return width, height


@click.command("render")
@click.option(
    "--model",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A Live2D .model3.json / .model.json (default: the built-in avatar).",
)
@click.option(
    "--size", default="1280x720", show_default=True, callback=_parse_size, help="Frame size WIDTHxHEIGHT."
)
@click.option(
    "--seconds", type=click.FloatRange(0.5, 600), default=5.0, show_default=True, help="Measuring time."
)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
def bench_render(model: Path | None, size: tuple[int, int], seconds: float, as_json: bool) -> None:
    """Avatar frames per second: update + draw + asynchronous readback, in a headless GL context."""
    from studio.app.bench_render import render_benchmark

    try:
        result = render_benchmark(model, size[0], size[1], seconds)
    except StudioError as exc:
        raise click.ClickException(exc.user_message) from exc
    if as_json:
        click.echo(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            click.echo(f"{key:>18}: {value}")
