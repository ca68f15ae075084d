"""The avatar library dialog: import the Mao folder, thumbnail, rename, use, remove."""

from __future__ import annotations

import asyncio
import tomllib
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import pytest

from studio.app.container import Container
from studio.ui.dialogs.avatar_library_dialog import AvatarLibraryDialog

pytestmark = pytest.mark.gui

MAO = Path("/work/shared/live2d/Mao")


def _wait(qtbot: Any, coro: Coroutine[Any, Any, Any]) -> Any:
    task = asyncio.ensure_future(coro)
    qtbot.waitUntil(task.done, timeout=60_000)
    return task.result()


def _current(container: Container) -> str:
    saved = tomllib.loads(container.paths.config_file.read_text(encoding="utf-8"))
    return str(saved["avatar"]["current"])


@pytest.mark.skipif(not MAO.is_dir(), reason=f"test model {MAO} is not on this machine")
def test_import_rename_use_remove(qtbot: Any, container: Container, gui_loop: Any) -> None:
    errors: list[tuple[str, str]] = []
    dialog = AvatarLibraryDialog(container, lambda s, m: errors.append((s, m)))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.ids() == ["default"]
    assert "Live2D" in dialog.licence.text() and "10 million JPY" in dialog.licence.text()

    result = _wait(qtbot, dialog.import_path(MAO))
    assert result is not None, errors
    new_id = result.avatar.id
    assert dialog.ids() == ["default", new_id]
    item = dialog.item(new_id)
    assert item is not None and not item.icon().isNull()
    assert dialog.selected_id() == new_id and dialog.remove_button.isEnabled()

    assert _wait(qtbot, dialog.rename_avatar(new_id, "Mao Renamed"))
    item = dialog.item(new_id)
    assert item is not None and item.text() == "Mao Renamed"

    assert dialog.use_avatar(new_id)
    assert _current(container) == new_id
    assert container.config.avatar.current == new_id

    assert _wait(qtbot, dialog.remove_avatar(new_id))
    assert dialog.ids() == ["default"]
    assert _current(container) == "default"
    assert [e for e in errors if e[0] != "avatar import"] == []


def test_errors_go_to_the_error_path(qtbot: Any, container: Container, gui_loop: Any, tmp_path: Path) -> None:
    errors: list[tuple[str, str]] = []
    dialog = AvatarLibraryDialog(container, lambda s, m: errors.append((s, m)))
    qtbot.addWidget(dialog)
    assert _wait(qtbot, dialog.import_path(tmp_path / "missing")) is None
    assert not _wait(qtbot, dialog.rename_avatar("default", "X"))
    assert [source for source, _ in errors] == ["avatar import", "avatar"]
    assert dialog.ids() == ["default"]


def test_avatar_window_remembers_size_background_and_on_top(qtbot: Any, container: Container) -> None:
    from studio.avatar.settings import Background
    from studio.ui.avatar_view import AvatarScene
    from studio.ui.avatar_window import AvatarWindow, background_from_setting

    scene = AvatarScene(container.paths.resources_dir, container.clock)
    window = AvatarWindow.from_config(scene, container, None)
    qtbot.addWidget(window)
    assert window.preset == "720p" and window.view.background_override is None
    window.set_preset("1080p")
    window.set_background(Background(mode="chroma", color="#0000FF"))
    window.set_always_on_top(True)
    saved = tomllib.loads(container.paths.config_file.read_text(encoding="utf-8"))["avatar"]
    assert saved["window_size"] == "1080p"
    assert saved["window_background"] == "#0000FF"
    assert saved["window_on_top"] is True
    window.close()

    again = AvatarWindow.from_config(scene, container, None)
    qtbot.addWidget(again)
    assert again.preset == "1080p"
    assert again.view.background.color == "#0000FF"
    assert again.on_top_action.isChecked()
    assert background_from_setting("transparent") == Background(mode="transparent")
    assert background_from_setting("not a colour") is None


@pytest.mark.skipif(not MAO.is_dir(), reason=f"test model {MAO} is not on this machine")
def test_use_this_avatar_reloads_the_stage(qtbot: Any, container: Container, gui_loop: Any) -> None:
    from studio.app.runtime import EngineRuntime
    from studio.ui.gui_main import create_main_window

    runtime = EngineRuntime(container, port=0)
    runtime.start()
    window = create_main_window(container, runtime)
    qtbot.addWidget(window)
    window.show()
    try:
        qtbot.waitUntil(lambda: window.scene.avatar is not None, timeout=60_000)
        assert window.scene.kind == "pngtuber"
        dialog = window.open_avatar_library()
        result = _wait(qtbot, dialog.import_path(MAO))
        assert result is not None
        assert dialog.use_avatar(result.avatar.id)
        scene = window.scene
        qtbot.waitUntil(
            lambda: scene.avatar is not None and scene.avatar.id == result.avatar.id, timeout=60_000
        )
        assert scene.kind == "live2d"
        dialog.close()
    finally:
        window.shutdown()
    assert runtime.wait_stopped(0)
