"""``studio bench api``: the local API under N concurrent clients and a WebSocket hold.

The studio under test runs in a child process (its own interpreter, as in real use: the clients'
Python must not share the server's GIL) on a free port in a temporary STUDIO_HOME, with one account
per client created through the auth service; or ``--url`` points at a running studio (one account
from ``--username`` and ``STUDIO_BENCH_PASSWORD``).

Each client runs sessions until the time is up: sign in (``POST /api/auth/login``), then
``--ops-per-login`` rounds of user info (``GET /api/users/{id}``), preferences read
(``GET /api/preferences``) and write (``PUT /api/preferences``). Then ``--ws-clients`` WebSockets
are held open on ``/v1/ws/events`` for ``--ws-hold`` seconds. Latency percentiles, throughput and
error rate per operation are compared with the seed's targets.
"""

from __future__ import annotations

import asyncio
import json
import os
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import click

TARGETS_MS = {"login": 200.0, "user_info": 100.0, "prefs_read": 150.0, "prefs_write": 150.0}
"""p99 targets (seed section 6)."""
MAX_ERROR_RATE = 0.01
WS_PATH = "/v1/ws/events"
BENCH_PASSWORD = "bench-password-1"  # noqa: S105 (a throw-away account in a temporary profile)
_READY = "BENCH-API-READY "


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) with linear interpolation; ``nan`` for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * min(max(q, 0.0), 100.0) / 100.0
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(slots=True)
class OpStats:
    """Latencies (seconds) and failures of one operation."""

    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)

    def fail(self, kind: str) -> None:
        """Count one failed request of ``kind`` (``http_500``, ``ReadTimeout`` ...)."""
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1

    def summary(self, elapsed_s: float) -> dict[str, Any]:
        """p50/p90/p99/mean/max in ms, throughput over ``elapsed_s``, error rate, target check."""
        ms = [v * 1000.0 for v in self.latencies]
        total = len(ms) + self.errors
        target = TARGETS_MS.get(self.name)
        p99 = percentile(ms, 99)
        error_rate = self.errors / total if total else 0.0
        return {
            "requests": total,
            "ok": len(ms),
            "errors": self.errors,
            "error_rate": round(error_rate, 5),
            "error_kinds": dict(self.error_kinds),
            "p50_ms": round(percentile(ms, 50), 2),
            "p90_ms": round(percentile(ms, 90), 2),
            "p99_ms": round(p99, 2),
            "mean_ms": round(sum(ms) / len(ms), 2) if ms else float("nan"),
            "max_ms": round(max(ms), 2) if ms else float("nan"),
            "throughput_rps": round(len(ms) / elapsed_s, 1) if elapsed_s > 0 else 0.0,
            "target_p99_ms": target,
            "meets_target": bool(ms) and (target is None or p99 < target) and error_rate < MAX_ERROR_RATE,
        }


@dataclass(slots=True)
class Account:
    """A bench account."""

    username: str
    password: str


# ---- the clients ------------------------------------------------------------------------------


@dataclass(slots=True)
class Plan:
    """What the clients do (phases whose routes are absent are left out, with a note)."""

    url: str
    accounts: list[Account]
    seconds: float
    ops_per_login: int = 5
    think_s: float = 0.0
    ramp_s: float = 0.0
    prefs: bool = True
    notes: list[str] = field(default_factory=list)
    stats: dict[str, OpStats] = field(default_factory=dict)
    tls: ssl.SSLContext = field(default_factory=ssl.create_default_context)
    """One TLS context for every client: building one per client (httpx's default) costs ~20 ms
    of CPU each, and with 100 clients on a busy machine the last ones started seconds late."""

    def op(self, name: str) -> OpStats:
        """The stats of ``name``."""
        return self.stats.setdefault(name, OpStats(name))


async def _timed(plan: Plan, name: str, request: Any) -> Any:
    import httpx

    started = time.perf_counter()
    try:
        response = await request
    except httpx.HTTPError as exc:
        plan.op(name).fail(type(exc).__name__)
        return None
    if response.status_code >= 400:
        plan.op(name).fail(f"http_{response.status_code}")
        return None
    plan.op(name).latencies.append(time.perf_counter() - started)
    return response


async def _client(plan: Plan, index: int, deadline: float, start_after: float) -> None:
    import httpx

    if start_after:
        await asyncio.sleep(start_after)
    account = plan.accounts[index % len(plan.accounts)]
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(base_url=plan.url, timeout=30.0, limits=limits, verify=plan.tls) as http:
        while time.monotonic() < deadline:
            body = {"username": account.username, "password": account.password}
            r = await _timed(plan, "login", http.post("/api/auth/login", json=body))
            if r is None:
                await asyncio.sleep(0.1)
                continue
            data = r.json()["data"]
            headers = {"Authorization": f"Bearer {data['token']}"}
            user_id = data["user"]["id"]
            for n in range(plan.ops_per_login):
                if time.monotonic() >= deadline:
                    return
                await _think(plan)
                await _timed(plan, "user_info", http.get(f"/api/users/{user_id}", headers=headers))
                if plan.prefs:
                    await _think(plan)
                    await _timed(plan, "prefs_read", http.get("/api/preferences", headers=headers))
                    patch = {"bannerColor": f"#{(index * 7 + n) % 0xFFFFFF:06x}", "benchRound": n}
                    await _think(plan)
                    await _timed(
                        plan, "prefs_write", http.put("/api/preferences", json=patch, headers=headers)
                    )
            await _think(plan)


