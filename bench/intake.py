"""Benchmark 2: contact intake, `POST /api/v1/contacts`, against the served process.

    .venv/bin/python -m bench.intake --db postgres      # or sqlite; --quick for seconds

A few client threads, each with its own keep-alive connection, share a bounded budget of
requests and a wall-clock limit. Two baselines run on the same server, with the same threads
and budget, in the same run: `GET /healthz` (no database, no auth: the HTTP/WSGI/middleware
floor) and `POST /bench/bare` (bench/bare.py: a bare Django view that inserts one row, the
ceiling a Django write can reach here). The goal (issue 11) is contacts >= 40% of the bare
view's requests per second. Run alone (`main`) it uses its own scratch database
(bench/scratch.py); bench/run.py calls `run_intake` inside its wider run.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .server import Client, Reply
from .stats import Summary, ratio, table

HEALTHZ = "GET /healthz"
BARE = "POST /bench/bare"
CONTACTS = "POST /api/v1/contacts"
BASELINES = (HEALTHZ, BARE)
WARM_UP = 5
MODEL_SETTLE = 3.0  # seconds


@dataclass
class Load:
    target: str
    threads: int
    budget: int
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall_seconds: float = 0.0
    stopped_by_time: bool = False
    # CPU seconds spent during the timed part by the served process and by the database
    # server's backends of the bench database (None when not measured): unlike wall time,
    # barely moved by other engineers' work on the same cores.
    app_cpu: float | None = None
    db_cpu: float | None = None

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.wall_seconds if self.wall_seconds else 0.0

    def cpu_ms(self, seconds: float | None) -> float | None:
        """CPU milliseconds per successful request."""
        if seconds is None or not self.latencies:
            return None
        return 1000 * seconds / len(self.latencies)


CpuProbe = Callable[[], dict[int, float]]


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process so far, all its threads (Linux /proc)."""
    import os

    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_backends(admin_url: str, database: str) -> CpuProbe:
    """CPU seconds of each PostgreSQL backend connected to `database`, by pid (the bench runs
    on the database server's machine, as root or as its owner, so /proc shows them)."""
    import psycopg

    def probe() -> dict[int, float]:
        with psycopg.connect(admin_url, autocommit=True) as c:
            pids = [
                r[0]
                for r in c.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> "
                    "pg_backend_pid()",
                    [database],
                )
            ]
        return {pid: process_cpu(pid) for pid in pids}

    return probe


class DbCpu:
    """The database backends' CPU over a load, sampled every half second: the server closes
    a connection older than CONN_MAX_AGE and opens another, so a backend that appears counts
    from zero and one that leaves keeps its last sample (at most half a second is lost)."""

    def __init__(self, probe: CpuProbe) -> None:
        self.probe = probe
        self.before = probe()
        self.last = dict(self.before)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self.last.update(self.probe())

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        self.last.update(self.probe())
        return sum(cpu - self.before.get(pid, 0.0) for pid, cpu in self.last.items())


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
    server_pid: int | None = None,
    db_probe: CpuProbe | None = None,
) -> Load:
    """`budget` requests shared by `threads` clients; stops early after `time_limit` seconds.
    With `server_pid` / `db_probe`, the CPU the served process / the database spent on it."""
    load = Load(target=target, threads=threads, budget=budget)
    warm = Client(port, token)
    try:
        # Discarded: the first requests of a target open connections and fill caches.
        for i in range(WARM_UP):
            request(warm, budget + i)
    finally:
        warm.close()
    if target == CONTACTS:
        # The first contact starts loading the sentence model in a background thread of the
        # server (about a second of CPU): not part of any request, so not timed.
        time.sleep(MODEL_SETTLE)
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
    app_before = process_cpu(server_pid) if server_pid else 0.0
    db_cpu = DbCpu(db_probe) if db_probe else None
    start = time.perf_counter()
    barrier.wait()
    for t in pool:
        t.join(time_limit + 60)
    load.wall_seconds = time.perf_counter() - start
    if server_pid:
        load.app_cpu = process_cpu(server_pid) - app_before
    if db_cpu:
        load.db_cpu = db_cpu.stop()
    return load


