"""The studio under test of ``studio bench api``: a child process with its own interpreter.

``python -m studio.app.bench_api_child N`` builds the profile in ``$STUDIO_HOME`` with N accounts
(``bench0000`` ...; password from stdin's first line), starts the engine and API on a free loopback
port, prints ``BENCH-API-READY <url>`` and runs until its stdin closes.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import click

_READY = "BENCH-API-READY "


def serve_child(clients: int, password: str) -> None:
    """Child process: a studio engine + API on a free port with ``clients`` accounts; stops on stdin EOF."""
    from studio.api.auth.service import AuthService
    from studio.app.container import Container
    from studio.app.runtime import EngineRuntime

    container = Container.build()

    async def make_users() -> None:
        auth = AuthService(container.db, container.secrets)
        sem = asyncio.Semaphore(os.cpu_count() or 2)

        async def one(i: int) -> None:
            async with sem:
                await auth.create_user(f"bench{i:04d}", f"bench{i:04d}@example.com", password)

        await asyncio.gather(*(one(i) for i in range(clients)))

    asyncio.run(make_users())
    runtime = EngineRuntime(container, serve_api=True, port=0, host="127.0.0.1")
    runtime.start()
    print(_READY + str(runtime.api_url), flush=True)
    try:
        sys.stdin.read()  # the parent closes stdin to stop us
    finally:
        runtime.stop(timeout=5.0)
        container.close()


@contextmanager
def served_studio(clients: int, password: str, timeout: float = 120.0) -> Iterator[str]:
    """A studio in a child process on a temporary profile; yields its base URL."""
    with tempfile.TemporaryDirectory(prefix="studio-bench-api-") as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith("STUDIO_")}
        env.update(STUDIO_HOME=home, STUDIO_SECRETS_BACKEND="file", STUDIO_LOGGING_LEVEL="WARNING")
        proc = subprocess.Popen(
            [sys.executable, "-m", "studio.app.bench_api_child", str(clients)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(password + "\n")
        proc.stdin.flush()
        try:
            deadline = time.monotonic() + timeout
            url = ""
            while not url:
                line = proc.stdout.readline()
                if not line and proc.poll() is not None:
                    raise click.ClickException(f"The studio under test exited ({proc.returncode}).")
                if line.startswith(_READY):
                    url = line[len(_READY) :].strip()
                if time.monotonic() > deadline:
                    raise click.ClickException("The studio under test did not start.")
            # Keep reading what the child prints, so a full pipe never blocks it.
            threading.Thread(target=proc.stdout.read, name="bench-api-child-out", daemon=True).start()
            yield url
        finally:
            proc.stdin.close()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


if __name__ == "__main__":
    serve_child(int(sys.argv[1]), sys.stdin.readline().rstrip("\n"))
