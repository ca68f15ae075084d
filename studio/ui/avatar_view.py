"""The avatar on screen: :class:`AvatarScene` (what to draw) and :class:`AvatarView` (a QOpenGLWidget).

One renderer per GL context: every :class:`AvatarView` makes its own renderer from the scene.
live2d-py keeps its shaders process-wide, so only one view at a time may show a Live2D model:
the scene hands that right out (:meth:`AvatarScene.claim_live2d`); the other views draw the
background only. The built-in PNGTuber avatar has no such limit.

Cleanup: the renderer's GL resources are freed on the context's ``aboutToBeDestroyed`` with the
context made current (``makeCurrent -> release -> doneCurrent``), never after it is gone.

GUI thread only. The director's :meth:`~studio.avatar.director.AvatarDirector.frame_state` is
lock-free and called here every frame; taps go to the engine loop through ``engine_call``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QMouseEvent,
    QOffscreenSurface,
    QOpenGLContext,
    QPainter,
    QSurfaceFormat,
    QWheelEvent,
)
from PySide6.QtOpenGLWidgets import QOpenGLWidget
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from studio.avatar.render.base import AvatarRenderer
from studio.avatar.settings import AvatarSettings, Background
from studio.avatar.state import AvatarState

if TYPE_CHECKING:
    from studio.app.avatar import AvatarSession
    from studio.avatar.director import AvatarDirector
    from studio.avatar.library import Avatar
    from studio.core.clock import MediaClock

log = logging.getLogger(__name__)

__all__ = ["AvatarScene", "AvatarStage", "AvatarView", "gl_surface_format"]

_FRAME_MS = 16  # ~60 fps
_DEFAULT_TAP = "Hop"  # PNGTuber motion when a hit area has no configured motion
_PNGTUBER_TAPS = {"Head": "Nod", "Body": "Hop"}


def gl_surface_format() -> QSurfaceFormat:
    """A compatibility-profile format with alpha (Live2D and the PNGTuber need compat; core breaks)."""
    fmt = QSurfaceFormat.defaultFormat()
    fmt.setRenderableType(QSurfaceFormat.RenderableType.OpenGL)
    fmt.setProfile(QSurfaceFormat.OpenGLContextProfile.CompatibilityProfile)
    fmt.setAlphaBufferSize(8)
    return fmt


class _Holder:
    """The view's renderer and what its context cleanup needs, reachable without the widget."""

    __slots__ = ("context", "renderer", "surface")

    def __init__(self) -> None:
        self.renderer: AvatarRenderer | None = None
        self.context = 0  # the C++ address of the view's QOpenGLContext
        self.surface: QOffscreenSurface | None = None


def _release_in(holder: _Holder) -> None:
    """``aboutToBeDestroyed``: makeCurrent -> release -> doneCurrent.

    Qt emits it from the widget's (or context's) destructor, when PySide already refuses calls
    through the widget's and the context's Python wrappers; the context is re-wrapped from its
    address (still alive: it is being destroyed) and made current on an offscreen surface of
    the same format.
    """
    renderer, holder.renderer = holder.renderer, None
    surface, holder.surface = holder.surface, None
    if renderer is None or not holder.context:
        return
    context = shiboken6.wrapInstance(holder.context, QOpenGLContext)
    if surface is None or not context.makeCurrent(surface):
        log.warning("cannot make the avatar's GL context current at its destruction; its resources leak")
        return
    try:
        renderer.release()
    except Exception:
        log.exception("releasing the avatar renderer failed")
    finally:
        context.doneCurrent()


