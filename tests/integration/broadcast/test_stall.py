"""A server that stops reading (process frozen): the stall watchdog reconnects instead of staying "live"."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from studio.audio.mixer import Mixer
from studio.broadcast.session import BroadcastSession, OutputTarget
from studio.broadcast.stats import OutputStats
from studio.config.settings import StreamSettings
from studio.core.clock import MediaClock
from studio.testing.rtmp import NginxRtmpServer
from tests.integration.broadcast.conftest import wait_for
from tests.unit.broadcast.synth import AudioPacer, SyntheticFeed

pytestmark = pytest.mark.slow


def test_a_frozen_server_is_detected_and_the_stream_comes_back(
    nginx: NginxRtmpServer, tmp_path: Path
) -> None:
    # 20 Mbit/s CBR fills the loopback socket buffers within a couple of seconds.
    settings = StreamSettings(
        width=320, height=180, video_bitrate_kbps=20000, x264_preset="ultrafast",
        reconnect_delay_s=0.5, reconnect_max_delay_s=1.0,
    )  # fmt: skip
    mixer, clock = Mixer(), MediaClock()
    session = BroadcastSession(settings, mixer, SyntheticFeed(clock, 320, 180, 30), tmp_path / "rec")

    def main() -> OutputStats:
        return session.stats().outputs[0]

    pid = nginx.pid
    assert pid is not None
    with AudioPacer(mixer, clock):
        session.go_live([OutputTarget("main", nginx.url, "stallkey")])
        wait_for(lambda: main().state == "live", 10, "live")
        time.sleep(1.0)
        os.kill(pid, signal.SIGSTOP)
        try:
            noticed = wait_for(lambda: main().state == "reconnecting", 15, "the stall to be noticed")
            assert "stalled" in (main().last_error or "")
        finally:
            os.kill(pid, signal.SIGCONT)
        back = wait_for(lambda: main().state == "live" and main().reconnects >= 1, 15, "live again")
        time.sleep(0.5)
        stats = main()
        frames = stats.frames_sent
        time.sleep(0.5)
        assert main().frames_sent > frames  # media flows again
        session.stop()
    assert noticed < 12 and back < 15
    assert stats.outage_s > 0 and stats.dropped_frames > 0
    assert nginx.publishers()[-1] == "stallkey" and len(nginx.publishers()) >= 2
