"""Imports against the database's own speed: customers and order lines through Andon's import
(`rows_import`, what `andon import` and `POST /api/v1/imports` run), against psycopg's
`executemany` and `COPY` of the same rows into a plain table of the same columns, in the same
run on the same database (PostgreSQL; on SQLite only the import and sqlite3's executemany).

    .venv/bin/python -m bench.imports --db postgres [--rows 20000] [--reps 3]

Each import runs `reps` times on fresh keys (a first load) and once again on the last keys
(an unchanged repeat). Rows/s per run; p50/p95/p99 of the per-chunk time (1,000 rows) with
their count. The goal (issue 11): customers >= 50% and order lines >= 25% of executemany.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scratch import scratch_drop, scratch_setup

# Its own scratch database (dropped at the end), never another engineer's; ANDON_BENCH_DB
# names another when two runs share a server (as bench/detection.py).
PG_NAME = os.environ.get("ANDON_BENCH_DB", "andon_bench_imports")
PLACED = "2026-11-20T10:00:00+00:00"


def customer_rows(tag: str, n: int) -> list[dict]:
    return [
        {
            "external_id": f"{tag}-c{i}",
            "name": f"顾客 {i}",
            "phone": f"138{i:08d}",
            "email": f"c{i}@example.cn",
        }
        for i in range(n)
    ]


def line_rows(tag: str, n: int, customers: list[str], skus: list[str]) -> list[dict]:
    return [
        {
            "order": f"{tag}-o{i // 2}",
            "customer": customers[(i // 2) % len(customers)],
            "placed_at": PLACED,
            "line_no": i % 2 + 1,
            "sku": skus[i % len(skus)],
            "quantity": 1 + i % 3,
            "unit_price": "39.80",
            "status": "delivered",
        }
        for i in range(n)
    ]


def _cpu(backend_pid: int | None) -> float:
    """CPU seconds used so far by this process and by the PostgreSQL backend serving a
    connection (same machine, read from /proc): what a run costs whatever else loads the
    cores, where wall time mostly measures the wait for one."""
    used = time.process_time()
    if backend_pid is not None:
        try:
            stat = Path(f"/proc/{backend_pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        used += (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
    return used


def _django_backend_pid() -> int | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    connection.ensure_connection()
    return int(connection.connection.info.backend_pid)


def andon_import(kind: str, rows: list[dict], chunk_times: list[float]) -> tuple[float, float]:
    """Rows/s of Andon's import of `rows`, and its CPU seconds (this process + its backend)."""
    from andon.integrations.imports import rows_import

    last = [time.perf_counter()]

    def progress(_n: int) -> None:
        now = time.perf_counter()
        chunk_times.append(now - last[0])
        last[0] = now

    pid = _django_backend_pid()
    cpu = _cpu(pid)
    start = time.perf_counter()
    result = rows_import(actor=None, kind=kind, rows=rows, progress=progress)
    took = time.perf_counter() - start
    cpu = _cpu(pid) - cpu
    if result.rejected:
        raise AssertionError(f"{kind}: {result.rejected[:3]}")
    return len(rows) / took, cpu


BASE_TABLES = {
    "customers": (
        "bench_customers",
        "external_id varchar(64) UNIQUE, name varchar(200), phone varchar(40), "
        "email varchar(254), created_at timestamptz",
        ("external_id", "name", "phone", "email", "created_at"),
    ),
    "orders": (
        "bench_lines",
        "order_ref varchar(64), customer varchar(64), placed_at timestamptz, line_no int, "
        "sku varchar(64), quantity int, unit_price numeric(12,2), status varchar(20), "
        "UNIQUE (order_ref, line_no)",
        (
            *("order_ref", "customer", "placed_at", "line_no"),
            *("sku", "quantity", "unit_price", "status"),
        ),
    ),
}


def _tuples(kind: str, rows: list[dict]) -> list[tuple]:
    now = dt.datetime.now(dt.UTC)
    if kind == "customers":
        return [(r["external_id"], r["name"], r["phone"], r["email"], now) for r in rows]
    return [
        (
            r["order"],
            r["customer"],
            r["placed_at"],
            r["line_no"],
            r["sku"],
            r["quantity"],
            r["unit_price"],
            r["status"],
        )
        for r in rows
    ]