class AvatarScene(QObject):
    """The avatar all views show: model, settings, director and media clock. GUI thread.

    Args:
        resources_dir: Where the built-in avatar lives (``StudioPaths.resources_dir``).
        clock: The media clock the director's lip-sync is keyed to (``None``: wall time).

    Signals:
        avatar_changed(): another avatar (or its settings) is shown: views reload.
        session_ready(object): a future with the engine's avatar session (emit from any thread).
    """

    avatar_changed = Signal()
    session_ready = Signal(object)

    def __init__(self, resources_dir: Path, clock: MediaClock | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.resources_dir = resources_dir
        self.clock = clock
        self.avatar: Avatar | None = None  # None: the built-in avatar, before the engine answers
        self.settings = AvatarSettings()
        self.library_root: Path | None = None
        self.director: AvatarDirector | None = None
        self.engine_call: Callable[[Callable[[], None]], None] | None = None
        self.last_tap: tuple[list[str], str | None] | None = None
        self._t0 = time.monotonic()
        self._live2d_owner: AvatarView | None = None
        self.live2d_lent = False
        """The broadcast's headless stage holds the Live2D model: no view may draw it."""

    @property
    def kind(self) -> str:
        """``pngtuber`` or ``live2d``."""
        return self.avatar.kind if self.avatar is not None else "pngtuber"

    def set_session(self, session: AvatarSession, engine_call: Callable[[Callable[[], None]], None]) -> None:
        """Show the engine's avatar session (GUI thread)."""
        old = (self.avatar.id, self.avatar.settings) if self.avatar is not None else None
        self.avatar = session.avatar
        self.settings = session.avatar.settings
        self.library_root = session.library.root
        self.director = session.director
        self.engine_call = engine_call
        if old != (session.avatar.id, session.avatar.settings) and not (
            old is None and session.avatar.builtin
        ):
            self.avatar_changed.emit()

    def make_renderer(self) -> AvatarRenderer:
        """A new renderer for the current avatar (any thread; GL work happens in ``load``)."""
        avatar = self.avatar
        if avatar is not None and avatar.kind == "live2d" and avatar.model_file is not None:
            from studio.avatar.render.live2d import Live2DRenderer

            config = self.director.config if self.director is not None else None
            return Live2DRenderer(
                avatar.model_file,
                lip_sync_ids=self.settings.lip_sync_ids,
                auto_blink=config.auto_blink if config else True,
                auto_breath=config.auto_breath if config else True,
                idle_motions=False,  # the director schedules idle motions
            )
        from studio.avatar.render.pngtuber import PngTuberRenderer

        folder = None if avatar is None or avatar.builtin else avatar.folder
        return PngTuberRenderer(folder, resources_dir=self.resources_dir)

    def frame_state(self) -> AvatarState:
        """The state for a frame drawn now (mouth from lip-sync at the media clock's pts)."""
        if self.director is None:
            return AvatarState()
        clock = self.clock
        pts = clock.now() if clock is not None else time.monotonic() - self._t0
        return self.director.frame_state(pts)

    def background_image(self) -> Path | None:
        """The image file of an ``image`` background, if it exists."""
        bg = self.settings.background
        if bg.mode != "image" or not bg.image or self.library_root is None:
            return None
        path = self.library_root / bg.image
        return path if path.is_file() else None

    def tap(self, areas: list[str]) -> str | None:
        """Hit areas were clicked: play the motion bound to the first one (engine loop). Returns it."""
        group: str | None = None
        for area in areas:
            group = self.settings.hit_motions.get(area)
            if group is None and self.kind == "pngtuber":
                group = _PNGTUBER_TAPS.get(area, _DEFAULT_TAP)
            if group:
                break
        self.last_tap = (areas, group)
        director, call = self.director, self.engine_call
        if group and director is not None and call is not None:
            call(lambda: director.play_motion(group))
        return group

    # ---- the Live2D right ----

    def claim_live2d(self, view: AvatarView) -> None:
        """``view`` shows the Live2D model from now on; the previous holder drops its renderer."""
        previous, self._live2d_owner = self._live2d_owner, view
        if previous is not None and previous is not view:
            previous.release_renderer()  # now: its shaders must be gone before ours are made
            previous.reload()
        view.reload()

    def give_back_live2d(self, view: AvatarView, to: AvatarView | None) -> None:
        """``view`` is done with Live2D (closing): ``to`` (e.g. the stage) may show it again."""
        if self._live2d_owner is view:
            self._live2d_owner = to
            if to is not None:
                to.reload()

    def lend_live2d(self) -> None:
        """The broadcast renders the model now: the holding view frees it at once (GUI thread)."""
        self.live2d_lent = True
        owner = self._live2d_owner
        if owner is not None:
            owner.release_renderer()
            owner.reload()  # draws the background only until the model comes back

    def return_live2d(self) -> None:
        """The broadcast has freed the model: the holding view shows it again (GUI thread)."""
        if self.live2d_lent:
            self.live2d_lent = False
            if self._live2d_owner is not None:
                self._live2d_owner.reload()

    def may_draw(self, view: AvatarView) -> bool:
        """Whether ``view`` may create a renderer now."""
        if self.kind != "live2d":
            return True
        if self.live2d_lent:
            return False
        if self._live2d_owner is None:
            self._live2d_owner = view
        return self._live2d_owner is view


class AvatarView(QOpenGLWidget):
    """Draws the scene's avatar over its background at ~60 fps. GUI thread.

    Mouse: drag moves the window when it is frameless, the wheel scales the avatar, a click on
    the avatar plays the motion bound to the hit area (through the director).

    Args:
        scene: What to draw.
        background: Overrides the avatar's background setting (``None``: use the setting).

    Signals:
        load_failed(str): the renderer could not load (the message).
    """

    load_failed = Signal(str)

    def __init__(
        self, scene: AvatarScene, parent: QWidget | None = None, *, background: Background | None = None
    ):
        super().__init__(parent)
        self.setFormat(gl_surface_format())
        self.setMinimumSize(64, 64)
        self.scene = scene
        self.background_override = background
        self.zoom = 1.0
        self._holder = _Holder()
        self.frames = 0
        self.error = ""
        self._last = time.monotonic()
        self._loaded_size = (0, 0)
        self._image: tuple[Path, QImage] | None = None
        self._press: QPoint | None = None
        self._window_origin: QPoint | None = None
        self._moved = False
        self._needs_reload = False
        self._timer = QTimer(self)
        self._timer.setInterval(_FRAME_MS)
        self._timer.timeout.connect(self.update)
        self._timer.start()
        scene.avatar_changed.connect(self.reload)

    # ---- public ----

    @property
    def renderer(self) -> AvatarRenderer | None:
        """The renderer of this view's context (``None`` before the first frame or after release)."""
        return self._holder.renderer

    @renderer.setter
    def renderer(self, renderer: AvatarRenderer | None) -> None:
        self._holder.renderer = renderer

    @property
    def background(self) -> Background:
        """The background drawn behind the avatar."""
        return self.background_override or self.scene.settings.background

    def set_background(self, background: Background | None) -> None:
        """Override the background (``None``: back to the avatar's setting)."""
        self.background_override = background
        self.update()

    def reload(self) -> None:
        """Drop the renderer and make a new one for the scene's avatar on the next frame."""
        self._needs_reload = True
        self.update()

    def pixel_size(self) -> tuple[int, int]:
        """The framebuffer size in device pixels."""
        dpr = self.devicePixelRatioF()
        return max(1, round(self.width() * dpr)), max(1, round(self.height() * dpr))

    def release_renderer(self) -> None:
        """Free the renderer's GL resources now (makes the context current). Idempotent."""
        renderer, self.renderer = self.renderer, None
        if renderer is None or self.context() is None:
            return
        self.makeCurrent()
        try:
            renderer.release()
        except Exception:
            log.exception("releasing the avatar renderer failed")
        finally:
            self.doneCurrent()

    # ---- GL ----

    def initializeGL(self) -> None:
        context = self.context()
        holder = self._holder
        holder.context = shiboken6.getCppPointer(context)[0]
        surface = QOffscreenSurface()
        surface.setFormat(context.format())
        surface.create()
        holder.surface = surface
        # A closure that touches neither the widget nor its wrapper: Qt emits this from the
        # widget's destructor too, when the Python wrapper is already unusable.
        context.aboutToBeDestroyed.connect(lambda: _release_in(holder), Qt.ConnectionType.DirectConnection)
        self._load()

    def _load(self) -> None:
        self.renderer = None
        self.error = ""
        if not self.scene.may_draw(self):
            return
        width, height = self.pixel_size()
        try:
            renderer = self.scene.make_renderer()
            renderer.load(width, height)
        except Exception as exc:
            self.error = str(exc) or type(exc).__name__
            log.warning("the avatar could not be loaded: %s", self.error)
            self.load_failed.emit(self.error)
            return
        self.renderer = renderer
        self._loaded_size = (width, height)
        self._last = time.monotonic()

    def resizeGL(self, w: int, h: int) -> None:
        size = self.pixel_size()
        if self.renderer is not None and size != self._loaded_size:
            self.renderer.resize(*size)
            self._loaded_size = size

    def paintGL(self) -> None:
        from studio.avatar.render.gl import GL

        if self._needs_reload:
            self._needs_reload = False
            if self.renderer is not None:
                try:
                    self.renderer.release()
                except Exception:
                    log.exception("releasing the avatar renderer failed")
            self._load()
        size = self.pixel_size()
        if self.renderer is not None and size != self._loaded_size:
            self.renderer.resize(*size)
            self._loaded_size = size
        self._clear()
        now = time.monotonic()
        dt, self._last = min(max(now - self._last, 0.0), 0.1), now
        renderer = self.renderer
        if renderer is not None:
            state = self.scene.frame_state()
            s = self.scene.settings
            state = replace(state, scale=state.scale * s.scale * self.zoom, offset=(s.offset_x, s.offset_y))
            try:
                GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, self.defaultFramebufferObject())
                renderer.update(dt, state)
                GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, self.defaultFramebufferObject())
                renderer.draw()
            except Exception as exc:
                self.error = str(exc) or type(exc).__name__
                log.exception("drawing the avatar failed; it is switched off in this view")
                self.renderer = None
                try:
                    renderer.release()
                except Exception:
                    log.debug("release after a draw failure failed too", exc_info=True)
                self.load_failed.emit(self.error)
        self.frames += 1  # no per-frame signal: PySide's emit from paintGL at 60 fps broke finalisation

    def _clear(self) -> None:
        from studio.avatar.render.gl import GL

        bg = self.background
        width, height = self.pixel_size()
        GL.glViewport(0, 0, width, height)
        if bg.mode == "transparent":
            GL.glClearColor(0.0, 0.0, 0.0, 0.0)
        else:
            color = QColor(bg.color)
            GL.glClearColor(color.redF(), color.greenF(), color.blueF(), 1.0)
        GL.glClear(GL.GL_COLOR_BUFFER_BIT)
        if bg.mode == "image":
            image = self._background_image()
            if image is not None:
                painter = QPainter(self)
                try:
                    painter.drawImage(QRect(0, 0, self.width(), self.height()), image)
                finally:
                    painter.end()

    def _background_image(self) -> QImage | None:
        path = self.scene.background_image()
        if path is None:
            return None
        if self._image is None or self._image[0] != path:
            image = QImage(str(path))
            if image.isNull():
                return None
            self._image = (path, image)
        return self._image[1]

    # ---- mouse ----

    def _frameless(self) -> bool:
        return bool(self.window().windowFlags() & Qt.WindowType.FramelessWindowHint)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.globalPosition().toPoint()
            self._window_origin = self.window().pos()
            self._moved = False
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is not None and self._window_origin is not None:
            delta = event.globalPosition().toPoint() - self._press
            if delta.manhattanLength() > 4:
                self._moved = True
            if self._moved and self._frameless():
                self.window().move(self._window_origin + delta)
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._press is not None:
            moved, self._press, self._window_origin = self._moved, None, None
            if not moved:
                self.click(event.position().x(), event.position().y())
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def click(self, x: float, y: float) -> list[str]:
        """A click at widget point (x, y): hit-test and play the tap motion. Returns the hit areas."""
        renderer = self.renderer
        if renderer is None:
            return []
        dpr = self.devicePixelRatioF()
        areas = renderer.hit_test(x * dpr, y * dpr)
        if areas:
            self.scene.tap(areas)
        return areas

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom = min(5.0, max(0.2, self.zoom * (1.1**steps)))
            self.update()
        event.accept()


class AvatarStage(QWidget):
    """The main window's centre: a caption and an :class:`AvatarView` of the scene. GUI thread."""

    def __init__(self, scene: AvatarScene, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._heading = QLabel(self)
        self._heading.setObjectName("panelHeading")
        self._heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.view = AvatarView(scene, self)
        self.view.setObjectName("stageView")
        self._problem = QLabel(self)
        self._problem.setObjectName("panelDescription")
        self._problem.setWordWrap(True)
        self._problem.hide()
        self.view.load_failed.connect(self._show_problem)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self._heading)
        layout.addWidget(self.view, 1)
        layout.addWidget(self._problem)
        self.retranslate_ui()

    def heading(self) -> str:
        """The caption as shown."""
        return self._heading.text()

    def _show_problem(self, message: str) -> None:
        self._problem.setText(self.tr("The avatar cannot be shown: {problem}").format(problem=message))
        self._problem.show()

    def retranslate_ui(self) -> None:
        """Re-read the texts in the current language."""
        self._heading.setText(self.tr("Avatar stage"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
