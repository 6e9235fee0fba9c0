"""Where one pull's time goes: its statements timed around the driver, and a cProfile of many
pulls (issue 11, point 1). A diagnosis, not a benchmark: latency is measured by
bench/pull_scale.py.

    .venv/bin/python bench/pull_profile.py --db postgres --name andon_pull_profile \
        --lines 10 --pulls 60 [--http] [--top 30]

Seeds `--pulls` products of the bench's shape (bench/world.py), warms up with one pull, then
pulls each once: the service call (or, with `--http`, `POST /api/v1/andons` through Django's
test client in this process, authentication and idempotency included). Prints the per-pull
wall time (p50), the statements of one pull with their times, the time in statements against
the rest, and the profile sorted by cumulative and by own time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import statistics
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


class _Timed:
    """Each statement's time, and the Python time before it (since the previous one ended)."""

    def __init__(self) -> None:
        self.timed: list[tuple[float, str]] = []
        self.gaps: list[float] = []
        self.last = time.perf_counter()

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        self.gaps.append(start - self.last)
        try:
            return execute(sql, params, many, context)
        finally:
            self.last = time.perf_counter()
            self.timed.append((self.last - start, sql))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    p.add_argument("--name", default="andon_pull_profile")
    p.add_argument("--lines", type=int, default=10)
    p.add_argument("--pulls", type=int, default=60)
    p.add_argument("--http", action="store_true", help="the in-process API request")
    p.add_argument("--top", type=int, default=30)
    p.add_argument("--save", default=None, help="write the profile here (pstats)")
    p.add_argument("--code", default=None, help="checkout whose `andon` is profiled")
    args = p.parse_args(argv)
    if args.code:
        # As bench/pull_scale.py: the code under test first, the bench this tree's.
        sys.path.insert(0, str(Path(args.code).resolve()))
        import andon  # noqa: F401
    sys.path.insert(0, str(HERE))
    from bench.scratch import scratch_drop, scratch_setup

    scratch_setup(args.db, args.name)
    try:
        _profile(args)
    finally:
        scratch_drop(args.db, args.name)
    return 0


def _profile(args: argparse.Namespace) -> None:
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from andon.core.models import ApiToken
    from andon.pulls.services import andon_pull
    from bench.world import NOTE, REASON, build_world, seed_products

    world = build_world()
    skus = seed_products(world, lines=args.lines, count=args.pulls + 2, label="profile")
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    client = Client()
    ApiToken.objects.filter(user=world.agent).update(last_used_at=timezone.now())

    def pull(sku: str) -> None:
        if not args.http:
            andon_pull(actor=world.agent, sku=sku, reason=REASON, note=NOTE)
            return
        resp = client.post(
            "/api/v1/andons",
            data=json.dumps({"sku": sku, "reason": REASON, "note": NOTE}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {world.token}",
            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
        )
        assert resp.status_code == 201, resp.content

    pull(skus.pop())  # warm-up: imports, caches
    for _ in range(3):  # three pulls, one after the other: the spread is the machine's
        timed = _Timed()
        start = timed.last = time.perf_counter()
        with connection.execute_wrapper(timed):
            pull(skus.pop())
        wall = time.perf_counter() - start
        print(f"one pull: {wall * 1000:.2f} ms, {len(timed.timed)} statements (ms before, in)")
        for gap, (t, sql) in zip(timed.gaps, timed.timed, strict=True):
            print(f"  {gap * 1000:6.2f} {t * 1000:6.2f}  {' '.join(sql.split())[:130]}")
        in_sql = sum(t for t, _ in timed.timed)
        print(f"  {in_sql * 1000:6.2f}  in statements; {(wall - in_sql) * 1000:.2f} the rest")

    walls = []
    profiler = cProfile.Profile()
    for sku in skus:
        start = time.perf_counter()
        profiler.enable()
        pull(sku)
        profiler.disable()
        walls.append(time.perf_counter() - start)
    print(
        f"\n{len(walls)} pulls under the profiler: p50 {statistics.median(walls) * 1000:.2f} ms"
        " (inflated by the profiler)"
    )
    if args.save:
        profiler.dump_stats(args.save)
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(args.top)
        print(out.getvalue())


if __name__ == "__main__":
    sys.exit(main())
