"""Child process of the storage crash test: append rows forever, print each id once committed.

Usage: python _crash_writer.py <database file> <FULL|NORMAL>
"""

from __future__ import annotations

import sys
from pathlib import Path

from studio.storage.db import Database
from studio.storage.repos import EventLogRepo, EventLogRow


def main() -> None:
    path, mode = Path(sys.argv[1]), sys.argv[2]
    db = Database(path, synchronous=mode)  # type: ignore[arg-type]
    db.open()
    repo = EventLogRepo(db)
    print("ready", flush=True)
    i = 0
    while True:  # until SIGKILL
        row_id = repo.append(EventLogRow("crash-test", "writer", f"row {i}", {"i": i, "pad": "x" * 200}))
        # Only now, after append() returned (committed), is the id acknowledged.
        sys.stdout.write(f"{row_id}\n")
        sys.stdout.flush()
        i += 1


if __name__ == "__main__":
    main()
