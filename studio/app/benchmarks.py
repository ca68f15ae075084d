"""Benchmarks run by ``studio bench``. Each returns a flat dict of numbers for ``--json``."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Literal

from studio.storage.db import Database
from studio.storage.repos import EventLogRepo, EventLogRow


def storage_benchmark(rows: int) -> dict[str, float | int]:
    """Committed single-row writes per second through the DB thread, for both sync modes."""
    result: dict[str, float | int] = {"rows": rows}
    modes: tuple[Literal["FULL", "NORMAL"], ...] = ("FULL", "NORMAL")
    with tempfile.TemporaryDirectory(prefix="studio-bench-") as tmp:
        for mode in modes:
            db = Database(Path(tmp) / f"{mode}.db", synchronous=mode)
            db.open()
            repo = EventLogRepo(db)
            latencies: list[float] = []
            started = time.perf_counter()
            for i in range(rows):
                t0 = time.perf_counter()
                repo.append(EventLogRow("bench", "bench", f"row {i}"))
                latencies.append(time.perf_counter() - t0)
            elapsed = time.perf_counter() - started
            db.close()
            latencies.sort()
            key = mode.lower()
            result[f"{key}_writes_per_s"] = round(rows / elapsed, 1)
            result[f"{key}_p50_ms"] = round(latencies[len(latencies) // 2] * 1000, 3)
            result[f"{key}_p99_ms"] = round(
                latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000, 3
            )
    if result["normal_writes_per_s"]:
        result["full_vs_normal_ratio"] = round(
            float(result["full_writes_per_s"]) / float(result["normal_writes_per_s"]), 3
        )
    return result
