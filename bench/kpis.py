"""Benchmark of the manager reports at scale, on PostgreSQL: N contacts and N/10 andons (90 %
of them reviewed, ~2.5 % invalid) over two years, with corrective actions, bonuses, recovery
and two work orders per andon, generated set-based with generate_series in chunks (a progress
bar per step). Times the real selectors (the bad-andon rate page, the two-year trend, the
Monday review for the organisation and for one lead, the review queue) and, in the same run,
the selectors as they were before the daily summaries (bench/kpis_before.py), plus a trivial
count as the baseline. Reports p50 / p95 / p99 and the number of samples.

    .venv/bin/python bench/kpis.py --contacts 1M [--andons 100k] [--runs 30] [--keep]
    .venv/bin/python bench/kpis.py --contacts 10M --keep        # time an already built world

Sizes take k/M suffixes. The database is `andon_kpibench_<contacts>` (e.g. andon_kpibench_3m);
it is dropped and rebuilt unless --keep finds it loaded (then only migrations, the summaries'
rebuild and ANALYZE run). Writes bench/RESULTS-kpis.md (--results to write elsewhere).
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

from bench.stats import Summary

DB = "andon_kpibench"
SERVER = os.environ.get("ANDON_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
CONTACTS, ANDONS, PRODUCTS, CUSTOMERS, AGENTS, TEAMS = 1_000_000, 100_000, 10_000, 200_000, 40, 4
RESULTS = Path(__file__).with_name("RESULTS-kpis.md")
CHUNK = 500_000
SPAN_SECONDS = 730 * 86_400  # the world's two years


def size(text: str) -> int:
    """'10M' -> 10,000,000; '100k' -> 100,000; '2500' -> 2,500."""
    text = text.strip().lower().replace("_", "").replace(",", "")
    mult = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if mult > 1 else text) * mult)


def recreate(keep: bool) -> bool:
    """(Re)create the database; True when an existing, loaded one is kept."""
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB]).fetchone()
        if exists and keep:
            return True
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")
    return False


def setup_django() -> None:
    os.environ["DATABASE_URL"] = f"{SERVER}/{DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "andon.config.settings")
    import django

    django.setup()


def bar(name: str, done: int, total: int, rows: int, started: float) -> None:
    width = 30
    filled = width * done // max(total, 1)
    line = (
        f"\r  {name:<20} [{'#' * filled}{'.' * (width - filled)}] "
        f"{100 * done // max(total, 1):3d}%  {rows:>12,} rows  "
        f"{time.perf_counter() - started:6.1f} s"
    )
    sys.stdout.write(line + ("\n" if done >= total else ""))
    sys.stdout.flush()


# Each step inserts the rows whose driving id lies in [lo, hi): `over` names the range
# ("contacts" 1..n, "andons" 1..a); the statement reads %(lo)s and %(hi)s.
STEPS: list[tuple[str, str, str]] = [
    (
        "products",
        "products",
        """INSERT INTO catalog_product (id, sku, title, price, currency, monthly_gmv,
        listing_status, created_at, updated_at)
        SELECT i, 'B-' || i, 'Book ' || i, 39.80, 'CNY', 0, 'active', now(), now()
        FROM generate_series(%(lo)s, %(hi)s - 1) i""",
    ),
    (
        "customers",
        "customers",
        """INSERT INTO orders_customer (id, external_id, name, phone, email,
        created_at, address, city, address_key, device_id)
        SELECT i, 'c-' || i, 'Customer ' || i, '', '', now(), '', '', '', ''
        FROM generate_series(%(lo)s, %(hi)s - 1) i""",
    ),
    (
        "orders",
        "contacts",
        """INSERT INTO orders_order (id, external_id, customer_id, placed_at, channel)
        SELECT i, 'o-' || i, 1 + i %% %(customers)s,
          now() - interval '731 days' + make_interval(secs => i::float8 * %(span)s / %(n)s),
          'web'
        FROM generate_series(%(lo)s, %(hi)s - 1) i""",
    ),
    (
        "order lines",
        "contacts",
        """INSERT INTO orders_orderline (id, order_id, line_no, product_id,
        quantity, unit_price, fulfilment_status)
        SELECT i, i, 1, 1 + i %% %(products)s, 1, 39.80, 'delivered'
        FROM generate_series(%(lo)s, %(hi)s - 1) i""",
    ),
    (
        # Spread evenly over two years ending now. The offset is seconds as float8: the old
        # `i * interval '730 days'` overflowed PostgreSQL's interval above ~2.94M rows.
        "contacts",
        "contacts",
        """INSERT INTO contacts_contact (id, created_at, customer_id, order_line_id,
        product_id, reason_id, text, channel, handling_seconds, agent_id)
        SELECT i, now() - interval '730 days' + make_interval(secs => i::float8 * %(span)s / %(n)s),
          1 + i %% %(customers)s, i, 1 + i %% %(products)s, %(reason)s, '未裁开', 'phone',
          120, (%(agents)s::bigint[])[1 + i %% %(na)s]
        FROM generate_series(%(lo)s, %(hi)s - 1) i""",
    ),
    (
        # Andon j pulls on contacts stride*j - 1 and stride*j (its first report is the first).
        "andons",
        "andons",
        """INSERT INTO pulls_andon (id, product_id, reason_id, state, note, opened_at,
        opened_by_id, team_id, team_lead_id, closed_at, first_report_at)
        SELECT j, c.product_id, %(reason)s, 'closed', '两位客户反映同一问题',
          c.created_at + interval '2 hours', c.agent_id,
          (%(teams)s::bigint[])[1 + (c.id %% %(na)s) %% %(nt)s],
          (%(leads)s::bigint[])[1 + (c.id %% %(na)s) %% %(nt)s],
          c.created_at + interval '2 hours' + (4 + j %% 96) * interval '1 hour',
          c.created_at - make_interval(secs => %(span)s::float8 / %(n)s)
        FROM generate_series(%(lo)s, %(hi)s - 1) j JOIN contacts_contact c
          ON c.id = %(stride)s * j""",
    ),
    (
        "evidence",
        "andons",
        """INSERT INTO pulls_andonevidence (andon_id, contact_id)
        SELECT j, %(stride)s * j - k
        FROM generate_series(%(lo)s, %(hi)s - 1) j, generate_series(0, 1) k""",
    ),
    (
        "cord pulls",
        "andons",
        """INSERT INTO pulls_cordpull (andon_id, agent_id, note, pulled_at, joined, credited)
        SELECT id, opened_by_id, note, opened_at, false, true FROM pulls_andon
        WHERE id >= %(lo)s AND id < %(hi)s""",
    ),
    (
        "reviews",
        "andons",
        """INSERT INTO reviews_pullreview (andon_id, reviewer_id, verdict, root_cause,
        note, reviewed_at, pulled_at, agent_id, team_id, team_lead_id)
        SELECT id, team_lead_id,
          CASE WHEN (id * 7919) %% 1000 < 25 THEN 'invalid' ELSE 'valid' END,
          CASE WHEN (id * 7919) %% 1000 < 25 THEN (ARRAY['person','training','process',
            'money','system'])[1 + id %% 5] ELSE '' END,
          '', opened_at + interval '1 day', opened_at, opened_by_id, team_id, team_lead_id
        FROM pulls_andon WHERE id %% 10 <> 0 AND id >= %(lo)s AND id < %(hi)s""",
    ),
    (
        "corrective actions",
        "andons",
        """INSERT INTO reviews_correctiveaction (review_id, kind,
        description, assignee_id, owner_id, due_on, created_at, done_at)
        SELECT id, 'training', '按灯规则培训', agent_id, team_lead_id,
          (reviewed_at + interval '14 days')::date, reviewed_at,
          CASE WHEN reviewed_at < now() - interval '21 days'
               THEN reviewed_at + interval '7 days' END
        FROM reviews_pullreview WHERE verdict = 'invalid'
          AND andon_id >= %(lo)s AND andon_id < %(hi)s""",
    ),
    (
        "bonus credits",
        "andons",
        """INSERT INTO incentives_bonuscredit (agent_id, andon_id, kind, sequence,
        amount, currency, credited_at, note)
        SELECT agent_id, andon_id, 'credit', 1, 50, 'CNY', reviewed_at, ''
        FROM reviews_pullreview
        WHERE verdict = 'valid' AND andon_id >= %(lo)s AND andon_id < %(hi)s""",
    ),
    (
        "recovery given",
        "contacts",
        """INSERT INTO recovery_recoverygiven (contact_id, customer_id,
        action_id, cost, note, reason_above_guide, above_guide, agent_id, team_id, given_at)
        SELECT c.id, c.customer_id, a.id, COALESCE(a.default_cost, 39.80), '', '', false,
          c.agent_id, (%(teams)s::bigint[])[1 + (c.id %% %(na)s) %% %(nt)s],
          c.created_at + interval '3 minutes'
        FROM contacts_contact c
        JOIN recovery_recoveryaction a ON a.position = c.id %% 6
        WHERE c.id %% 3 = 0 AND c.id >= %(lo)s AND c.id < %(hi)s""",
    ),
    (
        "work orders",
        "andons",
        """INSERT INTO workorders_workorder (andon_id, department_id, state,
        instruction_zh, instruction_en, created_at, due_at, resolved_at, findings,
        disposition, hold_dispositions, closed_at, reopen_count, last_reopen_reason)
        SELECT a.id, d, 'closed', '检验', 'Inspect', a.opened_at,
          a.opened_at + interval '24 hours',
          a.opened_at + (4 + (a.id * 7 + d) %% 40) * interval '1 hour', '装订错误',
          'return-to-vendor', '{}'::jsonb, a.closed_at, 0, ''
        FROM pulls_andon a, unnest(%(departments)s::bigint[]) d
        WHERE a.id >= %(lo)s AND a.id < %(hi)s""",
    ),
]


def load() -> None:
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection

    from andon.contacts.models import ReasonCode
    from andon.people.models import Department, Profile, Team

    call_command("migrate", verbosity=0)
    leads = [User.objects.create(username=f"lead{t + 1}") for t in range(TEAMS)]
    teams = [
        Team.objects.create(
            code=f"team-{t + 1}", name_zh=f"{t + 1}组", name_en=f"Team {t + 1}", lead=leads[t]
        )
        for t in range(TEAMS)
    ]
    agents = [User.objects.create(username=f"agent{a + 1}") for a in range(AGENTS)]
    Profile.objects.bulk_create(
        Profile(user=u, team=teams[a % TEAMS]) for a, u in enumerate(agents)
    )
    reason = ReasonCode.objects.create(code="print-defect", label_zh="印刷缺陷", label_en="Print")
    deps = [
        Department.objects.create(code=c, name_zh=c, name_en=c)
        for c in ("vendor-management", "warehouse-logistics")
    ]
    p = {
        "agents": [u.pk for u in agents],
        "teams": [t.pk for t in teams],
        "leads": [u.pk for u in leads],
        "departments": [d.pk for d in deps],
        "reason": reason.pk,
        "n": CONTACTS,
        "a": ANDONS,
        "stride": max(2, CONTACTS // ANDONS),
        "span": SPAN_SECONDS,
        "products": PRODUCTS,
        "customers": CUSTOMERS,
        "na": AGENTS,
        "nt": TEAMS,
    }
    ranges = {
        "products": PRODUCTS,
        "customers": CUSTOMERS,
        "contacts": CONTACTS,
        "andons": min(ANDONS, CONTACTS // p["stride"]),
    }
    with connection.cursor() as cur:
        for name, over, sql in STEPS:
            total, rows, started = ranges[over], 0, time.perf_counter()
            for lo in range(1, total + 1, CHUNK):
                hi = min(total + 1, lo + CHUNK)
                cur.execute(sql, {**p, "lo": lo, "hi": hi})
                rows += max(cur.rowcount, 0)
                bar(name, hi - 1, total, rows, started)
        for table in [
            "catalog_product",
            "orders_customer",
            "orders_order",
            "orders_orderline",
            "contacts_contact",
            "pulls_andon",
        ]:
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )


def prepare() -> float:
    """Migrations (a kept world may predate some), the summaries rebuilt, ANALYZE; seconds."""
    from django.core.management import call_command
    from django.db import connection

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("rebuild-summaries", verbosity=0)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return time.perf_counter() - t


def cases() -> list[tuple[str, Callable[[], Any], Callable[[], Any] | None]]:
    """(name, the selector now, the selector before the summaries or None)."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from andon.reviews import rules
    from andon.reviews.models import PullReview
    from andon.reviews.monday import monday_review
    from andon.reviews.selectors import bad_andon_rate, review_queue
    from bench import kpis_before as before

    now = timezone.now()
    today = timezone.localdate()
    # The KPI page: the last 12 weeks (or 12 months) from the start of a period, as the view.
    start = rules.period_start(today, "week")
    for _ in range(11):
        start = rules.period_start(start - dt.timedelta(days=1), "week")
    tz = timezone.get_current_timezone()
    page_since = dt.datetime.combine(start, dt.time(), tz)
    two_years = now - dt.timedelta(days=731)
    last_monday = rules.last_week(today)[0]
    lead = User.objects.get(username="lead1")
    return [
        ("baseline: count(*) of reviews", lambda: PullReview.objects.count(), None),
        (
            "KPI page: rate per team lead per week, 12 weeks",
            lambda: bad_andon_rate(period="week", by="team_lead", since=page_since),
            lambda: before.bad_andon_rate(period="week", by="team_lead", since=page_since),
        ),
        (
            "two-year trend: rate per team lead per week",
            lambda: bad_andon_rate(period="week", by="team_lead", since=two_years),
            lambda: before.bad_andon_rate(period="week", by="team_lead", since=two_years),
        ),
        (
            "two-year trend: organisation per month",
            lambda: bad_andon_rate(period="month", by="all", since=two_years),
            lambda: before.bad_andon_rate(period="month", by="all", since=two_years),
        ),
        (
            "Monday review, whole organisation",
            lambda: monday_review(week_start=last_monday),
            lambda: before.monday_review(week_start=last_monday),
        ),
        (
            "Monday review, one team lead",
            lambda: monday_review(week_start=last_monday, team_lead=lead),
            lambda: before.monday_review(week_start=last_monday, team_lead=lead),
        ),
        (
            "review queue of a team lead (first 100)",
            lambda: review_queue(user_id=lead.pk),
            lambda: before.review_queue(user_id=lead.pk),
        ),
        (
            "review queue of an admin (first 100)",
            lambda: review_queue(user_id=None),
            lambda: before.review_queue(user_id=None),
        ),
    ]


