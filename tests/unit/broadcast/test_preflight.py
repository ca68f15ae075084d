"""RTMP pre-flight: a server that never answers must not reach PyAV (which holds the GIL for ever)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from studio.broadcast.codecs import EncoderConfig, open_encoders
from studio.broadcast.mux import RetryPolicy, rtmp_output, rtmp_preflight
from studio.broadcast.packets import StreamTemplates
from studio.testing.rtmp import free_port


@pytest.fixture
def silent_server() -> Iterator[int]:
    """Accepts TCP connections and never says a word."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


@pytest.fixture
def chatty_server() -> Iterator[int]:
    """Answers anything with an HTTP error (a wrong port)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    stop = threading.Event()

    def serve() -> None:
        sock.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            with conn:
                conn.recv(4096)
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n" + bytes(2000))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield sock.getsockname()[1]
    finally:
        stop.set()
        thread.join(2)
        sock.close()


def test_a_silent_server_times_out(silent_server: int) -> None:
    began = time.monotonic()
    with pytest.raises(ConnectionError, match="did not answer as an RTMP server"):
        rtmp_preflight(f"rtmp://127.0.0.1:{silent_server}/live/key", timeout=0.5)
    assert time.monotonic() - began < 1.5


def test_refused_and_wrong_protocol(chatty_server: int) -> None:
    with pytest.raises(ConnectionRefusedError):
        rtmp_preflight(f"rtmp://127.0.0.1:{free_port()}/live/key", timeout=1)
    with pytest.raises(ConnectionError, match="not an RTMP server"):
        rtmp_preflight(f"rtmp://127.0.0.1:{chatty_server}/live/key", timeout=1)


def test_an_output_to_a_silent_server_reconnects_without_freezing_the_process(silent_server: int) -> None:
    opened = open_encoders(EncoderConfig(width=320, height=180))
    worst = 0.0
    out = rtmp_output(
        "main",
        f"rtmp://127.0.0.1:{silent_server}/live/sk123",
        "shown",
        key="sk123",
        retry=RetryPolicy(0, 0.1, 0.2),
    )
    out._connect_timeout = 0.5
    try:
        out.start(StreamTemplates(opened.video, opened.audio))
        last = time.perf_counter()
        deadline = last + 3.0
        while out.stats.state != "reconnecting" and time.perf_counter() < deadline:
            time.sleep(0.005)
            now = time.perf_counter()
            worst, last = max(worst, now - last), now
        assert out.stats.state == "reconnecting"
        assert out.stats.last_error and "did not answer" in out.stats.last_error
        assert worst < 0.2, f"the process froze for {worst:.2f} s"
    finally:
        out.stop(timeout=1.0)
        opened.close()
