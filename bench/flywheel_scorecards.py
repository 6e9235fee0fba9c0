"""Benchmark of the flywheel's secondary reads on a kept world (bench/flywheel.py's): the
supplier, manufacturer and department scorecards (12 weeks) and the busiest agent's inbox
(first 50), after, against the code before (the selectors as they were at `--before`, loaded
from git into this process, run on the same database in the same run) and a trivial count.

    .venv/bin/python bench/flywheel_scorecards.py --db andon_flywheel10m_h14 [--runs 15]

The database must be migrated (the before code then also runs with the new indexes: its
figure with no index is in the earlier sections of bench/RESULTS-flywheel.md).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import importlib.util
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import kpis
from bench.stats import Summary

RESULTS = Path(__file__).with_name("RESULTS-flywheel.md")
BUDGET_S = 45.0


def old_module(rev: str, name: str) -> ModuleType:
    """andon/flywheel/<name>.py as it was at `rev`, as a module of the package (relative
    imports work)."""
    source = subprocess.run(
        ["git", "show", f"{rev}:andon/flywheel/{name}.py"], capture_output=True, text=True
    ).stdout
    spec = importlib.util.spec_from_loader(f"andon.flywheel._before_{name}", loader=None)
    assert spec is not None
    mod = importlib.util.module_from_spec(spec)
    mod.__package__ = "andon.flywheel"
    sys.modules[spec.name] = mod  # dataclasses look their module up
    exec(compile(source, f"{rev}:{name}.py", "exec"), mod.__dict__)
    return mod


def cases(rev: str) -> list[tuple[str, Callable[[], Any]]]:
    from django.contrib.auth.models import User

    from andon.flywheel.families import bounds
    from andon.flywheel.inbox import inbox
    from andon.flywheel.scorecards import scorecards
    from andon.reviews.models import PullReview

    old_sc, old_in = old_module(rev, "scorecards"), old_module(rev, "inbox")
    agent = User.objects.filter(username__startswith="agent").order_by("pk").first()
    uid = agent.pk if agent else 0
    today = dt.date.today()
    since, until = bounds(today - dt.timedelta(weeks=12), today + dt.timedelta(days=1))
    out: list[tuple[str, Callable[[], Any]]] = [
        ("baseline: count(*) of reviews", lambda: PullReview.objects.count())
    ]
    for by in ("department", "supplier", "manufacturer"):
        out.append(
            (f"before: scorecard by {by}, 12 weeks", _sc(old_sc.scorecards, by, since, until))
        )
        out.append((f"scorecard by {by}, 12 weeks", _sc(scorecards, by, since, until)))
    out.append(("before: inbox of the busiest agent (first 50)", lambda: old_in.inbox(user_id=uid)))
    out.append(("inbox of the busiest agent (first 50)", lambda: inbox(user_id=uid)))
    return out


def _sc(fn: Callable[..., Any], by: str, since: dt.datetime, until: dt.datetime) -> Callable:
    return lambda: fn(by=by, since=since, until=until)


def measure(rev: str, runs: int, before_runs: int) -> list[tuple[str, Summary, int, list]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    out = []
    for name, fn in cases(rev):
        with CaptureQueriesContext(connection) as q:
            first = fn()  # warm-up, the query count and the numbers
        samples: list[float] = []
        started = time.perf_counter()
        for _ in range(before_runs if name.startswith("before") else runs):
            t = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - t)
            if len(samples) >= 3 and time.perf_counter() - started > BUDGET_S:
                break
        s = Summary.of(samples)
        out.append((name, s, len(q), first))
        print(f"  {name}: p50 {s.median_ms:.0f} ms, p95 {s.p95_ms:.0f} ms, {len(q)} queries")
    return out


def same(before: Any, after: Any) -> bool:
    """The numbers agree: scorecards as equal rows, inboxes as equal (andon, marks, unread)."""
    if before and hasattr(before[0], "andon"):

        def key(items: list) -> list:
            return [(i.andon.pk, i.pulled, i.recorded, i.unread, i.news_at) for i in items]

        return key(before) == key(after)
    # Each side's Scorecard is its own module's class: compare the fields.
    return [dataclasses.astuple(r) for r in before] == [dataclasses.astuple(r) for r in after]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--before-runs", type=int, default=3)
    parser.add_argument(
        "--before", default=None, help="git revision of the before code (default: fork from integ)"
    )
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()
    args.before = args.before or os.popen("git merge-base HEAD integ").read().strip()
    kpis.DB = args.db
    kpis.setup_django()
    from django.db import connection

    load = os.getloadavg()
    rows = measure(args.before, args.runs, args.before_runs)
    load_end = os.getloadavg()
    with connection.cursor() as cur:
        cur.execute("SELECT version()")
        version = cur.fetchone()[0].split(",")[0]
        cur.execute("SELECT count(*) FROM pulls_andon")
        andons = cur.fetchone()[0]
    commit = os.popen("git rev-parse --short HEAD").read().strip()
    before_rev = os.popen(f"git rev-parse --short {args.before}").read().strip()
    base = rows[0][1].median_ms
    firsts = {n: f for n, _, _, f in rows}
    agree = all(
        same(firsts[n], firsts[n.removeprefix("before: ")])
        for n in firsts
        if n.startswith("before")
    )
    today = dt.date.today().isoformat()
    lines = [
        f"## Scorecards and inbox, {andons:,} andons, {today}",
        "",
        f"`.venv/bin/python bench/flywheel_scorecards.py --db {args.db}` on {today}, commit "
        f"`{commit}` (before: the selectors at `{before_rev}`, same process, same database): "
        f"{platform.machine()}, {os.cpu_count()} cores (shared with other sessions), load "
        f"average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} at the start, "
        f"{load_end[0]:.2f} / {load_end[1]:.2f} / {load_end[2]:.2f} at the end, "
        f"Python {platform.python_version()}, {version}.",
        "",
        f"Up to {args.runs} timed runs after one warm-up ({args.before_runs} for the befores, a "
        f"{BUDGET_S:.0f} s budget per read); queries counted on the warm-up. Before and after "
        f"give the same numbers: **{'yes' if agree else 'NO'}**.",
        "",
        "| read | n | p50 (ms) | p95 (ms) | p99 (ms) | × baseline (p50) | queries |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {n} | {s.n} | {s.median_ms:.1f} | {s.p95_ms:.1f} | {s.p99_ms:.1f} | "
        f"{s.median_ms / base:.1f} | {q} |"
        for n, s, q, _ in rows
    ]
    text = args.results.read_text() if args.results.exists() else "# Flywheel benchmark\n\n"
    head, rest = text.split("\n", 2)[0], text.split("\n", 2)[2]
    args.results.write_text(head + "\n\n" + "\n".join(lines) + "\n\n" + rest)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
