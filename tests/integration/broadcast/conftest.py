"""Fixtures for broadcast integration tests: a real nginx RTMP server, a paced mixer + synthetic feed."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from studio.testing.rtmp import NginxRtmpServer, require_rtmp_tools


@pytest.fixture
def nginx(tmp_path: Path) -> Iterator[NginxRtmpServer]:
    """nginx + RTMP module on a free port (skips with the reason when it is not installed)."""
    require_rtmp_tools()
    server = NginxRtmpServer(tmp_path / "nginx")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def wait_for(condition: Callable[[], object], timeout: float, what: str = "condition") -> float:
    """Poll ``condition`` until true; returns the seconds it took (fails after ``timeout``)."""
    began = time.monotonic()
    while not condition():
        assert time.monotonic() - began < timeout, f"timed out after {timeout} s waiting for {what}"
        time.sleep(0.02)
    return time.monotonic() - began
