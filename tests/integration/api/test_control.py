"""``/control/status`` and ``/control/restart`` on a running studio: who may call them and what a
restart really does (the speech engine is closed and built again)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from studio.api.auth import AuthService
from studio.app.container import Container
from studio.app.runtime import EngineRuntime

PASSWORD = "correct horse 42"


@pytest.fixture
def runtime(container: Container) -> Iterator[EngineRuntime]:
    rt = EngineRuntime(container, port=0)
    rt.start()
    try:
        yield rt
    finally:
        assert rt.stop(timeout=5.0)


def _token(runtime: EngineRuntime, name: str, *, admin: bool) -> dict[str, str]:
    c = runtime.container

    async def make() -> str:
        auth = AuthService(c.db, c.secrets)
        user = await auth.create_user(name, f"{name}@example.org", PASSWORD, is_admin=admin)
        return (await auth.issue(user)).token

    return {"Authorization": f"Bearer {runtime.submit(make()).result(30)}"}


def test_status_needs_a_user_and_restart_an_admin(runtime: EngineRuntime) -> None:
    url = runtime.api_url
    assert url is not None
    admin = _token(runtime, "owner", admin=True)
    viewer = _token(runtime, "viewer", admin=False)
    assert httpx.get(url + "/control/status", timeout=10).status_code == 401
    r = httpx.get(url + "/control/status", headers=viewer, timeout=10)
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert data["state"] == "running"
    assert {e["name"]: e["running"] for e in data["engines"]} == {
        "speech": False,
        "avatar": False,
        "broadcast": False,
        "conversation": False,
    }
    r = httpx.post(url + "/control/restart", json={"engine": "speech"}, headers=viewer, timeout=10)
    assert r.status_code == 403
    r = httpx.post(url + "/control/restart", json={"engine": "nonsense"}, headers=admin, timeout=10)
    assert r.status_code == 422


def test_restarting_speech_builds_a_new_stack(runtime: EngineRuntime) -> None:
    url = runtime.api_url
    assert url is not None
    admin = _token(runtime, "owner", admin=True)
    old = runtime.submit(runtime.speech()).result(60)
    r = httpx.get(url + "/control/status", headers=admin, timeout=10)
    speech = next(e for e in r.json()["data"]["engines"] if e["name"] == "speech")
    assert speech["running"] and speech["detail"]
    r = httpx.post(url + "/control/restart", json={"engine": "speech"}, headers=admin, timeout=60)
    assert r.status_code == 200, r.text
    assert r.json()["data"] == {"closed": ["speech"], "started": ["speech"]}
    new = runtime.current_speech
    assert new is not None and new is not old
    assert old.playout._thread is None  # the old stack's audio thread was stopped and joined
