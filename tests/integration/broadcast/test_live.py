"""Going live to a real RTMP server (nginx) and checking what it recorded; A/V sync over a whole run."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from studio.audio.mixer import Mixer
from studio.broadcast.session import BroadcastSession, OutputTarget
from studio.config.settings import StreamSettings
from studio.core.clock import MediaClock
from studio.testing.rtmp import NginxRtmpServer, ffprobe_json
from tests.integration.broadcast.conftest import wait_for
from tests.integration.broadcast.media import beep_onsets, flash_onsets, flash_painter, sync_errors
from tests.unit.broadcast.synth import AudioPacer, SyntheticFeed, beep_track

pytestmark = pytest.mark.slow


def _streams(path: Path) -> tuple[dict, dict, float]:  # type: ignore[type-arg]
    probe = ffprobe_json(path)
    video = next(s for s in probe["streams"] if s["codec_type"] == "video")
    audio = next(s for s in probe["streams"] if s["codec_type"] == "audio")
    return video, audio, float(probe["format"]["duration"])


def test_ten_seconds_live_at_the_configured_size(nginx: NginxRtmpServer, tmp_path: Path) -> None:
    settings = StreamSettings()  # 1280x720 @ 30, libx264 veryfast: what a streamer gets by default
    w, h, fps = settings.width, settings.height, settings.fps
    mixer, clock = Mixer(), MediaClock()
    mixer.play_music(beep_track(1.0, [0.0]), 48000)
    feed = SyntheticFeed(clock, w, h, fps)
    session = BroadcastSession(settings, mixer, feed, tmp_path / "rec")
    with AudioPacer(mixer, clock):
        session.go_live([OutputTarget("main", nginx.url, "livetest")])
        wait_for(lambda: session.stats().outputs[0].state == "live", 10, "live")
        time.sleep(10.0)
        stats = session.stats()
        encoder = session._encoder
        assert encoder is not None
        session.stop()
    main = stats.outputs[0]
    assert main.state == "live" and main.dropped_frames == 0 and main.reconnects == 0
    # Keeping up is not asserted: 720p30 keeps up on 2 idle cores, but on a host shared with other
    # jobs frames are skipped/missed. The checks below count them in the timeline, so they hold.
    enc = encoder.stats  # after the stop: the frames still queued then were sent too
    assert enc.frames_encoded >= 60 and enc.error is None, enc
    assert nginx.publishers() == ["livetest"]
    wait_for(nginx.recordings, 5, "the server's recording")
    (record,) = nginx.recordings()
    wait_for(lambda: _streams(record)[2] > 0, 5, "a finished recording")  # nginx closes it on unpublish
    video, audio, duration = _streams(record)
    assert (video["codec_name"], audio["codec_name"]) == ("h264", "aac")
    assert (video["width"], video["height"]) == (w, h)
    assert video["r_frame_rate"] == f"{fps}/1"
    sent = enc.duration_s  # the video timeline pushed (skipped/missed slots included)
    assert sent >= 9.0, enc  # the encoder trails real time by its queue on a busy host
    assert abs(duration - sent) <= 0.02 * sent, (duration, sent)
    assert abs(float(video["start_time"]) - float(audio["start_time"])) <= 0.040


def test_flash_and_beep_stay_together_over_the_whole_run(nginx: NginxRtmpServer, tmp_path: Path) -> None:
    fps, run_s = 30, 8.0
    settings = StreamSettings(width=640, height=360, fps=fps, record_with_stream=True, record_format="mp4")
    mixer, clock = Mixer(), MediaClock()
    mixer.play_music(beep_track(1.0, [0.0]), 48000)  # a beep at every whole second of media time
    feed = SyntheticFeed(clock, 640, 360, fps, paint=flash_painter(fps))
    session = BroadcastSession(settings, mixer, feed, tmp_path / "rec")
    with AudioPacer(mixer, clock):
        time.sleep(0.3)  # start mid-second, like a real session
        session.go_live([OutputTarget("main", nginx.url, "sync")])
        local = session.recording
        time.sleep(run_s)
        stats = session.stats()
        session.stop()
    assert local is not None
    assert stats.encoder.av_drift_ms <= 1000 / fps / 2 + 1
    wait_for(nginx.recordings, 5, "the server's recording")
    for path in (local, nginx.recordings()[0]):
        flashes, beeps = flash_onsets(path), beep_onsets(path)
        assert len(flashes) >= run_s - 2, (path.name, flashes)
        assert abs(len(beeps) - len(flashes)) <= 1, (path.name, flashes, beeps)
        errors = sync_errors(flashes, beeps, fps)
        # 40 ms: beyond the half frame (16.7 ms) the frame grid itself allows, a picture off by
        # more than that shows; AAC onsets are sample-exact up to the codec's pre-echo.
        assert max(errors) <= 0.040 - 0.5 / fps, (path.name, [round(e * 1000) for e in errors])
        assert flashes[-1][1] - flashes[0][1] >= run_s - 3  # the whole run, not just the start
