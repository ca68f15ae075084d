"""live2d-py loading: after a GL driver is in the process, once only, stdout kept clean."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from studio.avatar.render.egl import EglContext
from studio.avatar.render.errors import RenderError
from studio.avatar.render.gl import GL
from studio.avatar.render.live2d import Live2DRenderer
from studio.avatar.render.live2d_loader import gl_users, load_live2d, native_stdout_to_stderr
from studio.avatar.render.target import OffscreenTarget
from studio.avatar.state import AvatarState
from tests.unit.avatar.render.conftest import ROOT, sample_model

_AFTER_GL = """
import json, sys
from pathlib import Path
from studio.avatar.render.egl import EglContext
from studio.avatar.render.target import OffscreenTarget
from studio.avatar.render.live2d import Live2DRenderer
from studio.avatar.state import AvatarState

context = EglContext()
context.make_current()
target = OffscreenTarget(200, 300)
target.clear()
target.read()  # the Mesa driver is loaded and has rendered
assert "live2d" not in sys.modules
renderer = Live2DRenderer(Path(sys.argv[1]))
target.bind()
renderer.load(200, 300)  # imports live2d now: std::bad_alloc here without RTLD_DEEPBIND
renderer.update(1 / 30, AvatarState(mouth={"ParamMouthOpenY": 0.5}))
target.clear()
renderer.draw()
frame = target.read()
renderer.release()
target.release()
context.close()
print(json.dumps({"opaque": int((frame[..., 3] > 0).sum()), "flags_restored": sys.getdlopenflags()}))
"""


def test_live2d_loads_models_after_a_gl_driver_and_keeps_stdout_clean() -> None:
    model = sample_model("Haru")
    run = subprocess.run(
        [sys.executable, "-c", _AFTER_GL, str(model)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "PYOPENGL_PLATFORM"},
    )
    assert run.returncode == 0, run.stderr[-2000:]
    # Only our JSON on stdout: the import banner and the C++ log went elsewhere.
    (line,) = run.stdout.splitlines()
    result = json.loads(line)
    assert result["opaque"] > 1000
    assert result["flags_restored"] == sys.getdlopenflags()


def test_load_live2d_is_initialised_once() -> None:
    first = load_live2d()
    assert load_live2d() is first
    assert first.__name__ == "live2d"


def test_native_stdout_goes_to_stderr(capfd: object) -> None:
    import ctypes

    libc = ctypes.CDLL(None)
    with native_stdout_to_stderr():
        libc.printf(b"native line\n")
        os.write(1, b"raw fd line\n")
    libc.printf(b"after\n")
    libc.fflush(None)
    out, err = capfd.readouterr()  # type: ignore[attr-defined]
    assert "native line" in err and "raw fd line" in err
    assert "native line" not in out and "raw fd line" not in out
    assert "after" in out


def _draw_once(model: Path) -> int:
    target = OffscreenTarget(120, 180)
    renderer = Live2DRenderer(model)
    try:
        target.bind()
        renderer.load(target.width, target.height)
        assert gl_users() >= 1
        renderer.update(1 / 30, AvatarState())
        target.clear()
        renderer.draw()
        assert GL.glGetError() == GL.GL_NO_ERROR
        return int((target.read()[..., 3] > 0).sum())
    finally:
        renderer.release()
        target.release()


def test_models_draw_in_a_new_context_after_the_first_is_gone(gl: EglContext) -> None:
    """live2d-py's shaders are process-wide: released with the last model, rebuilt in the next context."""
    model = sample_model("Haru")
    gl.release()
    first = EglContext()
    with first:
        drawn_first = _draw_once(model)
    assert gl_users() == 0
    gl.make_current()  # a different context; the first one is destroyed
    assert _draw_once(model) == drawn_first > 1000
    assert _draw_once(model) == drawn_first  # and again in the same context
    assert gl_users() == 0


def test_a_second_context_is_refused_while_models_live_in_the_first(gl: EglContext) -> None:
    model = sample_model("Mao")
    target = OffscreenTarget(64, 64)
    first = Live2DRenderer(model)
    first.load(64, 64)
    gl.release()
    try:
        with EglContext():
            with pytest.raises(RenderError, match="another OpenGL context"):
                Live2DRenderer(model).load(64, 64)
            assert gl_users() == 1
    finally:
        gl.make_current()
        first.release()
        target.release()
    with EglContext():
        assert _draw_once(model) > 100  # free again once the first context's models are gone
    gl.make_current()
