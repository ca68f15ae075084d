"""A VoxCPM worker killed during or between requests: the request fails with a retryable
ProviderError, on_crash is told, the worker restarts and the next request succeeds; close leaves
no child process behind."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from studio.core.errors import ProviderError
from studio.speech.tts.voxcpm import VoxCpmEngine, VoxCpmRequest

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().split(")")[-1].split()[0] == "Z"
    except FileNotFoundError:
        return True


class _Crashes(list[str]):
    """Crash messages, with an event set on each."""

    def __init__(self) -> None:
        super().__init__()
        self.event = asyncio.Event()

    def append(self, message: str) -> None:
        super().append(message)
        self.event.set()


@pytest.fixture
def crashy(shared_engine: VoxCpmEngine) -> Iterator[tuple[VoxCpmEngine, _Crashes]]:
    """The session's engine with on_crash recorded (its worker is killed and comes back)."""
    crashes = _Crashes()
    shared_engine.on_crash = crashes.append
    yield shared_engine, crashes
    shared_engine.on_crash = None


async def test_a_kill_during_streaming_is_reported_and_the_worker_restarts(
    crashy: tuple[VoxCpmEngine, _Crashes],
) -> None:
    engine, crashes = crashy
    await engine.load()
    restarts = engine.restarts
    pid = engine.worker_pid
    assert pid is not None
    got = 0
    with pytest.raises(ProviderError) as info:
        async for _ in engine.stream(VoxCpmRequest("Kill me while I talk. " * 10, max_len=2000)):
            got += 1
            if got == 2:
                killed_at = time.perf_counter()
                os.kill(pid, signal.SIGKILL)
    assert time.perf_counter() - killed_at < 3.0  # failed promptly, no hang
    assert info.value.retryable
    assert "VoxCPM worker stopped unexpectedly (killed by signal SIGKILL) and is restarting" in str(
        info.value
    )
    assert crashes == [str(info.value)]
    audio = await engine.generate(VoxCpmRequest("I am back.", max_len=4, retry_badcase=False))
    assert len(audio) == 4 * 7680
    assert engine.worker_pid != pid
    assert engine.restarts == restarts + 1
    assert engine.loaded


async def test_a_kill_between_requests_is_reported_and_the_next_request_succeeds(
    crashy: tuple[VoxCpmEngine, _Crashes],
) -> None:
    engine, crashes = crashy
    await engine.load()
    before = len(crashes)
    crashes.event.clear()
    pid = engine.worker_pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    await asyncio.wait_for(crashes.event.wait(), 5.0)  # reported without any request waiting
    assert len(crashes) == before + 1
    assert "SIGKILL" in crashes[-1] and "restarting" in crashes[-1]
    chunks = [c async for c in engine.stream(VoxCpmRequest("Still here.", max_len=3))]
    assert len(chunks) == 3
    assert engine.worker_pid != pid


async def test_a_folder_that_is_not_a_model_fails_to_load_clearly(tmp_path: Path) -> None:
    engine = VoxCpmEngine(tmp_path, device="cpu")
    with pytest.raises(ProviderError, match=r"not a VoxCPM model folder: config\.json not found"):
        await engine.load()
    (tmp_path / "config.json").write_text('{"architecture": "voxcpm2"}', encoding="utf-8")
    (tmp_path / "tokenizer.json").write_text("{}", encoding="utf-8")
    with pytest.raises(
        ProviderError, match=r"missing model weights \(model\.safetensors or pytorch_model\.bin\)"
    ):
        await engine.load()
    assert engine.worker_pid is None  # checked without starting a worker
    await engine.close()
