"""Run the benchmarks on a throwaway database and record the results.

    .venv/bin/python bench/run.py [--db sqlite|postgres|both] [--quick] [--results PATH]

Each database runs in its own process (Django is configured once per process). A full run
writes its section of bench/RESULTS.md; a --quick run (seconds) only prints, unless --results
is given. Traffic goes only to 127.0.0.1 and every load is bounded in count and time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if __package__ in (None, ""):
    # Run as a script: make `bench` and `andon` importable from the repository root.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

if TYPE_CHECKING:
    from bench.stats import Summary

PG_NAME = "andon_bench"  # fixed, so that the bench never touches another engineer's database


@dataclass(frozen=True)
class Preset:
    sizes: tuple[int, ...]
    reps: int
    concurrency: tuple[int, ...]
    budget: int
    time_limit: float
    intake_products: int
    intake_orders: int


FULL = Preset(
    sizes=(10, 100, 1_000, 10_000),
    reps=15,
    concurrency=(1, 4),
    budget=500,
    time_limit=60.0,
    intake_products=50,
    intake_orders=40,
)
QUICK = Preset(
    sizes=(10, 100),
    reps=3,
    concurrency=(1, 2),
    budget=40,
    time_limit=10.0,
    intake_products=5,
    intake_orders=10,
)


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument("--quick", action="store_true", help="a small run (seconds), for smoke tests")
    p.add_argument(
        "--results",
        type=Path,
        default=None,
        help="results file (default: bench/RESULTS.md for a full run, none for --quick)",
    )
    p.add_argument("--keep", action="store_true", help="keep the database and temp dir")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.db == "both":
        # One process per database; the first failure stops the run.
        for db in ("sqlite", "postgres"):
            cmd = [sys.executable, str(Path(__file__).resolve()), "--db", db]
            cmd += ["--quick"] if args.quick else []
            cmd += ["--results", str(args.results)] if args.results else []
            cmd += ["--keep"] if args.keep else []
            if subprocess.run(cmd).returncode:
                return 1
        return 0
    run_one(args.db, QUICK if args.quick else FULL, args.quick, args.results, args.keep)
    return 0


def run_one(db: str, preset: Preset, quick: bool, results: Path | None, keep: bool) -> None:
    from bench.scratch import scratch_drop, scratch_setup

    workdir = Path(tempfile.mkdtemp(prefix=f"andon-bench-{db}-"))
    # The scratch database as every bench makes it (bench/scratch.py): dropped, created,
    # migrated; the migration is timed with it.
    t0 = time.perf_counter()
    url = scratch_setup(db, PG_NAME)
    migrate_s = time.perf_counter() - t0
    try:
        body = _measure(db, url, workdir, preset, quick, migrate_s)
    finally:
        if keep:
            from django.db import connections

            connections.close_all()
        else:
            scratch_drop(db, PG_NAME)
            shutil.rmtree(workdir, ignore_errors=True)
    print(body)
    from bench.report import RESULTS, write_section

    target = results if results is not None else (None if quick else RESULTS)
    if target is not None:
        write_section(target, db, body)
        print(f"\nwritten to {target}")


def _measure(
    db: str, url: str, workdir: Path, preset: Preset, quick: bool, migrate_s: float
) -> str:

    from bench import intake, pulls
    from bench.report import CpuMeter, load_average, machine
    from bench.server import Server
    from bench.stats import table
    from bench.world import build_world, seed_intake

    started = dt.datetime.now().astimezone()
    load_before = load_average()
    cpu = CpuMeter()
    t0 = time.perf_counter()
    connect = _connect_times()
    world = build_world()
    lines = seed_intake(
        world, products=preset.intake_products, orders_per_product=preset.intake_orders
    )
    print(f"[{db}] migrated in {migrate_s:.1f}s; seeding pull products…", flush=True)
    with Server(url, workdir) as server:
        pull_report = pulls.run_pulls(
            world, sizes=list(preset.sizes), reps=preset.reps, port=server.port
        )
        print(f"[{db}] pulls done; contact intake…", flush=True)
        loads = intake.run_intake(
            port=server.port,
            token=world.token,
            lines=lines,
            concurrency=list(preset.concurrency),
            budget=preset.budget,
            time_limit=preset.time_limit,
        )
        server_threads = server.threads
    contact_queries = intake.count_contact_queries(world.token, lines[0])
    elapsed = time.perf_counter() - t0
    load_after = load_average()
    cpu_used = cpu.summary()

    title = {"sqlite": "SQLite (embedded default)", "postgres": "PostgreSQL"}[db]
    mode = "quick" if quick else "full"
    held = pull_report.sizes[0], pull_report.sizes[-1]
    return "\n\n".join(
        [
            f"## {title} — {started:%Y-%m-%d %H:%M %Z} ({mode} run, {elapsed:.0f} s)",
            table(
                ["", ""],
                [
                    list(row)
                    for row in [
                        *machine(),
                        (
                            "Load average (1/5/15 min) before / after",
                            f"{load_before} → {load_after} "
                            "(the machine is shared with other engineers)",
                        ),
                        ("CPU during the run", cpu_used),
                    ]
                ],
            ),
            "**What was run.** `.venv/bin/python bench/run.py --db "
            + db
            + (" --quick`" if quick else "`")
            + f". Throwaway database, migrated in "
            f"{migrate_s:.1f} s. Pull benchmark: for each size, {preset.reps} products with that "
            "many packed-not-shipped one-line orders, 4 stock rows (2 warehouses × 2 batches, "
            "300 units) and 2 customers' contacts; each timed pull opens a fresh andon on its own "
            f"product (seeded with bulk_create: {pull_report.seeded_lines:,} order lines in "
            f"{pull_report.seed_seconds:.1f} s). Sizes rotate each repetition; the service call "
            "and the HTTP call alternate. One warm-up pull per mode is discarded. HTTP requests "
            f"go over one keep-alive connection to `andon serve --no-migrate` (waitress, "
            f"{server_threads} threads) with a fresh `Idempotency-Key`. Contact intake: "
            f"{preset.budget} requests per configuration (stop after {preset.time_limit:.0f} s), "
            f"client threads {', '.join(map(str, preset.concurrency))}, over "
            f"{len(lines):,} delivered orders of {preset.intake_products} products.",
            f"### 1. Pull latency against held lines ({held[0]:,} to {held[1]:,})",
            pulls.render(pull_report),
            "### 2. Contact intake through the API",
            intake.render(loads),
            f"SQL queries per contact request (whole API request, in-process test client, counted "
            f"once after the load): {contact_queries}.",
            f"**Context.** The settings use `CONN_MAX_AGE={_conn_max_age()}` "
            "(0: a new database connection for every request that touches the database; more: "
            "each server thread keeps its connection that many seconds). Opening a connection "
            f"from the bench process: median {connect.median_ms:.2f} ms, max "
            f"{connect.max_ms:.2f} ms ({connect.n} connects).",
        ]
    )


def _conn_max_age() -> int | None:
    from django.conf import settings

    return settings.DATABASES["default"].get("CONN_MAX_AGE")


def _connect_times(n: int = 20) -> Summary:
    from django.db import connection

    from bench.stats import Summary

    samples = []
    for _ in range(n):
        connection.close()
        start = time.perf_counter()
        connection.ensure_connection()
        samples.append(time.perf_counter() - start)
    return Summary.of(samples)


if __name__ == "__main__":
    sys.exit(main())
