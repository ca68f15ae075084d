"""GUI test setup: a real display (Xvfb via pytest-xvfb) or a clear skip, and a qasync loop.

Qt aborts the whole process when it cannot open its platform plugin, so whether a display works is
probed once in a subprocess before any test creates the QApplication.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from studio.app.container import Container
from studio.app.runtime import EngineRuntime
from studio.audio import devices

if sys.platform.startswith("linux") and os.environ.get("DISPLAY"):
    # QOpenGLWidget (the avatar view) needs a real X server; ``offscreen`` lacks it.
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")

_PROBE = "from PySide6.QtWidgets import QApplication, QWidget; a = QApplication([]); w = QWidget(); w.show()"


@cache
def display_problem() -> str:
    """Why no Qt window can be shown here, or ``""`` when it can."""
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return (
            "no display: install Xvfb (apt-get install xvfb xauth) so pytest-xvfb can start one, "
            "or set DISPLAY"
        )
    try:
        probe = subprocess.run(
            [sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=60, check=False
        )
    except subprocess.TimeoutExpired:
        return "Qt did not start within 60 s on this display"
    if probe.returncode != 0:
        tail = " | ".join(probe.stderr.strip().splitlines()[-3:])
        return f"Qt cannot open a window here (missing xcb libraries?): {tail}"
    return ""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    gui_items = [item for item in items if item.get_closest_marker("gui")]
    if not gui_items:
        return
    problem = display_problem()
    if problem:
        skip = pytest.mark.skip(reason=f"GUI tests skipped: {problem}")
        for item in gui_items:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def english_ui(studio_home: Path) -> None:
    """Start every window in English whatever the machine's locale (tests read visible texts)."""
    config_dir = studio_home / "config"
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "config.toml").write_text('version = 1\n\n[ui]\nlanguage = "en"\n', encoding="utf-8")


@pytest.fixture
def gui_loop(qapp: object) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop on the GUI thread, driven by whatever Qt event loop runs (qtbot waits)."""
    import qasync

    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        for task in asyncio.all_tasks(loop):
            task.cancel()
        # Not loop.stop(): that calls QCoreApplication.exit(), which leaves Qt's timers dead for
        # the rest of the session. The loop never ran run_forever(), so only undo what
        # ``already_running`` did.
        loop._QEventLoop__is_running = False  # type: ignore[attr-defined]
        asyncio.events._set_running_loop(None)
        loop.close()
        asyncio.set_event_loop(None)


@pytest.fixture
def runtime(container: Container) -> Iterator[EngineRuntime]:
    """A started engine whose API listens on a free port; stopped afterwards."""
    rt = EngineRuntime(container, port=0)
    rt.start()
    try:
        yield rt
    finally:
        rt.stop(timeout=2.0)


class FakePortAudioError(Exception):
    """What sounddevice raises when there is no default device."""


@pytest.fixture
def no_devices(monkeypatch: pytest.MonkeyPatch) -> None:
    """No sound card, as on a headless server (the null sink plays the mix in real time)."""

    def query_devices(device: int | None = None, kind: str | None = None) -> Any:
        if kind == "output":
            raise FakePortAudioError("Error querying device -1")
        return []

    fake = SimpleNamespace(
        query_devices=query_devices,
        query_hostapis=lambda index=None: [{"name": "ALSA"}],
        PortAudioError=FakePortAudioError,
    )
    monkeypatch.setattr(devices._PortAudio, "module", fake)
    monkeypatch.setattr(devices._PortAudio, "error", "")
