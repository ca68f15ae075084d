"""Light and dark colours: a palette for the Fusion style plus a modest style sheet.

``system`` follows the platform's colour scheme (``QStyleHints.colorScheme``) and switches along
with it while the studio runs.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

THEMES: tuple[str, ...] = ("system", "light", "dark")
_OBJECT_NAME = "studio-theme-manager"

# Cream accent on warm neutrals; the QSS files use the same values.
_COLOURS: dict[str, dict[QPalette.ColorRole, str]] = {
    "light": {
        QPalette.ColorRole.Window: "#f7f2ea",
        QPalette.ColorRole.WindowText: "#2b2620",
        QPalette.ColorRole.Base: "#fffdf9",
        QPalette.ColorRole.AlternateBase: "#f2ebe0",
        QPalette.ColorRole.Text: "#2b2620",
        QPalette.ColorRole.Button: "#efe7da",
        QPalette.ColorRole.ButtonText: "#2b2620",
        QPalette.ColorRole.Highlight: "#d9a35b",
        QPalette.ColorRole.HighlightedText: "#1f1a14",
        QPalette.ColorRole.ToolTipBase: "#fffaf0",
        QPalette.ColorRole.ToolTipText: "#2b2620",
        QPalette.ColorRole.PlaceholderText: "#8c8275",
        QPalette.ColorRole.Link: "#a8692a",
        QPalette.ColorRole.Mid: "#d8cdbd",
    },
    "dark": {
        QPalette.ColorRole.Window: "#211e1b",
        QPalette.ColorRole.WindowText: "#ece4d8",
        QPalette.ColorRole.Base: "#1a1816",
        QPalette.ColorRole.AlternateBase: "#292520",
        QPalette.ColorRole.Text: "#ece4d8",
        QPalette.ColorRole.Button: "#2d2924",
        QPalette.ColorRole.ButtonText: "#ece4d8",
        QPalette.ColorRole.Highlight: "#e0b574",
        QPalette.ColorRole.HighlightedText: "#1a1612",
        QPalette.ColorRole.ToolTipBase: "#2d2924",
        QPalette.ColorRole.ToolTipText: "#ece4d8",
        QPalette.ColorRole.PlaceholderText: "#8f857a",
        QPalette.ColorRole.Link: "#e8c38c",
        QPalette.ColorRole.Mid: "#4a433b",
    },
}


def system_scheme() -> str:
    """``dark`` or ``light``, as the platform says (or as its default palette suggests). GUI thread."""
    app = QGuiApplication.instance()
    if isinstance(app, QGuiApplication):
        hints = app.styleHints()
        scheme = hints.colorScheme() if hasattr(hints, "colorScheme") else Qt.ColorScheme.Unknown
        if scheme == Qt.ColorScheme.Dark:
            return "dark"
        if scheme == Qt.ColorScheme.Light:
            return "light"
        style = QApplication.style() if isinstance(app, QApplication) else None
        if style is not None:
            window = style.standardPalette().color(QPalette.ColorRole.Window)
            return "dark" if window.lightness() < 128 else "light"
    return "light"


def build_palette(scheme: str) -> QPalette:
    """The palette of ``light`` or ``dark`` (any thread; apply it on the GUI thread)."""
    palette = QPalette()
    for role, colour in _COLOURS[scheme].items():
        palette.setColor(role, QColor(colour))
    disabled = QColor("#9c9286" if scheme == "light" else "#6f675e")
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return palette


class ThemeManager(QObject):
    """Applies ``ui.theme`` to the application. GUI thread; one per application (:meth:`for_app`).

    Args:
        themes_dir: Folder with ``light.qss`` and ``dark.qss``.
        parent: The application.
    """

    def __init__(self, themes_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(_OBJECT_NAME)
        self.themes_dir = themes_dir
        self._setting = "system"
        self._scheme = ""
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication) and hasattr(app.styleHints(), "colorSchemeChanged"):
            app.styleHints().colorSchemeChanged.connect(self._on_system_scheme)

    @classmethod
    def for_app(cls, themes_dir: Path) -> ThemeManager:
        """The manager of the running application (created on first use). GUI thread."""
        app = QApplication.instance()
        if app is None:
            raise RuntimeError("create the QApplication first")
        existing = app.findChild(ThemeManager, _OBJECT_NAME)
        if isinstance(existing, ThemeManager):
            existing.themes_dir = themes_dir
            return existing
        return cls(themes_dir, app)

    @property
    def setting(self) -> str:
        """``system``, ``light`` or ``dark``, as last applied."""
        return self._setting

    @property
    def scheme(self) -> str:
        """The colours in use: ``light`` or ``dark``."""
        return self._scheme

    def apply(self, theme: str) -> str:
        """Use theme setting ``theme``; returns the scheme now in use (``light``/``dark``)."""
        self._setting = theme if theme in THEMES else "system"
        scheme = system_scheme() if self._setting == "system" else self._setting
        if scheme == self._scheme:
            return scheme
        app = QApplication.instance()
        if not isinstance(app, QApplication):
            return scheme
        qss_file = self.themes_dir / f"{scheme}.qss"
        try:
            # Style sheets name their images as url(@THEMES@/...): resolved here, not by the CWD.
            qss = qss_file.read_text(encoding="utf-8").replace("@THEMES@", self.themes_dir.as_posix())
        except OSError as exc:
            log.warning("theme file missing", extra={"file": str(qss_file), "error": str(exc)})
            qss = ""
        app.setPalette(build_palette(scheme))
        app.setStyleSheet(qss)
        self._scheme = scheme
        log.info("theme", extra={"theme": self._setting, "scheme": scheme})
        return scheme

    def _on_system_scheme(self, _scheme: Qt.ColorScheme) -> None:
        if self._setting == "system":
            self.apply("system")
