"""Ad-hoc timing of the flywheel's membership families on the membership bench's database
(`andon_memberbench`, made by bench/membership.py on a bench/scratch.py scratch database:
200,000 memberships, about 416,000 changes, 600,000 orders), against the existing orders
family in the same run, and of the member share of orders that was not added (an EXISTS per
order). Reads only; loads the database first when it is missing.

    .venv/bin/python -m bench.flywheel_membership

Prints one table row per read: p50, p95, p99 (ms) and the sample count.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable

RUNS = 21


def timed(fn: Callable[[], object], n: int = RUNS) -> str:
    xs = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        xs.append((time.perf_counter() - start) * 1000)
    xs.sort()
    p95, p99 = xs[round(0.95 * (n - 1))], xs[round(0.99 * (n - 1))]
    return f"| {statistics.median(xs):.1f} | {p95:.1f} | {p99:.1f} | {n} |"


def main() -> None:
    from bench.membership import attach, load

    if not attach(keep=True):
        load(customers=1_000_000, members=200_000, orders=600_000)
    from django.db.models import Count, Q

    from andon.flywheel import families as fam
    from andon.membership.selectors import _member_at
    from andon.orders.models import Order

    for period in ("week", "month"):
        w = fam.window(period, today=dt.date(2026, 12, 1))
        member = _member_at("placed_at", "customer_id", None)
        with_share = Order.objects.annotate(member=member)
        reads: dict[str, Callable[[], object]] = {
            "enrolments": lambda w=w: fam.enrolment_rows(w),
            "membership changes": lambda w=w: fam.membership_step_rows(w),
            "orders family (baseline)": lambda w=w: fam.order_rows(w),
            "orders with member share (not built)": lambda w=w, qs=with_share: fam.grouped(
                qs, "placed_at", w, orders=Count("id"), members=Count("id", filter=Q(member=True))
            ),
        }
        for name, fn in reads.items():
            print(f"| 12 {period}s: {name} {timed(fn)}")


if __name__ == "__main__":
    main()