def run_intake(
    *,
    port: int,
    token: str,
    lines: list[tuple[str, str]],
    concurrency: list[int],
    budget: int,
    time_limit: float,
    with_bare: bool = False,
    server_pid: int | None = None,
    db_probe: CpuProbe | None = None,
) -> list[Load]:
    """For each number of client threads: the healthz baseline, the bare one-row view (when
    the server runs bench.bare), then the contacts."""
    from .world import NOTE, REASON

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

    def bare(client: Client, i: int) -> Reply:
        customer, order = lines[(i * 7919) % len(lines)]
        return client.call("POST", "/bench/bare", {"customer": customer, "order": order})

    plan: list[tuple[str, Callable[[Client, int], Reply], int]] = [(HEALTHZ, healthz, 200)]
    if with_bare:
        plan.append((BARE, bare, 201))
    plan.append((CONTACTS, contact, 201))
    results = []
    for threads in concurrency:
        for target, request, expect in plan:
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
                    server_pid=server_pid,
                    db_probe=db_probe,
                )
            )
    return results


def count_contact_queries(token: str, line: tuple[str, str]) -> int:
    """Statements of one whole `POST /api/v1/contacts` (in-process test client), for context."""
    return len(contact_statements(token, line))


def contact_statements(token: str, line: tuple[str, str]) -> list[str]:
    """The SQL of one whole `POST /api/v1/contacts` (in-process test client), in order."""
    import json
    import uuid

    from django.db import connection
    from django.test import Client as DjangoClient

    from andon.core.models import hash_token

    from .world import NOTE, REASON

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
    return seen


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
    import json
    import uuid

    from django.test import Client as DjangoClient
    from django.test.utils import override_settings

    from andon.detection import embedding

    from .world import NOTE, REASON

    client = DjangoClient()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    out = InProcess()

    def contact(i: int) -> None:
        customer, order = lines[(i * 7919) % len(lines)]
        body = {
            "customer": customer,
            "order": order,
            "line_no": 1,
            "reason": REASON,
            "text": NOTE,
            "channel": "phone",
            "handling_seconds": 120,
        }
        r = client.post(
            "/api/v1/contacts",
            data=json.dumps(body),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
            **auth,
        )
        if r.status_code != 201:
            raise AssertionError(f"in-process POST /api/v1/contacts: {r.status_code}")

    def bare(i: int) -> None:
        customer, order = lines[(i * 7919) % len(lines)]
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
    ("andon.api.contacts", "eligibility_for", "eligibility"),
    ("andon.api.idempotency", "idempotency_store", "stored answer"),
)


