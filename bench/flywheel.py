"""Benchmark of the flywheel's reads at scale, on PostgreSQL: the world of bench/kpis.py (two
years of contacts, andons, reviews, corrective actions, bonuses and recovery, generated
set-based, with two work orders per andon). Times the real
selectors (the dashboard per week and month, for the organisation and one team; the
silent-cord test; the department scorecard; an agent's inbox) against a trivial count of the
same run, and counts each one's queries.

    .venv/bin/python bench/flywheel.py --contacts 3M [--runs 15] [--keep]

The world is bench/kpis.py's (same database, `andon_kpibench_<contacts>`, work orders
included): `--keep` times a world kpis.py built. Writes bench/RESULTS-flywheel.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import kpis
from bench.stats import Summary

RESULTS = Path(__file__).with_name("RESULTS-flywheel.md")


def cases() -> list[tuple[str, Callable[[], Any]]]:
    from django.contrib.auth.models import User

    from andon.flywheel.alarms import silences
    from andon.flywheel.families import bounds
    from andon.flywheel.inbox import inbox
    from andon.flywheel.scorecards import scorecards
    from andon.flywheel.selectors import dashboard
    from andon.people.models import Team
    from andon.reviews.models import PullReview

    team = Team.objects.order_by("code").first()
    agent = User.objects.filter(username__startswith="agent").order_by("pk").first()
    today = dt.date.today()
    since, until = bounds(today - dt.timedelta(weeks=12), today + dt.timedelta(days=1))
    return [
        ("baseline: count(*) of reviews", lambda: PullReview.objects.count()),
        ("dashboard, organisation, 12 weeks", lambda: dashboard(period="week")),
        ("dashboard, organisation, 12 months", lambda: dashboard(period="month")),
        (
            "dashboard, one team, 12 weeks",
            lambda: dashboard(period="week", team_id=team.pk if team else None),
        ),
        ("silent-cord test, every team", lambda: silences(period="week")),
        (
            "scorecard by department, 12 weeks",
            lambda: scorecards(by="department", since=since, until=until),
        ),
        ("inbox of an agent (first 50)", lambda: inbox(user_id=agent.pk if agent else 0)),
    ]


def measure(runs: int) -> list[tuple[str, Summary, int]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    out = []
    for name, fn in cases():
        with CaptureQueriesContext(connection) as q:
            fn()  # warm-up, and the query count
        samples = []
        for _ in range(runs):
            t = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - t)
        s = Summary.of(samples)
        out.append((name, s, len(q)))
        print(f"  {name}: p50 {s.median_ms:.0f} ms, p95 {s.p95_ms:.0f} ms, {len(q)} queries")
    return out


def write(
    path: Path, rows: list[tuple[str, Summary, int]], sizes: dict[str, int], runs: int, load_s
) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT version()")
        version = cur.fetchone()[0].split(",")[0]
    try:
        load = os.getloadavg()
        load_text = f"load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} at the start"
    except OSError:
        load_text = "load average unknown"
    commit = os.popen("git rev-parse --short HEAD 2>/dev/null").read().strip() or "unknown"
    base = rows[0][1].median_ms
    lines = [
        "# Flywheel benchmark (issue #14)",
        "",
        f"`.venv/bin/python bench/flywheel.py` on {dt.date.today().isoformat()}, commit "
        f"`{commit}`: {platform.machine()}, {os.cpu_count()} cores (shared with other "
        f"sessions), {load_text}, Python {platform.python_version()}, {version}. Database "
        f"`{kpis.DB}`, generated set-based (bench/kpis.py's world).",
        "",
        "Data: " + ", ".join(f"{v:,} {k}" for k, v in sizes.items()) + " (two years).",
        "" if load_s is None else f"Load time: {load_s:.0f} s.",
        "",
        f"{runs} timed runs after one warm-up, through the real selectors (ORM included); "
        "queries counted on the warm-up.",
        "",
        "| read | n | p50 (ms) | p95 (ms) | p99 (ms) | × baseline (p50) | queries |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {n} | {s.n} | {s.median_ms:.1f} | {s.p95_ms:.1f} | {s.p99_ms:.1f} | "
        f"{s.median_ms / base:.1f} | {q} |"
        for n, s, q in rows
    ]
    lines.append("")
    path.write_text("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="reuse a loaded database")
    parser.add_argument("--runs", type=int, default=15, help="timed runs per read")
    parser.add_argument("--contacts", type=kpis.size, default=1_000_000, help="e.g. 1M, 3M, 10M")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()
    kpis.CONTACTS, kpis.ANDONS = args.contacts, args.contacts // 10
    kpis.CUSTOMERS = max(1_000, args.contacts // 5)
    kpis.DB = f"andon_kpibench_{args.contacts / 1_000_000:g}m".replace(".", "_")
    kept = kpis.recreate(args.keep)
    kpis.setup_django()
    load_s = None
    if not kept:
        print(f"loading {kpis.CONTACTS:,} contacts and {kpis.ANDONS:,} andons into {kpis.DB}...")
        t = time.perf_counter()
        kpis.load()
        load_s = time.perf_counter() - t
    kpis.prepare()
    sizes = kpis.counts()
    print("timing...")
    write(args.results, measure(args.runs), sizes, args.runs, load_s)
    print(f"wrote {args.results}")


if __name__ == "__main__":
    main()
