"""The listening service of a running studio: /v1/listen/mode switches the microphone live and
saves the mode like the GUI does; push-to-talk needs the push-to-talk mode; off stops listening.
(This machine has no input device: the listener runs and says so instead of failing.)"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator

import httpx
import pytest

from studio.app.container import Container
from studio.app.runtime import EngineRuntime

pytestmark = pytest.mark.slow


@pytest.fixture
def runtime(container: Container) -> Iterator[EngineRuntime]:
    rt = EngineRuntime(container, port=0)
    rt.start()
    try:
        yield rt
    finally:
        assert rt.stop(timeout=10.0)


def test_mode_switches_live_is_saved_and_push_to_talk_follows_it(
    runtime: EngineRuntime, container: Container
) -> None:
    url = runtime.api_url
    assert url is not None
    assert runtime.listening.status is None  # the default mode is off: no microphone opened
    r = httpx.post(url + "/v1/listen/push-to-talk", json={"pressed": True}, timeout=10)
    assert r.status_code >= 400 and "off" in r.json()["message"].lower()

    r = httpx.post(url + "/v1/listen/mode", json={"mode": "push_to_talk"}, timeout=120)
    assert r.status_code == 200, r.text
    saved = tomllib.loads(container.paths.config_file.read_text("utf-8"))
    assert saved["listen"]["mode"] == "push_to_talk"
    status = runtime.listening.status
    assert status is not None and status.mode == "push_to_talk"
    r = httpx.post(url + "/v1/listen/push-to-talk", json={"pressed": True}, timeout=10)
    assert r.status_code == 200 and r.json()["data"]["accepted"] is True, r.text

    r = httpx.post(url + "/v1/listen/mode", json={"mode": "hands_free"}, timeout=60)
    assert r.status_code == 200
    status = runtime.listening.status
    assert status is not None and status.mode == "hands_free"
    r = httpx.post(url + "/v1/listen/push-to-talk", json={"pressed": True}, timeout=10)
    assert r.status_code == 200 and r.json()["data"]["accepted"] is False  # not in push-to-talk

    assert httpx.post(url + "/v1/listen/mode", json={"mode": "loud"}, timeout=10).status_code == 422
    r = httpx.post(url + "/v1/listen/mode", json={"mode": "off"}, timeout=60)
    assert r.status_code == 200
    assert runtime.listening.status is None
