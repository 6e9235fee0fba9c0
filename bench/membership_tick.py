"""The tick over a whole unticked load of bench/membership.py (about 91,000 of its 200,000
memberships due: trials to convert, periods to renew or expire), on a copy so that the load
can be ticked again: clones TEMPLATE (a kept, never ticked membership bench database; nobody
may be connected to it), migrates the copy, times a trivial count (the baseline of the same
run), the tick, and the same tick again at the same instant (nothing due), then drops the copy
unless --keep.

    .venv/bin/python -m bench.membership_tick --template andon_memberbench_h13_fresh

Prints a Markdown paragraph for bench/RESULTS-membership.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from bench.scratch import PG_ADMIN


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--template", required=True)
    p.add_argument("--copy", default="andon_membertick_copy")
    p.add_argument("--keep", action="store_true")
    a = p.parse_args()
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {a.copy} WITH (FORCE)")
        c.execute(f"CREATE DATABASE {a.copy} TEMPLATE {a.template}")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{a.copy}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "andon.config.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connection
    from django.utils import timezone

    from andon.core.models import OutboxEvent
    from andon.membership.models import Membership, MembershipChange
    from andon.membership.services import membership_tick

    from .report import load_average
    from .stats import Summary

    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    base = []
    for _ in range(11):
        t = time.perf_counter()
        Membership.objects.count()
        base.append(time.perf_counter() - t)
    b = Summary.of(base)
    now = timezone.now()
    live = ["trial", "active", "past_due", "cancelled"]
    due = Membership.objects.filter(state__in=live, ends_at__lte=now).count()
    before = load_average()
    t = time.perf_counter()
    done = membership_tick(now=now)
    tick_s = time.perf_counter() - t
    t = time.perf_counter()
    again = membership_tick(now=now)
    again_s = time.perf_counter() - t
    changed = sum(done.values())
    events = OutboxEvent.objects.filter(event_type__startswith="membership.").exclude(
        event_type="membership.started"
    )
    print(
        f"Tick (bench/membership_tick.py, copy of `{a.template}`), "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average before "
        f"{before}, after {load_average()}: {due:,} memberships past their end, of which "
        f"{changed:,} changed ({done}) in {tick_s:.1f} s ({changed / tick_s:,.0f} changes/s), "
        f"{MembershipChange.objects.exclude(change='started').filter(at=now).count():,} "
        f"history rows and {events.filter(occurred_at=now).count():,} outbox events written; "
        f"the same tick again at the same instant: {again_s * 1000:.0f} ms, "
        f"{again or 'nothing due'}. Baseline of the same run, Membership.objects.count(): "
        f"p50 {b.median_ms:.1f} ms / p95 {b.p95_ms:.1f} ms (n={b.n})."
    )
    if not a.keep:
        connection.close()
        with psycopg.connect(PG_ADMIN, autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {a.copy} WITH (FORCE)")


if __name__ == "__main__":
    main()