def sample(fn: Callable[[], Any], runs: int, budget_s: float) -> tuple[Summary, int]:
    """Timed runs after one warm-up (which also counts the queries); stops early when the
    time budget of this read is spent, with at least 5 samples."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as q:
        fn()
    samples: list[float] = []
    spent = 0.0
    while len(samples) < runs and (spent < budget_s or len(samples) < 5):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
        spent += samples[-1]
    return Summary.of(samples), len(q)


def measure(runs: int, budget_s: float, with_before: bool) -> list[tuple[str, Summary, int]]:
    out = []
    for name, now_fn, before_fn in cases():
        pairs = [(name, now_fn)]
        if before_fn is not None and with_before:
            pairs.append((f"… before (main 7d2d8c9): {name}", before_fn))
        for label, fn in pairs:
            s, q = sample(fn, runs, budget_s)
            out.append((label, s, q))
            print(f"  {label}: p50 {s.median_ms:.0f} ms, p95 {s.p95_ms:.0f} ms, n={s.n}, {q} q")
    return out


def counts() -> dict[str, int]:
    from django.db import connection

    tables = {
        "contacts": "contacts_contact",
        "andons": "pulls_andon",
        "reviews": "reviews_pullreview",
        "invalid": "reviews_pullreview",
        "corrective actions": "reviews_correctiveaction",
        "bonus credits": "incentives_bonuscredit",
        "recovery given": "recovery_recoverygiven",
        "work orders": "workorders_workorder",
    }
    out = {}
    with connection.cursor() as cur:
        for k, t in tables.items():
            cur.execute(
                f"SELECT count(*) FROM {t}"
                + (" WHERE verdict = 'invalid'" if k == "invalid" else "")
            )
            out[k] = cur.fetchone()[0]
    return out


def context() -> dict[str, str]:
    """What the results name: commit, date, load average, machine, database version."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT version()")
        version = cur.fetchone()[0].split(",")[0]
    try:
        la = os.getloadavg()
        load = f"{la[0]:.2f} / {la[1]:.2f} / {la[2]:.2f}"
    except OSError:
        load = "unknown"
    here = Path(__file__).resolve().parents[1]
    commit = os.popen(f"git -C {here} rev-parse --short HEAD 2>/dev/null").read().strip()
    dirty = os.popen(f"git -C {here} status --porcelain -- andon bench").read().strip()
    return {
        "commit": (commit or "unknown") + (" (with uncommitted changes)" if dirty else ""),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load": load,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared with other sessions)",
        "python": platform.python_version(),
        "db": version,
    }


