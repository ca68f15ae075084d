"""``studio doctor``: checks that say what works on this machine and what to do about what doesn't.

No check crashes the doctor: an unexpected error becomes a ``fail`` line naming the check.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import importlib.metadata
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import click

from studio.app.paths import StudioPaths

Status = Literal["pass", "warn", "fail"]


def required_packages() -> list[str]:
    """The studio's own runtime requirements, read from its installed metadata (not extras)."""
    try:
        requires = importlib.metadata.requires("cream-studio") or []
    except importlib.metadata.PackageNotFoundError:
        return []
    names = []
    for req in requires:
        if "extra ==" in req:
            continue
        names.append(re.split(r"[\s<>=!~;\[(]", req, maxsplit=1)[0])
    return names


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One line of the report."""

    name: str
    status: Status
    detail: str


def check_python() -> CheckResult:
    """Python version within the supported range."""
    version = ".".join(map(str, sys.version_info[:3]))
    if (3, 11) <= sys.version_info[:2] < (3, 14):
        return CheckResult("python", "pass", f"Python {version} ({sys.executable})")
    return CheckResult("python", "fail", f"Python {version}; Cream Studio needs 3.11 to 3.13")


def check_packages() -> CheckResult:
    """Required Python packages are installed."""
    missing, found = [], []
    required = required_packages()
    if not required:
        return CheckResult("packages", "fail", "cream-studio is not installed (run the setup command again)")
    for name in required:
        try:
            found.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            missing.append(name)
    if missing:
        return CheckResult(
            "packages", "fail", "missing: " + ", ".join(missing) + " (run the setup command again)"
        )
    return CheckResult("packages", "pass", f"{len(found)} required packages present")


def check_av() -> CheckResult:
    """PyAV has the encoders the broadcast needs."""
    import av

    needed = ("libx264", "aac")
    have = [name for name in needed if name in av.codecs_available]
    detail = f"PyAV {av.__version__}, FFmpeg {av.ffmpeg_version_info}; encoders: {', '.join(have)}"
    if "flv" in av.formats_available:
        detail += "; FLV muxer for RTMP"
    if len(have) < len(needed):
        return CheckResult("video encoder", "fail", detail + f"; missing {set(needed) - set(have)}")
    return CheckResult("video encoder", "pass", detail)


def check_egl() -> CheckResult:
    """EGL is loadable and a surfaceless/default display initialises (headless avatar rendering)."""
    name = ctypes.util.find_library("EGL") or "libEGL.so.1"
    try:
        egl = ctypes.CDLL(name)
    except OSError:
        return CheckResult(
            "OpenGL/EGL",
            "warn",
            "libEGL not found: headless avatar rendering unavailable (Debian: libegl1 libgl1-mesa-dri)",
        )
    egl.eglGetDisplay.restype = ctypes.c_void_p
    egl.eglGetDisplay.argtypes = [ctypes.c_void_p]
    egl.eglInitialize.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int)]
    egl.eglQueryString.restype = ctypes.c_char_p
    egl.eglQueryString.argtypes = [ctypes.c_void_p, ctypes.c_int]
    egl.eglTerminate.argtypes = [ctypes.c_void_p]
    egl_extensions = 0x3055
    client_ext = (egl.eglQueryString(None, egl_extensions) or b"").decode()
    display = None
    if "EGL_MESA_platform_surfaceless" in client_ext and hasattr(egl, "eglGetPlatformDisplay"):
        egl.eglGetPlatformDisplay.restype = ctypes.c_void_p
        egl.eglGetPlatformDisplay.argtypes = [ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
        display = egl.eglGetPlatformDisplay(0x31DD, None, None)  # EGL_PLATFORM_SURFACELESS_MESA
    if not display:
        display = egl.eglGetDisplay(None)
    major, minor = ctypes.c_int(), ctypes.c_int()
    if not display or not egl.eglInitialize(display, ctypes.byref(major), ctypes.byref(minor)):
        return CheckResult(
            "OpenGL/EGL", "warn", f"{name} loads but no EGL display initialises (no GPU driver / Mesa?)"
        )
    vendor = (egl.eglQueryString(display, 0x3053) or b"?").decode()  # EGL_VENDOR
    egl.eglTerminate(display)
    surfaceless = "surfaceless" if "EGL_MESA_platform_surfaceless" in client_ext else "default display"
    return CheckResult("OpenGL/EGL", "pass", f"EGL {major.value}.{minor.value} ({vendor}, {surfaceless})")


def check_display() -> CheckResult:
    """A display for the GUI window."""
    from studio.app.cli import has_display

    if has_display():
        where = os.environ.get("WAYLAND_DISPLAY") or os.environ.get("DISPLAY") or "native"
        return CheckResult("display", "pass", f"display {where}")
    return CheckResult("display", "warn", "no display: the window cannot open; `studio serve` runs headless")


def check_audio() -> CheckResult:
    """Audio devices through PortAudio."""
    try:
        import sounddevice as sd
    except OSError as exc:
        return CheckResult(
            "audio",
            "warn",
            f"PortAudio not loadable ({exc}); install libportaudio2. Audio plays into a null sink.",
        )
    try:
        devices = sd.query_devices()
    except Exception as exc:
        return CheckResult("audio", "warn", f"no audio devices ({exc}); audio plays into a null sink")
    outputs = [d for d in devices if d.get("max_output_channels", 0) > 0]
    inputs = [d for d in devices if d.get("max_input_channels", 0) > 0]
    if not outputs and not inputs:
        return CheckResult("audio", "warn", "no audio devices; audio plays into a null sink, no microphone")
    status: Status = "pass" if outputs and inputs else "warn"
    return CheckResult("audio", status, f"{len(outputs)} output and {len(inputs)} input devices")


def check_keyring(paths: StudioPaths) -> CheckResult:
    """Which secrets backend is active."""

    store = paths.secret_store()
    info = store.info
    if info.secure_os_store:
        return CheckResult("secrets", "pass", info.detail)
    return CheckResult("secrets", "warn", info.detail)


def check_port(host: str, port: int) -> CheckResult:
    """The API port is free."""
    from studio.api.server import find_free_port, port_is_free

    if port_is_free(host, port):
        return CheckResult("api port", "pass", f"{host}:{port} is free")
    alt = find_free_port(host, port + 1)
    return CheckResult(
        "api port",
        "warn",
        f"{host}:{port} is in use (a studio already running?)" + (f"; {alt} is free" if alt else ""),
    )


def check_folders(paths: StudioPaths) -> CheckResult:
    """Data folders exist and are writable."""
    try:
        paths.ensure()
        for folder in paths.writable_dirs():
            with tempfile.NamedTemporaryFile(dir=folder):
                pass
    except Exception as exc:
        return CheckResult("folders", "fail", f"{exc}")
    return CheckResult(
        "folders", "pass", f"config {paths.config_dir}, data {paths.data_dir}, logs {paths.log_dir}"
    )


def check_models(paths: StudioPaths) -> CheckResult:
    """Model files listed in the manifest are present with the right size."""
    manifest = paths.models_dir / "manifest.json"
    if not manifest.exists():
        return CheckResult("models", "pass", "no model files required by this version")
    entries = json.loads(manifest.read_text(encoding="utf-8")).get("files", [])
    missing = [e["path"] for e in entries if not (paths.models_dir / e["path"]).exists()]
    if missing:
        return CheckResult("models", "fail", "missing model files: " + ", ".join(missing[:5]))
    damaged = [
        e["path"]
        for e in entries
        if "bytes" in e and (paths.models_dir / e["path"]).stat().st_size != e["bytes"]
    ]
    if damaged:
        return CheckResult(
            "models", "fail", "model files with the wrong size (damaged?): " + ", ".join(damaged[:5])
        )
    return CheckResult("models", "pass", f"{len(entries)} model files present")


def check_config(paths: StudioPaths) -> CheckResult:
    """The config file is valid."""
    from studio.config.store import ConfigStore

    store = ConfigStore(paths.config_file)
    if not paths.config_file.exists():
        return CheckResult("config", "pass", f"defaults ({paths.config_file} not written yet)")
    import logging

    quiet = logging.getLogger("studio.config.store")
    quiet.disabled = True
    try:
        problems = store.peek_problems()
    finally:
        quiet.disabled = False
    if problems:
        return CheckResult("config", "warn", "; ".join(str(p) for p in problems))
    return CheckResult("config", "pass", str(paths.config_file))


def run_checks(port: int | None = None) -> list[CheckResult]:
    """Run every check; never raises."""
    paths = StudioPaths.resolve()
    from studio.config.settings import ApiSettings
    from studio.config.store import ConfigStore

    api = ConfigStore(paths.config_file).peek(ApiSettings)
    checks: list[tuple[str, Callable[[], CheckResult]]] = [
        ("python", check_python),
        ("packages", check_packages),
        ("folders", lambda: check_folders(paths)),
        ("config", lambda: check_config(paths)),
        ("video encoder", check_av),
        ("OpenGL/EGL", check_egl),
        ("display", check_display),
        ("audio", check_audio),
        ("secrets", lambda: check_keyring(paths)),
        ("api port", lambda: check_port(api.host, port or api.port)),
        ("models", lambda: check_models(paths)),
    ]
    results = []
    for name, fn in checks:
        try:
            results.append(fn())
        except Exception as exc:
            results.append(CheckResult(name, "fail", f"check crashed: {type(exc).__name__}: {exc}"))
    return results


def print_report(results: list[CheckResult], as_json: bool = False) -> None:
    """Print the results for a person (coloured) or as JSON."""
    if as_json:
        click.echo(json.dumps([asdict(r) for r in results], indent=2, ensure_ascii=False))
        return
    colours = {"pass": "green", "warn": "yellow", "fail": "red"}
    for r in results:
        click.echo(f"[{click.style(r.status.upper(), fg=colours[r.status])}] {r.name:<14} {r.detail}")
    counts = {s: sum(r.status == s for r in results) for s in ("pass", "warn", "fail")}
    click.echo(f"{counts['pass']} passed, {counts['warn']} warnings, {counts['fail']} failed")


__all__ = ["CheckResult", "Path", "print_report", "run_checks"]
