"""Benchmark 2: contact intake, `POST /api/v1/contacts`, against the served process.

    .venv/bin/python -m bench.intake --db postgres      # or sqlite; --quick for seconds

A few client threads, each with its own keep-alive connection, share a bounded budget of
requests and a wall-clock limit. Two baselines run on the same server, with the same threads
and budget, in the same run: `GET /healthz` (no database, no auth: the HTTP/WSGI/middleware
floor) and `POST /bench/bare` (bench/bare.py: a bare Django view that inserts one row, the
ceiling a Django write can reach here). The goal (issue 11) is contacts >= 40% of the bare
view's requests per second. Run alone (`main`) it uses its own scratch database
(bench/scratch.py); bench/run.py calls `run_intake` inside its wider run.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .cpu import CpuProbe, DbCpu, postgres_backends, process_cpu
from .intake_process import (
    BARE,
    CONTACTS,
    WARM_UP,
    contact_body,
    contact_statements,
    count_contact_queries,
    in_process,
    phases,
    render_in_process,
    statement_kinds,
    strided,
)
from .server import Client, Reply, served
from .stats import Summary, ratio, table

# The in-process measures are in bench/intake_process.py; run.py and the smoke tests reach
# them through this module too.
__all__ = [
    "BARE",
    "CONTACTS",
    "HEALTHZ",
    "Load",
    "contact_statements",
    "count_contact_queries",
    "render",
    "run_intake",
    "statement_kinds",
]

HEALTHZ = "GET /healthz"
BASELINES = (HEALTHZ, BARE)
MODEL_SETTLE = 3.0  # seconds


@dataclass
class Load:
    target: str
    threads: int
    budget: int
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall_seconds: float = 0.0
    stopped_by_time: bool = False
    # CPU seconds spent during the timed part by the served process and by the database
    # server's backends of the bench database (None when not measured): unlike wall time,
    # barely moved by other engineers' work on the same cores.
    app_cpu: float | None = None
    db_cpu: float | None = None

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.wall_seconds if self.wall_seconds else 0.0

    def cpu_ms(self, seconds: float | None) -> float | None:
        """CPU milliseconds per successful request."""
        if seconds is None or not self.latencies:
            return None
        return 1000 * seconds / len(self.latencies)


def run_load(
    *,
    port: int,
    token: str,
    target: str,
    threads: int,
    budget: int,
    time_limit: float,
    request: Callable[[Client, int], Reply],
    expect: int,
    server_pid: int | None = None,
    db_probe: CpuProbe | None = None,
) -> Load:
    """`budget` requests shared by `threads` clients; stops early after `time_limit` seconds.
    With `server_pid` / `db_probe`, the CPU the served process / the database spent on it."""
    load = Load(target=target, threads=threads, budget=budget)
    warm = Client(port, token)
    try:
        # Discarded: the first requests of a target open connections and fill caches.
        for i in range(WARM_UP):
            request(warm, budget + i)
    finally:
        warm.close()
    if target == CONTACTS:
        # The first contact starts loading the sentence model in a background thread of the
        # server (about a second of CPU): not part of any request, so not timed.
        time.sleep(MODEL_SETTLE)
    counter = itertools.count()
    lock = threading.Lock()
    barrier = threading.Barrier(threads + 1)
    deadline: list[float] = []

    def worker() -> None:
        client = Client(port, token)
        mine: list[float] = []
        try:
            barrier.wait()
            while True:
                with lock:
                    i = next(counter)
                if i >= budget:
                    break
                if time.monotonic() > deadline[0]:
                    load.stopped_by_time = True
                    break
                try:
                    reply = request(client, i)
                except OSError as exc:
                    with lock:
                        load.errors.append(f"{type(exc).__name__}: {exc}")
                    continue
                if reply.status != expect:
                    with lock:
                        load.errors.append(f"{reply.status}: {reply.body[:200]!r}")
                    continue
                mine.append(reply.seconds)
        finally:
            client.close()
            with lock:
                load.latencies.extend(mine)

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for t in pool:
        t.start()
    deadline.append(time.monotonic() + time_limit)
    app_before = process_cpu(server_pid) if server_pid else 0.0
    db_cpu = DbCpu(db_probe) if db_probe else None
    start = time.perf_counter()
    barrier.wait()
    for t in pool:
        t.join(time_limit + 60)
    load.wall_seconds = time.perf_counter() - start
    if server_pid:
        load.app_cpu = process_cpu(server_pid) - app_before
    if db_cpu:
        load.db_cpu = db_cpu.stop()
    return load


def run_intake(
    *,
    port: int,
    token: str,
    lines: list[tuple[str, str]],
    concurrency: list[int],
    budget: int,
    time_limit: float,
    with_bare: bool = False,
    server_pid: int | None = None,
    db_probe: CpuProbe | None = None,
) -> list[Load]:
    """For each number of client threads: the healthz baseline, the bare one-row view (when
    the server runs bench.bare), then the contacts."""

    def healthz(client: Client, i: int) -> Reply:
        return client.call("GET", "/healthz")

    def contact(client: Client, i: int) -> Reply:
        return client.call("POST", "/api/v1/contacts", contact_body(strided(lines, i)))

    def bare(client: Client, i: int) -> Reply:
        customer, order = strided(lines, i)
        return client.call("POST", "/bench/bare", {"customer": customer, "order": order})

    plan: list[tuple[str, Callable[[Client, int], Reply], int]] = [(HEALTHZ, healthz, 200)]
    if with_bare:
        plan.append((BARE, bare, 201))
    plan.append((CONTACTS, contact, 201))
    results = []
    for threads in concurrency:
        for target, request, expect in plan:
            results.append(
                run_load(
                    port=port,
                    token=token,
                    target=target,
                    threads=threads,
                    budget=budget,
                    time_limit=time_limit,
                    request=request,
                    expect=expect,
                    server_pid=server_pid,
                    db_probe=db_probe,
                )
            )
    return results


def render(loads: list[Load]) -> str:
    """One row per configuration: samples, req/s, p50/p95/p99/max, and the share of the
    bare one-row view's requests per second (the ceiling) at the same client threads."""
    rows = []
    by: dict[tuple[str, int], Load] = {(load.target, load.threads): load for load in loads}
    for load in loads:
        s = Summary.of(load.latencies) if load.latencies else None
        bare = by.get((BARE, load.threads))
        share = (
            "ceiling"
            if load.target == BARE
            else f"{100 * ratio(load.per_second, bare.per_second):.0f}%"
            if bare and bare.per_second and load.target != HEALTHZ
            else "–"
        )
        cpu_share = "–"
        own, ceiling = _cpu_total(load), _cpu_total(bare) if bare else None
        if load.target == BARE:
            cpu_share = "ceiling"
        elif load.target != HEALTHZ and own and ceiling:
            cpu_share = f"{100 * ceiling / own:.0f}%"
        rows.append(
            [
                load.target,
                load.threads,
                len(load.latencies),
                len(load.errors),
                f"{load.wall_seconds:.1f}" + (" (time limit)" if load.stopped_by_time else ""),
                load.per_second,
                s.median_ms if s else float("nan"),
                s.p95_ms if s else float("nan"),
                s.p99_ms if s else float("nan"),
                s.max_ms if s else float("nan"),
                share,
                _ms(load.cpu_ms(load.app_cpu)),
                _ms(load.cpu_ms(load.db_cpu)),
                cpu_share,
            ]
        )
    out = table(
        [
            "request",
            "client threads",
            "n (ok)",
            "errors",
            "wall s",
            "req/s",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "max ms",
            "req/s of bare one-row view",
            "server CPU ms/req",
            "database CPU ms/req",
            "CPU/req of bare ÷ this",
        ],
        rows,
    )
    errors = [e for load in loads for e in load.errors[:3]]
    if errors:
        out += "\n\nFirst errors:\n\n" + "\n".join(f"- `{e}`" for e in errors)
    return out


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _cpu_total(load: Load) -> float | None:
    """CPU ms per request, served process and database together (None if not measured)."""
    app, db = load.cpu_ms(load.app_cpu), load.cpu_ms(load.db_cpu)
    if app is None:
        return None
    return app + (db or 0.0)


