"""The StreamCream relay end to end: WebM (VP8/Opus, made by PyAV) in 100 ms chunks over a real
WebSocket -> the studio's API (uvicorn) -> a real nginx RTMP server -> ffprobe of its recording."""

from __future__ import annotations

import itertools
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from fastapi import FastAPI
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from studio.api.app import create_app
from studio.api.compat.streamcream_stream import MISSING_FIELDS, NOT_JSON, include_legacy_relay
from studio.api.deps import ApiContext
from studio.config.settings import StudioConfig
from studio.testing.http import serve_in_thread
from studio.testing.rtmp import NginxRtmpServer, ffprobe_json, free_port, require_rtmp_tools

KEY = "secretkey123"
FPS = 30
W, H = 320, 240


class _Sink:
    """A write-only (non-seekable) file: the WebM comes out as a live MediaRecorder stream does."""

    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, b: bytes) -> int:
        self.data += b
        return len(b)

    def take(self) -> bytes:
        out, self.data = bytes(self.data), bytearray()
        return out


def webm_chunks(seconds: float) -> Iterator[bytes]:
    """VP8 + Opus WebM of a moving square and a 440 Hz tone, one chunk per 100 ms of media."""
    sink = _Sink()
    # Small clusters and buffers: a chunk every 100 ms, like MediaRecorder.start(100).
    out = av.open(
        sink,
        "w",
        format="webm",
        options={"live": "1", "cluster_time_limit": "100", "flush_packets": "1"},
        buffer_size=4096,
    )
    video = out.add_stream("libvpx", rate=FPS)
    video.width, video.height, video.pix_fmt = W, H, "yuv420p"
    video.codec_context.options = {"deadline": "realtime", "cpu-used": "8", "g": "30"}
    audio = out.add_stream("libopus", rate=48000)
    audio.layout = "stereo"
    pos = 0
    for i in range(int(seconds * FPS)):
        img = np.full((H, W, 3), 30, np.uint8)
        x = (i * 7) % (W - 40)
        img[100:140, x : x + 40] = (255, 200, 0)
        frame = av.VideoFrame.from_ndarray(img, format="rgb24")
        frame.pts, frame.time_base = i, Fraction(1, FPS)
        for p in video.encode(frame):
            out.mux(p)
        while pos < (i + 1) * 48000 // FPS:
            t = np.arange(pos, pos + 960) / 48000.0
            pcm = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
            af = av.AudioFrame.from_ndarray(np.stack([pcm, pcm]), format="fltp", layout="stereo")
            af.sample_rate, af.pts, af.time_base = 48000, pos, Fraction(1, 48000)
            for p in audio.encode(af):
                out.mux(p)
            pos += 960
        if (i + 1) % 3 == 0 and sink.data:
            yield sink.take()
    for p in video.encode(None):
        out.mux(p)
    for p in audio.encode(None):
        out.mux(p)
    out.close()
    if sink.data:
        yield sink.take()


class Reader:
    """Collects the server's JSON messages on a thread."""

    def __init__(self, ws: ClientConnection) -> None:
        self.messages: list[dict[str, Any]] = []
        self.closed = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ws,), daemon=True)
        self._thread.start()

    def _run(self, ws: ClientConnection) -> None:
        try:
            for raw in ws:
                self.messages.append(json.loads(raw))
        except ConnectionClosed:
            pass
        finally:
            self.closed.set()

    def wait_for(self, pred: Callable[[dict[str, Any]], bool], timeout: float = 15.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for m in self.messages:
                if pred(m):
                    return m
            time.sleep(0.02)
        raise AssertionError(f"no such message in {self.messages}")


def _studio_log(caplog: pytest.LogCaptureFixture) -> str:
    """What the studio logged (the websockets library's own DEBUG frame dumps show every frame)."""
    return "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records if r.name.startswith("studio"))


def relay_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name in ("studio-relay", "studio-output-relay")]


