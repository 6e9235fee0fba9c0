"""Integrations benchmark: from a pull's request to the storefront's receipt of its webhook,
and import rows per second.

    .venv/bin/python bench/integrations.py                  # SQLite (a scratch file)
    .venv/bin/python bench/integrations.py --postgres URL   # PostgreSQL: a scratch database
    .venv/bin/python bench/integrations.py --quick          # seconds; prints, writes nothing

`--postgres` names the scratch database itself (its name must contain "bench"): the bench
drops and creates it, and drops it again at the end, so it never touches another database.

Latency. Real processes on 127.0.0.1: `andon serve` (waitress), one `andon worker` (its task
thread polls the task table every 0.2 s; on PostgreSQL its delivery loop also LISTENs for the
NOTIFY that a trigger on the outbox sends at commit) and the example storefront
(examples/storefront/receiver.py) as the receiver of an endpoint subscribed to `listing.*`.
Three paths, interleaved in rotating order, one event in flight at a time:

1. pull: `POST /api/v1/andons` (bearer token, Idempotency-Key) on a product that meets the
   rule, each on its own product; from just before the request is sent to the receiver's log
   line for that product's `listing.suppressed`. The pull's own answer time is shown beside;
2. commit: an outbox event committed by the bench process (`outbox_emit`, the same wake-up:
   a task row and, on PostgreSQL, the NOTIFY), from just after COMMIT to the receipt: the
   path earlier runs of this bench measured;
3. baseline: the worker's own POST (`relay.delivery_post`: sign, fresh connection, POST,
   read) called directly with a body of the same shape, from the call to the receipt: what
   a delivery costs without the database, the wake-up or the claim.

Times are `time.time()` in the bench and in the receiver: one machine, one clock.
Import: products, order lines and contacts through the import service, a first load (all
created) then a repeat (all unchanged).
A full run replaces the database's section of bench/RESULTS-integrations.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script: make `bench` and `andon` importable from the repository root.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server import HOST, Client, Server, free_port

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS-integrations.md"
RECEIVER = ROOT / "examples" / "storefront" / "receiver.py"

PULL, COMMIT, BASELINE = "pull", "commit", "baseline"
PATHS = (PULL, COMMIT, BASELINE)
LISTING = "listing.suppressed"
HELD_LINES = 10  # packed lines each pulled product holds: the pull stays small and constant

HEADER = """# Integrations benchmark results

Written by `bench/integrations.py` (its docstring says what is measured and how to rerun it).
Each database has its own section; a run replaces the section of the database it ran.
Latencies in milliseconds, nearest-rank percentiles over the sample count shown; the
baseline is measured in the same run, interleaved with the other paths. Earlier results
(commit -> receipt only, without a baseline) are in this file's git history.
"""


@dataclass(frozen=True)
class Preset:
    pulls: int
    warmup: int
    gap: float
    rows: int


FULL = Preset(pulls=200, warmup=3, gap=0.05, rows=20_000)
QUICK = Preset(pulls=10, warmup=2, gap=0.05, rows=500)


@dataclass
class Latency:
    samples: dict[str, list[float]] = field(default_factory=lambda: {p: [] for p in PATHS})
    answered: list[float] = field(default_factory=list)  # the pull's own request -> 201
    lost: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PATHS, 0))


class Receipts:
    """The receiver's log (received.jsonl), read as it grows: when each event arrived."""

    def __init__(self, path: Path) -> None:
        self.path, self.offset = path, 0
        self.at: dict[tuple[str, str], float] = {}

    def _read(self) -> None:
        if not self.path.exists():
            return
        with self.path.open("rb") as f:
            f.seek(self.offset)
            chunk = f.read()
        complete = chunk.rfind(b"\n") + 1
        for line in chunk[:complete].splitlines():
            r = json.loads(line)
            self.at.setdefault((r["type"], r["sku"]), r["received_at"])
        self.offset += complete

    def wait(self, sku: str, timeout: float) -> float | None:
        deadline = time.monotonic() + timeout
        while True:
            self._read()
            if (LISTING, sku) in self.at:
                return self.at[(LISTING, sku)]
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.005)  # only paces the bench: the receiver stamps the receipt


