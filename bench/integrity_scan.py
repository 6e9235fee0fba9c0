"""Speed of the full integrity scan on PostgreSQL: `andon integrity scan` over a large world.

    .venv/bin/python bench/integrity_scan.py                        # 1,000,000 contacts
    .venv/bin/python bench/integrity_scan.py --contacts 100000 --results -

The world is written with INSERT ... SELECT generate_series (seconds, not hours): customers,
one delivered order line per order, contacts on those lines (so customers have several),
recovery on a third of them, closed andons with two evidence contacts each, reviews. The
scan then runs as the command runs it, each step timed; the baseline measured in the same run
is one sequential COUNT(*) over the contacts (the floor of any set-based pass). The target
(issue 10): a full scan of 1M contacts within 60 s on these 2 cores. Drops its database at
the end. Writes a section of bench/RESULTS-integrity.md unless --results says otherwise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.integrity_quality import HEADER, RESULTS
from bench.scratch import scratch_drop

PG_NAME = "andon_integrity_bench"


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--contacts", type=int, default=1_000_000, help="contacts in the world")
    p.add_argument("--customers", type=int, default=0, help="customers (default contacts/5)")
    p.add_argument("--orders", type=int, default=0, help="orders (default contacts*2)")
    p.add_argument("--results", default=str(RESULTS), help="results file, or - to print only")
    p.add_argument("--database", default=PG_NAME, help="scratch PostgreSQL database name")
    p.add_argument("--keep", action="store_true", help="keep the world (do not drop it)")
    p.add_argument(
        "--reuse", action="store_true", help="reuse a world kept by --keep (skip the build)"
    )
    p.add_argument(
        "--no-vacuum", action="store_true", help="only ANALYZE after the build (a cold world)"
    )
    p.add_argument("--build-only", action="store_true", help="build the world, do not scan")
    return p.parse_args(argv)


def setup(name: str, reuse: bool) -> None:
    """Django on the scratch database `name`; a kept world is migrated, not rebuilt."""
    if not reuse:
        from bench.scratch import scratch_setup

        scratch_setup("postgres", name)
        return
    import os

    import django
    from django.core.management import call_command

    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "andon.config.settings"
    django.setup()
    call_command("migrate", verbosity=0)


def build(contacts: int, customers: int, orders: int, vacuum: bool = True) -> dict[str, float]:
    from django.contrib.auth.models import Group, User
    from django.db import connection

    from andon.catalog.models import Product
    from andon.contacts.models import ReasonCode
    from andon.people.models import Profile, Team
    from andon.recovery.models import RecoveryAction
    from andon.recovery.services import catalogue_ensure_defaults

    timings = {}
    started = time.perf_counter()
    agent_group = Group.objects.get_or_create(name="agent")[0]
    teams = [
        Team.objects.create(code=f"t{t}", name_zh=f"组{t}", name_en=f"Team {t}") for t in range(4)
    ]
    users = User.objects.bulk_create(User(username=f"agent{a:03d}") for a in range(60))
    for i, u in enumerate(users):
        u.groups.add(agent_group)
        Profile.objects.create(user=u, team=teams[i % 4])
    Product.objects.bulk_create(
        Product(sku=f"P{n:05d}", title=f"P{n}", price=50) for n in range(500)
    )
    for c in ("a", "b", "c", "d"):
        ReasonCode.objects.create(code=f"r-{c}", label_zh=c, label_en=c)
    catalogue_ensure_defaults()
    coupon = RecoveryAction.objects.filter(kind="coupon").first()
    assert coupon is not None
    andons = contacts // 50
    with connection.cursor() as cur:
        cur.execute("SELECT min(id) FROM auth_user WHERE username LIKE 'agent%'")
        amin = cur.fetchone()[0]
        cur.execute("SELECT min(id) FROM catalog_product")
        pmin = cur.fetchone()[0]
        cur.execute("SELECT min(id) FROM contacts_reasoncode")
        rmin = cur.fetchone()[0]
        steps = [
            (
                "customers",
                f"""INSERT INTO orders_customer (external_id, name, phone, email, created_at,
                address, address_key, city, device_id, registered_at)
                SELECT 'C'||g, 'Customer '||g, '139'||lpad(g::text, 8, '0'), '', now(),
                g||' Road', 'city|'||(CASE WHEN g % 40 = 0 THEN g/2 ELSE g END)||'road', 'City',
                'd'||g, now() - (30 + random() * 2000) * interval '1 day'
                FROM generate_series(1, {customers}) g""",
            ),
            (
                "orders",
                f"""INSERT INTO orders_order (external_id, placed_at, channel, customer_id)
                SELECT 'O'||g, now() - random() * interval '365 days', 'web',
                (SELECT min(id) FROM orders_customer) + ((g::bigint * 7919) % {customers})
                FROM generate_series(1, {orders}) g""",
            ),
            (
                "order lines",
                f"""INSERT INTO orders_orderline (line_no, quantity, unit_price, fulfilment_status,
                status_changed_at, order_id, product_id)
                SELECT 1, 1, 50, 'delivered', o.placed_at + interval '2 days', o.id,
                {pmin} + (o.id % 500) FROM orders_order o""",
            ),
            (
                "contacts",
                f"""INSERT INTO contacts_contact (created_at, text, channel, agent_id, customer_id,
                order_line_id, product_id, reason_id, external_id)
                SELECT o.placed_at + interval '3 days' + random() * interval '48 hours', '',
                'phone', {amin} + (g % 60), o.customer_id, l.id, l.product_id, {rmin} + (g % 4),
                NULL
                FROM generate_series(1, {contacts}) g
                JOIN orders_orderline l
                  ON l.id = (SELECT min(id) FROM orders_orderline)
                          + ((g::bigint * 104729) % {orders})
                JOIN orders_order o ON o.id = l.order_id""",
            ),
            (
                "recovery",
                f"""INSERT INTO recovery_recoverygiven (cost, note, reason_above_guide, above_guide,
                given_at, action_id, agent_id, contact_id, customer_id)
                SELECT 10, '', '', false, c.created_at + interval '3 minutes', {coupon.pk},
                c.agent_id, c.id, c.customer_id FROM contacts_contact c WHERE c.id % 3 = 0""",
            ),
            (
                "andons",
                f"""INSERT INTO pulls_andon (state, note, opened_at, closed_at, opened_by_id,
                product_id, reason_id)
                SELECT 'closed', 'bench', now() - random() * interval '300 days', now(),
                {amin} + (g % 60), {pmin} + (g % 500), {rmin} + (g % 4)
                FROM generate_series(1, {andons}) g""",
            ),
            (
                "pulls, evidence, reviews",
                f"""INSERT INTO pulls_cordpull
                (note, pulled_at, joined, credited, agent_id, andon_id)
                SELECT 'bench', a.opened_at, false, true, a.opened_by_id, a.id FROM pulls_andon a;
                INSERT INTO pulls_andonevidence (andon_id, contact_id)
                SELECT a.id, (SELECT min(id) FROM contacts_contact) + (a.id * 2 + k) % {contacts}
                FROM pulls_andon a, generate_series(0, 1) k;
                INSERT INTO reviews_pullreview (verdict, root_cause, note, reviewed_at, pulled_at,
                agent_id, andon_id, reviewer_id)
                SELECT CASE WHEN a.id % 40 = 0 THEN 'invalid' ELSE 'valid' END, '', '',
                a.opened_at + interval '1 day', a.opened_at, a.opened_by_id, a.id, {amin}
                FROM pulls_andon a WHERE a.id % 2 = 0""",
            ),
        ]
        for name, sql in steps:
            t0 = time.perf_counter()
            cur.execute(sql)
            timings[name] = time.perf_counter() - t0
        # VACUUM as well as ANALYZE: the state autovacuum leaves a live database in (hint bits
        # and visibility map set), so the scan does not pay the first read of 5M fresh rows.
        cur.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
    timings["total build"] = time.perf_counter() - started
    return timings


def measure() -> tuple[dict[str, float], float, dict[str, int]]:
    from django.db import connection

    from andon.integrity import services

    with connection.cursor() as cur:
        t0 = time.perf_counter()
        cur.execute("SELECT count(*) FROM contacts_contact")
        cur.fetchone()
        baseline = time.perf_counter() - t0
    steps: dict[str, float] = {}
    last = [time.perf_counter()]

    def progress(name: str) -> None:
        now = time.perf_counter()
        steps[name] = now - last[0]
        last[0] = now

    t0 = time.perf_counter()
    counts = services.scan(trigger="bench", progress=progress)
    steps["total (incl. writing signals)"] = time.perf_counter() - t0
    return steps, baseline, counts


def measure_incremental(samples: int = 9) -> tuple[list[float], dict[str, list[float]]]:
    """After the full scan: one write through the services (a contact, every other one with
    a recovery), then the incremental scan the worker would run for it, timed; `samples`
    times."""
    from django.contrib.auth.models import User

    from andon.contacts.services import contact_record
    from andon.integrity import services
    from andon.orders.models import Order
    from andon.recovery.models import RecoveryAction
    from andon.recovery.services import recovery_give

    agent = User.objects.get(username="agent001")
    action = RecoveryAction.objects.filter(kind="coupon").values_list("code", flat=True).first()
    assert action is not None
    took: list[float] = []
    per_step: dict[str, list[float]] = {}
    for i in range(samples):
        o = Order.objects.select_related("customer").get(external_id=f"O{1000 + 37 * i}")
        c = contact_record(
            actor=agent,
            customer=o.customer.external_id,
            order=o.external_id,
            line_no=1,
            reason="r-a",
            text="bench: pages torn",
        )
        if i % 2:
            recovery_give(actor=agent, contact_id=c.pk, action=action)
        t0 = time.perf_counter()
        last = [t0]

        def step(name: str, last: list[float] = last) -> None:
            now = time.perf_counter()
            per_step.setdefault(name, []).append(now - last[0])
            last[0] = now

        services.scan_pending(progress=step)
        took.append(time.perf_counter() - t0)
    return took, per_step


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    customers = args.customers or args.contacts // 5
    orders = args.orders or args.contacts * 2
    setup(args.database, args.reuse)
    text = ""
    try:
        from bench.report import _git, database_version, load_average

        if args.reuse:
            from django.db import connection

            with connection.cursor() as cur:
                cur.execute("SELECT count(*) FROM contacts_contact")
                have = cur.fetchone()[0]
            if have < args.contacts:
                raise SystemExit(f"--reuse: the kept world has {have:,} contacts")
            built = {"total build": 0.0}
        else:
            built = build(args.contacts, customers, orders, vacuum=not args.no_vacuum)
        if args.build_only:
            print(f"built in {built['total build']:.0f} s; kept in database {args.database}")
            return 0
        load_before = load_average()
        steps, baseline, counts = measure()
        incremental, per_step = measure_incremental()
        lines = [
            "## Full scan speed (PostgreSQL)",
            "",
            f"- Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; commit "
            f"{_git('rev-parse', '--short', 'HEAD')} ({_git('branch', '--show-current')})",
            f"- Database: {database_version()}; load average before the scan {load_before}",
            f"- World: {args.contacts:,} contacts, {customers:,} customers, {orders:,} delivered "
            f"orders, {args.contacts // 50:,} andons; "
            + (
                "a world kept from an earlier build (--reuse)"
                if args.reuse
                else f"built in {built['total build']:.0f} s"
            ),
            f"- Baseline (same run): one COUNT(*) over the contacts: {baseline:.2f} s",
            f"- Signals found: {counts}",
            "",
            "| step | seconds |",
            "| --- | --- |",
            *[f"| {k} | {v:.1f} |" for k, v in steps.items()],
            "",
            "Target: <= 60 s for 1M contacts. One run (a scan is minutes apart, not a hot path).",
            "",
            "### Incremental scan after one write (the worker's scan)",
            "",
            "After the full scan above, in the same world: one contact recorded through the "
            "services (every other one with a recovery), then `services.scan_pending()` "
            "(what the integrity queue's task runs), timed.",
            "",
            f"- Samples: {len(incremental)}; p50 {_pct(incremental, 0.5):.2f} s, "
            f"p95 {_pct(incremental, 0.95):.2f} s, max {max(incremental):.2f} s",
            f"- Full scan in the same run: {steps['total (incl. writing signals)']:.1f} s "
            f"({steps['total (incl. writing signals)'] / _pct(incremental, 0.5):.0f}x the "
            "incremental p50)",
            "",
            "| incremental step | p50 seconds | p95 seconds |",
            "| --- | --- | --- |",
            *[f"| {k} | {_pct(v, 0.5):.3f} | {_pct(v, 0.95):.3f} |" for k, v in per_step.items()],
        ]
        text = "\n".join(lines)
    finally:
        if args.keep or args.build_only:
            from django.db import connections

            connections.close_all()
        else:
            scratch_drop("postgres", args.database)
    print(text)
    if args.results != "-":
        from bench.report import write_section

        path = Path(args.results)
        if not path.exists():
            path.write_text(HEADER)
        write_section(path, "integrity-scan-speed", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
