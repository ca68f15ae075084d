"""EglContext: a real headless desktop-GL compatibility context, thread rules, clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest

from studio.avatar.render import egl as egl_module
from studio.avatar.render.egl import EglContext
from studio.avatar.render.errors import GLUnavailableError
from studio.avatar.render.gl import GL, gl_info
from tests.unit.avatar.render.conftest import ROOT


def test_context_is_desktop_gl_compatibility_profile(gl: EglContext) -> None:
    assert gl.is_current
    info = gl_info()
    assert not info["version"].startswith("OpenGL ES")
    major, minor = (int(x) for x in info["version"].split()[0].split(".")[:2])
    if (major, minor) >= (3, 2):
        mask = int(GL.glGetIntegerv(GL.GL_CONTEXT_PROFILE_MASK))
        assert mask & GL.GL_CONTEXT_COMPATIBILITY_PROFILE_BIT
    # Fixed-function state exists only in a compatibility context.
    GL.glMatrixMode(GL.GL_MODELVIEW)
    GL.glLoadIdentity()
    assert GL.glGetError() == GL.GL_NO_ERROR


def test_release_and_make_current_again(gl: EglContext) -> None:
    gl.release()
    assert not gl.is_current
    gl.make_current()
    assert gl.is_current
    assert "current" in repr(gl)


def test_context_current_on_one_thread_only(gl: EglContext) -> None:
    errors: list[BaseException] = []

    def other_thread() -> None:
        try:
            gl.make_current()
        except GLUnavailableError as exc:
            errors.append(exc)

    worker = threading.Thread(target=other_thread)
    worker.start()
    worker.join()
    assert errors, "a context current here must not become current on another thread"
    assert "eglMakeCurrent failed" in str(errors[0])

    gl.release()
    done: list[bool] = []

    def takes_it() -> None:
        with gl.current():
            done.append(gl.is_current)

    worker = threading.Thread(target=takes_it)
    worker.start()
    worker.join()
    assert done == [True]


def test_two_contexts_closing_one_keeps_the_other(gl: EglContext) -> None:
    gl.release()
    with EglContext() as second:
        assert second.is_current
        assert second.kind == gl.kind
    gl.make_current()  # the shared display was not terminated
    GL.glClearColor(0.1, 0.2, 0.3, 0.4)
    assert GL.glGetError() == GL.GL_NO_ERROR


def test_closed_context_is_refused() -> None:
    context = EglContext()
    context.close()
    context.close()  # idempotent
    assert context.handle == 0
    with pytest.raises(GLUnavailableError, match="closed"):
        context.make_current()


def test_missing_egl_library_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_library(name: str, *args: object, **kwargs: object) -> object:
        raise OSError(f"{name}: cannot open shared object file")

    monkeypatch.setattr(egl_module, "_loaded", {})
    monkeypatch.setattr(egl_module.ctypes, "CDLL", no_library)
    with pytest.raises(GLUnavailableError, match="libegl1 libgl1-mesa-dri"):
        EglContext()


def test_no_usable_display_is_a_clear_error() -> None:
    with pytest.raises(GLUnavailableError, match="No headless OpenGL context"):
        EglContext(kinds=("no-such-kind",))


_PROBE = """
import json, numpy as np
from studio.avatar.render.egl import EglContext
from studio.avatar.render.gl import PLATFORM_NAME
from studio.avatar.render.target import OffscreenTarget, CHROMA_GREEN
with EglContext():
    target = OffscreenTarget(8, 4, clear_color=CHROMA_GREEN)
    target.clear()
    pixel = target.read()[0, 0].tolist()
print(json.dumps({"platform": PLATFORM_NAME, "pixel": pixel}))
"""


@pytest.mark.parametrize(
    ("env", "platform"),
    [
        ({}, "EGLPlatform"),  # headless: PyOpenGL is set up for EGL
        ({"DISPLAY": ":4242"}, "GLXPlatform"),  # a display (the GUI's case): left to PyOpenGL
        ({"DISPLAY": ":4242", "PYOPENGL_PLATFORM": "egl"}, "EGLPlatform"),  # explicit choice wins
    ],
)
def test_pyopengl_platform_choice_and_headless_rendering(env: dict[str, str], platform: str) -> None:
    """The headless context renders whichever platform PyOpenGL uses (no X server is contacted)."""
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY", "PYOPENGL_PLATFORM"}
    }
    run = subprocess.run(
        [sys.executable, "-c", _PROBE],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
        env={**clean, **env},
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result == {"platform": platform, "pixel": [0, 255, 0, 255]}
