"""``studio serve`` as a real process: health within 10 s, clean exit on SIGINT/SIGTERM, port clash."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from studio.api.server import port_is_free

# Each test starts whole studio processes (a few seconds under load).
pytestmark = [pytest.mark.skipif(os.name != "posix", reason="POSIX signals"), pytest.mark.slow]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


class Serve:
    """One ``python -m studio serve`` child with its output collected line by line."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "studio", "serve", "--port", str(port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=os.environ.copy(),  # STUDIO_HOME and the file secrets backend from the fixtures
        )
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._readers = [
            threading.Thread(target=self._pump, args=(self.proc.stdout, self.stdout), daemon=True),
            threading.Thread(target=self._pump, args=(self.proc.stderr, self.stderr), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _pump(stream: object, sink: list[str]) -> None:
        for line in stream:  # type: ignore[attr-defined]
            sink.append(line)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def healthy(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"studio serve exited early ({self.proc.returncode}): {self.output()}")
        try:
            return httpx.get(self.url + "/health", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    def finish(self, timeout: float) -> int:
        code = self.proc.wait(timeout)
        for reader in self._readers:
            reader.join(5)
        return code

    def output(self) -> str:
        return "".join(self.stdout) + "".join(self.stderr)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)


def _processes_of_profile(home: Path) -> list[psutil.Process]:
    """Live processes (other than this one) started with STUDIO_HOME = ``home``."""
    found = []
    for proc in psutil.process_iter():
        if proc.pid == os.getpid():
            continue
        try:
            if proc.environ().get("STUDIO_HOME") == str(home) and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return found


@pytest.fixture
def serve() -> Iterator[Callable[[int], Serve]]:
    started: list[Serve] = []

    def start(port: int) -> Serve:
        s = Serve(port)
        started.append(s)
        return s

    yield start
    for s in started:
        s.kill()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_serve_answers_health_and_stops_cleanly(
    serve: Callable[[int], Serve], studio_home: Path, sig: signal.Signals
) -> None:
    port = free_port()
    s = serve(port)
    wait_for(s.healthy, 10, "GET /health to answer 200")
    assert time.monotonic() - s.started < 10
    body = httpx.get(s.url + "/health", timeout=5).json()
    assert body["status"] == "ok"

    log_file = studio_home / "logs" / "studio.log"
    wait_for(lambda: len(s.stdout) >= 3, 5, "the startup lines on stdout")  # click.echo flushes each line
    stdout = "".join(s.stdout)
    assert f"API:  http://127.0.0.1:{port}" in stdout
    assert f"Logs: {log_file}" in stdout
    assert log_file.exists()

    parent = psutil.Process(s.proc.pid)
    children = parent.children(recursive=True)  # none expected today; any that appear must not outlive it

    s.proc.send_signal(sig)
    signalled = time.monotonic()
    code = s.finish(timeout=5)
    assert time.monotonic() - signalled < 5
    assert code == 0, s.output()
    stderr = "".join(s.stderr)
    assert "Stopping ..." in stderr
    assert "threads left: 0" in stderr
    assert "Warning: still running" not in stderr
    assert "Traceback" not in s.output()

    _gone, alive = psutil.wait_procs(children, timeout=1)
    assert alive == []
    assert not parent.is_running()
    assert _processes_of_profile(studio_home) == []  # nothing re-parented escaped the recording
    assert port_is_free("127.0.0.1", port)
    log_text = log_file.read_text(encoding="utf-8")
    assert "engine stopped" in log_text
    assert "studio closed" in log_text


def test_second_serve_on_the_same_port_exits_2_with_advice(serve: Callable[[int], Serve]) -> None:
    port = free_port()
    first = serve(port)
    wait_for(first.healthy, 10, "the first server")

    second = subprocess.run(
        [sys.executable, "-m", "studio", "serve", "--port", str(port)],
        capture_output=True,
        text=True,
        timeout=30,
        env=os.environ.copy(),
        check=False,
    )
    assert second.returncode == 2, second.stdout + second.stderr
    assert f"Port {port} on 127.0.0.1 is already in use" in second.stderr
    assert "use --port " in second.stderr  # suggests another port
    suggested = int(second.stderr.split("use --port ")[1].split()[0])
    assert suggested != port
    assert "Traceback" not in second.stderr
    assert "is running headless" not in second.stdout

    assert first.healthy()  # the first one is unharmed
    first.proc.send_signal(signal.SIGINT)
    assert first.finish(timeout=5) == 0
