"""Window geometry and dock layout, remembered across runs in their own INI file.

They live beside ``config.toml`` in ``window-state.ini`` (``QSettings`` INI format), never in
``config.toml`` itself: they change on every run and are not settings a person edits.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow

STATE_FILE = "window-state.ini"
# Bump when the dock set changes so an old layout is not forced onto new docks.
STATE_VERSION = 1


def state_file(config_dir: Path) -> Path:
    """The INI file for ``config_dir``."""
    return config_dir / STATE_FILE


def _settings(config_dir: Path) -> QSettings:
    return QSettings(str(state_file(config_dir)), QSettings.Format.IniFormat)


def save_window_state(window: QMainWindow, config_dir: Path) -> None:
    """Write the window's geometry and dock layout. GUI thread."""
    settings = _settings(config_dir)
    settings.beginGroup("main_window")
    settings.setValue("geometry", window.saveGeometry())
    settings.setValue("state", window.saveState(STATE_VERSION))
    settings.endGroup()
    settings.sync()


def restore_window_state(window: QMainWindow, config_dir: Path) -> bool:
    """Restore what :func:`save_window_state` wrote; False if there was nothing usable. GUI thread."""
    if not state_file(config_dir).exists():
        return False
    settings = _settings(config_dir)
    settings.beginGroup("main_window")
    geometry = settings.value("geometry")
    state = settings.value("state")
    settings.endGroup()
    restored = False
    if isinstance(geometry, QByteArray | bytes) and geometry:
        restored = window.restoreGeometry(QByteArray(geometry))
    if isinstance(state, QByteArray | bytes) and state:
        window.restoreState(QByteArray(state), STATE_VERSION)
    return restored
