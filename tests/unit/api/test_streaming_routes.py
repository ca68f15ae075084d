"""Streaming routes (/api/streaming/*) against a fake broadcast session; real secrets store."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import keyring.backend
import pytest

from studio.api.app import create_app
from studio.api.deps import ApiContext
from studio.api.streaming import BroadcastApi, ConfigService, parse_resolution
from studio.broadcast.session import main_key_name
from studio.broadcast.stats import EncoderStats, OutputStats, StreamStats
from studio.config.secrets import EncryptedFileKeyring, SecretStore
from studio.config.settings import AreaSettings, StreamSettings, StudioConfig
from studio.core.errors import ValidationError

ENVELOPE_KEYS = {"success", "message", "data", "timestamp", "code"}
KEY = "live_123456_secretKEY"


class FakeSession:
    """The BroadcastSession surface the routes use, with fault knobs."""

    def __init__(self, settings: StreamSettings) -> None:
        self.settings = settings
        self.live_calls = 0
        self.stop_calls = 0
        self.fail_with: Exception | None = None
        self._stats = StreamStats()

    def stats(self) -> StreamStats:
        return self._stats

    def go_live(self) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        if not self.settings.server:
            raise ValidationError("Choose a platform or enter the RTMP server URL before going live.")
        self.live_calls += 1
        rtmp = OutputStats("main", "rtmp", self.settings.server + "/***", state="connecting")
        self._stats = StreamStats(live=True, started_at=time.time(), outputs=(rtmp,))

    def stop_live(self) -> None:
        self.stop_calls += 1
        self._stats = StreamStats()


class FakeBroadcast:
    def __init__(self, session: FakeSession) -> None:
        self._session = session

    async def session(self) -> FakeSession:
        return self._session


class FakeConfigService:
    def __init__(self, config: StudioConfig) -> None:
        self.config = config
        self.saved: list[AreaSettings] = []

    def current(self) -> StudioConfig:
        return self.config

    async def save_area(self, area: AreaSettings) -> None:
        self.saved.append(area)
        self.config = self.config.model_copy(update={area.area: area})


@pytest.fixture
def secrets(tmp_path: Path) -> SecretStore:
    backend: keyring.backend.KeyringBackend = EncryptedFileKeyring(tmp_path / "s.enc", tmp_path / ".key")
    return SecretStore("cream-test", tmp_path, tmp_path / ".key", backend=backend)


@pytest.fixture
def ctx(secrets: SecretStore, tmp_path: Path) -> ApiContext:
    config = StudioConfig()
    session = FakeSession(config.stream)
    return ApiContext(
        version="test",
        config=config,
        secrets=secrets,
        data_dir=tmp_path,
        services={"broadcast": FakeBroadcast(session)},
    )


@pytest.fixture
async def client(ctx: ApiContext) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(ctx)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as c:
        yield c


def _session(ctx: ApiContext) -> FakeSession:
    session = ctx.services["broadcast"]._session
    assert isinstance(session, FakeSession)
    return session


def test_fakes_satisfy_the_protocols(ctx: ApiContext) -> None:
    assert isinstance(ctx.services["broadcast"], BroadcastApi)
    assert isinstance(FakeConfigService(StudioConfig()), ConfigService)


async def test_get_config_defaults_without_key(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/streaming/config")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == ENVELOPE_KEYS and body["success"] is True
    assert body["data"] == {
        "rtmp_url": "",
        "stream_key": "",
        "resolution": "1280x720",
        "fps": 30,
        "bitrate": 2500,
        "audio_codec": "aac",
        "video_codec": "h264",
    }


async def test_put_config_maps_to_stream_settings_and_key_goes_to_secrets_only(
    client: httpx.AsyncClient, ctx: ApiContext, secrets: SecretStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    body = {
        "rtmp_url": "rtmp://live-push.bilivideo.com/live-bvc/",
        "stream_key": KEY,
        "resolution": "1920x1080",
        "fps": 60,
        "bitrate": 6000,
        "audio_codec": "aac",
        "video_codec": "h264",
    }
    r = await client.put("/api/streaming/config", json=body)
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert data["stream_key"] == "***"
    assert data["rtmp_url"] == body["rtmp_url"] and data["resolution"] == "1920x1080"
    assert KEY not in r.text
    assert ctx.config is not None
    s = ctx.config.stream
    assert (s.server, s.width, s.height, s.fps, s.video_bitrate_kbps) == (
        body["rtmp_url"],
        1920,
        1080,
        60,
        6000,
    )
    assert secrets.get(main_key_name()) == KEY
    assert KEY not in json.dumps(ctx.config.model_dump(mode="json"))  # never in config
    assert KEY not in caplog.text
    again = await client.get("/api/streaming/config")
    assert again.json()["data"]["stream_key"] == "***" and KEY not in again.text


async def test_masked_key_round_trip_keeps_key_and_empty_removes_it(
    client: httpx.AsyncClient, secrets: SecretStore
) -> None:
    await client.put("/api/streaming/config", json={"stream_key": KEY})
    r = await client.put("/api/streaming/config", json={"stream_key": "***", "fps": 25})
    assert r.status_code == 200 and r.json()["data"]["fps"] == 25
    assert secrets.get(main_key_name()) == KEY
    r = await client.put("/api/streaming/config", json={"stream_key": ""})
    assert r.json()["data"]["stream_key"] == ""
    assert secrets.get(main_key_name()) is None


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"rtmp_url": "http://example.com/live"}, 400),
        ({"rtmp_url": "rtmp://user:pw@example.com/live"}, 400),
        ({"resolution": "huge"}, 400),
        ({"resolution": "20x20"}, 400),
        ({"stream_key": "has space"}, 400),
        ({"fps": 500}, 422),
        ({"bitrate": "fast"}, 422),
        ({"video_codec": "vp8"}, 422),
        ({"audio_codec": "mp3"}, 422),
    ],
)
async def test_put_config_rejects_bad_values(
    client: httpx.AsyncClient, ctx: ApiContext, body: dict[str, object], status: int
) -> None:
    before = ctx.config.model_copy(deep=True) if ctx.config else None
    r = await client.put("/api/streaming/config", json=body)
    assert r.status_code == status, r.text
    payload = r.json()
    assert set(payload) == ENVELOPE_KEYS and payload["success"] is False and payload["message"]
    assert "Traceback" not in r.text
    assert ctx.config == before  # nothing half-applied


async def test_put_config_saves_through_the_config_service(ctx: ApiContext) -> None:
    assert ctx.config is not None
    service = FakeConfigService(ctx.config)
    ctx.services["config"] = service
    app = create_app(ctx)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        r = await c.put(
            "/api/streaming/config", json={"resolution": "720p", "rtmp_url": "rtmps://x.example/app"}
        )
        assert r.status_code == 200 and r.json()["message"] == "Stream settings saved."
        assert [a.area for a in service.saved] == ["stream"]
        assert service.config.stream.server == "rtmps://x.example/app"
        assert (await c.get("/api/streaming/config")).json()["data"]["rtmp_url"] == "rtmps://x.example/app"
        # going live uses the saved settings, not the ones the session was built with
        r = await c.post("/api/streaming/start")
        assert r.status_code == 200
        assert _session(ctx).settings.server == "rtmps://x.example/app"


async def test_status_start_stop(client: httpx.AsyncClient, ctx: ApiContext) -> None:
    r = await client.get("/api/streaming/status")
    assert r.status_code == 200
    assert r.json()["data"] == {
        "is_connected": False,
        "is_streaming": False,
        "start_time": None,
        "duration": 0.0,
        "bytes_sent": 0,
        "frames_sent": 0,
        "errors": [],
    }
    r = await client.post("/api/streaming/start")
    assert r.status_code == 400 and r.json()["success"] is False  # no server configured
    assert "RTMP server" in r.json()["message"]
    await client.put("/api/streaming/config", json={"rtmp_url": "rtmp://127.0.0.1/live", "stream_key": KEY})
    r = await client.post("/api/streaming/start")
    assert r.status_code == 200, r.text
    status = r.json()["data"]
    assert status["is_streaming"] is True and status["is_connected"] is False
    assert status["start_time"].endswith("Z")
    assert _session(ctx).live_calls == 1
    r = await client.post("/api/streaming/stop")
    assert r.status_code == 200 and r.json()["data"]["is_streaming"] is False
    assert _session(ctx).stop_calls == 1


async def test_status_reports_connection_bytes_and_masked_errors(
    client: httpx.AsyncClient, ctx: ApiContext
) -> None:
    main = OutputStats(
        "main", "rtmp", "rtmp://a/***", state="live", bytes_sent=1234, frames_sent=90, last_error=None
    )
    extra = OutputStats(
        "yt",
        "rtmp",
        "rtmp://b/***",
        state="reconnecting",
        bytes_sent=100,
        frames_sent=10,
        last_error="EOF rtmp://b/***",
    )
    rec = OutputStats("recording", "file", "/tmp/x.mp4", state="live", bytes_sent=999, frames_sent=95)
    _session(ctx)._stats = StreamStats(
        live=True,
        recording=True,
        started_at=time.time() - 10,
        encoder=EncoderStats(running=True, error=None),
        outputs=(main, extra, rec),
    )
    data = (await client.get("/api/streaming/status")).json()["data"]
    assert data["is_connected"] is True and data["is_streaming"] is True
    assert data["bytes_sent"] == 1334 and data["frames_sent"] == 90
    assert data["errors"] == ["EOF rtmp://b/***"]
    assert 9.5 <= data["duration"] <= 12


async def test_engine_errors_are_500_envelopes_without_trace(
    client: httpx.AsyncClient, ctx: ApiContext
) -> None:
    from studio.broadcast.codecs import EncoderError

    await client.put("/api/streaming/config", json={"rtmp_url": "rtmp://127.0.0.1/live"})
    _session(ctx).fail_with = EncoderError("No H.264 encoder could be opened: libx264: boom")
    r = await client.post("/api/streaming/start")
    assert r.status_code == 500
    assert r.json()["code"] == "encoder_error" and "Traceback" not in r.text


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/streaming/status"),
        ("POST", "/api/streaming/start"),
        ("POST", "/api/streaming/stop"),
    ],
)
async def test_without_broadcast_engine_503(ctx: ApiContext, method: str, path: str) -> None:
    ctx.services.clear()
    app = create_app(ctx)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        r = await c.request(method, path)
        assert r.status_code == 503
        body = r.json()
        assert body["code"] == "broadcast_unavailable" and "broadcast engine" in body["message"]
        # config still works without the engine
        assert (await c.get("/api/streaming/config")).status_code == 200


async def test_key_without_secrets_store_is_refused(ctx: ApiContext) -> None:
    ctx.secrets = None
    app = create_app(ctx)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        r = await c.put("/api/streaming/config", json={"stream_key": KEY})
        assert r.status_code == 503 and KEY not in r.text


def test_parse_resolution() -> None:
    assert parse_resolution("1280x720") == (1280, 720)
    assert parse_resolution(" 1921 X 1081 ") == (1920, 1080)
    assert parse_resolution("1080p") == (1920, 1080)
    for bad in ("", "720", "x720", "99999x1"):
        with pytest.raises(ValidationError):
            parse_resolution(bad)


def test_openapi_lists_the_streaming_routes(ctx: ApiContext) -> None:
    paths = create_app(ctx).openapi()["paths"]
    assert {"get", "put"} <= set(paths["/api/streaming/config"])
    for p in ("/api/streaming/status", "/api/streaming/start", "/api/streaming/stop"):
        assert p in paths
