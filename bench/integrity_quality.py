"""Integrity signals' quality on planted worlds: precision and recall per kind, innocents named.

    .venv/bin/python bench/integrity_quality.py                       # SQLite, 5 seeds
    .venv/bin/python bench/integrity_quality.py --db postgres
    .venv/bin/python bench/integrity_quality.py --seeds 7 8 --customers 5000 --results -

Each seed builds a fresh world (bench/integrity_world.py: regular life, planted actors and
innocent look-alikes), runs the full scan and compares the signals at or above the
"worth a look" score with what was planted. The seeds differ from the quality test's
(tests/integrity/test_quality.py); no threshold was fitted to either. Writes
bench/RESULTS-integrity.md (one section per database) unless --results says otherwise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scratch import scratch_drop, scratch_setup

PG_NAME = "andon_integrity_bench"
RESULTS = Path(__file__).resolve().parent / "RESULTS-integrity.md"
HEADER = """# Integrity signals: quality on planted worlds

Written by `bench/integrity_quality.py`. Each row is one kind of signal over all seeds of the
run: planted actors, signals found (score >= 0.5, on the kind's main subject), true positives,
precision and recall. "Innocents named" counts the innocent look-alikes (bad-batch
customers and their andon, heavy buyers, new customers, the top agent, the history import)
that any signal named: it must be 0.
"""


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite", help="database")
    p.add_argument("--seeds", type=int, nargs="+", default=[11, 12, 13, 14, 15], help="world seeds")
    p.add_argument("--customers", type=int, default=1500, help="regular customers per world")
    p.add_argument("--results", default=str(RESULTS), help="results file, or - to print only")
    return p.parse_args(argv)


def setup_django(db: str) -> str:
    return scratch_setup(db, PG_NAME)


def drop(db: str) -> None:
    scratch_drop(db, PG_NAME)


class _Rollback(Exception):
    pass


def run_seed(seed: int, customers: int) -> tuple[list, list, float, int]:
    from django.db import transaction

    from andon.contacts.models import Contact
    from andon.integrity.models import Signal
    from andon.integrity.rules import WORTH_A_LOOK
    from andon.integrity.services import scan
    from bench.integrity_world import build, evaluate

    out: tuple[list, list, float, int] = ([], [], 0.0, 0)
    try:
        with transaction.atomic():
            truth = build(seed, customers=customers)
            started = time.perf_counter()
            scan(trigger="bench")
            took = time.perf_counter() - started
            signals = list(
                Signal.objects.filter(score__gte=WORTH_A_LOOK).values_list(
                    "kind", "subject_type", "subject"
                )
            )
            scores, named = evaluate(truth, signals)
            out = (scores, named, took, Contact.objects.count())
            raise _Rollback
    except _Rollback:
        pass
    return out


def report(args: argparse.Namespace, rows: dict, named: list, scans: list) -> str:
    from bench.report import _git, database_version, load_average
    from bench.stats import table

    lines = [
        f"## {args.db}",
        "",
        f"- Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; commit "
        f"{_git('rev-parse', '--short', 'HEAD')} ({_git('branch', '--show-current')})",
        f"- Database: {database_version()}; load average {load_average()}",
        f"- Seeds: {', '.join(map(str, args.seeds))}; {args.customers} regular customers per world",
        "- Full scan time per world: " + ", ".join(f"{t:.2f} s ({n:,} contacts)" for t, n in scans),
        "",
        table(
            ["kind", "planted", "found", "true positives", "precision", "recall"],
            [
                [
                    k,
                    v[0],
                    v[1],
                    v[2],
                    f"{v[2] / v[1]:.2f}" if v[1] else "-",
                    f"{v[2] / v[0]:.2f}" if v[0] else "-",
                ]
                for k, v in rows.items()
            ],
        ),
        "",
        f"Innocents named: {len(named)}" + (f" ({named})" if named else ""),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    setup_django(args.db)
    try:
        rows: dict[str, list[int]] = {}
        named_all: list = []
        scans = []
        for seed in args.seeds:
            scores, named, took, contacts = run_seed(seed, args.customers)
            scans.append((took, contacts))
            named_all.extend(named)
            for s in scores:
                r = rows.setdefault(s.kind, [0, 0, 0])
                r[0] += s.planted
                r[1] += s.found
                r[2] += s.true_positives
        text = report(args, rows, named_all, scans)
    finally:
        drop(args.db)
    print(text)
    if args.results != "-":
        from bench.report import write_section

        path = Path(args.results)
        if not path.exists():
            path.write_text(HEADER)
        write_section(path, f"integrity-{args.db}", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
