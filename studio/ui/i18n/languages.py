"""Interface language: which translation files are installed, switched at runtime.

English is the source language. Installing or removing a ``QTranslator`` makes Qt send
``QEvent.LanguageChange`` to every widget, and each widget re-reads its texts in its
``retranslate_ui`` method, so switching needs no restart.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QObject, QTranslator

log = logging.getLogger(__name__)

SYSTEM = "system"
SUPPORTED: tuple[str, ...] = ("zh_CN", "en", "ja")
"""Languages the studio has texts for (``en`` is the source language)."""

NATIVE_NAMES: dict[str, str] = {"zh_CN": "简体中文", "en": "English", "ja": "日本語"}
"""Each language's name in itself; menus show these untranslated so anyone can find their own."""

_OBJECT_NAME = "studio-language-manager"


def resolve_language(code: str, system_locale: QLocale | None = None) -> str:
    """Turn a ``ui.language`` setting into one of :data:`SUPPORTED`.

    ``system`` follows the OS locale: any Chinese locale gets ``zh_CN``, Japanese ``ja``, anything
    else English. Unknown codes fall back the same way.
    """
    if code in SUPPORTED:
        return code
    locale = system_locale or QLocale.system()
    lang = locale.language()
    if lang == QLocale.Language.Chinese:
        return "zh_CN"
    if lang == QLocale.Language.Japanese:
        return "ja"
    return "en"


class LanguageManager(QObject):
    """Installs the studio's and Qt's own translations on the application. GUI thread.

    One per application: use :meth:`for_app`.

    Args:
        i18n_dir: Folder with ``studio_<lang>.qm`` files.
        parent: The application.
    """

    def __init__(self, i18n_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(_OBJECT_NAME)
        self.i18n_dir = i18n_dir
        self._translators: list[QTranslator] = []
        self._current = "en"
        self._setting = SYSTEM

    @classmethod
    def for_app(cls, i18n_dir: Path) -> LanguageManager:
        """The manager of the running application (created on first use). GUI thread."""
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError("create the QApplication first")
        existing = app.findChild(LanguageManager, _OBJECT_NAME)
        if isinstance(existing, LanguageManager):
            existing.i18n_dir = i18n_dir
            return existing
        return cls(i18n_dir, app)

    @property
    def current(self) -> str:
        """The language in use now (one of :data:`SUPPORTED`)."""
        return self._current

    @property
    def setting(self) -> str:
        """The last setting applied (``system`` or a language code)."""
        return self._setting

    def apply(self, code: str) -> str:
        """Switch to the language of setting ``code``; returns the language now in use.

        Missing translation files are logged and English is shown instead of failing.
        """
        self._setting = code if code == SYSTEM or code in SUPPORTED else SYSTEM
        lang = resolve_language(code)
        if lang == self._current and (self._translators or lang == "en"):
            return lang
        app = QCoreApplication.instance()
        assert app is not None
        for translator in self._translators:
            app.removeTranslator(translator)
        self._translators.clear()
        if lang != "en":
            own = QTranslator(self)
            if own.load(f"studio_{lang}", str(self.i18n_dir)):
                app.installTranslator(own)
                self._translators.append(own)
            else:
                log.warning("translation missing", extra={"language": lang, "folder": str(self.i18n_dir)})
            qt_own = QTranslator(self)
            qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
            if qt_own.load(f"qtbase_{lang}", qt_dir):
                app.installTranslator(qt_own)
                self._translators.append(qt_own)
        QLocale.setDefault(QLocale(lang))
        self._current = lang
        log.info("interface language", extra={"language": lang, "setting": code})
        return lang