# Its own scratch database (dropped at the end), never another engineer's; ANDON_BENCH_DB
# names another when two runs share a server (as bench/detection.py).
PG_NAME = os.environ.get("ANDON_BENCH_DB", "andon_bench_intake")


def main(argv: list[str] | None = None) -> int:
    import argparse
    import datetime as dt

    from .scratch import PG_ADMIN, scratch_drop, scratch_setup

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    p.add_argument("--quick", action="store_true", help="a small run (seconds), for smoke tests")
    p.add_argument("--threads", default="1,4", help="client threads, comma-separated")
    p.add_argument("--budget", type=int, default=1500, help="requests per configuration")
    p.add_argument("--time-limit", type=float, default=40.0, help="seconds per configuration")
    p.add_argument("--write", action="store_true", help="record in bench/RESULTS.md")
    p.add_argument(
        "--in-process", type=int, default=500, help="in-process requests of each (CPU measure)"
    )
    p.add_argument(
        "--phases",
        type=int,
        default=0,
        help="instead of the served run: CPU by part of this many in-process contacts",
    )
    args = p.parse_args(argv)
    budget, limit = (40, 10.0) if args.quick else (args.budget, args.time_limit)
    threads = [int(t) for t in args.threads.split(",")]
    url = scratch_setup(args.db, PG_NAME)
    try:
        from django.db import connection

        from .bare import bare_table
        from .report import load_average, machine
        from .world import build_world, seed_intake

        started = dt.datetime.now().astimezone()
        load_before = load_average()
        world = build_world()
        lines = seed_intake(world, products=5 if args.quick else 50, orders_per_product=40)
        bare_table()
        statements = contact_statements(world.token, lines[-1])
        if args.phases:
            print(phases(world.token, lines, args.phases))
            return 0
        measured = in_process(world.token, lines, 50 if args.quick else args.in_process)
        connection.close()
        with served(url, prefix="andon-bench-intake-", settings="bench.bare_settings") as server:
            loads = run_intake(
                port=server.port,
                token=world.token,
                lines=lines,
                concurrency=threads,
                budget=budget,
                time_limit=limit,
                with_bare=True,
                server_pid=server.proc.pid,
                db_probe=postgres_backends(PG_ADMIN, PG_NAME) if args.db == "postgres" else None,
            )
        body = "\n\n".join(
            [
                f"## Contact intake, {args.db} — {started:%Y-%m-%d %H:%M %Z}",
                table(["", ""], [list(r) for r in machine()]),
                f"Load average (1/5/15 min) before / after: {load_before} → {load_average()}.",
                f"`.venv/bin/python -m bench.intake --db {args.db}"
                + (" --quick" if args.quick else "")
                + f"`: {budget} requests per configuration (at most {limit:.0f} s), over "
                f"{len(lines):,} delivered one-line orders; `andon serve` (waitress, "
                "8 threads) with bench.bare_settings (Andon's plus the bare view).",
                render(loads),
                "CPU columns: user + system CPU of the served process (all its threads) and "
                "of the PostgreSQL backends of the bench database (/proc), during the timed "
                "part, per successful request; the last column is the bare view's CPU per "
                "request over this one's (what the share of the ceiling would be on cores of "
                "its own). Other engineers' work on the machine inflates wall time much more "
                "than CPU time.",
                render_in_process(measured),
                f"SQL statements of one contact request (whole API request, in-process, "
                f"savepoints included): **{len(statements)}** "
                f"({statement_kinds(statements)}).",
            ]
        )
        print(body)
        if args.write:
            from .report import RESULTS, write_section

            write_section(RESULTS, f"intake-{args.db}", body)
    finally:
        scratch_drop(args.db, PG_NAME)
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
