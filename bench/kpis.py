"""Benchmark of the manager KPIs at scale: 1,000,000 contacts and 100,000 andons (90 % of them
reviewed, ~2.5 % invalid) over two years, in PostgreSQL database `andon_kpibench`, generated
set-based with generate_series. Times the real selectors (bad-andon rate per team lead / team
/ organisation per week and month, the Monday review, the review queue) and a trivial count
as the baseline of the same run; medians of 7 runs after one warm-up.

    .venv/bin/python bench/kpis.py [--keep] [--runs 7]

Writes bench/RESULTS-kpis.md. Drops and recreates `andon_kpibench` unless --keep finds it
already loaded.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
from pathlib import Path

DB = "andon_kpibench"
SERVER = os.environ.get("ANDON_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
CONTACTS, ANDONS, PRODUCTS, CUSTOMERS, AGENTS, TEAMS = 1_000_000, 100_000, 10_000, 200_000, 40, 4
RESULTS = Path(__file__).with_name("RESULTS-kpis.md")


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
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import django

    django.setup()


def load() -> None:
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection

    from andon.contacts.models import ReasonCode
    from andon.people.models import Profile, Team

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
    p = {
        "agents": [u.pk for u in agents],
        "teams": [t.pk for t in teams],
        "leads": [u.pk for u in leads],
        "reason": reason.pk,
        "n": CONTACTS,
        "a": ANDONS,
        "products": PRODUCTS,
        "customers": CUSTOMERS,
        "na": AGENTS,
        "nt": TEAMS,
    }
    # Contacts spread evenly over two years ending now; andon j pulls on contacts 10j-1, 10j.
    steps = [
        (
            "products",
            """INSERT INTO catalog_product (id, sku, title, price, currency, monthly_gmv,
            listing_status, created_at, updated_at)
            SELECT i, 'B-' || i, 'Book ' || i, 39.80, 'CNY', 0, 'active', now(), now()
            FROM generate_series(1, %(products)s) i""",
        ),
        (
            "customers",
            """INSERT INTO orders_customer (id, external_id, name, phone, email,
            created_at, address, city, address_key, device_id)
            SELECT i, 'c-' || i, 'Customer ' || i, '', '', now(), '', '', '', ''
            FROM generate_series(1, %(customers)s) i""",
        ),
        (
            "orders",
            """INSERT INTO orders_order (id, external_id, customer_id, placed_at, channel)
            SELECT i, 'o-' || i, 1 + i %% %(customers)s, now() - interval '731 days', 'web'
            FROM generate_series(1, %(n)s) i""",
        ),
        (
            "order lines",
            """INSERT INTO orders_orderline (id, order_id, line_no, product_id,
            quantity, unit_price, fulfilment_status)
            SELECT i, i, 1, 1 + i %% %(products)s, 1, 39.80, 'delivered'
            FROM generate_series(1, %(n)s) i""",
        ),
        (
            "contacts",
            """INSERT INTO contacts_contact (id, created_at, customer_id, order_line_id,
            product_id, reason_id, text, channel, handling_seconds, agent_id)
            SELECT i, now() - interval '730 days' + (i * interval '730 days') / %(n)s,
              1 + i %% %(customers)s, i, 1 + i %% %(products)s, %(reason)s, '未裁开', 'phone',
              120, (%(agents)s::bigint[])[1 + i %% %(na)s]
            FROM generate_series(1, %(n)s) i""",
        ),
        (
            "andons",
            """INSERT INTO pulls_andon (id, product_id, reason_id, state, note, opened_at,
            opened_by_id, team_id, team_lead_id, closed_at)
            SELECT j, c.product_id, %(reason)s, 'closed', '两位客户反映同一问题',
              c.created_at + interval '2 hours', c.agent_id,
              (%(teams)s::bigint[])[1 + (c.id %% %(na)s) %% %(nt)s],
              (%(leads)s::bigint[])[1 + (c.id %% %(na)s) %% %(nt)s],
              c.created_at + interval '2 hours' + (4 + j %% 96) * interval '1 hour'
            FROM generate_series(1, %(a)s) j JOIN contacts_contact c ON c.id = 10 * j""",
        ),
        (
            "evidence",
            """INSERT INTO pulls_andonevidence (andon_id, contact_id)
            SELECT j, 10 * j - k FROM generate_series(1, %(a)s) j, generate_series(0, 1) k""",
        ),
        (
            "cord pulls",
            """INSERT INTO pulls_cordpull (andon_id, agent_id, note, pulled_at, joined,
            credited) SELECT id, opened_by_id, note, opened_at, false, true FROM pulls_andon""",
        ),
        (
            "reviews",
            """INSERT INTO reviews_pullreview (andon_id, reviewer_id, verdict, root_cause,
            note, reviewed_at, pulled_at, agent_id, team_id, team_lead_id)
            SELECT id, team_lead_id,
              CASE WHEN (id * 7919) %% 1000 < 25 THEN 'invalid' ELSE 'valid' END,
              CASE WHEN (id * 7919) %% 1000 < 25 THEN (ARRAY['person','training','process',
                'money','system'])[1 + id %% 5] ELSE '' END,
              '', opened_at + interval '1 day', opened_at, opened_by_id, team_id, team_lead_id
            FROM pulls_andon WHERE id %% 10 <> 0""",
        ),
        (
            "corrective actions",
            """INSERT INTO reviews_correctiveaction (review_id, kind,
            description, assignee_id, owner_id, due_on, created_at, done_at)
            SELECT id, 'training', '按灯规则培训', agent_id, team_lead_id,
              (reviewed_at + interval '14 days')::date, reviewed_at,
              CASE WHEN reviewed_at < now() - interval '21 days'
                   THEN reviewed_at + interval '7 days' END
            FROM reviews_pullreview WHERE verdict = 'invalid'""",
        ),
        (
            "bonus credits",
            """INSERT INTO incentives_bonuscredit (agent_id, andon_id, kind, sequence,
            amount, currency, credited_at, note)
            SELECT agent_id, andon_id, 'credit', 1, 50, 'CNY', reviewed_at, ''
            FROM reviews_pullreview
            WHERE verdict = 'valid'""",
        ),
        (
            "recovery given",
            """INSERT INTO recovery_recoverygiven (contact_id, customer_id,
            action_id, cost, note, reason_above_guide, above_guide, agent_id, team_id, given_at)
            SELECT c.id, c.customer_id, a.id, COALESCE(a.default_cost, 39.80), '', '', false,
              c.agent_id, (%(teams)s::bigint[])[1 + (c.id %% %(na)s) %% %(nt)s],
              c.created_at + interval '3 minutes'
            FROM contacts_contact c
            JOIN recovery_recoveryaction a ON a.position = c.id %% 6
            WHERE c.id %% 3 = 0""",
        ),
    ]
    with connection.cursor() as cur:
        for name, sql in steps:
            t = time.perf_counter()
            cur.execute(sql, p)
            print(f"  {name}: {cur.rowcount:,} rows in {time.perf_counter() - t:.1f} s")
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
        cur.execute("ANALYZE")


def timed(fn, runs: int) -> float:
    fn()  # warm-up: caches, plans
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples) * 1000


def measure(runs: int) -> list[tuple[str, float, str]]:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.utils import timezone

    from andon.reviews import rules
    from andon.reviews.models import PullReview
    from andon.reviews.monday import monday_review
    from andon.reviews.selectors import bad_andon_rate, review_queue

    now = timezone.now()
    twelve = now - dt.timedelta(weeks=12)
    last_monday = rules.last_week(timezone.localdate())[0]
    lead = User.objects.get(username="lead1")
    cases = [
        ("baseline: count(*) of reviews", lambda: PullReview.objects.count(), "1 row"),
        (
            "rate per team lead per week, last 12 weeks (KPI page)",
            lambda: bad_andon_rate(period="week", by="team_lead", since=twelve),
            None,
        ),
        (
            "rate per team lead per week, two years",
            lambda: bad_andon_rate(period="week", by="team_lead"),
            None,
        ),
        (
            "rate per team lead per month, two years",
            lambda: bad_andon_rate(period="month", by="team_lead"),
            None,
        ),
        (
            "rate per team per month, two years",
            lambda: bad_andon_rate(period="month", by="team"),
            None,
        ),
        (
            "rate of one team lead per week, two years",
            lambda: bad_andon_rate(period="week", team_lead_id=lead.pk),
            None,
        ),
        ("Monday review, whole organisation", lambda: monday_review(week_start=last_monday), None),
        (
            "Monday review, one team lead",
            lambda: monday_review(week_start=last_monday, team_lead=lead),
            None,
        ),
        (
            "review queue of a team lead (sampled, first 100)",
            lambda: review_queue(user_id=lead.pk),
            None,
        ),
    ]
    out = []
    for name, fn, _note in cases:
        result = fn()
        size = (
            len(result)
            if isinstance(result, list)
            else (len(result.pulls) if hasattr(result, "pulls") else result)
        )
        ms = timed(fn, runs)
        out.append(
            (
                name,
                ms,
                f"{size:,} {'rows' if isinstance(result, list) else ''}".strip()
                if not hasattr(result, "pulls")
                else f"{size} pulls in the week",
            )
        )
        print(f"  {name}: {ms:.1f} ms")
    with connection.cursor() as cur:
        cur.execute("SELECT version()")
        out.append(("__version__", 0.0, cur.fetchone()[0]))
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


def write(
    results: list[tuple[str, float, str]], sizes: dict[str, int], runs: int, load_s: float | None
) -> None:
    version = next(r[2] for r in results if r[0] == "__version__")
    rows = [r for r in results if r[0] != "__version__"]
    base = rows[0][1]
    lines = [
        "# KPI benchmark (issue #5)",
        "",
        f"`.venv/bin/python bench/kpis.py` on {dt.date.today().isoformat()}: "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{version.split(',')[0]}. Database `{DB}`, generated set-based.",
        "",
        "Data: " + ", ".join(f"{v:,} {k}" for k, v in sizes.items()) + " (two years).",
        "" if load_s is None else f"Load time: {load_s:.0f} s.",
        "",
        f"Median of {runs} runs after one warm-up, through the real selectors (ORM included).",
        "",
        "| query | median (ms) | × baseline | answer |",
        "| --- | ---: | ---: | --- |",
    ]
    lines += [f"| {n} | {ms:.1f} | {ms / base:.1f} | {note} |" for n, ms, note in rows]
    lines += [
        "",
        "Why it stays fast: the KPI reads only `reviews_pullreview` (team lead, team",
        "and pull time are copied there from the andon's pull-time snapshot) through the",
        "indexes (team_lead, pulled_at, verdict), (team, pulled_at, verdict) and",
        "(pulled_at, verdict); the Monday review reads one week of andons by",
        "`opened_at` and their evidence by andon id. Contacts are never scanned.",
        "",
        "Where the time goes: the Monday review builds one Python row per pull of the",
        "week (~960 here, with product, reason, agent and review); the review queue sorts",
        "the lead's unreviewed andons by pull time and hashes ids for the sample. Both",
        "are page loads, not per-request hot paths; paginate the pull list if a week",
        "ever holds tens of thousands of pulls.",
        "",
    ]
    RESULTS.write_text("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="reuse a loaded database")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    kept = recreate(args.keep)
    setup_django()
    load_s = None
    if not kept:
        print(f"loading {CONTACTS:,} contacts and {ANDONS:,} andons into {DB}...")
        t = time.perf_counter()
        load()
        load_s = time.perf_counter() - t
    sizes = counts()
    print("timing...")
    write(measure(args.runs), sizes, args.runs, load_s)
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