def baseline(kind: str, rows: list[dict], how: str) -> tuple[float, float]:
    """Rows/s of the same rows into a plain table with its unique key, one transaction per
    1,000 rows as the import commits, by executemany or COPY (psycopg, its own connection);
    and its CPU seconds (this process + its backend)."""
    from django.db import connection

    table, columns_sql, columns = BASE_TABLES[kind]
    data = _tuples(kind, rows)
    if connection.vendor != "postgresql":
        import sqlite3

        path = connection.settings_dict["NAME"]
        db = sqlite3.connect(f"{path}-base")
        db.execute(f"DROP TABLE IF EXISTS {table}")
        db.execute(f"CREATE TABLE {table} ({columns_sql})")
        marks = ", ".join("?" for _ in columns)
        cpu = _cpu(None)
        start = time.perf_counter()
        for i in range(0, len(data), 1000):
            with db:
                db.executemany(f"INSERT INTO {table} VALUES ({marks})", data[i : i + 1000])
        took = time.perf_counter() - start
        cpu = _cpu(None) - cpu
        db.close()
        return len(rows) / took, cpu
    import psycopg

    s = connection.settings_dict
    with psycopg.connect(
        host=s["HOST"], port=s["PORT"] or 5432, user=s["USER"], dbname=s["NAME"]
    ) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {table}")
        conn.execute(f"CREATE TABLE {table} ({columns_sql})")
        conn.commit()
        marks = ", ".join("%s" for _ in columns)
        pid = conn.info.backend_pid
        cpu = _cpu(pid)
        start = time.perf_counter()
        for i in range(0, len(data), 1000):
            part = data[i : i + 1000]
            with conn.cursor() as cur:
                if how == "executemany":
                    cur.executemany(f"INSERT INTO {table} VALUES ({marks})", part)
                else:
                    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                        for row in part:
                            copy.write_row(row)
            conn.commit()
        took = time.perf_counter() - start
        return len(rows) / took, _cpu(pid) - cpu


def startup(
    url: str, reps: int = 3
) -> tuple[tuple[list[float], list[float], list[float]], tuple[list[float], ...]]:
    """Wall seconds of `andon import customers` on a one-row file (the CLI's whole start-up:
    interpreter, Django, the command, one row), of `andon import --help` and, as their floor,
    of `python -c pass`; and the CPU seconds of each. Python runs with a bytecode cache of its
    own (an installed package has its .pyc files; PYTHONDONTWRITEBYTECODE, set on some
    development machines, makes every run compile Django from source), filled by one untimed
    run of each."""
    import subprocess
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix="andon-bench-imports-"))
    path = tmp / "one.csv"
    path.write_text("external_id,name\nstartup-1,A\n", encoding="utf-8")
    env = dict(
        os.environ,
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="andon.config.settings",
        PYTHONPYCACHEPREFIX=str(tmp / "pycache"),
    )
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    andon = [sys.executable, "-m", "andon", "import"]
    commands = (
        [*andon, "customers", str(path), "--no-progress"],
        [*andon, "--help"],
        [sys.executable, "-c", "pass"],
    )
    for cmd in commands:
        subprocess.run(cmd, env=env, check=True, capture_output=True)
    times: tuple[list[float], list[float], list[float]] = ([], [], [])
    cpu: tuple[list[float], list[float], list[float]] = ([], [], [])
    for _ in range(reps):
        for cmd, out, used in zip(commands, times, cpu, strict=True):
            before = _children_cpu()
            start = time.perf_counter()
            subprocess.run(cmd, env=env, check=True, capture_output=True)
            out.append(time.perf_counter() - start)
            used.append(_children_cpu() - before)
    return times, cpu


