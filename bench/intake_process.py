"""The intake bench's in-process measures (Django's test client, no server): the statements of
one contact request, CPU per request of the bare view and contacts interleaved, and CPU by
part of a contact request (`--phases`)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .stats import Summary, ratio, table

BARE = "POST /bench/bare"
CONTACTS = "POST /api/v1/contacts"
WARM_UP = 5


def strided(lines: list[tuple[str, str]], i: int) -> tuple[str, str]:
    """The i-th request's line: a stride through the seeded lines, so that consecutive requests
    hit other products."""
    return lines[(i * 7919) % len(lines)]


def contact_body(line: tuple[str, str], *, handled: bool = True) -> dict[str, Any]:
    """A contact on the line's order; `handled`: with the channel and handling time an agent's
    console sends (the statement count and the phases post without them)."""
    from .world import NOTE, REASON

    customer, order = line
    body: dict[str, Any] = {
        "customer": customer,
        "order": order,
        "line_no": 1,
        "reason": REASON,
        "text": NOTE,
    }
    if handled:
        body |= {"channel": "phone", "handling_seconds": 120}
    return body


def post_contact(client: Any, token: str, body: dict[str, Any]) -> None:
    """`POST /api/v1/contacts` through Django's test client, as an integrator sends it (a new
    Idempotency-Key); anything but 201 stops the bench."""
    r = client.post(
        "/api/v1/contacts",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
    )
    if r.status_code != 201:
        raise AssertionError(f"in-process POST /api/v1/contacts: {r.status_code}")


def count_contact_queries(token: str, line: tuple[str, str]) -> int:
    """Statements of one whole `POST /api/v1/contacts` (in-process test client), for context."""
    return len(contact_statements(token, line))


def contact_statements(token: str, line: tuple[str, str]) -> list[str]:
    """The SQL of one whole `POST /api/v1/contacts` (in-process test client), in order."""
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.utils import timezone

    from andon.core.models import ApiToken, hash_token

    seen: list[str] = []

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        seen.append(sql)
        return execute(sql, params, many, context)

    # As in the pull count: the once-a-minute last_used_at write is not part of a request.
    ApiToken.objects.filter(token_hash=hash_token(token)).update(last_used_at=timezone.now())
    with connection.execute_wrapper(record):
        post_contact(DjangoClient(), token, contact_body(line, handled=False))
    return seen


def statement_kinds(statements: list[str]) -> str:
    """`3 SELECT, 4 INSERT, …`: what the statements of one request are, in a line."""
    kinds: dict[str, int] = {}
    for sql in statements:
        verb = sql.lstrip(" (").split(None, 1)[0].upper() if sql.strip(" (") else "?"
        kinds[verb] = kinds.get(verb, 0) + 1
    return ", ".join(f"{n} {verb}" for verb, n in sorted(kinds.items(), key=lambda kv: -kv[1]))


@dataclass
class InProcess:
    """Per-request CPU (this process: Django, Andon and the driver; not the database server)
    and wall time of the in-process test client, bare view and contacts interleaved."""

    bare_cpu: list[float] = field(default_factory=list)
    bare_wall: list[float] = field(default_factory=list)
    contact_cpu: list[float] = field(default_factory=list)
    contact_wall: list[float] = field(default_factory=list)


def in_process(token: str, lines: list[tuple[str, str]], n: int) -> InProcess:
    """`n` requests of each, alternating, after a warm-up (and the sentence model loaded):
    a measure of the work inside a request that other engineers' load barely moves (CPU)."""
    from django.test import Client as DjangoClient
    from django.test.utils import override_settings

    from andon.detection import embedding

    client = DjangoClient()
    out = InProcess()

    def contact(i: int) -> None:
        post_contact(client, token, contact_body(strided(lines, i)))

    def bare(i: int) -> None:
        customer, order = strided(lines, i)
        body = json.dumps({"customer": customer, "order": order})
        r = client.post("/bench/bare", data=body, content_type="application/json")
        if r.status_code != 201:
            raise AssertionError(f"in-process POST /bench/bare: {r.status_code}")

    with override_settings(ROOT_URLCONF="bench.bare"):
        for i in range(WARM_UP):
            bare(10**6 + i)
            contact(10**6 + i)
        embedding.warm_up(wait=True)
        for i in range(n):
            for call, cpu, wall in (
                (bare, out.bare_cpu, out.bare_wall),
                (contact, out.contact_cpu, out.contact_wall),
            ):
                c0, w0 = time.process_time(), time.perf_counter()
                call(2 * 10**6 + i)
                cpu.append(time.process_time() - c0)
                wall.append(time.perf_counter() - w0)
    return out


