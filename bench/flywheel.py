"""Benchmark of the flywheel's reads at scale, on PostgreSQL: the world of bench/kpis.py (two
years of contacts, andons, reviews, corrective actions, bonuses and recovery, generated
set-based, with two work orders per andon). Times the real
selectors (the dashboard per week and month, for the organisation and one team; the
silent-cord test; the department scorecard; an agent's inbox) against a trivial count of the
same run, and counts each one's queries.

    .venv/bin/python bench/flywheel.py --contacts 3M [--runs 15] [--keep] [--db NAME]

The dashboard reads the summaries (flywheel/summaries.py): after the migrations they are
rebuilt (timed), then the reads are timed, with the pre-summary live GROUP BYs (families.py)
as the "before" of the same run, and the summaries' tick (the trailing fortnight recounted,
plus whatever the watermarks find) as the upkeep's cost.

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
BUDGET_S = 60.0


def cases() -> list[tuple[str, Callable[[], Any]]]:
    from django.contrib.auth.models import User

    from andon.flywheel import families as fam
    from andon.flywheel import summaries
    from andon.flywheel.alarms import silences
    from andon.flywheel.families import bounds
    from andon.flywheel.inbox import inbox
    from andon.flywheel.scorecards import scorecards
    from andon.flywheel.selectors import dashboard
    from andon.people.models import Team
    from andon.reviews.models import PullReview

    def live(period: str, team_id: int | None = None) -> None:
        """The dashboard's GROUP BYs over the base rows, as the page ran them before."""
        w = fam.window(period)
        for f in (fam.andon_rows, fam.contact_rows, fam.puller_rows, fam.recovery_rows):
            f(w, team_id)
        for f in (fam.review_rows, fam.action_due_rows, fam.action_done_rows, fam.bonus_rows):
            f(w, team_id)
        fam.hold_rows(w, team_id), fam.work_order_rows(w, team_id), fam.sla_rows(w, team_id)
        fam.problem_rows(w), fam.order_rows(w)

    team = Team.objects.order_by("code").first()
    agent = User.objects.filter(username__startswith="agent").order_by("pk").first()
    today = dt.date.today()
    since, until = bounds(today - dt.timedelta(weeks=12), today + dt.timedelta(days=1))
    return [
        ("baseline: count(*) of reviews", lambda: PullReview.objects.count()),
        ("before: live GROUP BYs, organisation, 12 weeks", lambda: live("week")),
        ("before: live GROUP BYs, organisation, 12 months", lambda: live("month")),
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
        ("summaries tick (upkeep: trailing fortnight + watermarks)", summaries.tick),
    ]


def measure(runs: int, before_runs: int = 5) -> list[tuple[str, Summary, int]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    out = []
    for name, fn in cases():
        with CaptureQueriesContext(connection) as q:
            fn()  # warm-up, and the query count
        samples = []
        # The "before" reads take seconds each: a few runs are enough.
        started = time.perf_counter()
        for _ in range(min(runs, before_runs) if name.startswith("before") else runs):
            t = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - t)
            # A soft budget per read (at least 3 runs): the slow reads of a 10M world.
            if len(samples) >= 3 and time.perf_counter() - started > BUDGET_S:
                break
        s = Summary.of(samples)
        out.append((name, s, len(q)))
        print(f"  {name}: p50 {s.median_ms:.0f} ms, p95 {s.p95_ms:.0f} ms, {len(q)} queries")
    return out


def write(
    path: Path,
    rows: list[tuple[str, Summary, int]],
    sizes: dict[str, int],
    runs: int,
    load_s,
    rebuild: str = "",
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
        f"## {sizes.get('contacts', 0):,} contacts, {dt.date.today().isoformat()} (summaries)",
        "",
        f"`.venv/bin/python bench/flywheel.py` on {dt.date.today().isoformat()}, commit "
        f"`{commit}`: {platform.machine()}, {os.cpu_count()} cores (shared with other "
        f"sessions), {load_text}, Python {platform.python_version()}, {version}. Database "
        f"`{kpis.DB}`, generated set-based (bench/kpis.py's world).",
        "",
        "Data: " + ", ".join(f"{v:,} {k}" for k, v in sizes.items()) + " (two years).",
        "" if load_s is None else f"Load time: {load_s:.0f} s.",
        rebuild,
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
    earlier = path.read_text().split("\n", 2)[2] if path.exists() else ""
    path.write_text("\n".join(lines) + "\n" + earlier)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="reuse a loaded database")
    parser.add_argument("--runs", type=int, default=15, help="timed runs per read")
    parser.add_argument("--contacts", type=kpis.size, default=1_000_000, help="e.g. 1M, 3M, 10M")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--db", default=None, help="database (default from the size)")
    parser.add_argument("--before-runs", type=int, default=5, help="runs of the slow befores")
    args = parser.parse_args()
    kpis.CONTACTS, kpis.ANDONS = args.contacts, args.contacts // 10
    kpis.CUSTOMERS = max(1_000, args.contacts // 5)
    kpis.DB = args.db or f"andon_kpibench_{args.contacts / 1_000_000:g}m".replace(".", "_")
    kept = kpis.recreate(args.keep)
    kpis.setup_django()
    load_s = None
    if not kept:
        print(f"loading {kpis.CONTACTS:,} contacts and {kpis.ANDONS:,} andons into {kpis.DB}...")
        t = time.perf_counter()
        kpis.load()
        load_s = time.perf_counter() - t
    kpis.prepare()
    from django.db import connection

    from andon.flywheel import summaries
    from andon.flywheel.models import FlywheelTally

    t = time.perf_counter()
    days = summaries.rebuild()
    rebuild_s = time.perf_counter() - t
    with connection.cursor() as cur:
        cur.execute("ANALYZE flywheel_flywheeltally")
    rebuild = (
        f"Summaries rebuilt from scratch (`andon flywheel-summaries --rebuild`) in "
        f"{rebuild_s:.1f} s: {days:,} days, {FlywheelTally.objects.count():,} tally rows."
    )
    print(rebuild)
    sizes = kpis.counts()
    print("timing...")
    write(args.results, measure(args.runs, args.before_runs), sizes, args.runs, load_s, rebuild)
    print(f"wrote {args.results}")


if __name__ == "__main__":
    main()
