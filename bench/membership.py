"""Benchmark of membership at scale in PostgreSQL database `andon_memberbench`: 1,000,000
customers, 200,000 memberships in every state with their history, 600,000 orders over two
years on 200 products, 60,000 contacts and 15,000 service recoveries, generated set-based
with generate_series. Times the member figures of one month as GET /api/v1/kpis/membership
reads them (`member_kpis` with contacts per 100 orders, and `recovered_members`: the
recovered against their control group), each part and the whole, against a trivial count
as the baseline of the same run; then the tick over every membership that is due (a one-off:
it changes them; bench/membership_tick.py times it on a copy of an unticked load).

    .venv/bin/python -m bench.membership [--keep] [--runs 21] [--customers N] [--members N]

Writes bench/RESULTS-membership.md. The database is a bench/scratch.py scratch database,
dropped and made again, unless --keep finds it loaded (a kept database has already been
ticked: its tick figure is then small). bench/flywheel_membership.py reads the same one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
import time
from pathlib import Path

from bench.scratch import PG_ADMIN, scratch_setup

DB = os.environ.get("ANDON_MEMBERBENCH_DB", "andon_memberbench")
RESULTS = Path(__file__).with_name("RESULTS-membership.md")
PRODUCTS = 200


def loaded() -> bool:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB]).fetchone())


def attach(keep: bool) -> bool:
    """Django on the bench database: the kept one if asked and present (True), else a fresh
    scratch database, migrated (False)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    if keep and loaded():
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB}"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "andon.config.settings")
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)  # a kept database gets this code's indexes
        return True
    scratch_setup("postgres", DB)
    return False


