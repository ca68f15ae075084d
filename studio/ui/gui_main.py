"""Start the desktop studio: Qt application, qasync loop, engine runtime, main window.

The GUI thread runs Qt with a qasync event loop; the engine runs on its own thread and loop
(``EngineRuntime``). :func:`run` is what ``studio`` / ``studio gui`` calls; tests use
:func:`create_main_window` with a runtime they started themselves.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from dataclasses import dataclass

import qasync
from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from studio.app.container import Container
from studio.app.runtime import EngineRuntime
from studio.core.errors import PortInUseError, StudioError
from studio.ui.bridge import EngineBridge
from studio.ui.i18n.languages import LanguageManager
from studio.ui.main_window import MainWindow
from studio.ui.theme import ThemeManager

log = logging.getLogger(__name__)

APP_NAME = "Cream Studio"


@dataclass(slots=True)
class EngineStart:
    """What starting the engine gave: the runtime (``None`` if it failed) and what went wrong."""

    runtime: EngineRuntime | None
    api_problem: str = ""
    engine_problem: str = ""


def install_ui_managers(container: Container) -> tuple[LanguageManager, ThemeManager]:
    """Install the configured language and theme on the running application. GUI thread."""
    resources = container.paths.resources_dir
    languages = LanguageManager.for_app(resources / "i18n")
    themes = ThemeManager.for_app(resources / "themes")
    languages.apply(container.config.ui.language)
    themes.apply(container.config.ui.theme)
    return languages, themes


def create_main_window(
    container: Container,
    runtime: EngineRuntime | None,
    *,
    stop_engine_on_close: bool = True,
    api_problem: str = "",
    engine_problem: str = "",
) -> MainWindow:
    """Build the main window (not shown) with its bridge, language and theme. GUI thread.

    Args:
        container: The built composition root.
        runtime: A started engine runtime (or ``None`` when the engine could not start).
        stop_engine_on_close: Closing the window stops ``runtime`` (2 s timeout).
        api_problem: Shown in the status bar when the API is not serving.
        engine_problem: Shown in the status bar when the engine could not start.
    """
    languages, themes = install_ui_managers(container)
    bridge = EngineBridge(container, runtime)
    window = MainWindow(
        container,
        bridge,
        languages,
        themes,
        stop_engine_on_close=stop_engine_on_close,
        api_problem=api_problem,
        engine_problem=engine_problem,
    )
    bridge.setParent(window)
    return window


def _reason(exc: BaseException) -> str:
    return exc.user_message if isinstance(exc, StudioError) else f"{type(exc).__name__}: {exc}"


def _engine_failed(exc: BaseException) -> EngineStart:
    log.error("engine failed to start", exc_info=exc)
    QMessageBox.critical(None, QCoreApplication.translate("GuiMain", "Engine failed"), _reason(exc))
    return EngineStart(None, engine_problem=_reason(exc))


def start_engine(container: Container) -> EngineStart:
    """Start the engine runtime (blocking, ~0.2 s), asking what to do if the API port is taken.

    GUI thread, before the event loop runs: the questions are modal message boxes. Never raises:
    without an engine the window still opens and says why.
    """
    runtime = EngineRuntime(container, warm_up_speech=True)
    try:
        runtime.start()
        return EngineStart(runtime)
    except PortInUseError as exc:
        problem = exc.user_message
        if exc.suggestion and _ask_use_port(exc.port, exc.suggestion):
            api = container.config.api.model_copy(update={"port": exc.suggestion})
            try:
                container.config = container.config_store.save_area(container.config, api)
            except StudioError as save_exc:
                log.error("could not save the new port: %s", save_exc)
            runtime = EngineRuntime(container, warm_up_speech=True)
            try:
                runtime.start()
                return EngineStart(runtime)
            except Exception as retry_exc:  # shown to the user; the window still opens
                problem = _reason(retry_exc)
        elif not exc.suggestion:
            QMessageBox.warning(
                None,
                QCoreApplication.translate("GuiMain", "Port in use"),
                QCoreApplication.translate(
                    "GuiMain", "{problem}\n\nThe studio starts without its API."
                ).format(problem=problem),
            )
    except Exception as exc:  # shown to the user; the window still opens
        return _engine_failed(exc)
    # Carry on without the API: the window still works and says why the API is off.
    runtime = EngineRuntime(container, serve_api=False, warm_up_speech=True)
    try:
        runtime.start()
    except Exception as exc:
        return _engine_failed(exc)
    return EngineStart(runtime, problem)


def _ask_use_port(port: int, suggestion: int) -> bool:
    answer = QMessageBox.question(
        None,
        QCoreApplication.translate("GuiMain", "Port in use"),
        QCoreApplication.translate(
            "GuiMain",
            "Port {port} is in use by another program, so the studio's API cannot start there.\n\n"
            "Use the free port {free} instead (saved in Settings)? Choose No to start without the API.",
        ).format(port=port, free=suggestion),
    )
    return answer == QMessageBox.StandardButton.Yes


def _allow_ctrl_c(app: QApplication) -> QTimer:
    """Let Ctrl-C in the terminal quit: Python handles signals only when it gets to run."""
    signal.signal(signal.SIGINT, lambda *_: app.quit())
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)
    timer.start(300)
    return timer


def run(argv: list[str] | None = None) -> int:
    """Run the studio window until it is closed; returns the process exit code. GUI thread."""
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("CreamStudio")
    app.setStyle("Fusion")
    try:
        container = Container.build()
    except StudioError as exc:
        QMessageBox.critical(None, APP_NAME, exc.user_message)
        return 1
    runtime: EngineRuntime | None = None
    clean = True
    try:
        install_ui_managers(container)
        for problem in container.config_problems:
            log.warning("config: %s", problem)
        started = start_engine(container)
        runtime = started.runtime
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        window = create_main_window(
            container, runtime, api_problem=started.api_problem, engine_problem=started.engine_problem
        )
        window.show()
        _allow_ctrl_c(app)
        with loop:
            loop.run_forever()
        window.shutdown()
    finally:
        if runtime is not None:
            clean = runtime.stop(timeout=2.0)
        container.close()
    return 0 if clean else 1
