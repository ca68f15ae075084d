"""`studio bench stream`: a short real push to a local nginx RTMP server, JSON out, failure exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from studio.app.demo_cli import default_text, parse_size, split_rtmp
from studio.testing.rtmp import NginxRtmpServer, ffprobe_json, free_port, require_rtmp_tools

pytestmark = pytest.mark.slow


def run_bench(home: Path, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "STUDIO_HOME": str(home), "STUDIO_SECRETS_BACKEND": "file"}
    return subprocess.run(
        [sys.executable, "-m", "studio", "bench", "stream", "--json", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


def test_split_rtmp_takes_the_key_from_the_last_path_part() -> None:
    assert split_rtmp("rtmp://127.0.0.1:1935/live/abc123") == ("rtmp://127.0.0.1:1935/live", "abc123")
    assert split_rtmp("rtmp://host/live") == ("rtmp://host/live", "")
    assert split_rtmp("rtmps://host/app/sub/key/") == ("rtmps://host/app/sub", "key")


def test_parse_size_and_default_text() -> None:
    assert parse_size("1280x720") == (1280, 720)
    assert parse_size("641X361") == (640, 360)
    assert default_text("zh_CN").startswith("大家好")
    assert default_text("en").startswith("Hello")
    assert "Hello" in default_text("fr") and "大家好" in default_text("fr")


def test_bench_stream_pushes_to_a_local_rtmp_server_and_reports(tmp_path: Path, studio_home: Path) -> None:
    require_rtmp_tools()
    with NginxRtmpServer(tmp_path / "nginx") as server:
        proc = run_bench(
            studio_home, "--url", f"{server.url}/benchkey42", "--seconds", "3", "--size", "320x180"
        )
        if proc.returncode != 0 and "OpenGL" in proc.stderr:
            pytest.skip(proc.stderr.strip())
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert server.publishers() == ["benchkey42"]
    result = json.loads(proc.stdout)
    print(result)
    assert result["ok"] is True and result["output_state"] == "live"
    assert "benchkey42" not in proc.stdout + proc.stderr, "the key is never printed"
    assert result["url"].endswith("/***")
    assert (result["width"], result["height"], result["fps_target"]) == (320, 180, 30)
    assert result["model"] == "built-in"
    assert 2.5 <= result["measured_s"] <= 4.0
    assert result["frames"] >= 10  # fps itself is for the real benchmark, not a busy CI machine
    assert 0 < result["fps"] <= 31
    assert 0 < result["cpu_percent"] <= 100 * result["cpu_count"]
    assert result["bitrate_kbps"] > 100
    assert result["encode_ms_mean"] > 0
    assert result["av_drift_ms"] <= 1000 / 30
    for key in ("skipped_frames", "missed_frames", "dropped_frames", "render_skipped_ticks"):
        assert result[key] >= 0
    # What the server received plays: H.264 + AAC at the benchmark's size.
    recordings = server.recordings()
    assert recordings
    streams = {s["codec_name"]: s for s in ffprobe_json(recordings[-1])["streams"]}
    assert set(streams) == {"h264", "aac"}
    assert (streams["h264"]["width"], streams["h264"]["height"]) == (320, 180)


def test_bench_stream_fails_when_nothing_listens(tmp_path: Path, studio_home: Path) -> None:
    proc = run_bench(
        studio_home, "--url", f"rtmp://127.0.0.1:{free_port()}/live/k", "--seconds", "1", "--size", "320x180"
    )
    if "OpenGL" in proc.stderr:
        pytest.skip(proc.stderr.strip())
    assert proc.returncode == 1, proc.stdout + proc.stderr
    result = json.loads(proc.stdout)
    assert result["ok"] is False and result["output_state"] != "live"


def test_bench_stream_rejects_a_bad_url(studio_home: Path) -> None:
    proc = run_bench(studio_home, "--url", "http://example.com/live/key", "--seconds", "1")
    assert proc.returncode == 2
    assert "rtmp://" in proc.stderr and "key" not in proc.stderr.split("rtmp://")[0]