def wait_until(pred: Callable[[], bool], timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return pred()


@pytest.fixture
def nginx(tmp_path: Path) -> Iterator[NginxRtmpServer]:
    require_rtmp_tools()
    with NginxRtmpServer(tmp_path / "nginx") as server:
        yield server


@pytest.fixture
def api_ws(tmp_path: Path) -> Iterator[str]:
    config = StudioConfig()
    config.stream.fps = FPS
    app = create_app(ApiContext(version="test", config=config, data_dir=tmp_path))
    with serve_in_thread(app) as url:
        yield url.replace("http://", "ws://")


def _stream(ws: ClientConnection, seconds: float, pace: float = 0.1) -> int:
    sent = 0
    for chunk in webm_chunks(seconds):
        ws.send(chunk)
        sent += 1
        time.sleep(pace)
    return sent


def test_relay_webm_to_rtmp_h264_aac_and_disconnect_stops_cleanly(
    api_ws: str, nginx: NginxRtmpServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with connect(api_ws + "/ws/relay", max_size=2**20) as ws:
        reader = Reader(ws)
        # The front end's preset URLs end in "/": no double slash may reach the server.
        ws.send(json.dumps({"rtmp_url": nginx.url + "/", "stream_key": KEY, "action": "start_stream"}))
        chunks = _stream(ws, 4.5)
        assert chunks >= 40
        reader.wait_for(lambda m: m.get("status") == "started")
    # The socket closed: the relay drains, writes the trailer and unpublishes.
    assert wait_until(lambda: not relay_threads()), relay_threads()
    assert nginx.publishers() == [KEY]
    nginx.stop()  # closes the recording files
    [recording] = nginx.recordings()
    probe = ffprobe_json(recording)
    codecs = {s["codec_type"]: s for s in probe["streams"]}
    assert codecs["video"]["codec_name"] == "h264"
    assert (codecs["video"]["width"], codecs["video"]["height"]) == (W, H)
    assert codecs["audio"]["codec_name"] == "aac"
    assert int(codecs["audio"]["sample_rate"]) == 48000
    assert 4.0 <= float(probe["format"]["duration"]) <= 5.1
    assert _keyframes(recording) == pytest.approx([0.0, 2.0, 4.0], abs=0.1)  # every 2 s of media
    assert not any(m.get("error") for m in reader.messages), reader.messages
    assert KEY not in _studio_log(caplog)


def test_relay_keyframes_every_two_seconds_and_end_stream(api_ws: str, nginx: NginxRtmpServer) -> None:
    with connect(api_ws + "/ws/relay") as ws:
        reader = Reader(ws)
        ws.send(json.dumps({"rtmp_url": nginx.url, "stream_key": KEY}))
        chunks = webm_chunks(4.5)
        for n, chunk in enumerate(chunks):
            ws.send(chunk)
            if n == 5:
                ws.send(json.dumps({"action": "pause_stream"}))
                reader.wait_for(lambda m: m.get("status") == "paused")
                ws.send(json.dumps({"action": "resume_stream"}))
                reader.wait_for(lambda m: m.get("status") == "resumed")
            time.sleep(0.03)
        ws.send(json.dumps({"action": "end_stream"}))
        reader.wait_for(lambda m: m.get("status") == "stopped", 20)
        assert reader.closed.wait(10)
    assert wait_until(lambda: not relay_threads())
    nginx.stop()
    [recording] = nginx.recordings()
    keys = _keyframes(recording)
    # Resuming starts with a keyframe; never more than 2 s between keyframes.
    assert keys[0] < 0.1 and len(keys) >= 3
    assert all(b - a <= 2.1 for a, b in itertools.pairwise(keys)), keys
    assert {s["codec_name"] for s in ffprobe_json(recording)["streams"]} == {"h264", "aac"}


def _keyframes(recording: Path) -> list[float]:
    packets = ffprobe_json(recording, packets=True)["packets"]
    video_index = next(s["index"] for s in ffprobe_json(recording)["streams"] if s["codec_type"] == "video")
    return [float(p["pts_time"]) for p in packets if p["stream_index"] == video_index and "K" in p["flags"]]


@pytest.mark.parametrize(
    ("first", "error"),
    [
        ("not json", NOT_JSON),
        (json.dumps(["rtmp_url"]), NOT_JSON),
        (json.dumps({"rtmp_url": "rtmp://127.0.0.1/live"}), MISSING_FIELDS),
        (json.dumps({"stream_key": KEY}), MISSING_FIELDS),
        (json.dumps({"rtmp_url": "", "stream_key": KEY}), MISSING_FIELDS),
        (json.dumps({"rtmp_url": "http://example.com/live", "stream_key": KEY}), "rtmp://"),
        (json.dumps({"rtmp_url": "rtmp://u:p@example.com/live", "stream_key": KEY}), "stream key"),
    ],
)
def test_bad_first_message_answers_error_then_closes(api_ws: str, first: str, error: str) -> None:
    with connect(api_ws + "/ws/relay") as ws:
        ws.send(first)
        reply = json.loads(ws.recv(timeout=10))
        assert error in reply["error"]
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=10)
    assert wait_until(lambda: not relay_threads(), 5)


def test_unreachable_server_reports_error_and_closes(api_ws: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with connect(api_ws + "/ws/relay") as ws:
        reader = Reader(ws)
        ws.send(json.dumps({"rtmp_url": f"rtmp://127.0.0.1:{free_port()}/live/", "stream_key": KEY}))
        for chunk in webm_chunks(2.0):
            try:
                ws.send(chunk)
            except ConnectionClosed:
                break
        message = reader.wait_for(lambda m: "error" in m)
        assert "cannot be reached" in message["error"] and KEY not in message["error"]
        assert reader.closed.wait(10)
    assert [m for m in reader.messages if "error" in m] == [message]
    assert wait_until(lambda: not relay_threads())
    assert KEY not in _studio_log(caplog)


def test_legacy_relay_app_accepts_any_path() -> None:
    app = FastAPI()
    app.state.ctx = ApiContext(version="test")
    include_legacy_relay(app)
    with serve_in_thread(app) as url, connect(url.replace("http://", "ws://") + "/") as ws:
        ws.send(json.dumps({"rtmp_url": "rtmp://127.0.0.1/live"}))
        assert json.loads(ws.recv(timeout=10)) == {"error": MISSING_FIELDS}
    with serve_in_thread(app) as url, connect(url.replace("http://", "ws://") + "/any/path") as ws:
        ws.send("{")
        assert json.loads(ws.recv(timeout=10)) == {"error": NOT_JSON}
