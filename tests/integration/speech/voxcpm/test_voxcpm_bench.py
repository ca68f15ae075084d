"""``studio bench tts --engine voxcpm``: the measurement on the tiny model (plumbing numbers)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from studio.app.bench_tts import voxcpm_benchmark, voxcpm_benchmark_cli
from studio.testing.voxcpm_tiny import TINY_NOTE


def test_the_benchmark_reports_first_chunk_rtf_and_device(tiny_voxcpm: Path) -> None:
    row = voxcpm_benchmark(tiny_voxcpm, device="cpu", runs=2, text="你好。")
    assert row["engine"] == "voxcpm" and row["device"] == "cpu" and row["sample_rate"] == 48000
    assert row["runs"] == 2 and row["chunks_p50"] > 10
    assert 0 < row["first_chunk_p50_ms"] < row["total_p50_s"] * 1000 / 2
    assert row["rtf"] > 0 and row["audio_p50_s"] > 1.0
    assert row["worker_rss_mb"] is None or row["worker_rss_mb"] > 50
    assert "note" not in row  # a real folder: no tiny-model note


def test_the_cli_explains_a_missing_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = voxcpm_benchmark_cli(
        tmp_path / "missing", tiny=False, device="auto", runs=1, language="zh", as_json=True
    )
    assert status == 1
    [row] = json.loads(capsys.readouterr().out)
    assert "not a VoxCPM model folder" in row["error"]
    assert voxcpm_benchmark_cli(None, tiny=False, device="auto", runs=1, language="zh", as_json=False) == 1
    assert "--model DIR" in capsys.readouterr().out
    assert TINY_NOTE.startswith("This is a tiny")
