"""The one place that imports live2d-py (``live2d``), with its pitfalls handled.

- **Import order / symbol clash.** Once a Mesa GL driver is loaded into the process (any GL
  context, Qt's included), loading a model crashes with ``std::bad_alloc``: the driver's
  libstdc++ filesystem symbols win over the ones the extension was built against. The extension
  is therefore always imported with ``RTLD_DEEPBIND`` (it binds to its own symbols first), which
  works whether or not a context exists yet; the process's dlopen flags are restored afterwards.
- **Banner and logs.** Importing live2d prints a banner on stdout, and its C++ log goes to
  stdout too; both would corrupt ``--json`` output. The banner is swallowed, the log is kept to
  warnings and errors, and :func:`native_stdout_to_stderr` moves what remains (model loading)
  to stderr.
- **init / glInit / glRelease.** ``live2d.init()`` runs once per process. ``live2d.glInit()``
  needs a current context and creates process-wide shaders, which die with that context:
  :func:`acquire_gl`/:func:`release_gl` count the renderers using them and ``glRelease()`` after
  the last one, so a later model can be drawn in a new context.

Threads: :func:`load_live2d` is thread-safe; :func:`acquire_gl`/:func:`release_gl` run on the
GL thread.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import io
import logging
import os
import sys
import threading
from collections.abc import Iterator
from typing import Any, Final

from studio.avatar.render.egl import current_egl_context
from studio.avatar.render.errors import GLUnavailableError, RenderError
from studio.avatar.render.gl import current_context_handle

__all__ = [
    "LIVE2D_INSTALL_HINT",
    "acquire_gl",
    "gl_users",
    "load_live2d",
    "native_stdout_to_stderr",
    "release_gl",
]

log = logging.getLogger(__name__)

LIVE2D_INSTALL_HINT: Final = "Install the Live2D runtime: pip install live2d-py==1.0.0"
_LOG_WARN: Final = 2

_lock = threading.Lock()
_loaded: dict[str, Any] = {}  # "live2d" -> the initialised module
_users = [0]  # renderers holding live2d's process-wide GL state (shaders)
_owner = [0]  # the context those shaders live in (0: unknown)


def load_live2d() -> Any:
    """The initialised ``live2d`` module (imported once, ``init()`` done).

    Raises:
        GLUnavailableError: live2d-py is not installed or its native part fails to load.
    """
    with _lock:
        if "live2d" in _loaded:
            return _loaded["live2d"]
        flags = sys.getdlopenflags() if hasattr(sys, "getdlopenflags") else None
        deepbind = getattr(os, "RTLD_DEEPBIND", 0)  # glibc only; elsewhere the clash does not exist
        try:
            if flags is not None and deepbind:
                sys.setdlopenflags(os.RTLD_NOW | deepbind)
            with contextlib.redirect_stdout(io.StringIO()), native_stdout_to_stderr():
                module = importlib.import_module("live2d")
                module.setLogLevel(_LOG_WARN)
                module.init()
        except ImportError as exc:
            raise GLUnavailableError(f"Live2D is unavailable ({exc}). {LIVE2D_INSTALL_HINT}.") from exc
        finally:
            if flags is not None:
                sys.setdlopenflags(flags)
        log.debug("live2d-py loaded", extra={"live2d_version": getattr(module, "__version__", "?")})
        _loaded["live2d"] = module
        return module


def acquire_gl() -> Any:
    """The live2d module, GL-initialised for the current context; pair with :func:`release_gl`.

    The first user calls ``glInit()``; live2d-py then keeps its shaders process-wide. When the
    last user releases, ``glRelease()`` drops them, so the next model may live in a new context
    (without it, drawing in a second context after the first was destroyed fails with
    ``GL_INVALID_VALUE`` and draws nothing). Consequently all live models share one context at a
    time: a model loaded while others live in a different context would draw nothing, so that
    is refused.

    Raises:
        RenderError: live2d's GL state belongs to another context that still has models.
        GLUnavailableError: live2d-py is not installed.

    Thread: GL thread, context current.
    """
    module = load_live2d()
    context = current_egl_context() or current_context_handle()
    with _lock:
        if _users[0] == 0:
            module.glInit()
            _owner[0] = context
        elif context and _owner[0] and context != _owner[0]:
            raise RenderError(
                "Live2D is already drawing in another OpenGL context; live2d-py supports one at a "
                "time. Release those models first (or draw in that context)."
            )
        _users[0] += 1
    return module


def release_gl() -> None:
    """One user of :func:`acquire_gl` is done (its models destroyed); context current."""
    with _lock:
        if _users[0] <= 0:
            return
        _users[0] -= 1
        if _users[0] == 0:
            _loaded["live2d"].glRelease()


def gl_users() -> int:
    """How many renderers hold live2d's GL state now."""
    return _users[0]


@contextlib.contextmanager
def native_stdout_to_stderr() -> Iterator[None]:
    """Send what native code prints on stdout to stderr for the ``with`` block.

    live2d-py's C++ log writes to file descriptor 1; this keeps machine-readable stdout (``--json``)
    clean. C stdio buffers are flushed before the descriptor is switched back, so nothing buffered
    leaks out later. Other threads printing meanwhile also land on stderr. Thread: any.
    """
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError, AttributeError):
        yield  # no usable stdout (pythonw, closed descriptors): nothing to protect
        return
    try:
        _flush_c_stdio()
        os.dup2(2, 1)
        yield
    finally:
        _flush_c_stdio()
        os.dup2(saved, 1)
        os.close(saved)


def _flush_c_stdio() -> None:
    try:
        libc = ctypes.CDLL(None)
        libc.fflush(None)
    except (OSError, AttributeError):
        pass
