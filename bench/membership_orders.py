"""The member share of orders and GMV (the heaviest of the member figures) read in several
query shapes on the kept membership bench database, interleaved in one session so that every
shape sees the same load, each checked to give the same four numbers as the probe shape
(the shape of `_orders_per_day` in andon/membership/days.py, which since h13d only sums
closed days for the tick and reads the rows of days not summed: the figures read the day
summaries, bench/RESULTS-membership.md).

    ANDON_MEMBERBENCH_DB=andon_memberbench_h13 .venv/bin/python -m bench.membership_orders \
        [--runs 15] [--explain]

The period is the whole month before the current one (product time zone), as in
bench/membership.py. Prints a Markdown table; --explain also prints EXPLAIN (ANALYZE,
BUFFERS) of each shape once. Shapes:

- probe: what the code runs. Per order of the period, an index-only EXISTS probe of the
  membership (customer, started_at) INCLUDE ended_at index, and an index-only probe of the
  line amounts (order_id) INCLUDE (quantity, unit_price) index.
- hashed_in: membership as `id IN (the period's orders hash-joined to the memberships on the
  customer, with the range condition as join filter)`: one hashed subplan, no membership
  probe per order; the amounts still probed.
- all_hash: no probe at all: the period's orders left-joined to the memberships by hash (one
  flag per order by bool_or, exact even if a customer's memberships overlapped), then
  hash-joined to every order line.
- join_lines: the lines joined (nested loop) instead of a subquery per order, membership
  probed; grouped per order first so that the order count stays exact.
- members_only / amounts_only / orders_only: the parts, to see where the time goes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time
import zoneinfo

import psycopg

DB = os.environ.get("ANDON_MEMBERBENCH_DB", "andon_memberbench")
HELD = (
    "m.customer_id = o.customer_id AND m.started_at <= o.placed_at "
    "AND (m.ended_at IS NULL OR m.ended_at > o.placed_at)"
)
AMOUNT = "(SELECT sum(l.quantity * l.unit_price) FROM orders_orderline l WHERE l.order_id = o.id)"
PERIOD = "o.placed_at >= %(lo)s AND o.placed_at < %(hi)s"
MEMBER = f"EXISTS (SELECT 1 FROM membership_membership m WHERE {HELD})"
SHAPES = {
    "probe": f"SELECT {MEMBER} AS member, count(o.id), sum({AMOUNT}) "
    f"FROM orders_order o WHERE {PERIOD} GROUP BY 1",
    "hashed_in": "SELECT o.id IN (SELECT o.id FROM orders_order o JOIN membership_membership m "
    f"ON {HELD} WHERE {PERIOD}) AS member, count(o.id), sum({AMOUNT}) "
    f"FROM orders_order o WHERE {PERIOD} GROUP BY 1",
    "all_hash": "SELECT x.member, count(*), sum(l.quantity * l.unit_price) FROM (SELECT o.id, "
    "bool_or(m.customer_id IS NOT NULL) AS member FROM orders_order o LEFT JOIN "
    f"membership_membership m ON {HELD} WHERE {PERIOD} GROUP BY o.id) x "
    "JOIN orders_orderline l ON l.order_id = x.id GROUP BY 1",
    "join_lines": "SELECT x.member, count(*), sum(x.amount) FROM (SELECT o.id, "
    f"{MEMBER} AS member, sum(l.quantity * l.unit_price) AS amount FROM orders_order o "
    f"JOIN orders_orderline l ON l.order_id = o.id WHERE {PERIOD} GROUP BY o.id) x GROUP BY 1",
}
PARTS = {
    "members_only": f"SELECT {MEMBER} AS member, count(o.id) FROM orders_order o "
    f"WHERE {PERIOD} GROUP BY 1",
    "amounts_only": f"SELECT count(o.id), sum({AMOUNT}) FROM orders_order o WHERE {PERIOD}",
    "orders_only": f"SELECT count(o.id) FROM orders_order o WHERE {PERIOD}",
    "baseline: count(memberships)": "SELECT count(*) FROM membership_membership",
}


def month_before(tz: str) -> tuple[dt.datetime, dt.datetime]:
    zone = zoneinfo.ZoneInfo(tz)
    first = dt.datetime.now(zone).date().replace(day=1)
    until = dt.datetime.combine(first, dt.time(), zone)
    since = dt.datetime.combine((first - dt.timedelta(days=1)).replace(day=1), dt.time(), zone)
    return since, until


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=15)
    p.add_argument("--explain", action="store_true")
    a = p.parse_args()
    lo, hi = month_before(os.environ.get("ANDON_TIME_ZONE", "Asia/Shanghai"))
    args = {"lo": lo, "hi": hi}
    # (label, SQL, settings for the session): the code's shape also with JIT off (its
    # estimated cost passes jit_above_cost), the hashed shape also reading the memberships from
    # their narrow (customer, started_at) INCLUDE ended_at index instead of the table.
    plain = "RESET jit; RESET enable_seqscan"
    runs = [(k, q, plain) for k, q in SHAPES.items()]
    runs += [
        ("probe, jit = off", SHAPES["probe"], "SET jit = off; RESET enable_seqscan"),
        ("hashed_in, index-only", SHAPES["hashed_in"], "RESET jit; SET enable_seqscan = off"),
    ]
    runs += [(k, q, plain) for k, q in PARTS.items()]
    times: dict[str, list[float]] = {label: [] for label, _, _ in runs}
    answers: dict[str, list[tuple[object, ...]]] = {}
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{DB}", autocommit=True) as c:
        load = os.getloadavg()
        for _ in range(a.runs):
            for label, sql, settings in runs:
                c.execute(settings)
                t = time.perf_counter()
                rows = c.execute(sql, args).fetchall()
                times[label].append((time.perf_counter() - t) * 1000)
                answers[label] = sorted(tuple(r) for r in rows)
        after = os.getloadavg()
        if a.explain:
            for label, sql, settings in runs[: len(SHAPES) + 2]:
                c.execute(settings)
                plan = c.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, args).fetchall()
                print(f"\n## {label}\n\n" + "\n".join("    " + r[0] for r in plan))
    expected = answers["probe"]
    print(
        f"\nPeriod [{lo}, {hi}), database {DB}, {a.runs} runs of each, interleaved; load "
        f"average before {load[0]:.2f} / {load[1]:.2f}, after {after[0]:.2f} / {after[1]:.2f}."
    )
    print(f"The code's answer (member?, orders, GMV): {expected}\n")
    print("| read | n | p50 ms | p95 ms | min ms | same answer |")
    print("| --- | --- | --- | --- | --- | --- |")
    for label, _, _ in runs:
        s = sorted(times[label])
        p95 = s[max(0, -(-95 * len(s) // 100) - 1)]
        same = "-" if label in PARTS else ("yes" if answers[label] == expected else "NO")
        cells = [label, len(s), f"{statistics.median(s):.1f}", f"{p95:.1f}", f"{s[0]:.1f}", same]
        print("| " + " | ".join(str(c) for c in cells) + " |")


if __name__ == "__main__":
    main()
