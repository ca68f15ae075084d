"""EngineRuntime.broadcast(): built on first use, stats on the bus, stopped at shutdown."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import av
import pytest

from studio.app.broadcast import BroadcastService, StageFeed, parse_background
from studio.app.container import Container
from studio.app.runtime import EngineRuntime
from studio.avatar.render.errors import GLUnavailableError
from studio.broadcast.stats import StreamStatsEvent
from studio.config.settings import StreamSettings
from studio.core.events import ConfigChangedEvent

pytestmark = pytest.mark.slow

BROADCAST_THREADS = ("studio-encoder", "studio-avatar-stage", "studio-output-", "studio-broadcast-stop")


def broadcast_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith(BROADCAST_THREADS)]


def small(container: Container) -> None:
    container.config.stream = StreamSettings.model_validate(
        {
            **container.config.stream.model_dump(),
            **{"width": 320, "height": 180, "fps": 15, "background": "#102030"},
        }
    )


def wait_until(condition: object, timeout: float) -> bool:
    assert callable(condition)
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_parse_background() -> None:
    assert parse_background("#FF8000") == (1.0, 128 / 255, 0.0, 1.0)
    assert parse_background("102030")[3] == 1.0
    assert parse_background("red") == parse_background("#1f2430"), "malformed -> the default"


def test_runtime_builds_the_broadcast_records_publishes_stats_and_stops_it_at_shutdown(
    container: Container,
) -> None:
    small(container)
    runtime = EngineRuntime(container, serve_api=False)
    service = runtime.api_services["broadcast"]
    assert isinstance(service, BroadcastService) and service.current is None
    stats_events: list[StreamStatsEvent] = []
    container.bus.subscribe(StreamStatsEvent, stats_events.append)
    runtime.start()
    try:
        session = runtime.submit(service.session()).result(60)
        assert runtime.submit(runtime.broadcast()).result(10) is session, "built once"
        assert service.current is session and isinstance(runtime.broadcast_feed, StageFeed)
        assert broadcast_threads() == [], "nothing renders or encodes before an output starts"
        try:
            path = session.start_recording()
        except GLUnavailableError as exc:
            pytest.skip(f"no headless OpenGL here: {exc.user_message}")
        assert path.parent == container.paths.data_dir / "recordings"
        assert wait_until(lambda: session.stats().encoder.frames_encoded >= 20, 20)
        assert wait_until(lambda: len(stats_events) >= 2, 5), "stats every second while encoding"
        latest = stats_events[-1].stats
        assert latest.recording and latest.encoder.running and latest.encoder.width == 320
        running = set(broadcast_threads())
        assert running >= {"studio-encoder", "studio-avatar-stage", "studio-output-recording"}
    finally:
        # Shutdown stops the recording itself (before the avatar and the mix go away).
        clean = runtime.stop(timeout=15.0)
    assert clean
    assert runtime.current_broadcast is None
    assert wait_until(lambda: broadcast_threads() == [], 2), broadcast_threads()
    assert runtime.broadcast_feed is not None and runtime.broadcast_feed.stats.error is None
    with av.open(str(path)) as media:  # finished: the file is complete and decodes
        assert {s.type for s in media.streams} == {"video", "audio"}
        frames = sum(1 for _ in media.decode(video=0))
    assert frames >= 20
    # The background colour is the stream's, opaque (the first frame's corner).
    with av.open(str(path)) as media:
        corner = next(media.decode(video=0)).to_ndarray(format="rgb24")[2, 2]
    assert abs(int(corner[0]) - 0x10) <= 6 and abs(int(corner[2]) - 0x30) <= 6


def test_an_engine_that_never_broadcast_stops_cleanly(container: Container) -> None:
    runtime = EngineRuntime(container, serve_api=False)
    runtime.start()
    runtime.stop(timeout=10.0)
    assert runtime.current_broadcast is None
    left = [t for t in threading.enumerate() if t.name == "studio-engine"]
    assert left == []


def test_recording_then_stopping_leaves_no_broadcast_threads(container: Container, tmp_path: Path) -> None:
    small(container)
    runtime = EngineRuntime(container, serve_api=False)
    runtime.start()
    try:
        session = runtime.submit(runtime.broadcast()).result(60)
        out = tmp_path / "one.mkv"
        try:
            assert session.start_recording("mkv", out) == out
        except GLUnavailableError as exc:
            pytest.skip(f"no headless OpenGL here: {exc.user_message}")
        assert wait_until(lambda: session.stats().encoder.frames_encoded >= 10, 20)
        assert session.stop_recording() == out
        assert wait_until(lambda: broadcast_threads() == [], 2), broadcast_threads()
        # Again: the feed starts a fresh stage (and GL context) each time.
        second = session.start_recording("mp4", tmp_path / "two.mp4")
        assert wait_until(lambda: session.stats().encoder.frames_encoded >= 10, 20)
        session.stop()
        assert second.stat().st_size > 0
    finally:
        assert runtime.stop(timeout=15.0)
    assert wait_until(lambda: broadcast_threads() == [], 2), broadcast_threads()
    assert out.stat().st_size > 0


def test_a_saved_stream_area_becomes_the_session_settings(container: Container) -> None:
    runtime = EngineRuntime(container, serve_api=False)
    runtime.start()
    try:
        session = runtime.submit(runtime.broadcast()).result(60)
        assert session.settings is container.config.stream
        saved = container.config.stream.model_copy(update={"width": 640, "height": 360})
        container.config = container.config.model_copy(update={"stream": saved})
        container.bus.publish_threadsafe(ConfigChangedEvent(area="ui"))
        container.bus.publish_threadsafe(ConfigChangedEvent(area="stream"))
        assert wait_until(lambda: session.settings is saved, 5)
    finally:
        assert runtime.stop(timeout=15.0)