def load(customers: int, members: int, orders: int) -> None:
    from django.contrib.auth.models import User
    from django.db import connection

    from andon.catalog.models import Product
    from andon.contacts.models import ReasonCode
    from andon.membership.services import plans_ensure_defaults
    from andon.recovery.models import RecoveryAction
    from andon.recovery.services import catalogue_ensure_defaults

    plans_ensure_defaults()
    catalogue_ensure_defaults()
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO orders_customer (external_id, name, phone, email, created_at, address, "
            "city, address_key, device_id) SELECT 'mb-' || g, 'C' || g, '', '', now(), '', '', "
            "'', '' FROM generate_series(1, %s) g",
            [customers],
        )
        cur.execute("SELECT min(id) FROM orders_customer")
        first = cur.fetchone()[0]
        cur.execute("SELECT id FROM membership_plan WHERE code = 'member-98'")
        plan = cur.fetchone()[0]
        # States by g % 10: 0-1 trial, 2-6 active, 7 past due, 8 cancelled, 9 expired. Period
        # ends spread over now ± 30 days, so about half of the live ones are due.
        cur.execute(
            """
            INSERT INTO membership_membership (customer_id, plan_id, state, source, campaign,
                recovery_ref, auto_renew, started_at, trial_ends_at, paid_from, paid_periods,
                ends_at, cancelled_at, ended_at, enrolled_by_id)
            SELECT %(first)s + (g * %(step)s) - 1, %(plan)s,
                   (ARRAY['trial','trial','active','active','active','active','active',
                          'past_due','cancelled','expired'])[g %% 10 + 1],
                   (ARRAY['storefront','campaign','recovery','console','api'])[g %% 5 + 1],
                   '', NULL, g %% 10 <> 8,
                   e - interval '30 days' - (g %% 300) * interval '1 day',
                   CASE WHEN g %% 10 < 2 THEN e END,
                   CASE WHEN g %% 10 >= 2 THEN e - interval '30 days' END,
                   CASE WHEN g %% 10 >= 2 THEN 1 ELSE 0 END,
                   e,
                   CASE WHEN g %% 10 = 8 THEN e - interval '10 days' END,
                   CASE WHEN g %% 10 = 9 THEN e END,
                   NULL
            FROM (SELECT g, now() + ((g %% 61) - 30) * interval '1 day'
                              - ((g %% 10 = 9)::int * interval '40 days') AS e
                  FROM generate_series(1, %(members)s) g) s
            """,
            {
                "first": first,
                "step": max(1, customers // members),
                "plan": plan,
                "members": members,
            },
        )
        cur.execute(
            """
            INSERT INTO membership_membershipchange (membership_id, change, from_state,
                to_state, at, ends_at, actor_id, paid)
            SELECT id, 'started', '', CASE WHEN state = 'trial' THEN 'trial' ELSE 'active' END,
                   started_at, started_at + interval '30 days', NULL::integer,
                   state <> 'trial'
            FROM membership_membership
            UNION ALL
            SELECT id, 'converted', 'trial', 'active', paid_from, ends_at, NULL, true
            FROM membership_membership WHERE paid_from IS NOT NULL AND id % 3 = 0
            UNION ALL
            SELECT id, 'renewed', 'active', 'active', paid_from, ends_at, NULL, true
            FROM membership_membership WHERE paid_from IS NOT NULL AND id % 3 = 1
            UNION ALL
            SELECT id, 'expired', 'active', 'expired', ended_at, ends_at, NULL, true
            FROM membership_membership WHERE state = 'expired'
            """
        )
        products = Product.objects.bulk_create(
            Product(sku=f"mb-sku-{i}", title=f"Book {i}", price=40) for i in range(PRODUCTS)
        )
        cur.execute(
            "INSERT INTO orders_order (external_id, customer_id, placed_at, channel) "
            "SELECT 'mo-' || g, %s + (g::bigint * 7919 %% %s)::int, "
            "now() - random() * interval '730 days', '' "
            "FROM generate_series(1, %s) g",
            [first, customers, orders],
        )
        cur.execute(
            "INSERT INTO orders_orderline (order_id, line_no, product_id, batch_id, warehouse_id,"
            " quantity, unit_price, fulfilment_status, status_changed_at) "
            "SELECT id, 1, %s + id %% %s, NULL, NULL, 1, 20 + (id %% 180), 'delivered', NULL "
            "FROM orders_order",
            [products[0].pk, PRODUCTS],
        )
        # One line in ten brings a contact three days after its order, for one of five
        # reasons; one contact in four is given a coupon ten minutes later.
        reasons = [
            ReasonCode.objects.create(code=f"mb-r{i}", label_zh=f"原因{i}", label_en=f"R{i}").pk
            for i in range(5)
        ]
        agent = User.objects.create_user(username="mb-agent").pk
        cur.execute(
            """
            INSERT INTO contacts_contact (created_at, external_id, customer_id, order_line_id,
                product_id, reason_id, text, channel, handling_seconds, agent_id)
            SELECT o.placed_at + interval '3 days', NULL, o.customer_id, l.id, l.product_id,
                   (%s::int[])[l.id %% 5 + 1], '书页破损', 'phone', 120, %s
            FROM orders_orderline l JOIN orders_order o ON o.id = l.order_id
            WHERE l.id %% 10 = 0 AND o.placed_at + interval '3 days' < now()
            """,
            [reasons, agent],
        )
        action = RecoveryAction.objects.get(code="coupon-5").pk
        cur.execute(
            """
            INSERT INTO recovery_recoverygiven (contact_id, customer_id, action_id, cost, note,
                reason_above_guide, above_guide, agent_id, team_id, given_at)
            SELECT id, customer_id, %s, 5, '', '', false, agent_id, NULL,
                   created_at + interval '10 minutes'
            FROM contacts_contact WHERE id %% 4 = 0
            """,
            [action],
        )
        # VACUUM too, as autovacuum would on a live database: it sets the visibility map that
        # lets the figures' index-only scans skip the tables.
        cur.execute("VACUUM ANALYZE")


def _what(sql: str) -> str:
    """A short name for one of the figures' queries (the per-query timings): member_kpis'
    reads by what they compute, the others (close the loop) by the table they read."""
    if 'FROM "membership_memberday"' in sql:
        return "day summaries"
    if '"paid_from" <' in sql:
        return "paid at start"
    if 'FROM "orders_order"' in sql and '"orders_orderline"' in sql:
        return "orders with member flag and GMV (rows)"
    if 'FROM "contacts_contact"' in sql and sql.startswith("SELECT EXISTS"):
        return "contacts by membership"
    if " AT TIME ZONE " in sql and 'FROM "membership_membership' in sql:
        return "enrolments/changes of days not summed (rows)"
    table = re.search(r'FROM "(\w+)"', sql)
    return f"close the loop: {table.group(1) if table else sql[:30]}"


def timed(fn, runs: int) -> list[float]:
    fn()  # warm-up
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return samples


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--keep", action="store_true")
    p.add_argument("--runs", type=int, default=21)
    p.add_argument("--customers", type=int, default=1_000_000)
    p.add_argument("--members", type=int, default=200_000)
    p.add_argument("--orders", type=int, default=600_000)
    p.add_argument("--results", default=str(RESULTS))
    a = p.parse_args()
    kept = attach(a.keep)
    from django.utils import timezone

    from andon.membership.days import days_refresh
    from andon.membership.models import Membership
    from andon.membership.selectors import member_kpis
    from andon.membership.services import membership_tick
    from andon.recovery.members import recovered_members

    from .report import load_average, machine
    from .stats import Summary, table

    t0 = time.perf_counter()
    if not kept:
        load(a.customers, a.members, a.orders)
    load_s = time.perf_counter() - t0
    if kept:
        # The previous run's catch-up tick rewrote ~90k memberships; autovacuum would have
        # cleaned them up and set the visibility map by now on a live database (the figures'
        # index-only scans depend on it). Do it here rather than wait for it.
        from django.db import connection as conn

        with conn.cursor() as cur:
            for name in ("membership_membership", "membership_membershipchange",
                          "membership_memberday"):  # fmt: skip
                cur.execute(f"VACUUM ANALYZE {name}")
    # What the tick does after its changes: sum the closed days (the whole history the first
    # time; nothing more on a kept, already summed database).
    t0 = time.perf_counter()
    summed = days_refresh()
    days_s = time.perf_counter() - t0
    from andon.contacts.models import Contact
    from andon.recovery.models import RecoveryGiven

    contacts, recoveries = Contact.objects.count(), RecoveryGiven.objects.count()
    tz = timezone.get_current_timezone()
    month = timezone.localdate().replace(day=1)
    since = dt.datetime.combine(month, dt.time(), tz)
    until = since + dt.timedelta(days=32)
    until = dt.datetime.combine(until.date().replace(day=1), dt.time(), tz)
    load_before = load_average()
    base = Summary.of(timed(lambda: Membership.objects.count(), a.runs))
    kpis = Summary.of(timed(lambda: member_kpis(since=since, until=until), a.runs))
    loop = Summary.of(timed(lambda: recovered_members(since=since, until=until), a.runs))

    def whole() -> None:  # what GET /api/v1/kpis/membership reads
        member_kpis(since=since, until=until)
        recovered_members(since=since, until=until)

    both = Summary.of(timed(whole, a.runs))
    # The month before, whole (the current one may be a day old): the heavier read.
    last_since = dt.datetime.combine(
        (since - dt.timedelta(days=1)).date().replace(day=1), dt.time(), tz
    )

    def whole_last() -> None:
        member_kpis(since=last_since, until=since)
        recovered_members(since=last_since, until=since)

    last = Summary.of(timed(whole_last, a.runs))
    kpis_last = Summary.of(timed(lambda: member_kpis(since=last_since, until=since), a.runs))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as cq:
        whole_last()
    per_query = [f"{_what(q['sql'])} {float(q['time']) * 1000:.0f}" for q in cq.captured_queries]
    # PostgreSQL's JIT compiles plans above jit_above_cost (the orders read, ~25k index probes,
    # has nothing for it to speed up): the same read with it off for the session.
    with connection.cursor() as cur:
        cur.execute("SET jit = off")
    last_nojit = Summary.of(timed(whole_last, a.runs))
    with connection.cursor() as cur:
        cur.execute("RESET jit")
    kl = member_kpis(since=last_since, until=since)
    rl = recovered_members(since=last_since, until=since)
    k = member_kpis(since=since, until=until)
    r = recovered_members(since=since, until=until)
    now = timezone.now()
    due = Membership.objects.filter(
        state__in=["trial", "active", "past_due", "cancelled"], ends_at__lte=now
    ).count()
    t = time.perf_counter()
    done = membership_tick(now=now)
    tick_s = time.perf_counter() - t
    again = time.perf_counter()
    second = membership_tick(now=now)
    again_s = time.perf_counter() - again
    rows = [
        ["Membership.objects.count() (baseline)", base.n, base.median_ms, base.p95_ms, base.p99_ms],
        ["member_kpis, one month", kpis.n, kpis.median_ms, kpis.p95_ms, kpis.p99_ms],
        ["recovered_members (with control group)", loop.n, loop.median_ms, loop.p95_ms,
         loop.p99_ms],
        ["both: the API's member figures", both.n, both.median_ms, both.p95_ms, both.p99_ms],
        ["member_kpis, the whole month before", kpis_last.n, kpis_last.median_ms,
         kpis_last.p95_ms, kpis_last.p99_ms],
        ["both, the whole month before", last.n, last.median_ms, last.p95_ms, last.p99_ms],
        ["both, the whole month before, jit = off", last_nojit.n, last_nojit.median_ms,
         last_nojit.p95_ms, last_nojit.p99_ms],
    ]  # fmt: skip
    body = "\n".join(
        [
            "# Membership benchmark",
            "",
            f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average before "
            f"{load_before}, after {load_average()}. Data: {a.customers:,} customers, "
            f"{a.members:,} memberships, {a.orders:,} orders, {contacts:,} contacts, "
            f"{recoveries:,} recoveries"
            + (" (kept database)" if kept else f", loaded in {load_s:.1f} s")
            + ".",
            "",
            *(f"- {k}: {v}" for k, v in machine()),
            "",
            table(["read", "n", "p50 ms", "p95 ms", "p99 ms"], rows),
            "",
            f"The month read: {k.orders:,} orders ({k.member_orders:,} by members), "
            f"{k.contacts:,} contacts ({k.member_contacts:,} by members; per 100 orders "
            f"{k.member_contacts_per_100} vs {k.other_contacts_per_100}); "
            f"{r.recovered.customers:,} recovered customers, {r.control.customers:,} in the "
            f"control group. The month before: {kl.orders:,} orders, {kl.contacts:,} contacts, "
            f"{rl.recovered.customers:,} recovered, {rl.control.customers:,} in the control "
            "group.",
            "",
            f"Days summed before the reads (days_refresh): {summed:,} in {days_s * 1000:.0f} ms. "
            "One read of the whole month before, per query (what it reads, ms): "
            + "; ".join(per_query)
            + ".",
            "",
            f"Tick over {due:,} due memberships: {tick_s:.1f} s "
            f"({due / tick_s if tick_s else 0:,.0f} memberships/s): {done}. "
            f"The same tick again at the same instant: {again_s * 1000:.0f} ms, "
            f"{second or 'nothing due'}.",
        ]
    )
    Path(a.results).write_text(body + "\n")
    print(body)


if __name__ == "__main__":
    main()
