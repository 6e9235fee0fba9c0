"""Integrations benchmark: webhook latency from commit to receipt, and import rows/second.

    .venv/bin/python bench/integrations.py                 # SQLite (a scratch file)
    .venv/bin/python bench/integrations.py --postgres URL  # a scratch database on that server

Latency: listing events committed one transaction at a time (outbox_emit, as the cord does),
a real `andon worker` process, the example storefront as a real receiver on 127.0.0.1; the
time from just after COMMIT to the receiver's log line. Import: products and order lines
and contacts through the import service, first load (all created) and a repeat (all
unchanged).
Results are appended to bench/RESULTS-integrations.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def scratch_database(pg_url: str | None) -> str:
    if not pg_url:
        return f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    import psycopg

    base, _, _ = pg_url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as c:
        c.execute("DROP DATABASE IF EXISTS andon_integ2_bench")
        c.execute("CREATE DATABASE andon_integ2_bench")
    return f"{base}/andon_integ2_bench"


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def bench_latency(url: str, events: int) -> dict:
    from django.db import transaction
    from django.utils import timezone

    from andon.core.services import Event, outbox_emit
    from andon.integrations.services import endpoint_create
    from tests.integrations.conftest import free_port

    port = free_port()
    data = Path(tempfile.mkdtemp())
    endpoint = endpoint_create(url=f"http://127.0.0.1:{port}/webhooks", event_types=["listing.*"])
    env = {**os.environ, "DATABASE_URL": url}
    receiver = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "examples/storefront/receiver.py"),
            "--port",
            str(port),
            "--secret",
            endpoint.secret,
            "--data",
            str(data),
        ],
        stdout=subprocess.DEVNULL,
    )
    worker = subprocess.Popen(
        [str(ROOT / ".venv/bin/andon"), "worker"], env=env, stdout=subprocess.DEVNULL
    )
    try:
        time.sleep(3)  # both processes up
        committed: dict[tuple[str, int], float] = {}
        for i in range(events):
            sku = f"LAT-{i % 10}"
            kind = "listing.suppressed" if (i // 10) % 2 == 0 else "listing.relisted"
            with transaction.atomic():
                (row,) = outbox_emit(
                    at=timezone.now(), events=[Event(kind, {"sku": sku}, product_sku=sku)]
                )
            committed[(sku, row.product_sequence)] = time.time()
            time.sleep(0.05)
        log = data / "received.jsonl"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            lines = log.read_text().splitlines() if log.exists() else []
            if len(lines) >= events:
                break
            time.sleep(0.1)
        got = [json.loads(x) for x in lines]
        lat = [(g["received_at"] - committed[(g["sku"], g["sequence"])]) * 1000 for g in got]
        return {
            "events": events,
            "received": len(got),
            "median_ms": statistics.median(lat),
            "p99_ms": pct(lat, 99),
            "max_ms": max(lat),
        }
    finally:
        worker.terminate()
        receiver.terminate()
        worker.wait(10)
        receiver.wait(10)


def bench_import(rows: int) -> dict:
    from andon.integrations.imports import rows_import

    products = [{"sku": f"IMP-{i}", "title": f"书 {i}", "price": "19.90"} for i in range(rows)]
    customers = [{"external_id": "c-1", "name": "A"}]
    rows_import(kind="customers", rows=customers)
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
    from django.contrib.auth import get_user_model

    from andon.contacts.models import ReasonCode

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
            result = rows_import(kind=kind, rows=data)
            dt = time.perf_counter() - t
            assert not result.rejected, result.rejected[:3]
            out[f"{kind} {run}"] = round(rows / dt)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", metavar="URL", default=None)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    url = scratch_database(args.postgres)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "andon.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    latency = bench_latency(url, args.events)
    imports = bench_import(args.rows)
    vendor = connection.vendor
    lines = [
        f"\n## {vendor} — {time.strftime('%Y-%m-%d %H:%M')} — {platform.python_version()}, "
        f"{os.cpu_count()} cores\n",
        f"- webhook latency, commit -> receipt ({latency['received']}/{latency['events']} "
        f"events, one worker): median {latency['median_ms']:.0f} ms, "
        f"p99 {latency['p99_ms']:.0f} ms, max {latency['max_ms']:.0f} ms",
        *(f"- import {k}: {v:,} rows/s ({args.rows:,} rows)" for k, v in imports.items()),
    ]
    print("\n".join(lines))
    with (ROOT / "bench" / "RESULTS-integrations.md").open("a") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
