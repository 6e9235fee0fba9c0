"""Detection's speed: assigning one contact with 100k contacts in the window, importing
contacts with assignment, and the model's load time and memory.

    .venv/bin/python bench/detection.py                      # SQLite scratch file, full sizes
    .venv/bin/python bench/detection.py --db postgres        # database andon_h9_bench (dropped)
    .venv/bin/python bench/detection.py --quick              # small sizes, seconds
    .venv/bin/python bench/detection.py --results bench/RESULTS-detection.md   # append a run

World: `--contacts` contacts (100,000) in the last 30 days over `--products` products (1,000),
one of them hot (2% of all contacts), each contact with its assignment and a stored sentence
vector (random unit vectors for the world: the cost of comparing is what is measured, and
encoding 100k texts first would only lengthen the setup). Texts come from the labelled set.

Measured, alternating so that drift spreads over all of them:
- baseline: `contacts.services.contact_record` alone (the service desk's write, as before);
- intake: `detection.services.contact_intake` (the same write + assignment, one transaction);
- on a typical product and on the hot one. p50/p95/p99 over `--samples` each, after warm-up.
Import: `--import-rows` contact rows through `rows_import` with assignment, and the same rows
without it (baseline), rows/s. Model: a fresh process loads it; load seconds and RSS growth.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scratch import scratch_drop, scratch_setup
from bench.stats import percentile, table

# Another name when two benches run at once on one server (the scratch is dropped with FORCE).
PG_NAME = os.environ.get("ANDON_BENCH_DB", "andon_h9_bench")


def parse(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--contacts", type=int, default=100_000)
    p.add_argument("--products", type=int, default=1_000)
    p.add_argument("--samples", type=int, default=300)
    p.add_argument("--import-rows", type=int, default=20_000)
    p.add_argument("--quick", action="store_true", help="2,000 contacts, 40 samples, 500 rows")
    p.add_argument("--results", type=Path, help="Append the report to this Markdown file.")
    args = p.parse_args(argv)
    if args.quick:
        args.contacts, args.products, args.samples, args.import_rows = 2_000, 50, 40, 500
    return args


def setup_django(db: str) -> str:
    return scratch_setup(db, PG_NAME)


def drop(db: str) -> None:
    scratch_drop(db, PG_NAME)


def build_world(n_contacts: int, n_products: int, rng: random.Random):
    """Products, customers, one delivered order line per contact, contacts in the last 30
    days, problems (about 1 per 8 contacts of a product) and assignments with vectors."""
    import numpy as np
    from django.contrib.auth.models import Group, User
    from django.utils import timezone

    from andon.catalog.models import Product
    from andon.contacts.models import Contact, ReasonCode
    from andon.detection.embedding import to_bytes
    from andon.detection.models import Assignment, Problem
    from andon.orders.models import Customer, Order, OrderLine
    from bench.labelled import labelled_read

    texts = [c.text for c in labelled_read("dev")]
    agent = User.objects.create_user("bench-agent")
    agent.groups.add(Group.objects.get_or_create(name="agent")[0])
    reasons = [
        ReasonCode.objects.create(code=c, label_zh=c, label_en=c)
        for c in ("print-defect", "other", "description-mismatch")
    ]
    products = Product.objects.bulk_create(
        Product(sku=f"B{i:05d}", title=f"bench {i}", price="10") for i in range(n_products)
    )
    hot = products[0]
    now = timezone.now()
    # The hot product takes 2% of the contacts, the others share the rest.
    owners = [hot] * (n_contacts // 50)
    owners += [products[1 + i % (n_products - 1)] for i in range(n_contacts - len(owners))]
    customers = Customer.objects.bulk_create(
        Customer(external_id=f"bc{i}", name=f"c{i}") for i in range(n_contacts)
    )
    orders = Order.objects.bulk_create(
        Order(external_id=f"bo{i}", customer=c, placed_at=now - dt.timedelta(days=40))
        for i, c in enumerate(customers)
    )
    lines = OrderLine.objects.bulk_create(
        OrderLine(order=o, line_no=1, product=owners[i], fulfilment_status="delivered")
        for i, o in enumerate(orders)
    )
    contacts = Contact.objects.bulk_create(
        Contact(
            created_at=now - dt.timedelta(seconds=rng.randint(3600, 29 * 86400)),
            customer=customers[i],
            order_line=lines[i],
            product=owners[i],
            reason=rng.choice(reasons),
            text=rng.choice(texts),
            agent=agent,
        )
        for i in range(n_contacts)
    )
    by_product: dict[int, list] = {}
    for c in contacts:
        by_product.setdefault(c.product_id, []).append(c)
    problems = []
    for pid, cs in by_product.items():
        problems += [
            Problem(product_id=pid, created_at=now, label_zh=f"p{k}")
            for k in range(max(1, len(cs) // 8))
        ]
    problems = Problem.objects.bulk_create(problems, batch_size=2000)
    of_product: dict[int, list] = {}
    for p in problems:
        of_product.setdefault(p.product_id, []).append(p)
    vecs = rng_unit_vectors(len(contacts), np.random.default_rng(7))
    Assignment.objects.bulk_create(
        (
            Assignment(
                contact=c,
                problem=rng.choice(of_product[c.product_id]),
                product_id=c.product_id,
                customer_id=c.customer_id,
                reason_id=c.reason_id,
                reported_at=c.created_at,
                vector=to_bytes(vecs[i]),
                method="embedding",
            )
            for i, c in enumerate(contacts)
        ),
        batch_size=2000,
    )
    # A live database has statistics (autovacuum analyses it); a freshly bulk-loaded one has
    # none, and PostgreSQL then planned the candidates' read for 7 open problems instead of
    # 18,000 (a nested loop over all of them).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return agent, products[0], products[1], texts


def rng_unit_vectors(n: int, g):
    v = g.standard_normal((n, 512)).astype("float32")
    return v / ((v**2).sum(axis=1, keepdims=True) ** 0.5)


def new_line(product, i: int, tag: str):
    from django.utils import timezone

    from andon.orders.models import Customer, Order, OrderLine

    cust = Customer.objects.create(external_id=f"{tag}{i}", name=tag)
    order = Order.objects.create(external_id=f"{tag}o{i}", customer=cust, placed_at=timezone.now())
    OrderLine.objects.create(order=order, line_no=1, product=product, fulfilment_status="delivered")
    return cust.external_id, order.external_id


def time_intake(
    agent, products, texts, samples: int, rng, *, assign: bool = False
) -> dict[str, list[float]]:
    """`record` (the baseline), `intake` and, with `assign`, the assignment alone,
    alternating, on the typical and the hot product."""
    from andon.contacts.services import contact_record
    from andon.detection.services import contact_intake

    ways = {"record": contact_record, "intake": contact_intake}
    if assign:
        ways["assign"] = _assign_only
    return _timed(agent, products, texts, samples, rng, ways)


def _assign_only(**fields) -> float:
    """The assignment alone, which the target is about: the contact is recorded first,
    untimed, in the same transaction, as the intake does."""
    from django.db import transaction

    from andon.contacts.services import contact_record
    from andon.detection.services import assignment_quietly

    with transaction.atomic():
        contact = contact_record(**fields)
        started = time.perf_counter()
        assignment_quietly(contact)
        return time.perf_counter() - started


def _timed(agent, products, texts, samples: int, rng, ways) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {f"{w} {k}": [] for w in ways for k in ("typical", "hot")}
    for i in range(samples + 5):
        for kind, product in (("typical", products[1]), ("hot", products[0])):
            for way, fn in ways.items():
                cust, order = new_line(product, i, f"{way}-{kind}-")
                text = f"{rng.choice(texts)} {i}"  # new to the model and the lexical cache
                started = time.perf_counter()
                took = fn(
                    actor=agent, customer=cust, order=order, line_no=1, reason="other", text=text
                )
                if not isinstance(took, float):
                    took = time.perf_counter() - started
                if i >= 5:  # warm-up
                    out[f"{way} {kind}"].append(took)
    return out


def _cpu() -> float:
    """CPU seconds of this process (all its threads) and of the model's encoding processes
    (an import encodes in them: embedding.BATCH_PROCESSES), so that moving work out of this
    process does not hide it."""
    from andon.detection import embedding
    from bench.cpu import process_cpu

    procs = embedding._procs
    children = list(procs._processes or {}) if procs is not None else []
    return time.process_time() + sum(process_cpu(pid) for pid in children)


def time_import(rows_n: int, products, texts, rng) -> dict[str, tuple[float, float]]:
    """Rows spread over the products as the world's contacts are (the hot product 2%), at
    times spread over the window, each text distinct."""
    from django.utils import timezone

    from andon.detection import services as detection_services
    from andon.integrations import imports

    now = timezone.now()
    out = {}
    # The world's problems are drawn at random: settle every product once first (untimed
    # for the import; its own cost reported), so that the import's settling is measured on
    # products that were settled before it, as they are once the worker runs.
    from andon.detection.settle import products_settle

    started, cpu = time.perf_counter(), _cpu()
    done = products_settle([p.pk for p in products])
    took, cpu = time.perf_counter() - started, _cpu() - cpu
    out[f"the world's first settling, {done.products} products, products/s"] = (
        done.products / took,
        cpu / max(done.products, 1) * 1000,
    )
    for way in (
        "without assignment (baseline)",
        "with assignment and settling",
        "with assignment, not settled",
    ):
        rows = []
        for i in range(rows_n):
            product = products[0] if i % 50 == 0 else products[1 + rng.randrange(len(products) - 1)]
            cust, order = new_line(product, i, f"imp{len(out)}-")
            rows.append(
                {
                    "external_id": f"imp{len(out)}-{i}",
                    "customer": cust,
                    "order": order,
                    "line_no": 1,
                    "reason": "other",
                    "text": rng.choice(texts) + f" #{i}",  # distinct texts: no cache help
                    "created_at": (
                        now - dt.timedelta(seconds=rng.randint(60, 29 * 86400))
                    ).isoformat(),
                    "agent": "bench-agent",
                }
            )
        # The import looks the assignment up in detection's services when it runs (a lazy
        # import): the baseline replaces it there.
        original = detection_services.contacts_assign_imported
        settle = detection_services.products_settle
        if way.startswith("without"):
            detection_services.contacts_assign_imported = lambda **kw: 0
        if way.endswith("not settled"):  # as before settle.py: no re-grouping after it
            detection_services.products_settle = lambda *a, **kw: None  # type: ignore[assignment]
        try:
            started, cpu = time.perf_counter(), _cpu()
            result = imports.rows_import(actor=None, kind="contacts", rows=rows)
            took = time.perf_counter() - started
            cpu = _cpu() - cpu
        finally:
            detection_services.contacts_assign_imported = original
            detection_services.products_settle = settle
        assert result.created == rows_n and not result.rejected, result.rejected[:3]
        out[way] = (rows_n / took, cpu / rows_n * 1000)
    # The model's own bound in the same run: the same number of new texts encoded, as the
    # import encodes them (batches of 64), nothing else.
    from andon.detection import embedding

    fresh = [f"{rng.choice(texts)} ~{i}" for i in range(rows_n)]
    started, cpu = time.perf_counter(), _cpu()
    for start in range(0, rows_n, 64):
        embedding.vectors(fresh[start : start + 64], wait=True)
    out["encoding alone, one thread, batches of 64 (the old bound)"] = (
        rows_n / (time.perf_counter() - started),
        (_cpu() - cpu) / rows_n * 1000,
    )
    # The batch paths' own way (embedding.Pending: BATCH_PROCESSES processes for this many
    # texts, already started by the imports above; BATCH_THREADS threads for a few), on other
    # new texts: what the import's assignment cannot beat.
    fresh = [f"{rng.choice(texts)} ~~{i}" for i in range(rows_n)]
    started, cpu = time.perf_counter(), _cpu()
    pending = embedding.Pending(fresh)
    for i in range(rows_n):
        pending.get(i)
    way = (
        f"{embedding.BATCH_PROCESSES} processes"
        if pending.in_processes
        else f"{embedding.BATCH_THREADS} threads"
    )
    out[f"encoding alone, {way} (the import's way)"] = (
        rows_n / (time.perf_counter() - started),
        (_cpu() - cpu) / rows_n * 1000,
    )
    return out


def statements_of_one_assignment(agent, product, texts) -> int:
    """How many SQL statements one contact's assignment takes (after the record, savepoint
    included), as the intake runs it."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from andon.contacts.services import contact_record
    from andon.detection.services import assignment_quietly

    cust, order = new_line(product, 0, "statements-")
    with transaction.atomic():
        contact = contact_record(
            actor=agent, customer=cust, order=order, line_no=1, reason="other", text=texts[0]
        )
        with CaptureQueriesContext(connection) as queries:
            assignment_quietly(contact)
    return len(queries.captured_queries)


