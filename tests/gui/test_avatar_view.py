"""The avatar on screen: the OBS window on chroma green, size presets, the stage, clean release."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage

from studio.app.container import Container
from studio.app.runtime import EngineRuntime
from studio.avatar.settings import Background
from studio.ui.avatar_view import AvatarScene, AvatarView
from studio.ui.avatar_window import AvatarWindow
from studio.ui.gui_main import create_main_window

pytestmark = pytest.mark.gui

GREEN = np.array([0, 255, 0])


def _pixels(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGBA8888)
    width, height = image.width(), image.height()
    data = np.frombuffer(image.constBits(), np.uint8, count=image.sizeInBytes())
    return data.reshape(height, image.bytesPerLine())[:, : width * 4].reshape(height, width, 4).copy()


def _is_chroma(rgb: np.ndarray, tol: int = 6) -> np.ndarray:
    return np.all(np.abs(rgb[..., :3].astype(int) - GREEN) <= tol, axis=-1)


def _painted(view: AvatarView, qtbot, frames: int = 3) -> QImage:
    start = view.frames
    qtbot.waitUntil(lambda: view.renderer is not None and view.frames >= start + frames, timeout=15000)
    return view.grabFramebuffer()


def _check_avatar_on_chroma(image: QImage) -> None:
    px = _pixels(image)
    h, w = px.shape[:2]
    for y, x in ((1, 1), (1, w - 2), (h - 2, 1), (h - 2, w - 2)):
        assert _is_chroma(px[y, x]), f"corner {(x, y)} is {px[y, x]}"
    middle = px[h // 4 : 3 * h // 4, w // 3 : 2 * w // 3]
    avatar = ~_is_chroma(middle, tol=40)
    assert avatar.mean() > 0.1, "no avatar pixels in the middle of the frame"


@pytest.fixture
def scene(container: Container) -> AvatarScene:
    return AvatarScene(container.paths.resources_dir, container.clock)


def test_window_shows_the_builtin_avatar_on_chroma_green(qtbot, scene: AvatarScene) -> None:
    window = AvatarWindow(scene, background=Background(mode="chroma", color="#00FF00"))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.windowTitle() == "Cream Studio — Avatar"
    assert window.size() == QSize(1280, 720)
    image = _painted(window.view, qtbot)
    image.save("/tmp/avatar-window.png")
    assert image.width() >= 1280 and image.height() >= 720
    _check_avatar_on_chroma(image)
    assert window.view.error == ""
    window.close()
    assert window.view.renderer is None


def test_default_background_is_the_avatars_chroma_setting(qtbot, scene: AvatarScene) -> None:
    window = AvatarWindow(scene)
    qtbot.addWidget(window)
    window.show()
    assert window.view.background.mode == "chroma"
    assert window.view.background.color == "#00FF00"
    assert window.background_actions["avatar"].isChecked()
    _check_avatar_on_chroma(_painted(window.view, qtbot))
    window.close()


def test_size_presets_and_context_menu(qtbot, scene: AvatarScene) -> None:
    window = AvatarWindow(scene)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.size_actions["1080p"].trigger()
    qtbot.waitUntil(lambda: window.size() == QSize(1920, 1080))
    assert window.preset == "1080p"
    image = _painted(window.view, qtbot)
    dpr = window.view.devicePixelRatioF()
    assert (image.width(), image.height()) == (round(1920 * dpr), round(1080 * dpr))
    window.size_actions["720p"].trigger()
    qtbot.waitUntil(lambda: window.size() == QSize(1280, 720))
    assert window.size_actions["720p"].isChecked()

    window.background_actions["magenta"].trigger()
    assert window.view.background.color == "#FF00FF"
    px = _pixels(_painted(window.view, qtbot))
    assert tuple(px[1, 1, :3]) == (255, 0, 255)
    window.background_actions["transparent"].trigger()
    assert window.view.background.mode == "transparent"
    window.on_top_action.trigger()
    qtbot.waitUntil(window.isVisible)
    assert window.on_top_action.isChecked()
    window.close()


def test_wheel_scales_and_click_taps(qtbot, scene: AvatarScene) -> None:
    window = AvatarWindow(scene)
    qtbot.addWidget(window)
    window.show()
    view = window.view
    _painted(view, qtbot)
    areas = view.click(view.width() / 2, view.height() * 0.3)
    assert areas, "the middle of the avatar is a hit area"
    assert scene.last_tap is not None and scene.last_tap[1]
    view.zoom = 0.5
    small = _pixels(_painted(view, qtbot))
    assert _is_chroma(small[small.shape[0] // 2, small.shape[1] // 8])
    window.close()


def test_main_window_stage_and_avatar_window(qtbot, container: Container) -> None:
    runtime = EngineRuntime(container, port=0)
    runtime.start()
    window = create_main_window(container, runtime)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    stage = window.stage.view
    _check_avatar_on_chroma(_painted(stage, qtbot))
    qtbot.waitUntil(lambda: window.scene.director is not None, timeout=30000)
    assert window.scene.avatar is not None and window.scene.avatar.builtin
    assert window.scene.frame_state().mouth is not None
    areas = stage.click(stage.width() / 2, stage.height() * 0.3)
    assert areas
    group = window.scene.last_tap[1] if window.scene.last_tap else None
    assert group
    director = window.scene.director
    qtbot.waitUntil(lambda: director.state.motion is not None and director.state.motion.group == group)

    assert window.avatar_window_action.text()
    window.avatar_window_action.trigger()
    obs = window.avatar_window
    assert obs is not None
    qtbot.waitExposed(obs)
    _check_avatar_on_chroma(_painted(obs.view, qtbot))
    # both views keep painting
    _painted(stage, qtbot)

    started = time.monotonic()
    window.close()
    assert time.monotonic() - started < 3.0
    assert window.stage.view.renderer is None
    assert runtime.wait_stopped(0)
    container.close()
    left = [t.name for t in threading.enumerate() if not t.daemon and t.is_alive() and t.name != "MainThread"]
    assert "studio-engine" not in left


def test_transparent_and_image_backgrounds(qtbot, scene: AvatarScene, tmp_path) -> None:
    from PySide6.QtGui import QColor

    from studio.avatar.settings import AvatarSettings

    window = AvatarWindow(scene, background=Background(mode="transparent"))
    qtbot.addWidget(window)
    window.show()
    px = _pixels(_painted(window.view, qtbot))
    assert px[1, 1, 3] == 0, "transparent corners"
    h, w = px.shape[:2]
    assert (px[h // 4 : 3 * h // 4, w // 3 : 2 * w // 3, 3] > 200).mean() > 0.1, "opaque avatar"

    picture = QImage(64, 36, QImage.Format.Format_RGB32)
    picture.fill(QColor("#C03020"))
    assert picture.save(str(tmp_path / "bg.png"))
    scene.library_root = tmp_path
    scene.settings = AvatarSettings(background=Background(mode="image", image="bg.png"))
    window.set_background(None)
    assert window.view.background.mode == "image"
    px = _pixels(_painted(window.view, qtbot))
    assert tuple(int(v) for v in px[2, 2, :3]) == (0xC0, 0x30, 0x20)
    assert not _is_chroma(px[h // 2, w // 2])
    window.close()


def test_no_gl_errors_and_release_on_destroy(qtbot, scene: AvatarScene) -> None:
    from studio.avatar.render.gl import GL

    view = AvatarView(scene)  # not qtbot.addWidget: the test deletes it
    view.resize(320, 240)
    view.show()
    _painted(view, qtbot)
    view.makeCurrent()
    try:
        assert GL.glGetError() == GL.GL_NO_ERROR
    finally:
        view.doneCurrent()
    renderer = view.renderer
    assert renderer is not None
    released: list[int] = []
    real_release = renderer.release

    def spy() -> None:
        released.append(GL.glGetError())  # a context is current: no error from the query itself
        real_release()

    renderer.release = spy  # type: ignore[method-assign]
    destroyed: list[bool] = []
    view.destroyed.connect(lambda: destroyed.append(True))
    view.deleteLater()
    qtbot.waitUntil(lambda: bool(destroyed))
    assert released == [GL.GL_NO_ERROR]


HARU = Path("/work/shared/live2d/Haru/Haru.model3.json")


@pytest.mark.skipif(not HARU.is_file(), reason="the Live2D test model Haru is not on this machine")
def test_live2d_model_is_shown_by_one_view_at_a_time(qtbot, scene: AvatarScene) -> None:
    from studio.avatar.library import Avatar
    from studio.avatar.settings import AvatarSettings

    settings = AvatarSettings()
    scene.avatar = Avatar(
        id="haru",
        name="Haru",
        kind="live2d",
        folder=HARU.parent,
        model_file=HARU,
        thumbnail=None,
        settings=settings,
        builtin=False,
        created_at=0.0,
        updated_at=0.0,
    )
    scene.settings = settings
    stage = AvatarView(scene)
    qtbot.addWidget(stage)
    stage.resize(480, 360)
    stage.show()
    _check_avatar_on_chroma(_painted(stage, qtbot))
    assert type(stage.renderer).__name__ == "Live2DRenderer"

    window = AvatarWindow(scene, stage=stage)
    qtbot.addWidget(window)
    window.show()
    assert stage.renderer is None  # released at once: live2d-py's shaders are process-wide
    _check_avatar_on_chroma(_painted(window.view, qtbot))
    start = stage.frames
    qtbot.waitUntil(lambda: stage.frames > start + 2)
    assert stage.renderer is None and stage.error == ""

    window.close()
    assert window.view.renderer is None
    _check_avatar_on_chroma(_painted(stage, qtbot))
    stage.close()


def test_drag_moves_the_frameless_window(qtbot, scene: AvatarScene) -> None:
    from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
    from PySide6.QtGui import QMouseEvent

    window = AvatarWindow(scene)
    qtbot.addWidget(window)
    window.move(10, 10)
    window.show()
    qtbot.waitExposed(window)
    view = window.view
    origin = window.pos()

    def send(kind: QEvent.Type, local: QPoint, buttons: Qt.MouseButton) -> None:
        global_pos = QPointF(view.mapToGlobal(QPoint(0, 0)) + local)
        event = QMouseEvent(
            kind,
            QPointF(local),
            global_pos,
            Qt.MouseButton.LeftButton,
            buttons,
            Qt.KeyboardModifier.NoModifier,
        )
        {
            QEvent.Type.MouseButtonPress: view.mousePressEvent,
            QEvent.Type.MouseMove: view.mouseMoveEvent,
            QEvent.Type.MouseButtonRelease: view.mouseReleaseEvent,
        }[kind](event)

    send(QEvent.Type.MouseButtonPress, QPoint(100, 100), Qt.MouseButton.LeftButton)
    send(QEvent.Type.MouseMove, QPoint(140, 130), Qt.MouseButton.LeftButton)
    send(QEvent.Type.MouseButtonRelease, QPoint(140, 130), Qt.MouseButton.NoButton)
    qtbot.waitUntil(lambda: window.pos() == origin + QPoint(40, 30))
    assert scene.last_tap is None  # a drag is not a tap
    window.close()
