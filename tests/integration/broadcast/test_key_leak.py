"""The stream key is used to publish and is written nowhere under STUDIO_HOME (logs, config, DB, events)."""

from __future__ import annotations

import logging
import secrets
import time
from pathlib import Path

import pytest

from studio.app.container import Container
from studio.audio.mixer import Mixer
from studio.broadcast.session import BroadcastSession, main_key_name
from studio.broadcast.stats import StreamStatsEvent
from studio.config.settings import StreamSettings
from studio.core.clock import MediaClock
from studio.core.events import StreamStateEvent
from studio.storage.repos import EventLogRow
from studio.testing.rtmp import NginxRtmpServer
from tests.integration.broadcast.conftest import wait_for
from tests.unit.broadcast.synth import AudioPacer, SyntheticFeed

pytestmark = pytest.mark.slow
log = logging.getLogger("studio.test.broadcast")


def _files_containing(root: Path, needle: bytes) -> list[Path]:
    files = [p for p in root.rglob("*") if p.is_file()]
    assert files, f"nothing under {root}"
    return [p for p in files if needle in p.read_bytes()]


def test_the_stream_key_reaches_the_server_and_no_file(
    container: Container, nginx: NginxRtmpServer, studio_home: Path
) -> None:
    key = "live_" + secrets.token_hex(12)
    c = container
    c.secrets.set(main_key_name(), key)
    settings = StreamSettings(
        server=nginx.url + "/", width=320, height=180, record_with_stream=True,
        reconnect_delay_s=0.3, reconnect_max_delay_s=0.6,
    )  # fmt: skip
    c.config = c.config_store.save_area(c.config, settings)
    c.config_store.save(c.config)

    def journal(event: StreamStateEvent | StreamStatsEvent) -> None:  # what the app keeps of a session
        log.info("stream event %r", event)
        c.event_log.append(EventLogRow("stream", "broadcast", repr(event), {"event": repr(event)}))

    c.bus.subscribe(StreamStateEvent, journal)
    c.bus.subscribe(StreamStatsEvent, journal)
    mixer, clock = Mixer(), MediaClock()
    session = BroadcastSession(
        c.config.stream, mixer, SyntheticFeed(clock, 320, 180, 30), c.paths.data_dir / "recordings",
        bus=c.bus, secret=c.secrets.get,
    )  # fmt: skip
    with AudioPacer(mixer, clock):
        session.go_live()
        wait_for(lambda: session.stats().outputs[0].state == "live", 10, "live")
        session.publish_stats()
        nginx.kill()  # errors now carry the URL: they must come out masked
        wait_for(lambda: session.stats().outputs[0].state == "reconnecting", 5, "reconnecting")
        time.sleep(0.5)
        nginx.start()
        wait_for(lambda: session.stats().outputs[0].reconnects >= 1, 10, "reconnected")
        session.publish_stats()
        stats = session.stats()
        log.info("final stats %s", stats)
        session.stop()
    assert nginx.publishers() == [key, key]  # the key was really used, twice
    assert stats.outputs[0].target.endswith("/***")
    wal = c.paths.database_file.with_name(c.paths.database_file.name + "-wal")
    assert wal.exists() or c.paths.database_file.exists()
    recordings = list((c.paths.data_dir / "recordings").glob("*.mp4"))
    assert recordings and recordings[0].stat().st_size > 10_000
    assert len(c.event_log.recent()) >= 4
    assert _files_containing(studio_home, key.encode()) == []
    c.close()  # logs flushed, DB checkpointed
    assert _files_containing(studio_home, key.encode()) == []
    assert "stream event" in (c.paths.log_dir / "studio.log").read_text(encoding="utf-8")