class Processes:
    """The receiver and `andon worker` as subprocesses of the bench, stopped by their pids
    (`andon serve` is bench.server.Server)."""

    def __init__(self, workdir: Path, port: int, secret: str) -> None:
        self.data = workdir / "storefront"
        self.receiver_port = port
        self._log = (workdir / "worker.log").open("wb")
        self.receiver = subprocess.Popen(
            [sys.executable, str(RECEIVER), "--host", HOST, "--port", str(port)]
            + ["--secret", secret, "--data", str(self.data)],
            stdout=subprocess.DEVNULL,
        )
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "andon", "worker"],
            cwd=workdir,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_receiver()
        except BaseException:
            self.stop()
            raise

    def _wait_receiver(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(
                    f"http://{HOST}:{self.receiver_port}/health", timeout=1
                ):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the receiver did not start")

    def stop(self) -> None:
        for proc in (self.worker, self.receiver):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        self._log.close()


def measure_latency(*, url: str, workdir: Path, preset: Preset, timeout: float = 30.0) -> Latency:
    """The three paths on the database Django is set up on (migrated; `url` is its URL for
    the served processes, which see only committed data)."""
    from django.contrib.auth.models import User

    from andon.integrations.services import endpoint_create
    from bench.world import build_world, seed_products

    world = build_world()
    skus = seed_products(world, lines=HELD_LINES, count=preset.warmup + preset.pulls, label="hook")
    admin = User.objects.create_superuser(f"bench-admin-{world.tag}", password=None)
    port = free_port()
    endpoint = endpoint_create(
        url=f"http://{HOST}:{port}/webhooks", event_types=["listing.*"], actor=admin
    )
    # The receiver is on the loopback by design; production may refuse such addresses.
    os.environ["ANDON_WEBHOOK_ALLOW_PRIVATE_NETWORKS"] = "true"
    os.environ["DATABASE_URL"] = url
    procs = Processes(workdir, port, endpoint.secret)
    report = Latency()
    try:
        with Server(url, workdir) as server:
            client = Client(server.port, token=world.token)
            paths = _Paths(client, Receipts(procs.data / "received.jsonl"), endpoint, timeout)
            for i, sku in enumerate(skus):
                # Rotating order, so that drift on the shared machine spreads over all three.
                for path in PATHS[i % 3 :] + PATHS[: i % 3]:
                    if path == PULL:
                        took, answered = paths.pull(sku)
                    elif path == COMMIT:
                        took, answered = paths.commit(f"{world.tag}-commit-{i}"), None
                    else:
                        took, answered = paths.baseline(f"{world.tag}-base-{i}", i), None
                    if i >= preset.warmup:
                        if took is None:
                            report.lost[path] += 1
                        else:
                            report.samples[path].append(took)
                        if answered is not None:
                            report.answered.append(answered)
                    time.sleep(preset.gap)
            client.close()
    finally:
        procs.stop()
    return report


class _Paths:
    """One sample of each path: seconds from its start to the receipt, None when lost."""

    def __init__(self, client: Client, receipts: Receipts, endpoint, timeout: float) -> None:
        self.client, self.receipts, self.endpoint, self.timeout = (
            client,
            receipts,
            endpoint,
            timeout,
        )

    def pull(self, sku: str) -> tuple[float | None, float]:
        from bench.world import NOTE, REASON

        sent = time.time()
        reply = self.client.call(
            "POST", "/api/v1/andons", {"sku": sku, "reason": REASON, "note": NOTE}
        )
        answered = time.time() - sent
        if reply.status != 201:
            raise AssertionError(f"pull {sku}: {reply.status} {reply.body[:300]!r}")
        received = self.receipts.wait(sku, self.timeout)
        return (None if received is None else received - sent), answered

    def commit(self, sku: str) -> float | None:
        from django.db import transaction
        from django.utils import timezone

        from andon.core.services import Event, outbox_emit

        payload = {"sku": sku, "listing_status": "suppressed"}
        with transaction.atomic():
            outbox_emit(at=timezone.now(), events=[Event(LISTING, payload, product_sku=sku)])
        committed = time.time()
        received = self.receipts.wait(sku, self.timeout)
        return None if received is None else received - committed

    def baseline(self, sku: str, n: int) -> float | None:
        from django.utils import timezone

        from andon.core.models import OutboxEvent
        from andon.integrations import rules
        from andon.integrations.relay import Claim, delivery_post, event_body

        now = timezone.now()
        # Never saved: only its shape matters, and an id far above the real ones.
        event = OutboxEvent(
            id=10**12 + n,
            event_type=LISTING,
            occurred_at=now,
            product_sku=sku,
            product_sequence=1,
            payload={"sku": sku, "listing_status": "suppressed"},
        )
        claim = Claim(
            delivery_id=0,
            token="",
            attempts=0,
            created_at=now,
            endpoint_id=self.endpoint.pk,
            url=self.endpoint.url,
            secrets=[self.endpoint.secret],
            msg_id=rules.message_id(event.pk),
            body=event_body(event),
        )
        started = time.time()
        outcome = delivery_post(claim, timeout=self.timeout)
        if outcome.status_code is None or not 200 <= outcome.status_code < 300:
            raise AssertionError(f"baseline POST: {outcome}")
        received = self.receipts.wait(sku, self.timeout)
        return None if received is None else received - started


def bench_import(rows: int) -> dict[str, int]:
    """Rows per second through the import service, first load then an unchanged repeat."""
    from django.contrib.auth import get_user_model

    from andon.contacts.models import ReasonCode
    from andon.integrations.imports import rows_import

    products = [{"sku": f"IMP-{i}", "title": f"书 {i}", "price": "19.90"} for i in range(rows)]
    rows_import(actor=None, kind="customers", rows=[{"external_id": "c-1", "name": "A"}])
    lines = [
        {
            "order": f"o-{i // 2}",
            "customer": "c-1",
            "placed_at": "2026-11-20T10:00:00Z",
            "line_no": i % 2 + 1,
            "sku": f"IMP-{i}",
            "status": "packed",
        }
        for i in range(rows)
    ]
    get_user_model().objects.get_or_create(username="bench-agent")
    reason = ReasonCode.objects.get_or_create(
        code="bench", defaults={"label_zh": "基准", "label_en": "bench"}
    )[0].code
    contacts = [
        {
            "external_id": f"crm-{i}",
            "customer": "c-1",
            "order": f"o-{i // 2}",
            "line_no": i % 2 + 1,
            "reason": reason,
            "text": "100-101页未裁开",
            "created_at": "2026-11-21T10:00:00Z",
            "agent": "bench-agent",
        }
        for i in range(rows)
    ]
    out = {}
    for kind, data in (("products", products), ("orders", lines), ("contacts", contacts)):
        for run in ("first", "repeat"):
            t = time.perf_counter()
            result = rows_import(actor=None, kind=kind, rows=data)
            took = time.perf_counter() - t
            if result.rejected:
                raise AssertionError(f"{kind}: {result.rejected[:3]}")
            out[f"{kind} {run}"] = round(rows / took)
    return out


def render(latency: Latency, imports: dict[str, int], rows: int) -> str:
    from bench.stats import Summary, table

    labels = {
        PULL: "pull: `POST /api/v1/andons` sent -> webhook received",
        COMMIT: "commit: outbox event committed -> webhook received (earlier runs' path)",
        BASELINE: "baseline: the worker's POST called directly -> received (no DB, no wake-up)",
    }
    base = Summary.of(latency.samples[BASELINE]).median_ms if latency.samples[BASELINE] else 0
    rows_out: list[list[object]] = []
    series = [(labels[p], latency.samples[p], latency.lost[p]) for p in PATHS]
    series.insert(1, ("the pull's own answer: request -> 201", latency.answered, 0))
    for label, samples, lost in series:
        s = Summary.of(samples)
        rows_out.append(
            [label, s.n, lost, s.median_ms, s.p95_ms, s.p99_ms, s.max_ms, s.median_ms - base]
        )
    parts = [
        table(
            ["path", "samples", "lost", "p50", "p95", "p99", "max", "p50 over baseline"],
            rows_out,
        )
    ]
    if imports:
        parts.append(
            table(
                ["import", "rows/s"],
                [[f"{kind} ({rows:,} rows)", rate] for kind, rate in imports.items()],
            )
        )
    return "\n\n".join(parts)


def scratch_database(pg_url: str | None) -> str:
    """The scratch database as every bench makes it (bench/scratch.py): a temp SQLite file, or
    the PostgreSQL database named by `pg_url` (it must have 'bench' in its name), dropped,
    created and migrated."""
    from bench.scratch import scratch_setup

    if not pg_url:
        return scratch_setup("sqlite", "andon-bench-integrations")
    name = _db_name(pg_url)
    if "bench" not in name or not name.replace("_", "").isalnum():
        raise SystemExit(f"--postgres: name a scratch database with 'bench' in it, not {name!r}")
    return scratch_setup("postgres", name)


def _db_name(url: str) -> str:
    return urllib.parse.urlsplit(url).path.lstrip("/")


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--postgres", metavar="URL", help="a scratch database (dropped, created)")
    p.add_argument("--pulls", type=int, help=f"samples per path (default {FULL.pulls})")
    p.add_argument("--rows", type=int, help=f"rows per import kind (default {FULL.rows}; 0: none)")
    p.add_argument("--quick", action="store_true", help="a small run (seconds), printed only")
    p.add_argument(
        "--results",
        type=Path,
        help="results file (default: bench/RESULTS-integrations.md; none for --quick)",
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    preset = QUICK if args.quick else FULL
    if args.pulls is not None or args.rows is not None:
        preset = Preset(
            pulls=args.pulls if args.pulls is not None else preset.pulls,
            warmup=preset.warmup,
            gap=preset.gap,
            rows=args.rows if args.rows is not None else preset.rows,
        )
    workdir = Path(tempfile.mkdtemp(prefix="andon-bench-integrations-"))
    url = scratch_database(args.postgres)
    try:
        body = _run(url, workdir, preset, args)
    finally:
        from bench.scratch import scratch_drop

        if args.postgres:
            scratch_drop("postgres", _db_name(url))
        else:
            scratch_drop("sqlite", "")
        shutil.rmtree(workdir, ignore_errors=True)
    print(body)
    target = args.results if args.results is not None else (None if args.quick else RESULTS)
    if target is not None:
        from bench.report import write_section

        if not target.exists():
            target.write_text(HEADER)
        key = "integrations-postgres" if args.postgres else "integrations-sqlite"
        write_section(target, key, body)
        print(f"\nwritten to {target}")
    return 0


def _run(url: str, workdir: Path, preset: Preset, args: argparse.Namespace) -> str:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.report import CpuMeter, load_average, machine
    from bench.stats import table

    started = dt.datetime.now().astimezone()
    load_before = load_average()
    cpu = CpuMeter()
    t0 = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)  # made by scratch_database: a no-op
    latency = measure_latency(url=url, workdir=workdir, preset=preset)
    imports = bench_import(preset.rows) if preset.rows else {}
    elapsed = time.perf_counter() - t0
    load_after, cpu_used = load_average(), cpu.summary()
    title = {"sqlite": "SQLite (embedded default)", "postgresql": "PostgreSQL"}[connection.vendor]
    command = "`.venv/bin/python bench/integrations.py" + (
        f" --postgres {args.postgres}`" if args.postgres else "`"
    )
    wakeup = (
        "a task row polled every 0.2 s by the worker's task thread"
        if connection.vendor == "sqlite"
        else "NOTIFY at commit (outbox trigger), the task row as the durable back-up"
    )
    return "\n\n".join(
        [
            f"## {title} — {started:%Y-%m-%d %H:%M %Z} ({'quick' if args.quick else 'full'} "
            f"run, {elapsed:.0f} s)",
            table(
                ["", ""],
                [
                    *[list(r) for r in machine()],
                    [
                        "Load average (1/5/15 min) before / after",
                        f"{load_before} -> {load_after} (the machine is shared with other "
                        "engineers)",
                    ],
                    ["CPU during the run", cpu_used],
                ],
            ),
            f"**What was run.** {command} (rerun with the same command). Wake-up: {wakeup}. "
            f"{preset.pulls} samples per path after {preset.warmup} warm-up rounds, one event "
            f"in flight at a time, {preset.gap * 1000:.0f} ms between events; each pull on its "
            f"own product ({HELD_LINES} packed lines, 4 stock rows, 2 customers' contacts).",
            render(latency, imports, preset.rows),
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
