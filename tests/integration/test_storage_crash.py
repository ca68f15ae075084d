"""Crash test: a writer killed with SIGKILL mid-loop loses no acknowledged row and leaves a sound DB."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from studio.app.paths import StudioPaths
from studio.storage.db import Database
from studio.storage.repos import EventLogRepo

WRITER = Path(__file__).with_name("_crash_writer.py")
MIN_ACKED = 300


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
@pytest.mark.parametrize("mode", ["FULL", "NORMAL"])
def test_sigkill_loses_no_acknowledged_row(mode: str) -> None:
    paths = StudioPaths.resolve()
    paths.ensure()
    db_file = paths.database_file
    proc = subprocess.Popen(
        [sys.executable, str(WRITER), str(db_file), mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    acked: list[int] = []
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first == "ready\n", first + proc.stderr.read()  # type: ignore[union-attr]
        deadline = time.monotonic() + 30
        while len(acked) < MIN_ACKED:
            line = proc.stdout.readline()
            assert line, f"writer died: {proc.stderr.read()}"  # type: ignore[union-attr]
            acked.append(int(line))
            assert time.monotonic() < deadline, f"only {len(acked)} rows acknowledged in 30 s"
        proc.send_signal(signal.SIGKILL)  # mid-loop: it is busy appending
        proc.wait(10)
        # Ids already written to the pipe before the kill were acknowledged too.
        for line in proc.stdout.read().splitlines(keepends=True):
            if line.endswith("\n"):
                acked.append(int(line))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    assert proc.returncode == -signal.SIGKILL
    assert acked == sorted(acked)
    assert len(set(acked)) == len(acked)

    # The writer had no chance to checkpoint: the rows live in the WAL that survived it.
    assert Path(str(db_file) + "-wal").exists()
    with sqlite3.connect(db_file) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    raw.close()

    db = Database(db_file, synchronous=mode)  # type: ignore[arg-type]
    db.open()
    try:
        present = EventLogRepo(db).ids()
        missing = sorted(set(acked) - present)
        assert missing == [], f"{len(missing)} acknowledged rows lost, first {missing[:5]}"
        assert len(present) >= len(acked)
        assert db.call(lambda d: d.execute("PRAGMA integrity_check").fetchone()[0]) == "ok"
        newest = EventLogRepo(db).recent(1)[0]
        assert newest.data["pad"] == "x" * 200  # the last row is whole, not torn
    finally:
        db.close()
