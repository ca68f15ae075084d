"""VoiceHub: the VoxCPM engine follows [tts] voxcpm_model / voxcpm_device (real tiny VoxCPM model in
a real worker process when the voxcpm extra is installed), worker crashes reach the bus, and
GPT-SoVITS says where it runs."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from studio.app.config_service import ContainerConfigService
from studio.app.container import Container
from studio.app.voices import VoiceHub
from studio.core.errors import NotFoundError
from studio.core.events import ErrorEvent


def stand_in(samples: object, rate: int) -> tuple[str, str]:
    return "", ""


@pytest.fixture
async def hub(container: Container) -> AsyncIterator[VoiceHub]:
    h = VoiceHub(container, transcribe=stand_in)
    yield h
    await h.close()


async def set_tts(container: Container, **values: object) -> None:
    config = ContainerConfigService(container)
    await config.save_area(config.current().tts.model_copy(update=values))


async def test_no_model_no_engine_and_gpt_sovits_server(container: Container, hub: VoiceHub) -> None:
    assert await hub.voxcpm() is None
    assert hub.voxcpm_status() == {
        "model": "",
        "loaded": False,
        "device": None,
        "restarts": 0,
        "sample_rate": None,
    }
    assert hub.gpt_sovits_server() is None
    await set_tts(container, gpt_sovits_url=" http://127.0.0.1:9880 ")
    assert hub.gpt_sovits_server() == "http://127.0.0.1:9880"


async def test_clone_speaker_follows_the_setting(container: Container, hub: VoiceHub) -> None:
    from tests.unit.speech.library._audio import encode, voiced

    assert hub.clone_speaker() is None
    alice = await hub.speakers.register("Alice", encode(voiced(1.5, 16000), 16000), transcript="hi there")
    await set_tts(container, clone_speaker="alice")
    assert hub.clone_speaker() == (alice.file, "hi there")
    await set_tts(container, clone_speaker="nobody")
    assert hub.clone_speaker() is None


async def test_unknown_model_is_a_clear_error(container: Container, hub: VoiceHub) -> None:
    await set_tts(container, voxcpm_model="ghost")
    with pytest.raises(NotFoundError, match="ghost"):
        await hub.voxcpm()
    assert hub.voxcpm_status()["model"] == "ghost" and hub.voxcpm_status()["loaded"] is False


async def test_closed_hub_refuses(hub: VoiceHub) -> None:
    await hub.close()
    await hub.close()  # idempotent
    with pytest.raises(Exception, match="closed"):
        await hub.voxcpm()


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("voxcpm", reason="the voxcpm extra is not installed")
    try:
        from studio.speech.tts.voxcpm.engine import VoxCpmEngine  # noqa: F401
        from studio.testing.voxcpm_tiny import build_tiny_voxcpm
    except ImportError as exc:
        pytest.skip(f"the VoxCPM engine is not in this build: {exc}")
    return build_tiny_voxcpm(tmp_path_factory.mktemp("voxcpm") / "tiny")


async def _until(check: object, timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


@pytest.mark.slow
@pytest.mark.timeout(300)
async def test_engine_follows_settings_and_crashes_reach_the_bus(
    container: Container, hub: VoiceHub, tiny_model: Path
) -> None:
    from studio.speech.tts.voxcpm.request import VoxCpmRequest

    a = await asyncio.to_thread(hub.models.import_voxcpm, tiny_model, "tiny-a")
    await asyncio.to_thread(hub.models.import_voxcpm, tiny_model, "tiny-b")
    await set_tts(container, voxcpm_model="tiny-a", voxcpm_device="cpu")
    first = await hub.voxcpm()
    assert first is not None and first.loaded and first.model_name == "tiny-a"
    assert await hub.voxcpm() is first  # one engine per model + device
    status = hub.voxcpm_status()
    assert status["model"] == "tiny-a" and status["loaded"] is True
    assert status["sample_rate"] == a.sample_rate and str(status["device"]).startswith("cpu")
    audio = await first.generate(VoxCpmRequest(text="hello", max_len=8, inference_timesteps=2))
    assert audio.ndim == 1 and len(audio) > 0

    errors: list[ErrorEvent] = []
    sub = container.bus.subscribe(ErrorEvent, errors.append)
    try:
        pid = first.worker_pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        await _until(lambda: any(e.source == "voxcpm" for e in errors))
        crash = next(e for e in errors if e.source == "voxcpm")
        assert crash.retryable and crash.code == "voxcpm_worker_restarted" and crash.message
    finally:
        sub.close()

    await set_tts(container, voxcpm_model="tiny-b")  # the old engine closes without being asked
    await _until(lambda: not first.loaded)
    second = await hub.voxcpm()
    assert second is not None and second is not first and second.model_name == "tiny-b"
    await set_tts(container, voxcpm_device="auto")  # a device change replaces it too
    await _until(lambda: not second.loaded)
    third = await hub.voxcpm()
    assert third is not None and third is not second and third.loaded
    await set_tts(container, voxcpm_model="")
    assert await hub.voxcpm() is None
    assert not third.loaded
    assert hub.voxcpm_status()["loaded"] is False
