"""A headless OpenGL context through EGL: no X server, no window, no Qt.

Used by ``studio serve``/``studio demo``, the encoder path without a GUI, benchmarks and tests.
The GUI does not use it: there QOpenGLWidget owns the context (see :mod:`studio.avatar.render.gl`
for how PyOpenGL is set up so both work).

Display choice, first that initialises: Mesa's surfaceless platform
(``EGL_PLATFORM_SURFACELESS_MESA``: works with no display and no GPU, on llvmpipe), then the
first EGL device (``EGL_EXT_platform_device``: NVIDIA's headless driver), then the default display.
The context is desktop OpenGL (``eglBindAPI(EGL_OPENGL_API)``) with the compatibility profile,
because a core profile breaks Live2D's drawing. With ``EGL_KHR_surfaceless_context`` it is made
current without any surface (everything renders into FBOs, see :mod:`.target`); otherwise a
1x1 pbuffer is used.

EGL is called through ctypes, independent of PyOpenGL's platform, so the same context works
whether PyOpenGL was set up for EGL or GLX: with the GL vendor-neutral dispatch (libglvnd, every
current Linux distribution) GL calls go to whichever context is current on the thread.

Threads: an :class:`EglContext` is current on at most one thread at a time; call
:meth:`EglContext.make_current` on the thread that renders and :meth:`EglContext.release` before
another thread takes it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

from studio.avatar.render.errors import GLUnavailableError

__all__ = ["EglContext", "current_egl_context"]

log = logging.getLogger(__name__)

_NONE: Final = 0x3038
_EXTENSIONS: Final = 0x3055
_VENDOR: Final = 0x3053
_VERSION: Final = 0x3054
_RED_SIZE, _GREEN_SIZE, _BLUE_SIZE, _ALPHA_SIZE = 0x3024, 0x3023, 0x3022, 0x3021
_DEPTH_SIZE, _STENCIL_SIZE = 0x3025, 0x3026
_SURFACE_TYPE, _PBUFFER_BIT = 0x3033, 0x0001
_RENDERABLE_TYPE, _OPENGL_BIT = 0x3040, 0x0008
_OPENGL_API: Final = 0x30A2
_WIDTH, _HEIGHT = 0x3057, 0x3056
_CONTEXT_MAJOR, _CONTEXT_MINOR = 0x3098, 0x30FB
_PROFILE_MASK, _COMPAT_PROFILE_BIT = 0x30FD, 0x0002
_PLATFORM_SURFACELESS_MESA: Final = 0x31DD
_PLATFORM_DEVICE_EXT: Final = 0x313F

_ERRORS: Final = {
    0x3001: "EGL_NOT_INITIALIZED",
    0x3002: "EGL_BAD_ACCESS",
    0x3003: "EGL_BAD_ALLOC",
    0x3004: "EGL_BAD_ATTRIBUTE",
    0x3005: "EGL_BAD_CONFIG",
    0x3006: "EGL_BAD_CONTEXT",
    0x3007: "EGL_BAD_CURRENT_SURFACE",
    0x3008: "EGL_BAD_DISPLAY",
    0x3009: "EGL_BAD_MATCH",
    0x300C: "EGL_BAD_PARAMETER",
    0x300D: "EGL_BAD_SURFACE",
    0x300E: "EGL_CONTEXT_LOST",
}

_INSTALL_HINT: Final = "Debian/Ubuntu: apt-get install libegl1 libgl1-mesa-dri"

_vp = ctypes.c_void_p
_lib_lock = threading.Lock()
_loaded: dict[str, Any] = {}  # "lib" -> the CDLL, once loaded
# EGL returns one handle per (platform, native display); eglTerminate would kill every context
# on it, so displays are counted and terminated when the last context of the process closes.
_display_users: dict[int, int] = {}


def _load_library() -> Any:
    """libEGL with argument types declared (once per process)."""
    with _lib_lock:
        if "lib" in _loaded:
            return _loaded["lib"]
        name = ctypes.util.find_library("EGL") or "libEGL.so.1"
        try:
            lib = ctypes.CDLL(name)
        except OSError as exc:
            raise GLUnavailableError(
                f"Headless OpenGL needs the EGL library, which was not found ({exc}). {_INSTALL_HINT}."
            ) from exc
        sig: dict[str, tuple[Any, list[Any]]] = {
            "eglGetError": (ctypes.c_int, []),
            "eglGetDisplay": (_vp, [_vp]),
            "eglInitialize": (
                ctypes.c_uint,
                [_vp, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int)],
            ),
            "eglTerminate": (ctypes.c_uint, [_vp]),
            "eglQueryString": (ctypes.c_char_p, [_vp, ctypes.c_int]),
            "eglBindAPI": (ctypes.c_uint, [ctypes.c_uint]),
            "eglChooseConfig": (
                ctypes.c_uint,
                [
                    _vp,
                    ctypes.POINTER(ctypes.c_int),
                    ctypes.POINTER(_vp),
                    ctypes.c_int,
                    ctypes.POINTER(ctypes.c_int),
                ],
            ),
            "eglCreateContext": (_vp, [_vp, _vp, _vp, ctypes.POINTER(ctypes.c_int)]),
            "eglDestroyContext": (ctypes.c_uint, [_vp, _vp]),
            "eglCreatePbufferSurface": (_vp, [_vp, _vp, ctypes.POINTER(ctypes.c_int)]),
            "eglDestroySurface": (ctypes.c_uint, [_vp, _vp]),
            "eglMakeCurrent": (ctypes.c_uint, [_vp, _vp, _vp, _vp]),
            "eglGetCurrentContext": (_vp, []),
            "eglReleaseThread": (ctypes.c_uint, []),
            "eglGetProcAddress": (_vp, [ctypes.c_char_p]),
        }
        for fn, (restype, argtypes) in sig.items():
            try:
                func = getattr(lib, fn)
            except AttributeError as exc:
                raise GLUnavailableError(f"{name} lacks {fn}: not a usable EGL library.") from exc
            func.restype, func.argtypes = restype, argtypes
        _loaded["lib"] = lib
        return lib


def current_egl_context() -> int:
    """The EGL context current on this thread, 0 if none (or EGL was never used here). Thread: any."""
    lib = _loaded.get("lib")
    return int(lib.eglGetCurrentContext() or 0) if lib is not None else 0


def _error_name(lib: Any) -> str:
    code = int(lib.eglGetError())
    return _ERRORS.get(code, hex(code))


def _attribs(*values: int) -> Any:
    items = (*values, _NONE)
    return (ctypes.c_int * len(items))(*items)


def _proc(lib: Any, name: str, restype: Any, *argtypes: Any) -> Any:
    address = lib.eglGetProcAddress(name.encode())
    return ctypes.CFUNCTYPE(restype, *argtypes)(address) if address else None


def _candidate_displays(lib: Any) -> Iterator[tuple[str, int]]:
    """(kind, EGLDisplay) candidates in order of preference; not yet initialised."""
    client_ext = (lib.eglQueryString(None, _EXTENSIONS) or b"").decode()
    get_platform = _proc(lib, "eglGetPlatformDisplayEXT", _vp, ctypes.c_uint, _vp, _vp)
    if get_platform is not None and "EGL_MESA_platform_surfaceless" in client_ext:
        yield "surfaceless", get_platform(_PLATFORM_SURFACELESS_MESA, None, None) or 0
    if get_platform is not None and "EGL_EXT_platform_device" in client_ext:
        query = _proc(
            lib,
            "eglQueryDevicesEXT",
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.POINTER(_vp),
            ctypes.POINTER(ctypes.c_int),
        )
        devices = (_vp * 8)()
        count = ctypes.c_int(0)
        if query is not None and query(8, devices, ctypes.byref(count)):
            for i in range(count.value):
                yield f"device{i}", get_platform(_PLATFORM_DEVICE_EXT, devices[i], None) or 0
    yield "default", lib.eglGetDisplay(None) or 0


class EglContext:
    """A desktop-OpenGL compatibility-profile context with no window.

    Creating it does not make it current; use :meth:`make_current` (or ``with EglContext() as
    ctx:``, which makes it current and closes it on exit).

    Args:
        kinds: Display kinds to try, in order (``"surfaceless"``, ``"device"``, ``"default"``);
            ``None`` tries all.

    Raises:
        GLUnavailableError: no EGL library, no display initialises, or no desktop-GL context.

    Threads: any thread may create it; GL calls need it current on the calling thread.
    """

    def __init__(self, *, kinds: tuple[str, ...] | None = None) -> None:
        lib = _load_library()
        self._lib = lib
        self._display = 0
        self._context = 0
        self._surface = 0
        self.kind = ""
        tried: list[str] = []
        for kind, display in _candidate_displays(lib):
            if kinds is not None and not kind.startswith(kinds):
                continue
            major, minor = ctypes.c_int(0), ctypes.c_int(0)
            if not display or not lib.eglInitialize(display, ctypes.byref(major), ctypes.byref(minor)):
                tried.append(f"{kind}: {_error_name(lib) if display else 'no display'}")
                continue
            with _lib_lock:
                _display_users[display] = _display_users.get(display, 0) + 1
            self._display, self.kind = display, kind
            try:
                self._create(major.value, minor.value)
            except GLUnavailableError as exc:
                tried.append(f"{kind}: {exc}")
                self._drop_display()
                continue
            break
        if not self._context:
            raise GLUnavailableError(
                "No headless OpenGL context could be created ("
                + "; ".join(tried or ["no EGL display"])
                + f"). {_INSTALL_HINT}."
            )
        self.vendor = (lib.eglQueryString(self._display, _VENDOR) or b"?").decode()
        self.egl_version = (lib.eglQueryString(self._display, _VERSION) or b"?").decode()
        log.debug(
            "EGL context created",
            extra={"egl_display": self.kind, "egl_vendor": self.vendor, "egl_version": self.egl_version},
        )

    def _create(self, major: int, minor: int) -> None:
        lib = self._lib
        if not lib.eglBindAPI(_OPENGL_API):
            raise GLUnavailableError(f"desktop OpenGL API not supported ({_error_name(lib)})")
        display_ext = (lib.eglQueryString(self._display, _EXTENSIONS) or b"").decode()
        surfaceless = "EGL_KHR_surfaceless_context" in display_ext
        config_attribs = _attribs(
            _RED_SIZE, 8, _GREEN_SIZE, 8, _BLUE_SIZE, 8, _ALPHA_SIZE, 8,
            _RENDERABLE_TYPE, _OPENGL_BIT,
            _SURFACE_TYPE, 0 if surfaceless else _PBUFFER_BIT,
        )  # fmt: skip
        config, count = _vp(), ctypes.c_int(0)
        if not lib.eglChooseConfig(
            self._display, config_attribs, ctypes.byref(config), 1, ctypes.byref(count)
        ):
            raise GLUnavailableError(f"eglChooseConfig failed ({_error_name(lib)})")
        if count.value < 1:
            raise GLUnavailableError("no EGL config with desktop OpenGL and RGBA8")
        attempts = [_attribs()]
        if (major, minor) >= (1, 5) or "EGL_KHR_create_context" in display_ext:
            attempts.insert(
                0, _attribs(_CONTEXT_MAJOR, 3, _CONTEXT_MINOR, 3, _PROFILE_MASK, _COMPAT_PROFILE_BIT)
            )
        for attribs in attempts:
            self._context = lib.eglCreateContext(self._display, config, None, attribs) or 0
            if self._context:
                break
        if not self._context:
            raise GLUnavailableError(f"eglCreateContext failed ({_error_name(lib)})")
        if not surfaceless:
            self._surface = (
                lib.eglCreatePbufferSurface(self._display, config, _attribs(_WIDTH, 1, _HEIGHT, 1)) or 0
            )
            if not self._surface:
                lib.eglDestroyContext(self._display, self._context)
                self._context = 0
                raise GLUnavailableError(f"eglCreatePbufferSurface failed ({_error_name(lib)})")

    @property
    def handle(self) -> int:
        """The EGLContext pointer (0 once closed)."""
        return self._context

    @property
    def is_current(self) -> bool:
        """True when this context is current on the calling thread."""
        return bool(self._context) and (self._lib.eglGetCurrentContext() or 0) == self._context

    def make_current(self) -> None:
        """Make the context current on the calling thread.

        Raises:
            GLUnavailableError: closed, or current on another thread (``EGL_BAD_ACCESS``).
        """
        if not self._context:
            raise GLUnavailableError("The EGL context is closed.")
        surface = self._surface or None
        if not self._lib.eglMakeCurrent(self._display, surface, surface, self._context):
            raise GLUnavailableError(f"eglMakeCurrent failed ({_error_name(self._lib)}).")

    def release(self) -> None:
        """Detach the context from the calling thread (no-op when it is not current here)."""
        if self.is_current:
            self._lib.eglMakeCurrent(self._display, None, None, None)

    @contextmanager
    def current(self) -> Iterator[EglContext]:
        """Make the context current for a ``with`` block and release it afterwards."""
        self.make_current()
        try:
            yield self
        finally:
            self.release()

    def close(self) -> None:
        """Release and destroy the context; idempotent. Call it on the thread where it is current."""
        if not self._context:
            return
        self.release()
        lib = self._lib
        if self._surface:
            lib.eglDestroySurface(self._display, self._surface)
            self._surface = 0
        lib.eglDestroyContext(self._display, self._context)
        self._context = 0
        lib.eglReleaseThread()
        self._drop_display()

    def _drop_display(self) -> None:
        display, self._display = self._display, 0
        if not display:
            return
        with _lib_lock:
            users = _display_users.get(display, 1) - 1
            if users > 0:
                _display_users[display] = users
                return
            _display_users.pop(display, None)
        self._lib.eglTerminate(display)

    def __enter__(self) -> EglContext:
        self.make_current()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if not self._context else ("current" if self.is_current else "idle")
        return f"EglContext({self.kind}, {self.vendor!r}, EGL {self.egl_version}, {state})"