async def _think(plan: Plan) -> None:
    """A user's pause between two requests (a fixed think time; 0 = none)."""
    if plan.think_s:
        await asyncio.sleep(plan.think_s)


async def _available(plan: Plan) -> bool:
    """Check which routes exist; False if the API cannot be benchmarked at all."""
    import httpx

    async with httpx.AsyncClient(base_url=plan.url, timeout=30.0) as http:
        paths = (await http.get("/openapi.json")).json().get("paths", {})
    if "/api/auth/login" not in paths or "/api/users/{user_id}" not in paths:
        plan.notes.append("not available: /api/auth/login or /api/users/{user_id} is not served")
        return False
    prefs = paths.get("/api/preferences", {})
    plan.prefs = "get" in prefs and "put" in prefs
    if not plan.prefs:
        plan.notes.append("preferences phase not available: GET/PUT /api/preferences is not served")
    return True


async def run_http(plan: Plan, clients: int) -> float:
    """Run ``clients`` concurrent clients for ``plan.seconds``; returns the elapsed seconds."""
    if not await _available(plan):
        return 0.0
    started = time.monotonic()
    deadline = started + plan.seconds
    ramp = plan.ramp_s / clients if clients else 0.0
    await asyncio.gather(*(_client(plan, i, deadline, i * ramp) for i in range(clients)))
    return time.monotonic() - started


async def run_ws_hold(url: str, token: str, clients: int, hold_s: float) -> dict[str, Any]:
    """Open ``clients`` WebSockets on :data:`WS_PATH`, keep them ``hold_s`` seconds, count survivors."""
    import websockets

    ws_url = url.replace("http://", "ws://").replace("https://", "wss://") + WS_PATH
    connect_ms: list[float] = []
    failures: dict[str, int] = {}
    frames = [0] * clients
    survived = [False] * clients

    async def one(i: int) -> None:
        started = time.perf_counter()
        try:
            async with websockets.connect(
                ws_url, additional_headers={"Authorization": f"Bearer {token}"}, open_timeout=30
            ) as ws:
                connect_ms.append((time.perf_counter() - started) * 1000.0)
                end = time.monotonic() + hold_s
                while (left := end - time.monotonic()) > 0:
                    try:
                        await asyncio.wait_for(ws.recv(), left)
                        frames[i] += 1
                    except TimeoutError:
                        break
                await ws.send(json.dumps({"type": "ping"}))
                await asyncio.wait_for(ws.recv(), 10)  # still answered at the end of the hold
                survived[i] = True
        except Exception as exc:  # any failure counts against the hold
            kind = type(exc).__name__
            failures[kind] = failures.get(kind, 0) + 1

    await asyncio.gather(*(one(i) for i in range(clients)))
    return {
        "path": WS_PATH,
        "clients": clients,
        "hold_s": hold_s,
        "connected": len(connect_ms),
        "held": sum(survived),
        "connect_p50_ms": round(percentile(connect_ms, 50), 2),
        "connect_p99_ms": round(percentile(connect_ms, 99), 2),
        "frames_min": min(frames) if frames else 0,
        "failures": failures,
        "meets_target": sum(survived) == clients,
    }


def argon2_cost_ms(samples: int = 5) -> float:
    """Median milliseconds of one password verification on one core (where login time goes)."""
    from studio.api.auth.passwords import hash_password, verify_password

    stored = hash_password(BENCH_PASSWORD)
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        verify_password(stored, BENCH_PASSWORD)
        times.append((time.perf_counter() - started) * 1000.0)
    return round(percentile(times, 50), 2)


async def _bench(plan: Plan, clients: int, ws_clients: int, ws_hold: float) -> dict[str, Any]:
    import httpx

    elapsed = await run_http(plan, clients)
    result: dict[str, Any] = {
        "url": plan.url,
        "clients": clients,
        "seconds": round(elapsed, 2),
        "ops_per_login": plan.ops_per_login,
        "think_ms": round(plan.think_s * 1000),
        "ramp_s": plan.ramp_s,
        "cpu_count": os.cpu_count(),
        "load_avg_1m_after": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "operations": {name: s.summary(elapsed) for name, s in plan.stats.items()},
        "notes": plan.notes,
    }
    total = sum(len(s.latencies) + s.errors for s in plan.stats.values())
    errors = sum(s.errors for s in plan.stats.values())
    result["total_requests"] = total
    result["throughput_rps"] = round((total - errors) / elapsed, 1) if elapsed else 0.0
    result["error_rate"] = round(errors / total, 5) if total else 0.0
    result["argon2_verify_ms_one_core"] = argon2_cost_ms()
    if ws_clients and plan.accounts:
        account = plan.accounts[0]
        async with httpx.AsyncClient(base_url=plan.url, timeout=30.0) as http:
            r = await http.post(
                "/api/auth/login", json={"username": account.username, "password": account.password}
            )
        token = r.json()["data"]["token"] if r.status_code == 200 else ""
        result["websockets"] = await run_ws_hold(plan.url, token, ws_clients, ws_hold)
    ops_ok = all(v["meets_target"] for v in result["operations"].values()) and bool(result["operations"])
    ws_ok = result.get("websockets", {}).get("meets_target", ws_clients == 0)
    result["meets_targets"] = ops_ok and ws_ok and result["error_rate"] < MAX_ERROR_RATE
    return result


