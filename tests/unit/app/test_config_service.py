"""Settings changed through the API are saved like the settings dialog saves them, and settings
saved by the GUI reach the running API (no stale copy)."""

from __future__ import annotations

import time
import tomllib
from collections.abc import Iterator

import httpx
import pytest

from studio.app.container import Container
from studio.app.runtime import EngineRuntime
from studio.core.events import ConfigChangedEvent


@pytest.fixture
def runtime(container: Container) -> Iterator[EngineRuntime]:
    rt = EngineRuntime(container, port=0)
    rt.start()
    try:
        yield rt
    finally:
        rt.stop()


def _wait(condition: object, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_api_config_change_is_written_to_the_file_and_announced(
    runtime: EngineRuntime, container: Container
) -> None:
    seen: list[ConfigChangedEvent] = []
    container.bus.subscribe(ConfigChangedEvent, seen.append)
    url = runtime.api_url
    assert url is not None
    r = httpx.put(
        url + "/api/streaming/config",
        json={"rtmp_url": "rtmp://127.0.0.1:1935/live", "fps": 25, "stream_key": "k3y-not-in-files"},
        timeout=10,
    )
    assert r.status_code == 200, r.text
    assert container.config.stream.server == "rtmp://127.0.0.1:1935/live"
    assert container.config.stream.fps == 25
    saved = tomllib.loads(container.paths.config_file.read_text("utf-8"))
    assert saved["stream"]["server"] == "rtmp://127.0.0.1:1935/live"
    assert saved["stream"]["fps"] == 25
    assert "k3y-not-in-files" not in container.paths.config_file.read_text("utf-8")
    _wait(lambda: any(e.area == "stream" for e in seen))


def test_settings_saved_by_the_gui_reach_the_running_api(
    runtime: EngineRuntime, container: Container
) -> None:
    url = runtime.api_url
    assert url is not None
    before = httpx.get(url + "/api/streaming/config", timeout=10).json()["data"]
    assert before["fps"] == 30
    # What the GUI does: replace the config with the saved one, then announce it.
    stream = container.config.stream.model_copy(update={"fps": 24, "server": "rtmp://example.org/app"})
    container.config = container.config_store.save_area(container.config, stream)
    container.bus.publish_threadsafe(ConfigChangedEvent(area="stream"))
    _wait(lambda: httpx.get(url + "/api/streaming/config", timeout=10).json()["data"]["fps"] == 24)
    after = httpx.get(url + "/api/streaming/config", timeout=10).json()["data"]
    assert after["rtmp_url"] == "rtmp://example.org/app"


def test_the_api_context_follows_saved_settings(runtime: EngineRuntime, container: Container) -> None:
    ctx = runtime._api_ctx
    assert ctx is not None
    smtp = container.config.smtp.model_copy(update={"host": "mail.example.org"})
    container.config = container.config_store.save_area(container.config, smtp)
    container.bus.publish_threadsafe(ConfigChangedEvent(area="smtp"))
    _wait(lambda: ctx.config is container.config)
    assert ctx.config is not None
    assert ctx.config.smtp.host == "mail.example.org"