def _children_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes: what a start-up costs
    whatever else loads the machine (wall time under a load of 10 on 2 cores is mostly
    waiting for a core)."""
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _summary(samples: list[float]) -> str:
    from bench.stats import Summary

    s = Summary.of(samples)
    return f"{s.median_ms:.1f} / {s.p95_ms:.1f} / {s.p99_ms:.1f} (n={s.n})"


def measure(db: str, url: str, n: int, reps: int) -> str:
    from bench.report import load_average, machine
    from bench.stats import table

    started = dt.datetime.now().astimezone()
    load_before = load_average()
    from andon.integrations.imports import rows_import

    skus = [f"IMPB-{i}" for i in range(200)]
    rows_import(
        actor=None,
        kind="products",
        rows=[{"sku": s, "title": f"书 {s}", "price": "39.80"} for s in skus],
    )
    # Warm-up, untimed: one row of each kind loads the modules an import needs once per
    # process (the CLI's start-up is timed on its own below).
    warm = customer_rows("warm", 1)
    rows_import(actor=None, kind="customers", rows=warm)
    rows_import(actor=None, kind="orders", rows=line_rows("warm", 1, ["warm-c0"], skus))
    results: list[list[object]] = []
    for kind in ("customers", "orders"):
        rates: dict[str, list[float]] = {"import": [], "executemany": [], "COPY": []}
        cpu: dict[str, list[float]] = {"import": [], "executemany": []}
        chunks: list[float] = []
        repeat = 0.0
        for rep in range(reps):
            tag = f"r{rep}"
            customers = customer_rows(tag, n)
            if kind == "customers":
                rows = customers
            else:
                # The customers of these lines exist (loaded outside the timing).
                rows_import(actor=None, kind="customers", rows=customers[: n // 2])
                rows = line_rows(tag, n, [c["external_id"] for c in customers[: n // 2]], skus)
            for name, (rate, used) in (
                ("import", andon_import(kind, rows, chunks)),
                ("executemany", baseline(kind, rows, "executemany")),
            ):
                rates[name].append(rate)
                cpu[name].append(used)
            if db == "postgres":
                rates["COPY"].append(baseline(kind, rows, "copy")[0])
            if rep == reps - 1:
                repeat = andon_import(kind, rows, [])[0]
        imp = statistics.median(rates["import"])
        em = statistics.median(rates["executemany"])
        cp = statistics.median(rates["COPY"]) if rates["COPY"] else float("nan")
        imp_cpu = 1000 * statistics.median(cpu["import"]) / n
        em_cpu = 1000 * statistics.median(cpu["executemany"]) / n
        label = "customers" if kind == "customers" else "order lines"
        results.append(
            [
                label,
                f"{n:,} × {reps}",
                imp,
                repeat,
                em,
                cp,
                f"{100 * imp / em:.0f}%",
                f"{100 * imp / cp:.0f}%" if rates["COPY"] else "–",
                f"{1000 * imp_cpu:.0f} / {1000 * em_cpu:.0f}",
                f"{100 * em_cpu / imp_cpu:.0f}%",
                _summary(chunks),
            ]
        )
    (cli, help_, floor), (cli_cpu, help_cpu, floor_cpu) = startup(url, reps=5)
    return "\n\n".join(
        [
            f"## Imports, {db} — {started:%Y-%m-%d %H:%M %Z}",
            table(["", ""], [list(r) for r in machine()]),
            f"Load average (1/5/15 min) before / after: {load_before} → {load_average()}.",
            f"`.venv/bin/python -m bench.imports --db {db} --rows {n} --reps {reps}`. Rows/s "
            "are medians over the repetitions (fresh keys each); the repeat is the last file "
            "again (nothing changes). Baselines: the same rows into a plain table with the same "
            "unique key, a transaction per 1,000 rows, psycopg `executemany` / `COPY`. CPU: "
            "this process and its PostgreSQL backend (from /proc), medians over the "
            "repetitions: under load, wall time is mostly the wait for a core.",
            table(
                [
                    "import",
                    "rows",
                    "Andon rows/s",
                    "repeat rows/s",
                    "executemany rows/s",
                    "COPY rows/s",
                    "of executemany",
                    "of COPY",
                    "CPU ms per 1,000 rows: Andon / executemany",
                    "of executemany by CPU",
                    "chunk ms p50 / p95 / p99 (n)",
                ],
                results,
            ),
            f"Start-up, whole process with a bytecode cache, wall ms p50 / p95 / p99 (n) and CPU "
            f"(user + system) ms: `andon import customers` of a one-row file {_summary(cli)}, "
            f"CPU {_summary(cli_cpu)}; `andon import --help` {_summary(help_)}, CPU "
            f"{_summary(help_cpu)}; `python -c pass` {_summary(floor)}, CPU {_summary(floor_cpu)}.",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    p.add_argument("--rows", type=int, default=20_000)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--write", action="store_true", help="record in bench/RESULTS.md")
    args = p.parse_args(argv)
    url = scratch_setup(args.db, PG_NAME)
    try:
        body = measure(args.db, url, args.rows, args.reps)
        print(body)
        if args.write:
            from bench.report import RESULTS, write_section

            write_section(RESULTS, f"imports-{args.db}", body)
    finally:
        scratch_drop(args.db, PG_NAME)
    return 0


if __name__ == "__main__":
    sys.exit(main())
