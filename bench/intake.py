"""Benchmark 2: contact intake, `POST /api/v1/contacts`, against the served process.

A few client threads, each with its own keep-alive connection, share a bounded budget of
requests and a wall-clock limit. `GET /healthz` (no database, no auth) on the same server,
with the same threads and budget, in the same run, is the baseline: the ratio says how much
the contact itself costs over the HTTP/WSGI/middleware floor of this machine.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from andon.core.models import hash_token

from .server import Client, Reply
from .stats import Summary, ratio, table
from .world import NOTE, REASON

HEALTHZ = "GET /healthz"
CONTACTS = "POST /api/v1/contacts"


@dataclass
class Load:
    target: str
    threads: int
    budget: int
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall_seconds: float = 0.0
    stopped_by_time: bool = False

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.wall_seconds if self.wall_seconds else 0.0


def run_load(
    *,
    port: int,
    token: str,
    target: str,
    threads: int,
    budget: int,
    time_limit: float,
    request: Callable[[Client, int], Reply],
    expect: int,
) -> Load:
    """`budget` requests shared by `threads` clients; stops early after `time_limit` seconds."""
    load = Load(target=target, threads=threads, budget=budget)
    counter = itertools.count()
    lock = threading.Lock()
    barrier = threading.Barrier(threads + 1)
    deadline: list[float] = []

    def worker() -> None:
        client = Client(port, token)
        mine: list[float] = []
        try:
            barrier.wait()
            while True:
                with lock:
                    i = next(counter)
                if i >= budget:
                    break
                if time.monotonic() > deadline[0]:
                    load.stopped_by_time = True
                    break
                try:
                    reply = request(client, i)
                except OSError as exc:
                    with lock:
                        load.errors.append(f"{type(exc).__name__}: {exc}")
                    continue
                if reply.status != expect:
                    with lock:
                        load.errors.append(f"{reply.status}: {reply.body[:200]!r}")
                    continue
                mine.append(reply.seconds)
        finally:
            client.close()
            with lock:
                load.latencies.extend(mine)

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for t in pool:
        t.start()
    deadline.append(time.monotonic() + time_limit)
    start = time.perf_counter()
    barrier.wait()
    for t in pool:
        t.join(time_limit + 60)
    load.wall_seconds = time.perf_counter() - start
    return load


def run_intake(
    *,
    port: int,
    token: str,
    lines: list[tuple[str, str]],
    concurrency: list[int],
    budget: int,
    time_limit: float,
) -> list[Load]:
    """For each number of client threads: the healthz baseline, then the contacts."""

    def healthz(client: Client, i: int) -> Reply:
        return client.call("GET", "/healthz")

    def contact(client: Client, i: int) -> Reply:
        # A stride through the seeded lines so that consecutive requests hit other products.
        customer, order = lines[(i * 7919) % len(lines)]
        return client.call(
            "POST",
            "/api/v1/contacts",
            {
                "customer": customer,
                "order": order,
                "line_no": 1,
                "reason": REASON,
                "text": NOTE,
                "channel": "phone",
                "handling_seconds": 120,
            },
        )

    results = []
    for threads in concurrency:
        for target, request, expect in ((HEALTHZ, healthz, 200), (CONTACTS, contact, 201)):
            results.append(
                run_load(
                    port=port,
                    token=token,
                    target=target,
                    threads=threads,
                    budget=budget,
                    time_limit=time_limit,
                    request=request,
                    expect=expect,
                )
            )
    return results


def count_contact_queries(token: str, line: tuple[str, str]) -> int:
    """Statements of one whole `POST /api/v1/contacts` (in-process test client), for context."""
    import json
    import uuid

    from django.db import connection
    from django.test import Client as DjangoClient

    seen: list[str] = []

    def record(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    from django.utils import timezone

    from andon.core.models import ApiToken

    # As in the pull count: the once-a-minute last_used_at write is not part of a request.
    ApiToken.objects.filter(token_hash=hash_token(token)).update(last_used_at=timezone.now())
    customer, order = line
    body = {"customer": customer, "order": order, "line_no": 1, "reason": REASON, "text": NOTE}
    with connection.execute_wrapper(record):
        resp = DjangoClient().post(
            "/api/v1/contacts",
            data=json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
        )
    if resp.status_code != 201:
        raise AssertionError(f"in-process POST /api/v1/contacts: {resp.status_code}")
    return len(seen)


def render(loads: list[Load]) -> str:
    rows = []
    baseline: dict[int, Load] = {}
    for load in loads:
        if load.target == HEALTHZ:
            baseline[load.threads] = load
        s = Summary.of(load.latencies) if load.latencies else None
        base = baseline.get(load.threads)
        base_s = Summary.of(base.latencies) if base and base.latencies else None
        is_base = load.target == HEALTHZ
        rows.append(
            [
                load.target,
                load.threads,
                len(load.latencies),
                len(load.errors),
                f"{load.wall_seconds:.1f}" + (" (time limit)" if load.stopped_by_time else ""),
                load.per_second,
                s.median_ms if s else float("nan"),
                s.p99_ms if s else float("nan"),
                s.max_ms if s else float("nan"),
                "baseline"
                if is_base
                else f"{ratio(s.median_ms, base_s.median_ms):.1f}x"
                if s and base_s
                else "–",
                "baseline"
                if is_base
                else f"{ratio(base.per_second, load.per_second):.1f}x"
                if base and load.per_second
                else "–",
            ]
        )
    out = table(
        [
            "request",
            "client threads",
            "ok",
            "errors",
            "wall s",
            "req/s",
            "median ms",
            "p99 ms",
            "max ms",
            "median / healthz",
            "healthz req/s / req/s",
        ],
        rows,
    )
    errors = [e for load in loads for e in load.errors[:3]]
    if errors:
        out += "\n\nFirst errors:\n\n" + "\n".join(f"- `{e}`" for e in errors)
    return out