def write(
    path: Path,
    rows: list[tuple[str, Summary, int]],
    sizes: dict[str, int],
    ctx: dict[str, str],
    load_s: float | None,
    prep_s: float,
    argv: str,
) -> None:
    base = rows[0][1].median_ms
    lines = [
        "# Report benchmark (issue #11 point 4)",
        "",
        f"`.venv/bin/python bench/kpis.py {argv}` on {ctx['date']}, commit `{ctx['commit']}`: "
        f"{ctx['machine']}, load average {ctx['load']} at the start, Python {ctx['python']}, "
        f"{ctx['db']}. Database `{DB}`, generated set-based.",
        "",
        "Data: " + ", ".join(f"{v:,} {k}" for k, v in sizes.items()) + " (two years).",
        ("" if load_s is None else f"Load time: {load_s:.0f} s. ")
        + f"Migrations + summaries rebuilt + ANALYZE: {prep_s:.0f} s.",
        "",
        "Timed runs after one warm-up (queries counted on the warm-up), through the real",
        "selectors (ORM included). Rows marked “before” run the selectors of main 7d2d8c9",
        "(bench/kpis_before.py) on the same database in the same run.",
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
    global DB, CONTACTS, ANDONS, CUSTOMERS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=size, default=1_000_000, help="e.g. 1M, 3M, 10M")
    parser.add_argument("--andons", type=size, default=None, help="default: 10%% of contacts")
    parser.add_argument("--db", default=None, help="database name (default from the size)")
    parser.add_argument("--keep", action="store_true", help="reuse a loaded database")
    parser.add_argument("--runs", type=int, default=30, help="timed runs per read (at most)")
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per read (soft)")
    parser.add_argument("--no-before", action="store_true", help="skip the 'before' reads")
    parser.add_argument("--load-only", action="store_true", help="build, do not time")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()
    CONTACTS = args.contacts
    ANDONS = args.andons or max(1, CONTACTS // 10)
    CUSTOMERS = max(1_000, CONTACTS // 5)
    millions = CONTACTS / 1_000_000
    DB = args.db or f"andon_kpibench_{millions:g}m".replace(".", "_")
    kept = recreate(args.keep)
    setup_django()
    load_s = None
    ctx = context()
    if not kept:
        print(f"loading {CONTACTS:,} contacts and {ANDONS:,} andons into {DB}...")
        t = time.perf_counter()
        load()
        load_s = time.perf_counter() - t
    prep_s = prepare()
    print(f"prepared in {prep_s:.0f} s")
    if args.load_only:
        return
    sizes = counts()
    print("timing...")
    rows = measure(args.runs, args.budget, not args.no_before)
    argv = " ".join(sys.argv[1:])
    write(args.results, rows, sizes, ctx, load_s, prep_s, argv)
    print(f"wrote {args.results}")


if __name__ == "__main__":
    main()