def render_in_process(m: InProcess) -> str:
    rows = []
    for name, cpu, wall in (
        (BARE, m.bare_cpu, m.bare_wall),
        (CONTACTS, m.contact_cpu, m.contact_wall),
    ):
        c, w = Summary.of(cpu), Summary.of(wall)
        rows.append([name, c.n, c.median_ms, c.p95_ms, c.p99_ms, w.median_ms, w.p95_ms, w.p99_ms])
    bare_cpu, contact_cpu = Summary.of(m.bare_cpu), Summary.of(m.contact_cpu)
    share = 100 * ratio(bare_cpu.median_ms, contact_cpu.median_ms)
    return (
        table(
            [
                "in-process request",
                "n",
                "CPU p50 ms",
                "CPU p95 ms",
                "CPU p99 ms",
                "wall p50 ms",
                "wall p95 ms",
                "wall p99 ms",
            ],
            rows,
        )
        + f"\n\nIn-process CPU per request, bare view's p50 over the contact's: **{share:.0f}%**."
    )


# Where a contact's CPU goes: (module the API's code calls it through, name, label).
PHASES = (
    ("andon.api.idempotency", "user_for_token", "token, user and roles"),
    ("andon.api.idempotency", "idempotency_claim", "idempotency claim"),
    ("andon.contacts.services", "line_and_reason", "line, order, customer, product, reason"),
    ("andon.contacts.services", "_contact_write", "contact + audit + outbox (+ wake-up)"),
    ("andon.detection.services", "assignment_quietly", "detection's assignment"),
    ("andon.detection.assign", "candidates_of", "— of which the candidates' read"),
    ("andon.api.contacts", "contact_intake", "intake with the watch (all of the above 4)"),
    ("andon.api.contacts", "suggestion_for", "suggestion"),
    # A contact with a problem: its eligibility and the problem's members in one statement.
    ("andon.api.contacts", "eligibility_and_members", "eligibility with the problem's members"),
    ("andon.api.contacts", "eligibility_for", "eligibility (a contact without a problem)"),
    ("andon.api.idempotency", "idempotency_store", "stored answer"),
)


def phases(token: str, lines: list[tuple[str, str]], n: int) -> str:
    """CPU (this process) of each part of `n` in-process contact requests, and the statements
    of one more with their times: the profile behind bench/RESULTS.md's intake notes."""
    import functools
    import importlib

    from django.db import connection
    from django.test import Client as DjangoClient

    spent: dict[str, float] = dict.fromkeys([label for _, _, label in PHASES], 0.0)
    originals = []

    def timed(f: Callable[..., object], label: str) -> Callable[..., object]:
        @functools.wraps(f)
        def wrapper(*args: object, **kwargs: object) -> object:
            start = time.process_time()
            try:
                return f(*args, **kwargs)
            finally:
                spent[label] += time.process_time() - start

        return wrapper

    client = DjangoClient()

    def post(i: int) -> None:
        post_contact(client, token, contact_body(strided(lines, i), handled=False))

    for i in range(WARM_UP):
        post(3 * 10**6 + i)
    for module, name, label in PHASES:
        m = importlib.import_module(module)
        originals.append((m, name, getattr(m, name)))
        setattr(m, name, timed(getattr(m, name), label))
    try:
        start = time.process_time()
        for i in range(n):
            post(4 * 10**6 + i)
        total = time.process_time() - start
    finally:
        for m, name, f in originals:
            setattr(m, name, f)
    seen: list[tuple[float, str]] = []

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            seen.append((time.perf_counter() - start, sql))

    with connection.execute_wrapper(record):
        post(5 * 10**6)
    rows = [[label, 1000 * spent[label] / n] for _, _, label in PHASES]
    whole = "**whole request** (test client, middleware, ninja included)"
    rows.append([whole, 1000 * total / n])
    statements = table(
        ["ms", "statement of one request (wall time, first 110 characters)"],
        [[1000 * t, "`" + sql[:110].replace("|", "/") + "`"] for t, sql in seen],
    )
    return (
        f"CPU per contact request by part (`time.process_time`, {n} in-process requests):\n\n"
        + table(["part", "CPU ms/request"], rows)
        + "\n\n"
        + statements
    )
