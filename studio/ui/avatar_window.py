"""The avatar window for OBS: the avatar alone, frameless, on a chroma-key colour or transparent.

OBS captures it by its title ("Cream Studio — Avatar"). The right-click menu switches the size
(720p / 1080p), the background (chroma green, blue or magenta, a custom colour, transparent where
the window system composites alpha, the avatar's image) and always-on-top; dragging moves it.
GUI thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QColor,
    QContextMenuEvent,
    QGuiApplication,
    QShowEvent,
)
from PySide6.QtWidgets import QColorDialog, QMenu, QVBoxLayout, QWidget

from studio.avatar.settings import Background
from studio.core.errors import StudioError
from studio.core.events import ConfigChangedEvent
from studio.ui.avatar_view import AvatarScene, AvatarView

if TYPE_CHECKING:
    from studio.app.container import Container

__all__ = ["CHROMA_COLOURS", "SIZE_PRESETS", "AvatarWindow", "background_from_setting", "background_setting"]

SIZE_PRESETS: Final[dict[str, QSize]] = {"720p": QSize(1280, 720), "1080p": QSize(1920, 1080)}
CHROMA_COLOURS: Final[dict[str, str]] = {"green": "#00FF00", "blue": "#0000FF", "magenta": "#FF00FF"}


def background_from_setting(text: str) -> Background | None:
    """``[avatar] window_background`` as a background: ``""`` (the avatar's own), ``transparent``
    or a ``#RRGGBB`` chroma colour; anything else is the avatar's own."""
    if text.strip().lower() == "transparent":
        return Background(mode="transparent")
    try:
        return Background(mode="chroma", color=text.strip()) if text.strip() else None
    except ValueError:
        return None


def background_setting(background: Background | None) -> str:
    """The ``[avatar] window_background`` text of a window background (see above)."""
    if background is None or background.mode == "image":
        return ""
    return "transparent" if background.mode == "transparent" else background.color


class AvatarWindow(QWidget):
    """A top-level window showing the scene for capture.

    Args:
        scene: The avatar to show (shared with the main window's stage).
        frameless: No title bar (drag the avatar to move the window).
        always_on_top: Stay above other windows.
        preset: ``720p`` or ``1080p``.
        background: Start with this background (``None``: the avatar's setting).
        stage: A view to give the Live2D model back to when this window closes.

    Signals:
        closed(): the window was closed (its renderer is released by then).
        settings_changed(): the size, background or always-on-top changed.
    """

    closed = Signal()
    settings_changed = Signal()

    def __init__(
        self,
        scene: AvatarScene,
        *,
        frameless: bool = True,
        always_on_top: bool = False,
        preset: str = "720p",
        background: Background | None = None,
        stage: AvatarView | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("avatarWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.scene = scene
        self._stage = stage
        self.view = AvatarView(scene, self, background=background)
        self.view.setObjectName("avatarWindowView")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.setWindowFlag(Qt.WindowType.FramelessWindowHint, frameless)
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, always_on_top)
        self.preset = ""
        self._build_menu()
        self.set_background(background)
        self.set_preset(preset)
        if scene.kind == "live2d":
            scene.claim_live2d(self.view)
        self.retranslate_ui()

    # ---- menu ----

    def _build_menu(self) -> None:
        self.menu = QMenu(self)
        self.menu.setObjectName("avatarWindowMenu")
        self.size_menu = self.menu.addMenu("")
        size_group = QActionGroup(self)
        self.size_actions: dict[str, QAction] = {}
        for name in SIZE_PRESETS:
            action = QAction(self, checkable=True)
            action.triggered.connect(lambda _c=False, n=name: self.set_preset(n))
            size_group.addAction(action)
            self.size_menu.addAction(action)
            self.size_actions[name] = action
        self.background_menu = self.menu.addMenu("")
        bg_group = QActionGroup(self)
        self.background_actions: dict[str, QAction] = {}

        def add_bg(key: str, choose: object) -> None:
            action = QAction(self, checkable=True)
            action.triggered.connect(choose)
            bg_group.addAction(action)
            self.background_menu.addAction(action)
            self.background_actions[key] = action

        add_bg("avatar", lambda _c=False: self.set_background(None))
        for name, colour in CHROMA_COLOURS.items():
            add_bg(name, lambda _c=False, c=colour: self.set_background(Background(mode="chroma", color=c)))
        add_bg("custom", lambda _c=False: self.choose_colour())
        add_bg("transparent", lambda _c=False: self.set_background(Background(mode="transparent")))
        self.menu.addSeparator()
        self.on_top_action = QAction(self, checkable=True)
        self.on_top_action.setChecked(bool(self.windowFlags() & Qt.WindowType.WindowStaysOnTopHint))
        self.on_top_action.toggled.connect(self.set_always_on_top)
        self.menu.addAction(self.on_top_action)
        self.close_action = QAction(self)
        self.close_action.triggered.connect(self.close)
        self.menu.addAction(self.close_action)

    def retranslate_ui(self) -> None:
        """Texts in the current language (the title stays what OBS looks for)."""
        self.setWindowTitle("Cream Studio — Avatar")
        self.size_menu.setTitle(self.tr("Size"))
        self.size_actions["720p"].setText(self.tr("1280 × 720 (720p)"))
        self.size_actions["1080p"].setText(self.tr("1920 × 1080 (1080p)"))
        self.background_menu.setTitle(self.tr("Background"))
        self.background_actions["avatar"].setText(self.tr("The avatar's setting"))
        self.background_actions["green"].setText(self.tr("Chroma key green"))
        self.background_actions["blue"].setText(self.tr("Chroma key blue"))
        self.background_actions["magenta"].setText(self.tr("Chroma key magenta"))
        self.background_actions["custom"].setText(self.tr("Custom colour…"))
        self.background_actions["transparent"].setText(self.tr("Transparent"))
        self.on_top_action.setText(self.tr("Always on top"))
        self.close_action.setText(self.tr("Close"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        self.menu.popup(event.globalPos())
        event.accept()

    # ---- settings ----

    def set_preset(self, name: str) -> None:
        """Resize to a preset (``720p`` or ``1080p``), in logical pixels."""
        size = SIZE_PRESETS[name]
        self.preset = name
        self.size_actions[name].setChecked(True)
        self.setFixedSize(size)
        self.settings_changed.emit()

    def set_background(self, background: Background | None) -> None:
        """Chroma colour, transparent or image (``None``: the avatar's own setting)."""
        self.view.set_background(background)
        bg = self.view.background
        transparent = bg.mode == "transparent"
        # Alpha reaches the screen only where a compositor runs; otherwise it shows as black.
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground, transparent)
        self.view.setAttribute(Qt.WidgetAttribute.WA_AlwaysStackOnTop, transparent)
        key = "avatar" if background is None else "transparent" if transparent else "custom"
        if background is not None and bg.mode == "chroma":
            key = next((n for n, c in CHROMA_COLOURS.items() if c == bg.color), "custom")
        self.background_actions[key].setChecked(True)
        self.settings_changed.emit()

    def choose_colour(self) -> None:
        """Pick any chroma-key colour."""
        colour = QColorDialog.getColor(QColor(self.view.background.color), self, self.tr("Chroma key colour"))
        if colour.isValid():
            self.set_background(Background(mode="chroma", color=colour.name().upper()))
        else:
            self.set_background(self.view.background_override)

    def set_always_on_top(self, on: bool) -> None:
        """Keep the window above others (re-shows it, as changing window flags hides it)."""
        visible = self.isVisible()
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, on)
        if self.on_top_action.isChecked() != on:
            self.on_top_action.setChecked(on)
        if visible:
            self.show()
        self.settings_changed.emit()

    @classmethod
    def from_config(cls, scene: AvatarScene, container: Container, stage: AvatarView | None) -> AvatarWindow:
        """A window with the ``[avatar]`` size, background and on-top, saving their changes there."""
        area = container.config.avatar
        window = cls(
            scene,
            always_on_top=area.window_on_top,
            preset=area.window_size,
            background=background_from_setting(area.window_background),
            stage=stage,
        )

        def save() -> None:
            current = container.config.avatar
            changes = {
                "window_size": window.preset,
                "window_background": background_setting(window.view.background_override),
                "window_on_top": bool(window.windowFlags() & Qt.WindowType.WindowStaysOnTopHint),
            }
            if all(getattr(current, k) == v for k, v in changes.items()):
                return
            try:
                container.config = container.config_store.save_area(
                    container.config, current.model_copy(update=changes)
                )
            except StudioError:
                return  # keeps working with the unsaved values; the settings dialog shows problems
            container.bus.publish_threadsafe(ConfigChangedEvent(area="avatar"))

        window.settings_changed.connect(save)
        return window

    def centre_on_screen(self) -> None:
        """Place the window in the middle of the primary screen."""
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            self.move(screen.availableGeometry().center() - self.rect().center())

    def showEvent(self, event: QShowEvent) -> None:
        if self.view.renderer is None and self.view.context() is not None:
            self.view.reload()  # shown again after a close released the renderer
        super().showEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.view.release_renderer()
        self.scene.give_back_live2d(self.view, self._stage)
        super().closeEvent(event)
        self.closed.emit()