def phases(token: str, lines: list[tuple[str, str]], n: int) -> str:
    """CPU (this process) of each part of `n` in-process contact requests, and the statements
    of one more with their times: the profile behind bench/RESULTS.md's intake notes."""
    import functools
    import importlib
    import json
    import uuid

    from django.db import connection
    from django.test import Client as DjangoClient

    from .world import NOTE, REASON

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
        customer, order = lines[(i * 7919) % len(lines)]
        body = {"customer": customer, "order": order, "line_no": 1, "reason": REASON}
        r = client.post(
            "/api/v1/contacts",
            data=json.dumps({**body, "text": NOTE}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
        )
        if r.status_code != 201:
            raise AssertionError(f"in-process POST /api/v1/contacts: {r.status_code}")

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


def render(loads: list[Load]) -> str:
    """One row per configuration: samples, req/s, p50/p95/p99/max, and the share of the
    bare one-row view's requests per second (the ceiling) at the same client threads."""
    rows = []
    by: dict[tuple[str, int], Load] = {(load.target, load.threads): load for load in loads}
    for load in loads:
        s = Summary.of(load.latencies) if load.latencies else None
        bare = by.get((BARE, load.threads))
        share = (
            "ceiling"
            if load.target == BARE
            else f"{100 * ratio(load.per_second, bare.per_second):.0f}%"
            if bare and bare.per_second and load.target != HEALTHZ
            else "–"
        )
        cpu_share = "–"
        own, ceiling = _cpu_total(load), _cpu_total(bare) if bare else None
        if load.target == BARE:
            cpu_share = "ceiling"
        elif load.target != HEALTHZ and own and ceiling:
            cpu_share = f"{100 * ceiling / own:.0f}%"
        rows.append(
            [
                load.target,
                load.threads,
                len(load.latencies),
                len(load.errors),
                f"{load.wall_seconds:.1f}" + (" (time limit)" if load.stopped_by_time else ""),
                load.per_second,
                s.median_ms if s else float("nan"),
                s.p95_ms if s else float("nan"),
                s.p99_ms if s else float("nan"),
                s.max_ms if s else float("nan"),
                share,
                _ms(load.cpu_ms(load.app_cpu)),
                _ms(load.cpu_ms(load.db_cpu)),
                cpu_share,
            ]
        )
    out = table(
        [
            "request",
            "client threads",
            "n (ok)",
            "errors",
            "wall s",
            "req/s",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "max ms",
            "req/s of bare one-row view",
            "server CPU ms/req",
            "database CPU ms/req",
            "CPU/req of bare ÷ this",
        ],
        rows,
    )
    errors = [e for load in loads for e in load.errors[:3]]
    if errors:
        out += "\n\nFirst errors:\n\n" + "\n".join(f"- `{e}`" for e in errors)
    return out


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _cpu_total(load: Load) -> float | None:
    """CPU ms per request, served process and database together (None if not measured)."""
    app, db = load.cpu_ms(load.app_cpu), load.cpu_ms(load.db_cpu)
    if app is None:
        return None
    return app + (db or 0.0)


def statement_kinds(statements: list[str]) -> str:
    """`3 SELECT, 4 INSERT, …`: what the statements of one request are, in a line."""
    kinds: dict[str, int] = {}
    for sql in statements:
        verb = sql.lstrip(" (").split(None, 1)[0].upper() if sql.strip(" (") else "?"
        kinds[verb] = kinds.get(verb, 0) + 1
    return ", ".join(f"{n} {verb}" for verb, n in sorted(kinds.items(), key=lambda kv: -kv[1]))


PG_NAME = "andon_bench_intake"  # fixed: the bench never touches another engineer's database


def main(argv: list[str] | None = None) -> int:
    import argparse
    import datetime as dt
    import tempfile
    from pathlib import Path

    from .scratch import PG_ADMIN, scratch_drop, scratch_setup

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    p.add_argument("--quick", action="store_true", help="a small run (seconds), for smoke tests")
    p.add_argument("--threads", default="1,4", help="client threads, comma-separated")
    p.add_argument("--budget", type=int, default=1500, help="requests per configuration")
    p.add_argument("--time-limit", type=float, default=40.0, help="seconds per configuration")
    p.add_argument("--write", action="store_true", help="record in bench/RESULTS.md")
    p.add_argument(
        "--in-process", type=int, default=500, help="in-process requests of each (CPU measure)"
    )
    p.add_argument(
        "--phases",
        type=int,
        default=0,
        help="instead of the served run: CPU by part of this many in-process contacts",
    )
    args = p.parse_args(argv)
    budget, limit = (40, 10.0) if args.quick else (args.budget, args.time_limit)
    threads = [int(t) for t in args.threads.split(",")]
    url = scratch_setup(args.db, PG_NAME)
    try:
        from django.db import connection

        from .bare import bare_table
        from .report import load_average, machine
        from .server import Server
        from .world import build_world, seed_intake

        started = dt.datetime.now().astimezone()
        load_before = load_average()
        world = build_world()
        lines = seed_intake(world, products=5 if args.quick else 50, orders_per_product=40)
        bare_table()
        statements = contact_statements(world.token, lines[-1])
        if args.phases:
            print(phases(world.token, lines, args.phases))
            return 0
        measured = in_process(world.token, lines, 50 if args.quick else args.in_process)
        connection.close()
        workdir = Path(tempfile.mkdtemp(prefix="andon-bench-intake-"))
        with Server(url, workdir, settings="bench.bare_settings") as server:
            loads = run_intake(
                port=server.port,
                token=world.token,
                lines=lines,
                concurrency=threads,
                budget=budget,
                time_limit=limit,
                with_bare=True,
                server_pid=server.proc.pid,
                db_probe=postgres_backends(PG_ADMIN, PG_NAME) if args.db == "postgres" else None,
            )
        body = "\n\n".join(
            [
                f"## Contact intake, {args.db} — {started:%Y-%m-%d %H:%M %Z}",
                table(["", ""], [list(r) for r in machine()]),
                f"Load average (1/5/15 min) before / after: {load_before} → {load_average()}.",
                f"`.venv/bin/python -m bench.intake --db {args.db}"
                + (" --quick" if args.quick else "")
                + f"`: {budget} requests per configuration (at most {limit:.0f} s), over "
                f"{len(lines):,} delivered one-line orders; `andon serve` (waitress, "
                "8 threads) with bench.bare_settings (Andon's plus the bare view).",
                render(loads),
                "CPU columns: user + system CPU of the served process (all its threads) and "
                "of the PostgreSQL backends of the bench database (/proc), during the timed "
                "part, per successful request; the last column is the bare view's CPU per "
                "request over this one's (what the share of the ceiling would be on cores of "
                "its own). Other engineers' work on the machine inflates wall time much more "
                "than CPU time.",
                render_in_process(measured),
                f"SQL statements of one contact request (whole API request, in-process, "
                f"savepoints included): **{len(statements)}** "
                f"({statement_kinds(statements)}).",
            ]
        )
        print(body)
        if args.write:
            from .report import RESULTS, write_section

            write_section(RESULTS, f"intake-{args.db}", body)
    finally:
        scratch_drop(args.db, PG_NAME)
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
