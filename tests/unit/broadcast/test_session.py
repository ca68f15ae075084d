"""BroadcastSession with a synthetic feed: record-only, live + record, stop_live keeps recording, errors."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from studio.audio.mixer import Mixer
from studio.broadcast.session import BroadcastSession, OutputTarget, main_key_name
from studio.config.settings import StreamSettings
from studio.core.bus import EventBus
from studio.core.clock import MediaClock
from studio.core.errors import ValidationError
from studio.core.events import StreamStateEvent
from studio.testing.rtmp import ffprobe_json, free_port, require_ffprobe
from tests.unit.broadcast.synth import AudioPacer, SyntheticFeed

W, H, FPS = 320, 180, 30


class Rig:
    def __init__(self, tmp: Path, **settings: object) -> None:
        self.mixer = Mixer()
        self.clock = MediaClock()
        self.pacer = AudioPacer(self.mixer, self.clock)
        self.feed = SyntheticFeed(self.clock, W, H, FPS)
        self.bus = EventBus()
        self.events: list[StreamStateEvent] = []
        self.bus.subscribe(StreamStateEvent, self.events.append)
        self.secrets: dict[str, str] = {}
        self.settings = StreamSettings(width=W, height=H, fps=FPS, x264_preset="ultrafast", **settings)  # type: ignore[arg-type]
        self.dir = tmp / "recordings"
        self.session = BroadcastSession(
            self.settings, self.mixer, self.feed, self.dir, bus=self.bus, secret=self.secrets.get
        )

    def states(self, output: str) -> list[str]:
        return [e.state for e in self.events if e.output == output]


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    r = Rig(tmp_path)
    r.pacer.start()
    try:
        yield r
    finally:
        r.session.stop()
        r.pacer.stop()


def _wait(cond: object, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():  # type: ignore[operator]
            return True
        time.sleep(0.01)
    return False


def _frames(path: Path) -> int:
    probe = ffprobe_json(path)
    return round(float(probe["format"]["duration"]) * FPS)


def test_record_only(rig: Rig) -> None:
    require_ffprobe()
    s = rig.session
    path = s.start_recording("mkv")
    assert path.parent == rig.dir and path.suffix == ".mkv"
    assert s.recording == path and not s.live
    assert s.start_recording() == path  # already recording: same file
    time.sleep(1.0)
    stats = s.stats()
    assert stats.recording and not stats.live
    assert stats.encoder.frames_encoded >= 20
    assert s.stop_recording() == path
    assert s.recording is None
    assert s.stats().encoder.frames_encoded == 0  # idle: nothing runs
    assert not rig.feed._thread  # the feed was stopped with the last output
    probe = ffprobe_json(path)
    assert {st["codec_name"] for st in probe["streams"]} == {"h264", "aac"}
    assert float(probe["format"]["duration"]) >= 0.8
    assert "live" in rig.states("recording") and rig.states("recording")[-1] == "offline"


def test_live_and_record_then_stop_live_keeps_recording(rig: Rig) -> None:
    require_ffprobe()
    s = rig.session
    rig.settings.record_with_stream = True
    dead = f"rtmp://127.0.0.1:{free_port()}/live"  # nobody listens: the output keeps reconnecting
    s.go_live([OutputTarget("main", dead, "key-xyz")])
    assert s.live and s.recording is not None
    assert _wait(lambda: "reconnecting" in rig.states("main"))
    time.sleep(0.5)
    main = next(o for o in s.stats().outputs if o.name == "main")
    assert main.state == "reconnecting" and main.target.endswith("/***")
    assert main.last_error and "key-xyz" not in main.last_error
    path = s.recording
    assert path is not None
    frames_before = s.stats().encoder.frames_encoded
    began = time.monotonic()
    s.stop_live()
    assert time.monotonic() - began < 3.0
    assert not s.live and s.recording == path
    assert rig.states("main")[-1] == "offline"
    time.sleep(0.5)
    stats = s.stats()
    assert stats.recording and stats.encoder.frames_encoded > frames_before  # the encode went on
    assert rig.feed.starts == 1  # the feed was never restarted
    s.stop_recording()
    assert _frames(path) >= 15  # a valid file with the whole run (>= 1 s of slots; busy hosts lag)


def test_going_live_without_a_server_says_what_to_do(rig: Rig) -> None:
    with pytest.raises(ValidationError, match="RTMP server URL"):
        rig.session.go_live()
    assert rig.feed.starts == 0 and rig.session.stats().encoder.frames_encoded == 0


@pytest.mark.parametrize("server", ["http://example.com/live", "rtmp://", "rtmp://u:p@host/live"])
def test_a_bad_server_url_is_refused_before_anything_starts(rig: Rig, server: str) -> None:
    rig.settings.server = server
    with pytest.raises(ValidationError):
        rig.session.go_live()
    with pytest.raises(ValidationError):
        rig.session.go_live([OutputTarget("main", server, "k")])
    assert rig.feed.starts == 0


def test_keys_come_from_the_secret_store(rig: Rig) -> None:
    rig.settings.server = "rtmp://host/app/"
    rig.secrets[main_key_name()] = " sk-main "
    targets = rig.session.targets_from_settings()
    assert [(t.name, t.server, t.key) for t in targets] == [("main", "rtmp://host/app/", "sk-main")]
    assert "sk-main" not in repr(targets[0])
    assert main_key_name("yt") == "stream.key.yt"


def test_a_bad_recording_format_is_refused(rig: Rig) -> None:
    with pytest.raises(ValidationError, match="mp4, mkv, flv"):
        rig.session.start_recording("avi")
