"""Benchmark 1: the latency of one pull of the cord against the number of held lines.

`bench/pull_scale.py` runs it for 10, 1,000 and 10,000 lines against a baseline checkout
measured by the same bench (bench/RESULTS-pull.md).

Every timed pull opens a fresh andon on its own product of the same shape (4 stock rows,
`size` packed-not-shipped lines, 2 customers' contacts), so that each one suppresses, places
holds and opens work orders: the real work, never a join. Sizes are interleaved (rotated
each repetition) so that drift from other load on the machine spreads over all of them, and
the service call and the HTTP call alternate under the same conditions.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field

from django.db import connection
from django.test import Client as DjangoClient
from django.utils import timezone

from andon.core.models import ApiToken
from andon.pulls.services import PullResult, andon_pull

from .server import Client
from .stats import Summary, ratio, table
from .world import NOTE, REASON, STOCK_UNITS, BenchWorld, seed_products

SERVICE = "service"  # andon_pull() in the bench process
HTTP = "http"  # POST /api/v1/andons to the served process
API_IN_PROCESS = "api-in-process"  # the same request through Django's test client, for counting


@dataclass
class PullReport:
    sizes: list[int]
    reps: int
    samples: dict[str, dict[int, list[float]]] = field(default_factory=dict)
    queries: dict[str, dict[int, int]] = field(default_factory=dict)
    statements: dict[int, list[tuple[float, str]]] = field(default_factory=dict)
    # Per size, for the counted pull: (wall seconds, seconds in COMMIT).
    counted: dict[int, tuple[float, float]] = field(default_factory=dict)
    seed_seconds: float = 0.0
    seeded_lines: int = 0

    def median_ms(self, mode: str, size: int) -> float:
        return Summary.of(self.samples[mode][size]).median_ms


def run_pulls(
    world: BenchWorld, *, sizes: list[int], reps: int, port: int | None = None
) -> PullReport:
    """Seed, warm up, count queries once per size, then time `reps` pulls per size and mode."""
    modes = [SERVICE] + ([HTTP] if port else [])
    report = PullReport(sizes=sorted(sizes), reps=reps)
    start = time.perf_counter()
    # Per size: the timed pulls, one counted service pull, one counted in-process API pull;
    # the smallest size also gives one warm-up product per mode.
    skus: dict[int, list[str]] = {}
    for size in report.sizes:
        count = reps * len(modes) + 2 + (len(modes) if size == report.sizes[0] else 0)
        skus[size] = seed_products(world, lines=size, count=count, label="pull")
        report.seeded_lines += size * count
    if connection.vendor == "postgresql":
        # Fresh planner statistics, as autovacuum would have them after a storefront import.
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    report.seed_seconds = time.perf_counter() - start

    client = Client(port, world.token) if port else None
    try:
        smallest = report.sizes[0]
        _pull_service(world, skus[smallest].pop(), smallest)  # warm-up: imports, caches
        if client:
            _pull_http(client, skus[smallest].pop(), smallest)
        for size in report.sizes:
            _count(world, report, size, skus[size].pop(), skus[size].pop())
        report.samples = {m: {s: [] for s in report.sizes} for m in modes}
        for rep in range(reps):
            k = rep % len(report.sizes)
            for size in report.sizes[k:] + report.sizes[:k]:
                for mode in modes:
                    sku = skus[size].pop()
                    seconds = (
                        _pull_service(world, sku, size)
                        if mode == SERVICE
                        else _pull_http(client, sku, size)
                    )
                    report.samples[mode][size].append(seconds)
    finally:
        if client:
            client.close()
    return report


def _check(order_lines: int, stock_units: int, joined: bool, size: int, sku: str) -> None:
    # A benchmark that silently measured a join or a failed pull would be worse than none.
    if joined or order_lines != size or stock_units != STOCK_UNITS:
        raise AssertionError(
            f"pull on {sku}: joined={joined} lines={order_lines}/{size} "
            f"units={stock_units}/{STOCK_UNITS}"
        )


def _pull_service(world: BenchWorld, sku: str, size: int) -> float:
    start = time.perf_counter()
    result: PullResult = andon_pull(actor=world.agent, sku=sku, reason=REASON, note=NOTE)
    seconds = time.perf_counter() - start
    _check(result.holds.order_lines, result.holds.stock_units, result.joined, size, sku)
    return seconds


def _pull_http(client: Client, sku: str, size: int) -> float:
    reply = client.call("POST", "/api/v1/andons", {"sku": sku, "reason": REASON, "note": NOTE})
    if reply.status != 201:
        raise AssertionError(f"POST /api/v1/andons {sku}: {reply.status} {reply.body[:500]!r}")
    body = reply.json()
    _check(body["holds"]["order_lines"], body["holds"]["stock_units"], body["joined"], size, sku)
    return reply.seconds


class _Statements:
    """Every statement on the connection with its own perf_counter time (Django's debug timer
    rounds to milliseconds, too coarse for most of a pull's statements)."""

    def __init__(self) -> None:
        self.timed: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.timed.append((time.perf_counter() - start, sql))


def _count(world: BenchWorld, report: PullReport, size: int, sku_a: str, sku_b: str) -> None:
    """Queries of one service pull and of one whole API request (auth, Idempotency-Key, the
    pull, the response), and each statement's time in the service pull."""
    statements = _Statements()
    commits: list[float] = []
    plain_commit = connection._commit

    def timed_commit() -> None:
        # COMMIT is not a statement the execute wrapper sees; on PostgreSQL it waits for the
        # WAL flush, so it is timed on its own (instance attribute, removed right after).
        start = time.perf_counter()
        try:
            plain_commit()
        finally:
            commits.append(time.perf_counter() - start)

    connection._commit = timed_commit
    try:
        start = time.perf_counter()
        with connection.execute_wrapper(statements):
            result = andon_pull(actor=world.agent, sku=sku_a, reason=REASON, note=NOTE)
        report.counted[size] = (time.perf_counter() - start, sum(commits))
    finally:
        del connection._commit
    _check(result.holds.order_lines, result.holds.stock_units, result.joined, size, sku_a)
    report.queries.setdefault(SERVICE, {})[size] = len(statements.timed)
    report.statements[size] = statements.timed
    django_client = DjangoClient()
    # The token's last_used_at is written at most once a minute: mark it fresh, so that this
    # count is that of a steady-state request and the same for every size.
    ApiToken.objects.filter(user=world.agent).update(last_used_at=timezone.now())
    statements = _Statements()
    with connection.execute_wrapper(statements):
        resp = django_client.post(
            "/api/v1/andons",
            data=json.dumps({"sku": sku_b, "reason": REASON, "note": NOTE}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {world.token}",
            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
        )
    if resp.status_code != 201:
        raise AssertionError(f"in-process POST /api/v1/andons: {resp.status_code} {resp.content}")
    body = resp.json()
    _check(body["holds"]["order_lines"], body["holds"]["stock_units"], body["joined"], size, sku_b)
    report.queries.setdefault(API_IN_PROCESS, {})[size] = len(statements.timed)


def render(report: PullReport) -> str:
    """Markdown: latency per mode and size with ratios to the smallest size, then queries and
    the statements that take the time at the largest size."""
    base = report.sizes[0]
    out = []
    titles = {
        SERVICE: "`andon_pull()` service call, in the bench process",
        HTTP: "`POST /api/v1/andons` to the served process (waitress, over 127.0.0.1)",
    }
    for mode, per_size in report.samples.items():
        base_ms = report.median_ms(mode, base)
        rows = []
        for size in report.sizes:
            s = Summary.of(per_size[size])
            rows.append(
                [
                    size,
                    s.n,
                    s.median_ms,
                    s.p95_ms,
                    s.p99_ms,
                    s.max_ms,
                    f"{ratio(s.median_ms, base_ms):.2f}x",
                ]
            )
        out.append(
            f"**{titles[mode]}**\n\n"
            + table(
                [
                    "held lines",
                    "pulls",
                    "p50 ms",
                    "p95 ms",
                    "p99 ms",
                    "max ms",
                    f"median / {base}-line median",
                ],
                rows,
            )
        )
    out.append(
        "**SQL queries per pull** (counted on one extra pull per size)\n\n"
        + table(
            ["held lines", "andon_pull()", "whole API request (in-process test client)"],
            [
                [size, report.queries[SERVICE][size], report.queries[API_IN_PROCESS][size]]
                for size in report.sizes
            ],
        )
    )
    constant = all(len(set(report.queries[m].values())) == 1 for m in report.queries)
    out.append(
        "Query counts are "
        + ("the same for every size." if constant else "**NOT** the same for every size.")
    )
    small, large = report.statements[report.sizes[0]], report.statements[report.sizes[-1]]
    if constant and len(small) == len(large):
        # Same code path, same statements in the same order: compare them position by position.
        ranked = sorted(range(len(large)), key=lambda i: large[i][0], reverse=True)
        rows = [
            [
                i + 1,
                f"{small[i][0] * 1000:.2f}",
                f"{large[i][0] * 1000:.2f}",
                "`" + _short(large[i][1]) + "`",
            ]
            for i in ranked[:6]
        ]
        rows.append(
            [
                "all",
                f"{sum(t for t, _ in small) * 1000:.2f}",
                f"{sum(t for t, _ in large) * 1000:.2f}",
                f"{len(large)} statements",
            ]
        )
        (wall_s, commit_s), (wall_l, commit_l) = (
            report.counted[report.sizes[0]],
            report.counted[report.sizes[-1]],
        )
        rest_s = wall_s - commit_s - sum(t for t, _ in small)
        rest_l = wall_l - commit_l - sum(t for t, _ in large)
        rows += [
            ["", f"{commit_s * 1000:.2f}", f"{commit_l * 1000:.2f}", "COMMIT"],
            [
                "",
                f"{rest_s * 1000:.2f}",
                f"{rest_l * 1000:.2f}",
                "the rest: Python (ORM, building rows and events), driver round trips",
            ],
            ["", f"{wall_s * 1000:.2f}", f"{wall_l * 1000:.2f}", "the whole counted pull"],
        ]
        out.append(
            "**Where the time goes** (one counted `andon_pull()` per size, each "
            "statement timed around the database call; the 6 slowest at the largest "
            "size)\n\n"
            + table(
                ["#", f"ms at {report.sizes[0]:,}", f"ms at {report.sizes[-1]:,}", "statement"],
                rows,
            )
        )
    return "\n\n".join(out)


def _short(sql: str, width: int = 110) -> str:
    sql = " ".join(sql.split()).replace("|", "\\|").replace("`", "'")
    return sql if len(sql) <= width else sql[: width - 1] + "…"
