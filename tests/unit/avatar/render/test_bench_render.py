"""render_benchmark and `studio bench render --json` on a real model, headless."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from studio.app.bench_render import render_benchmark
from studio.core.errors import StudioError
from tests.unit.avatar.render.conftest import ROOT, sample_model


def test_render_benchmark_reports_rates() -> None:
    result = render_benchmark(sample_model("Haru"), 320, 180, 0.3)
    assert result["frames"] >= 10
    assert result["frames_read"] == result["frames"]  # every measured frame came back
    assert result["fps"] > 0
    assert 0 < result["frame_ms_mean"] <= result["frame_ms_p95"]
    assert 0 < result["readback_ms_mean"] <= result["readback_ms_p95"]
    assert result["frame_ms_mean"] == pytest.approx(
        result["update_ms_mean"] + result["draw_ms_mean"] + result["readback_ms_mean"], abs=0.05
    )
    assert (result["width"], result["height"]) == (320, 180)
    assert result["gl_renderer"]


def test_bad_model_is_a_studio_error(tmp_path: Path) -> None:
    bad = tmp_path / "x.model3.json"
    bad.write_text("{}", encoding="utf-8")
    with pytest.raises(StudioError):
        render_benchmark(bad, 64, 64, 0.1)


def test_cli_prints_only_json(studio_home: Path) -> None:
    model = sample_model("Mao")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "studio",
            "bench",
            "render",
            "--json",
            "--model",
            str(model),
            "--size",
            "256x144",
            "--seconds",
            "0.5",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
        env={**os.environ, "STUDIO_HOME": str(studio_home)},
    )
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout)
    assert result["model"] == str(model)
    assert (result["width"], result["height"]) == (256, 144)
    assert result["fps"] > 0


def test_cli_rejects_a_bad_size() -> None:
    from click.testing import CliRunner

    from studio.app.render_cli import bench_render

    outcome = CliRunner().invoke(bench_render, ["--size", "big"])
    assert outcome.exit_code == 2
    assert "WIDTHxHEIGHT" in outcome.output


def test_without_a_model_the_built_in_avatar_is_measured() -> None:
    result = render_benchmark(None, 160, 90, 0.2)
    assert result["model"] == "built-in"
    assert result["frames_read"] == result["frames"] >= 10