def bench_api_run(
    *,
    clients: int,
    seconds: float,
    ws_clients: int,
    ws_hold: float,
    url: str | None = None,
    username: str | None = None,
    ops_per_login: int = 5,
    think_ms: float = 0.0,
    ramp_s: float = 0.0,
) -> dict[str, Any]:
    """Run the whole benchmark and return the report (blocking)."""

    def go(base: str, accounts: list[Account]) -> dict[str, Any]:
        plan = Plan(
            base, accounts, seconds, ops_per_login=ops_per_login, think_s=think_ms / 1000.0, ramp_s=ramp_s
        )
        return asyncio.run(_bench(plan, clients, ws_clients, ws_hold))

    if url is not None:
        password = os.environ.get("STUDIO_BENCH_PASSWORD", "")
        if not username or not password:
            raise click.ClickException(
                "With --url, give --username and the password in $STUDIO_BENCH_PASSWORD."
            )
        return go(url.rstrip("/"), [Account(username, password)])
    from studio.app.bench_api_child import served_studio

    with served_studio(clients, BENCH_PASSWORD) as base:
        accounts = [Account(f"bench{i:04d}", BENCH_PASSWORD) for i in range(clients)]
        return go(base, accounts)


@click.command("api")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option(
    "--clients", type=click.IntRange(1, 1000), default=100, show_default=True, help="Concurrent clients."
)
@click.option(
    "--seconds", type=click.FloatRange(0.5, 3600), default=20.0, show_default=True, help="HTTP phase length."
)
@click.option(
    "--ws-clients", type=click.IntRange(0, 1000), default=50, show_default=True, help="WebSockets to hold."
)
@click.option(
    "--ws-hold", type=click.FloatRange(0, 3600), default=60.0, show_default=True, help="Hold them (s)."
)
@click.option(
    "--ops-per-login",
    type=click.IntRange(1, 1000),
    default=5,
    show_default=True,
    help="Rounds of user info + preferences read/write per sign-in.",
)
@click.option(
    "--think-ms",
    type=click.FloatRange(0, 60000),
    default=1000.0,
    show_default=True,
    help="Each user's pause between two requests (0: as fast as the server answers = saturation).",
)
@click.option(
    "--ramp-s",
    type=click.FloatRange(0, 3600),
    default=5.0,
    show_default=True,
    help="Users arrive (sign in) evenly over this many seconds (0: all at once).",
)
@click.option("--url", default=None, help="Benchmark a running studio instead of starting one.")
@click.option(
    "--username", default=None, help="With --url: the account (password in $STUDIO_BENCH_PASSWORD)."
)
def bench_api(
    as_json: bool,
    clients: int,
    seconds: float,
    ws_clients: int,
    ws_hold: float,
    ops_per_login: int,
    think_ms: float,
    ramp_s: float,
    url: str | None,
    username: str | None,
) -> None:
    """Local API under N concurrent users (sign-in, user info, preferences) and a WebSocket hold.

    Each user signs in, then reads their user info and reads/writes preferences, pausing
    --think-ms between requests, and signs in again after --ops-per-login rounds; users arrive over
    --ramp-s seconds. `--think-ms 0 --ramp-s 0` measures saturation instead.
    """
    result = bench_api_run(
        clients=clients,
        seconds=seconds,
        ws_clients=ws_clients,
        ws_hold=ws_hold,
        url=url,
        username=username,
        ops_per_login=ops_per_login,
        think_ms=think_ms,
        ramp_s=ramp_s,
    )
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    for name, op in result["operations"].items():
        click.echo(
            f"{name:>12}: p50 {op['p50_ms']} ms  p99 {op['p99_ms']} ms  {op['throughput_rps']} req/s  "
            f"errors {op['error_rate']:.2%}  target {op['target_p99_ms']} ms  "
            + ("ok" if op["meets_target"] else "MISSED")
        )
    if "websockets" in result:
        ws = result["websockets"]
        click.echo(f"  websockets: {ws['held']}/{ws['clients']} held {ws['hold_s']} s")
    for note in result["notes"]:
        click.echo(f"note: {note}")
