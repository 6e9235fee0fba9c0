"""Benchmark: the pull with its blast radius (issue 12) against today's pull without it, in
the same run, on one product with 10,000 packed lines and 100,000 past buyers.

Every timed pull runs inside a transaction that is rolled back, so each sample pulls the same
world (a fresh andon, all of its holds, the radius over every line) and the two variants
alternate under the same load. The rollback leaves the commit out of the samples, for both.
"Without the panel" is the pull with the radius's reads replaced by nothing: the pull as it
was before issue 12.

    python -m bench.containment --db sqlite|postgres [--packed 10000] [--buyers 100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from .scratch import scratch_drop, scratch_setup

RESULTS = Path(__file__).resolve().parent / "RESULTS-containment.md"


class Rollback(Exception):
    pass


def seed(packed: int, buyers: int):
    from django.utils import timezone

    from andon.catalog.models import Product
    from andon.orders.models import Customer, FulfilmentStatus, Order, OrderLine

    from .world import build_world, seed_products

    world = build_world()
    (sku,) = seed_products(world, lines=packed, count=1, label="contain")
    product = Product.objects.get(sku=sku)
    batch = product.batches.order_by("pk").first()
    now = timezone.now()
    step = 5000
    for start in range(0, buyers, step):
        n = min(step, buyers - start)
        customers = Customer.objects.bulk_create(
            Customer(external_id=f"{sku}-pb{i}", name=f"读者{i}") for i in range(start, start + n)
        )
        orders = Order.objects.bulk_create(
            Order(
                external_id=f"{sku}-pbo{start + i}",
                customer=c,
                placed_at=now - dt.timedelta(days=20 + i % 60),
                channel="web",
            )
            for i, c in enumerate(customers)
        )
        OrderLine.objects.bulk_create(
            OrderLine(
                order=o,
                line_no=1,
                product=product,
                batch=batch,
                unit_price=Decimal("39.80"),
                fulfilment_status=FulfilmentStatus.DELIVERED,
                status_changed_at=o.placed_at + dt.timedelta(days=3),
            )
            for o in orders
        )
    return world, sku


@contextmanager
def without_panel():
    """Today's pull: the radius's reads replaced by nothing."""
    from andon.pulls import services

    radius, payload = services.blast_radius, services.blast_payload
    services.blast_radius = lambda **kw: None  # type: ignore[assignment]
    services.blast_payload = lambda r: {}  # type: ignore[assignment]
    try:
        yield
    finally:
        services.blast_radius, services.blast_payload = radius, payload


def one_pull(world, sku: str, packed: int, buyers: int, panel: bool) -> float:
    from django.db import transaction

    from andon.pulls.services import andon_pull

    seconds = 0.0
    try:
        with transaction.atomic():
            start = time.perf_counter()
            result = andon_pull(actor=world.agent, sku=sku, reason="print-defect", note="白页")
            seconds = time.perf_counter() - start
            if result.holds.order_lines != packed or result.joined:
                raise AssertionError(f"the pull held {result.holds.order_lines} lines")
            if panel and (result.blast is None or result.blast.past_buyers < buyers):
                raise AssertionError(f"the radius: {result.blast}")
            raise Rollback
    except Rollback:
        pass
    return seconds


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--packed", type=int, default=10_000)
    p.add_argument("--buyers", type=int, default=100_000)
    p.add_argument("--runs", type=int, default=31)
    p.add_argument("--results", default=str(RESULTS))
    a = p.parse_args()
    name = "andon_containbench"
    scratch_setup(a.db, name)
    try:
        from django.db import connection

        from .report import load_average, machine, write_section
        from .stats import Summary, table

        t0 = time.perf_counter()
        world, sku = seed(a.packed, a.buyers)
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("ANALYZE")
        seed_s = time.perf_counter() - t0
        load_before = load_average()
        one_pull(world, sku, a.packed, a.buyers, True)  # warm-up
        with without_panel():
            one_pull(world, sku, a.packed, a.buyers, False)
        samples: dict[str, list[float]] = {"with the panel": [], "without (today's pull)": []}
        for _ in range(a.runs):
            samples["with the panel"].append(one_pull(world, sku, a.packed, a.buyers, True))
            with without_panel():
                samples["without (today's pull)"].append(
                    one_pull(world, sku, a.packed, a.buyers, False)
                )
        rows = []
        for label, s in samples.items():
            m = Summary.of(s)
            rows.append([label, m.n, m.median_ms, m.p95_ms, m.p99_ms, m.max_ms])
        base = Summary.of(samples["without (today's pull)"]).p99_ms
        panel = Summary.of(samples["with the panel"]).p99_ms
        body = "\n".join(
            [
                f"## {a.db}: {a.packed:,} packed lines, {a.buyers:,} past buyers",
                "",
                f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; load average before "
                f"{load_before}, after {load_average()}; seeding {seed_s:.1f} s.",
                "",
                *[f"- {k}: {v}" for k, v in machine()],
                "",
                table(["pull", "n", "p50 ms", "p95 ms", "p99 ms", "max ms"], rows),
                "",
                f"The panel adds {panel - base:,.1f} ms at p99 ({panel / base:.2f}x today's pull).",
            ]
        )
        write_section(Path(a.results), f"containment-{a.db}", body)
        print(body)
    finally:
        scratch_drop(a.db, name)


if __name__ == "__main__":
    main()