MODEL_PROBE = """
import time, json
def rss_mb():
    # VmRSS, not ru_maxrss: a child forked from a large parent inherits its high-water mark.
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
before = rss_mb()
from andon.detection import embedding
t = time.perf_counter(); ok = embedding.warm_up(wait=True); load = time.perf_counter() - t
after = rss_mb()
ts = []
for i in range(200):
    s = time.perf_counter(); embedding.vectors(["水壶底部漏水，桌子上一滩水 %d" % i], wait=True)
    ts.append(time.perf_counter() - s)
ts.sort()
print(json.dumps({"ok": ok, "load_s": load, "rss_before_mb": before,
  "rss_after_mb": after, "p50_ms": ts[100] * 1000, "p95_ms": ts[190] * 1000}))
"""


def model_probe() -> dict:
    import json

    out = subprocess.run(
        [sys.executable, "-c", MODEL_PROBE], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(args, url, intake, imports_, model, setup_s, statements) -> str:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    load = os.getloadavg()
    rows = []
    for name, samples in intake.items():
        rows.append(
            [
                name,
                len(samples),
                percentile(samples, 50) * 1000,
                percentile(samples, 95) * 1000,
                percentile(samples, 99) * 1000,
            ]
        )
    lines = [
        f"## {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC · {args.db} · commit {commit}",
        "",
        f"Load average at the end: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (2 cores, "
        "shared). "
        f"World: {args.contacts:,} contacts in the window over {args.products:,} products "
        f"(hot product: {args.contacts // 50:,}); built in {setup_s:.0f} s. "
        f"Command: `.venv/bin/python bench/detection.py --db {args.db}"
        f"{' --quick' if args.quick else ''} --contacts {args.contacts} --products "
        f"{args.products} --samples {args.samples} --import-rows {args.import_rows}`.",
        "",
        "Recording one contact (ms): `record` is the service desk's write alone (baseline), "
        "`intake` the same write with its problem assigned, `assign` the assignment alone "
        "(the contact recorded first, untimed, in the same transaction).",
        "",
        table(["way / product", "samples", "p50", "p95", "p99"], rows),
        "",
        f"SQL statements of one assignment on the hot product (savepoint included): {statements}.",
        "",
        f"Import of {args.import_rows:,} contact rows: rows/s (CPU ms a row in this process, "
        "all its threads, and in the model's encoding processes; the database server's not "
        "counted): " + ", ".join(f"{k}: {v:,.0f} ({c:.2f})" for k, (v, c) in imports_.items()),
        "",
        f"Model (fresh process): loaded={model['ok']}, load {model['load_s']:.2f} s, "
        f"RSS {model['rss_before_mb']:.0f} MB -> {model['rss_after_mb']:.0f} MB "
        f"(+{model['rss_after_mb'] - model['rss_before_mb']:.0f} MB); one text "
        f"p50 {model['p50_ms']:.1f} ms, p95 {model['p95_ms']:.1f} ms (200 texts).",
        "",
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse(argv)
    rng = random.Random(20261201)
    url = setup_django(args.db)
    try:
        from andon.catalog.models import Product
        from andon.detection import embedding

        embedding.warm_up(wait=True)
        started = time.perf_counter()
        agent, hot, typical, texts = build_world(args.contacts, args.products, rng)
        setup_s = time.perf_counter() - started
        intake = time_intake(agent, [hot, typical], texts, args.samples, rng, assign=True)
        statements = statements_of_one_assignment(agent, hot, texts)
        products = list(Product.objects.order_by("id"))
        imports_ = time_import(args.import_rows, products, texts, rng)
        model = model_probe()
        text = report(args, url, intake, imports_, model, setup_s, statements)
    finally:
        drop(args.db)
    print(text)
    if args.results:
        with args.results.open("a", encoding="utf-8") as f:
            f.write("\n" + text)
    print(
        f"max RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
