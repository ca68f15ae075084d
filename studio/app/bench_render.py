"""``studio bench render``: how fast the avatar updates, draws and reads back, headless.

Runs on the calling thread in a headless EGL context of its own (nothing else is touched), the
same path the encoder uses without a GUI: update the model, clear and draw into an
:class:`~studio.avatar.render.target.OffscreenTarget`, read the frame back through the PBO ring.
The mouth moves as if speaking so lip-sync parameters are exercised.

The renderer modules are imported by name when the benchmark runs, like the GUI in ``cli.py``:
``studio.app`` must not depend on OpenGL/live2d at import time (import-linter), and a machine
without GL can still run every other command.
"""

from __future__ import annotations

import importlib
import math
import statistics
import time
from pathlib import Path
from typing import Any

from studio.avatar.state import AvatarState
from studio.core.errors import StudioError

_WARMUP_FRAMES = 10


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def _renderer(model: Path | None) -> tuple[Any, str]:
    """The renderer to measure and its label (the built-in avatar when ``model`` is None)."""
    if model is not None:
        live2d = importlib.import_module("studio.avatar.render.live2d")
        return live2d.Live2DRenderer(model), str(model)
    try:
        pngtuber = importlib.import_module("studio.avatar.render.pngtuber")
    except ModuleNotFoundError as exc:
        raise StudioError(
            "The built-in avatar renderer is not available in this build; pass --model PATH "
            "(a .model3.json or .model.json file)."
        ) from exc
    return pngtuber.PngTuberRenderer(), "built-in"


def render_benchmark(model: Path | None, width: int, height: int, seconds: float) -> dict[str, Any]:
    """Render as fast as possible for ``seconds`` and report the rates.

    Args:
        model: A Live2D model json, or None for the built-in avatar.
        width: Frame width in pixels.
        height: Frame height in pixels.
        seconds: Measuring time after a short warm-up (at least 10 frames are measured).

    Returns:
        ``fps`` (update + draw + readback per second), ``frame_ms_mean``/``frame_ms_p95``,
        ``update_ms_mean``, ``draw_ms_mean`` (clear + draw), ``readback_ms_mean``/``readback_ms_p95``
        (start the PBO read of this frame + map the previous one), frame count, model, size and
        the GL renderer string.

    Raises:
        StudioError: no GL context (``GLUnavailableError``), a bad model, or no built-in avatar.

    Thread: any thread with no GL context current (it creates and closes its own).
    """
    egl = importlib.import_module("studio.avatar.render.egl")
    target_mod = importlib.import_module("studio.avatar.render.target")
    gl = importlib.import_module("studio.avatar.render.gl")
    context = egl.EglContext()
    context.make_current()
    try:
        renderer, label = _renderer(model)
        target = target_mod.OffscreenTarget(width, height, clear_color=target_mod.TRANSPARENT)
        try:
            target.bind()
            renderer.load(width, height)
            result = _measure(renderer, target, seconds)
            renderer.release()
        finally:
            target.release()
        info = gl.gl_info()
    finally:
        context.close()
    result.update(
        model=label,
        width=width,
        height=height,
        seconds=round(seconds, 3),
        gl_renderer=info["renderer"],
        gl_version=info["version"],
    )
    return result


def _measure(renderer: Any, target: Any, seconds: float) -> dict[str, Any]:
    update_ms: list[float] = []
    draw_ms: list[float] = []
    read_ms: list[float] = []
    frame_ms: list[float] = []
    frames_out = 0
    dt = 1 / 30
    index = 0
    started = deadline = 0.0
    while True:
        measuring = index >= _WARMUP_FRAMES
        if index == _WARMUP_FRAMES:
            started = time.perf_counter()
            deadline = started + seconds
        elif measuring and time.perf_counter() >= deadline and len(frame_ms) >= 10:
            break
        opening = 0.5 + 0.5 * math.sin(index * 0.7)  # talking: the mouth moves every frame
        state = AvatarState(mouth={"ParamMouthOpenY": opening}, speaking=True)
        t0 = time.perf_counter()
        renderer.update(dt, state)
        t1 = time.perf_counter()
        target.clear()
        renderer.draw()
        t2 = time.perf_counter()
        frame = target.read_async()
        t3 = time.perf_counter()
        if measuring:
            update_ms.append((t1 - t0) * 1000)
            draw_ms.append((t2 - t1) * 1000)
            read_ms.append((t3 - t2) * 1000)
            frame_ms.append((t3 - t0) * 1000)
            frames_out += frame is not None
        index += 1
    elapsed = time.perf_counter() - started
    target.flush()

    def r(value: float) -> float:
        return round(value, 2)

    return {
        "frames": len(frame_ms),
        "frames_read": frames_out,
        "fps": r(len(frame_ms) / elapsed),
        "frame_ms_mean": r(statistics.fmean(frame_ms)),
        "frame_ms_p95": r(_percentile(frame_ms, 0.95)),
        "update_ms_mean": r(statistics.fmean(update_ms)),
        "draw_ms_mean": r(statistics.fmean(draw_ms)),
        "readback_ms_mean": r(statistics.fmean(read_ms)),
        "readback_ms_p95": r(_percentile(read_ms, 0.95)),
    }
