"""``studio bench api``: the statistics, and a short real run (child studio, HTTP clients, WebSockets)."""

from __future__ import annotations

import json
import math
import threading

import numpy as np
import pytest
from click.testing import CliRunner

from studio.app.bench_api import MAX_ERROR_RATE, TARGETS_MS, OpStats, percentile
from studio.app.cli import cli


@pytest.mark.parametrize("q", [0, 1, 25, 50, 90, 99, 100])
def test_percentile_matches_numpys_linear_method(q: float) -> None:
    values = [float(v) for v in np.random.default_rng(7).exponential(20.0, 501)]
    assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))


def test_percentile_edges() -> None:
    assert math.isnan(percentile([], 50))
    assert percentile([3.0], 99) == 3.0
    assert percentile([1.0, 2.0], 50) == 1.5
    assert percentile([5.0, 1.0, 3.0], 0) == 1.0  # unsorted input


def test_summary_counts_errors_and_checks_the_target() -> None:
    op = OpStats("user_info", latencies=[0.010] * 98 + [0.020, 0.500])
    s = op.summary(elapsed_s=2.0)
    assert s["requests"] == 100 and s["ok"] == 100 and s["errors"] == 0
    assert s["p50_ms"] == pytest.approx(10.0)
    assert s["p99_ms"] == pytest.approx(20.0 + (500.0 - 20.0) * 0.01)
    assert s["max_ms"] == pytest.approx(500.0)
    assert s["throughput_rps"] == 50.0
    assert s["target_p99_ms"] == TARGETS_MS["user_info"]
    assert s["meets_target"] is True

    for _ in range(2):
        op.fail("http_500")
    s = op.summary(elapsed_s=2.0)
    assert s["errors"] == 2 and s["error_kinds"] == {"http_500": 2}
    assert s["error_rate"] == pytest.approx(2 / 102, abs=1e-5) and s["error_rate"] > MAX_ERROR_RATE
    assert s["meets_target"] is False  # too many errors, although fast enough

    slow = OpStats("login", latencies=[0.250] * 10).summary(elapsed_s=1.0)
    assert slow["meets_target"] is False
    assert OpStats("login").summary(elapsed_s=1.0)["meets_target"] is False  # nothing measured


@pytest.mark.slow
def test_a_short_real_run_reports_every_phase() -> None:
    before = {t.name for t in threading.enumerate()}
    args = [
        "bench",
        "api",
        "--json",
        "--clients",
        "3",
        "--seconds",
        "2",
        "--ws-clients",
        "3",
        "--ws-hold",
        "2",
        "--think-ms",
        "20",
        "--ramp-s",
        "0.3",
    ]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    ops = report["operations"]
    expected = {"login", "user_info"} | ({"prefs_read", "prefs_write"} if not report["notes"] else set())
    assert set(ops) == expected, report["notes"]
    for name, op in ops.items():
        assert op["ok"] > 0 and op["errors"] == 0, (name, op)
        assert 0 < op["p50_ms"] <= op["p99_ms"] <= op["max_ms"]
    assert ops["user_info"]["ok"] >= ops["login"]["ok"]  # several rounds per sign-in
    assert report["error_rate"] == 0.0 and report["total_requests"] > 0
    assert (report["think_ms"], report["ramp_s"]) == (20, 0.3)
    assert ops["login"]["ok"] >= 3  # every user arrived within the ramp and signed in
    ws = report["websockets"]
    assert (ws["connected"], ws["held"], ws["failures"]) == (3, 3, {})
    assert report["argon2_verify_ms_one_core"] > 1.0  # real argon2id, not a stub
    left = {t.name for t in threading.enumerate()} - before
    assert not {n for n in left if not n.startswith("bench-api-child-out")}, left
