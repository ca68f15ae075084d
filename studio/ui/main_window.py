"""The studio's main window: avatar stage in the middle, docks around it, menus and status bar.

Everything the engine says arrives through :class:`~studio.ui.bridge.EngineBridge` signals.
Errors take one path, :meth:`MainWindow.show_error`: status bar message, a non-modal
notification and a line in the Log dock.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, QUrl
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QMessageBox, QWidget

from studio.core.errors import ConfigError
from studio.core.events import ConfigChangedEvent
from studio.ui.avatar_loader import AvatarLoader
from studio.ui.avatar_view import AvatarScene, AvatarStage
from studio.ui.avatar_window import AvatarWindow
from studio.ui.dialogs.avatar_library_dialog import AvatarLibraryDialog
from studio.ui.dialogs.settings_dialog import SettingsDialog
from studio.ui.i18n.languages import NATIVE_NAMES, SUPPORTED, LanguageManager
from studio.ui.panels.chat_panel import ChatPanel
from studio.ui.panels.log_panel import LogPanel
from studio.ui.panels.stream_panel import StreamPanel
from studio.ui.panels.voice_panel import VoicePanel
from studio.ui.theme import THEMES, ThemeManager
from studio.ui.widgets.notification import Notification
from studio.ui.widgets.status_bar import StudioStatusBar
from studio.ui.window_state import restore_window_state, save_window_state

if TYPE_CHECKING:
    from studio.app.container import Container
    from studio.core.logging import LogEntry
    from studio.ui.bridge import EngineBridge

log = logging.getLogger(__name__)

_LIVE_STATES = ("connecting", "live", "reconnecting")


class MainWindow(QMainWindow):
    """The studio window. GUI thread.

    Args:
        container: The composition root (config, paths, bus).
        bridge: The GUI's only link to the engine.
        languages: Installs translations.
        themes: Applies colours.
        stop_engine_on_close: Stop the engine runtime (2 s timeout) when the window closes.
        api_problem: Why the API is not serving, if startup already knows (shown in the status bar).
        engine_problem: Why the engine could not start (shown in the status bar).
    """

    def __init__(
        self,
        container: Container,
        bridge: EngineBridge,
        languages: LanguageManager,
        themes: ThemeManager,
        *,
        stop_engine_on_close: bool = True,
        api_problem: str = "",
        engine_problem: str = "",
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.container = container
        self.bridge = bridge
        self._languages = languages
        self._themes = themes
        self._stop_engine_on_close = stop_engine_on_close
        self._settings_dialog: SettingsDialog | None = None
        self._shut_down = False

        self.scene = AvatarScene(container.paths.resources_dir, container.clock, self)
        self.avatar_window: AvatarWindow | None = None
        self.stage = AvatarStage(self.scene, self)
        self.stage.setObjectName("avatarStage")
        self.setCentralWidget(self.stage)
        self.chat_panel = ChatPanel(container, bridge)
        self.voice_panel = VoicePanel(container, bridge)
        self.stream_panel = StreamPanel(container, bridge, self.scene)
        self.log_panel = LogPanel()
        self.docks: dict[str, QDockWidget] = {
            "chatDock": self._add_dock("chatDock", self.chat_panel, Qt.DockWidgetArea.LeftDockWidgetArea),
            "voiceDock": self._add_dock("voiceDock", self.voice_panel, Qt.DockWidgetArea.RightDockWidgetArea),
            "streamDock": self._add_dock(
                "streamDock", self.stream_panel, Qt.DockWidgetArea.RightDockWidgetArea
            ),
            "logDock": self._add_dock("logDock", self.log_panel, Qt.DockWidgetArea.BottomDockWidgetArea),
        }
        self.status = StudioStatusBar(self)
        self.setStatusBar(self.status)
        self.notification = Notification(self)
        self._build_menus()

        if engine_problem and bridge.runtime is None:
            self.status.set_engine_state("failed", engine_problem)
        else:
            self.status.set_engine_state(bridge.engine_status())
        url = bridge.api_url()
        if url:
            self.status.set_api_state("listening", url)
        elif api_problem:
            self.status.set_api_state("failed", "", api_problem)
        bridge.engine_state.connect(self.status.set_engine_state)
        bridge.api_state.connect(self.status.set_api_state)
        bridge.stream_state.connect(self.status.set_stream_state)
        bridge.error.connect(self.show_error)
        bridge.config_changed.connect(self._on_config_changed)
        bridge.api_port_conflict.connect(self._on_api_port_conflict)
        bridge.log_entry.connect(self._on_log_entry)
        self.log_panel.load(bridge.log_snapshot())
        self.avatar_loader = AvatarLoader(
            self.scene, container, bridge, self.show_error, lambda: self._shut_down
        )
        self.avatar_loader.request()

        self.resize(1280, 800)
        restore_window_state(self, container.paths.config_dir)
        self.apply_ui_settings()
        self.retranslate_ui()

    # ---- building ---------------------------------------------------------------------------

    def _add_dock(self, name: str, panel: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(self)
        dock.setObjectName(name)
        dock.setWidget(panel)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(area, dock)
        return dock

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = QMenu(self)
        self.file_menu.setObjectName("fileMenu")
        self.settings_action = QAction(self, shortcut=QKeySequence(QKeySequence.StandardKey.Preferences))
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.settings_action.triggered.connect(self.open_settings)
        self.quit_action = QAction(self, shortcut=QKeySequence(QKeySequence.StandardKey.Quit))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)
        self.avatar_library_action = QAction(self)
        self.avatar_library_action.setObjectName("avatarLibraryAction")
        self.avatar_library_action.triggered.connect(self.open_avatar_library)
        self.file_menu.addAction(self.avatar_library_action)
        self.file_menu.addAction(self.settings_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)

        self.view_menu = QMenu(self)
        self.view_menu.setObjectName("viewMenu")
        for dock in self.docks.values():
            self.view_menu.addAction(dock.toggleViewAction())
        self.view_menu.addSeparator()
        self.avatar_window_action = QAction(self)
        self.avatar_window_action.setObjectName("avatarWindowAction")
        self.avatar_window_action.triggered.connect(self.open_avatar_window)
        self.view_menu.addAction(self.avatar_window_action)
        self.view_menu.addSeparator()
        self.theme_menu = self.view_menu.addMenu("")
        self.theme_menu.setObjectName("themeMenu")
        self._theme_group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for theme in THEMES:
            action = QAction(self, checkable=True)
            action.setData(theme)
            action.triggered.connect(lambda _checked=False, t=theme: self.set_theme(t))
            self._theme_group.addAction(action)
            self.theme_menu.addAction(action)
            self.theme_actions[theme] = action
        self.language_menu = self.view_menu.addMenu("")
        self.language_menu.setObjectName("languageMenu")
        self._language_group = QActionGroup(self)
        self.language_actions: dict[str, QAction] = {}
        for code in ("system", *SUPPORTED):
            action = QAction(self, checkable=True)
            action.setData(code)
            action.triggered.connect(lambda _checked=False, c=code: self.set_language(c))
            self._language_group.addAction(action)
            self.language_menu.addAction(action)
            self.language_actions[code] = action

        self.help_menu = QMenu(self)
        self.help_menu.setObjectName("helpMenu")
        self.about_action = QAction(self)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self.show_about)
        self.open_logs_action = QAction(self)
        self.open_logs_action.triggered.connect(self.open_log_folder)
        self.help_menu.addAction(self.open_logs_action)
        self.help_menu.addSeparator()
        self.help_menu.addAction(self.about_action)

        for menu in (self.file_menu, self.view_menu, self.help_menu):
            bar.addMenu(menu)

    # ---- language and theme -----------------------------------------------------------------

    def apply_ui_settings(self) -> None:
        """Apply ``ui.language`` and ``ui.theme`` from the config (idempotent)."""
        ui = self.container.config.ui
        self._languages.apply(ui.language)
        self._themes.apply(ui.theme)
        self.language_actions.get(ui.language, self.language_actions["system"]).setChecked(True)
        self.theme_actions.get(ui.theme, self.theme_actions["system"]).setChecked(True)

    def set_language(self, code: str) -> None:
        """Switch the interface language now and save it as ``ui.language``."""
        self._save_ui(language=code)

    def set_theme(self, theme: str) -> None:
        """Switch colours now and save them as ``ui.theme``."""
        self._save_ui(theme=theme)

    def _save_ui(self, **changes: str) -> None:
        container = self.container
        ui = container.config.ui.model_copy(update=changes)
        try:
            container.config = container.config_store.save_area(container.config, ui)
        except ConfigError as exc:
            container.config = container.config.model_copy(update={"ui": ui})
            self.bridge.report_error("settings", exc.user_message)
        self.apply_ui_settings()
        container.bus.publish_threadsafe(ConfigChangedEvent(area="ui"))

    def _on_config_changed(self, area: str) -> None:
        if area == "ui":
            self.apply_ui_settings()

    # ---- actions ----------------------------------------------------------------------------

    def open_settings(self) -> SettingsDialog:
        """Show the settings dialog (non-blocking) and return it."""
        if self._settings_dialog is None:
            self._settings_dialog = SettingsDialog(self.container, self.bridge, self)
        else:
            self._settings_dialog.load()
        self._settings_dialog.show()
        self._settings_dialog.raise_()
        self._settings_dialog.activateWindow()
        return self._settings_dialog

    def open_avatar_library(self) -> AvatarLibraryDialog:
        """Show the avatar library (import, rename, remove, choose the avatar) and return it."""
        dialog = AvatarLibraryDialog(self.container, self.show_error, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def open_avatar_window(self) -> AvatarWindow:
        """Show the avatar window for OBS capture (one; raised if already open) and return it."""
        if self.avatar_window is None:
            self.avatar_window = AvatarWindow.from_config(self.scene, self.container, self.stage.view)
            self.avatar_window.centre_on_screen()
        self.avatar_window.show()
        self.avatar_window.raise_()
        return self.avatar_window

    def show_about(self) -> None:
        """Show the About box."""
        QMessageBox.about(
            self,
            self.tr("About Cream Studio"),
            self.tr(
                "<h3>Cream Studio {version}</h3><p>An AI VTuber studio: avatar, voice, chat and "
                "live streaming on your own computer.</p><p>Settings: {config}<br>Logs: {logs}</p>"
            ).format(
                version=self.container.version,
                config=self.container.paths.config_file,
                logs=self.container.paths.log_dir,
            ),
        )

    def open_log_folder(self) -> None:
        """Open the folder with the log files in the system's file manager."""
        folder = self.container.paths.log_dir
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            self.show_error("logs", self.tr("Could not open {folder}").format(folder=folder))

    # ---- engine signals ---------------------------------------------------------------------

    def show_error(self, source: str, message: str) -> None:
        """The single path for errors: status bar, a non-modal notification and the Log dock."""
        self.status.showMessage(f"{source}: {message}", 15000)
        self.notification.show_message(source, message)
        self.log_panel.append_error(source, message)

    def _on_log_entry(self, entry: LogEntry) -> None:
        self.log_panel.append_entry(entry)

    def _on_api_port_conflict(self, port: int, suggestion: int) -> None:
        if not suggestion:
            self.show_error("api", self.tr("Port {port} is in use by another program.").format(port=port))
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Port in use"),
            self.tr("Port {port} is in use by another program. Use the free port {free} instead?").format(
                port=port, free=suggestion
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setObjectName("portConflictBox")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda result: self._use_port(suggestion, result))
        box.open()

    def _use_port(self, port: int, result: int) -> None:
        if result != QMessageBox.StandardButton.Yes:
            return
        container = self.container
        api = container.config.api.model_copy(update={"port": port})
        try:
            container.config = container.config_store.save_area(container.config, api)
        except ConfigError as exc:
            self.bridge.report_error("settings", exc.user_message)
            return
        container.bus.publish_threadsafe(ConfigChangedEvent(area="api"))
        self.bridge.restart_api()

    # ---- language change and closing --------------------------------------------------------

    def retranslate_ui(self) -> None:
        """Re-read every text in the current language."""
        self.setWindowTitle(self.tr("Cream Studio"))
        self.docks["chatDock"].setWindowTitle(self.tr("Chat / Script"))
        self.docks["voiceDock"].setWindowTitle(self.tr("Voice"))
        self.docks["streamDock"].setWindowTitle(self.tr("Stream"))
        self.docks["logDock"].setWindowTitle(self.tr("Log"))
        self.file_menu.setTitle(self.tr("&File"))
        self.settings_action.setText(self.tr("&Settings…"))
        self.avatar_library_action.setText(self.tr("Avatar &Library…"))
        self.quit_action.setText(self.tr("&Quit"))
        self.view_menu.setTitle(self.tr("&View"))
        self.avatar_window_action.setText(self.tr("&Avatar Window (for OBS)"))
        self.theme_menu.setTitle(self.tr("&Theme"))
        self.theme_actions["system"].setText(self.tr("Follow the system"))
        self.theme_actions["light"].setText(self.tr("Light"))
        self.theme_actions["dark"].setText(self.tr("Dark"))
        self.language_menu.setTitle(self.tr("&Language"))
        self.language_actions["system"].setText(self.tr("System default"))
        for code in SUPPORTED:
            self.language_actions[code].setText(NATIVE_NAMES[code])
        self.help_menu.setTitle(self.tr("&Help"))
        self.open_logs_action.setText(self.tr("Open &Log Folder"))
        self.about_action.setText(self.tr("&About Cream Studio"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if (
            not self._shut_down
            and self.status.stream_state in _LIVE_STATES
            and self.container.config.ui.confirm_on_quit_while_live
        ):
            answer = QMessageBox.question(
                self, self.tr("Quit while live?"), self.tr("You are live. Stop the stream and quit?")
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self.shutdown()
        event.accept()

    def shutdown(self) -> None:
        """Save the layout, disconnect from the engine and stop it (2 s at most). Idempotent."""
        if self._shut_down:
            return
        self._shut_down = True
        save_window_state(self, self.container.paths.config_dir)
        if self._settings_dialog is not None:
            self._settings_dialog.close()
        if self.avatar_window is not None:
            self.avatar_window.close()
            self.avatar_window.deleteLater()
            self.avatar_window = None
        self.stage.view.release_renderer()
        self.bridge.close()
        runtime = self.bridge.runtime
        if self._stop_engine_on_close and runtime is not None and not runtime.stop(timeout=2.0):
            log.error("engine did not stop within 2 s")
