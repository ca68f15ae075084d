"""The RTMP server goes away mid-stream and comes back: reconnect, resume, keep recording continuously."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest

from studio.audio.mixer import Mixer
from studio.broadcast.session import BroadcastSession, OutputTarget
from studio.broadcast.stats import OutputStats
from studio.config.settings import StreamSettings
from studio.core.bus import EventBus
from studio.core.clock import MediaClock
from studio.core.events import StreamStateEvent
from studio.testing.rtmp import NginxRtmpServer, ffprobe_json
from tests.integration.broadcast.conftest import wait_for
from tests.integration.broadcast.media import packet_times
from tests.unit.broadcast.synth import AudioPacer, SyntheticFeed, beep_track

pytestmark = pytest.mark.slow

FPS = 30


def test_server_restart_reconnects_and_the_recording_stays_continuous(
    nginx: NginxRtmpServer, tmp_path: Path
) -> None:
    settings = StreamSettings(
        width=640, height=360, fps=FPS, record_with_stream=True, record_format="mkv",
        reconnect_delay_s=0.5, reconnect_max_delay_s=2.0,
    )  # fmt: skip
    mixer, clock = Mixer(), MediaClock()
    mixer.play_music(beep_track(1.0, [0.0]), 48000)
    bus = EventBus()
    events: list[StreamStateEvent] = []
    bus.subscribe(StreamStateEvent, events.append)
    session = BroadcastSession(
        settings, mixer, SyntheticFeed(clock, 640, 360, FPS), tmp_path / "rec", bus=bus
    )

    def main() -> OutputStats:
        return next(o for o in session.stats().outputs if o.name == "main")

    with AudioPacer(mixer, clock):
        session.go_live([OutputTarget("main", nginx.url, "faultkey")])
        local = session.recording
        wait_for(lambda: main().state == "live", 10, "live")
        time.sleep(2.5)
        nginx.stop()
        wait_for(lambda: main().state == "reconnecting", 5, "the loss to be noticed")
        time.sleep(3.0)
        nginx.start()
        back_after = wait_for(lambda: main().state == "live" and main().reconnects >= 1, 10, "live again")
        time.sleep(1.5)
        stats = session.stats()
        session.stop()
    out = stats.outputs[0] if stats.outputs[0].name == "main" else stats.outputs[1]
    rec = next(o for o in stats.outputs if o.name == "recording")
    assert back_after <= 10
    assert out.reconnects >= 1 and out.outage_s > 0 and out.dropped_frames > 0, out
    assert out.last_error and "faultkey" not in out.last_error
    states = [e.state for e in events if e.output == "main"]
    assert states[:2] == ["connecting", "live"]
    assert "reconnecting" in states and states[-2:] == ["live", "offline"], states
    assert rec.state == "live" and rec.dropped_frames == 0  # the recording never noticed

    # the local recording: one continuous timeline through the outage
    assert local is not None
    video = packet_times(local, "video")
    audio = packet_times(local, "audio")
    steps = [b - a for a, b in itertools.pairwise(video)]
    # No outage-sized gap. Known hole: PyAV holds the GIL during the RTMP handshake (~0.2 s), so the
    # renderer misses a few frame slots at each (re)connect; the timeline itself never jumps.
    limit = 0.3
    worst = max(range(len(steps)), key=steps.__getitem__)
    assert max(steps) <= limit, f"video jumps {max(steps):.3f} s at {video[worst]:.2f} s; {stats.encoder}"
    assert min(steps) > 0
    audio_steps = [b - a for a, b in itertools.pairwise(audio)]
    assert max(audio_steps) <= 1024 / 48000 + 0.002, f"audio jumps {max(audio_steps):.3f} s"
    assert video[-1] - video[0] >= 7.0

    # the server recorded two pieces; the second continues the session timeline (no reset to 0)
    wait_for(lambda: len(nginx.recordings()) == 2, 5, "two server recordings")
    first, second = nginx.recordings()
    first_probe = ffprobe_json(first)
    first_end = max(float(s["start_time"]) for s in first_probe["streams"]) + float(
        first_probe["format"]["duration"]
    )
    start = min(float(s["start_time"]) for s in ffprobe_json(second)["streams"])
    assert start >= min(2.0, first_end - 0.1), (first_end, start)  # resumed at a newer keyframe
    assert nginx.publishers() == ["faultkey", "faultkey"]
