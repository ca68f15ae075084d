"""rtmps:// end to end: TLS (self-signed, not verified, like FFmpeg's default) in front of nginx."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from studio.audio.mixer import Mixer
from studio.broadcast.session import BroadcastSession, OutputTarget
from studio.config.settings import StreamSettings
from studio.core.clock import MediaClock
from studio.testing.rtmp import NginxRtmpServer, TlsFront
from tests.integration.broadcast.conftest import wait_for
from tests.unit.broadcast.synth import AudioPacer, SyntheticFeed

pytestmark = pytest.mark.slow


def test_rtmps_through_a_tls_front(nginx: NginxRtmpServer, tmp_path: Path) -> None:
    mixer, clock = Mixer(), MediaClock()
    session = BroadcastSession(
        StreamSettings(width=320, height=180), mixer, SyntheticFeed(clock, 320, 180, 30), tmp_path / "rec"
    )
    with TlsFront(tmp_path / "tls", nginx.port) as front, AudioPacer(mixer, clock):
        session.go_live([OutputTarget("main", front.url, "tlskey")])
        wait_for(lambda: session.stats().outputs[0].state == "live", 10, "live over TLS")
        time.sleep(1.0)
        sent = session.stats().outputs[0].frames_sent
        session.stop()
    assert sent >= 15
    assert front.connections >= 2  # the pre-flight handshake and the stream itself, both over TLS
    assert nginx.publishers() == ["tlskey"]
