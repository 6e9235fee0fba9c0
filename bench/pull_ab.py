"""Two versions of the pull, interleaved in one run on one database (issue 11, point 1).

    .venv/bin/python bench/pull_ab.py --base /path/to/main --new /path/to/branch \
        --name andon_pull_ab --sizes 10,10000 --reps 30 --out /tmp/ab.json

bench/pull_scale.py measures one version a run, so two versions meet different loads on a
shared machine. Here both are measured in the same minutes: one scratch PostgreSQL database
(the schema must be the same in both), one served process per version (`andon serve`, as
bench/server.py runs it) and one service-call worker per version (bench/pull_worker.py),
each pull on a fresh product of the bench's shape (bench/world.py). Each repetition rotates
the sizes, and for each size pulls once per version and mode, the version that goes first
alternating, so that drift in the machine's load falls on both alike. Prints a Markdown
report (bench/stats.py) and writes the samples as JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
MODES = ("http", "service")


class Worker:
    """bench/pull_worker.py of one checkout, on the bench's database."""

    def __init__(self, code: Path, url: str, agent: str) -> None:
        from bench.world import NOTE, REASON, STOCK_UNITS

        env = dict(os.environ, PYTHONPATH=str(code), DATABASE_URL=url)
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "bench" / "pull_worker.py")]
            + [agent, REASON, NOTE, str(STOCK_UNITS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self._read() == "ready"

    def _read(self) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line or line.startswith("error"):
            raise AssertionError(f"pull worker: {line!r}")
        return line

    def ask(self, command: str, sku: str, size: int) -> str:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{command} {sku} {size}\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("quit\n")
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def _commit(code: Path) -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(code), *args], capture_output=True, text=True
        ).stdout.strip()

    dirty = git("status", "--porcelain", "--", "andon")
    return git("rev-parse", "--short", "HEAD") + (" (with uncommitted changes)" if dirty else "")


def _run(args: argparse.Namespace) -> dict:
    sys.path.insert(0, str(HERE))
    from bench.report import load_average
    from bench.scratch import scratch_drop, scratch_setup

    codes = {"base": Path(args.base).resolve(), "new": Path(args.new).resolve()}
    sizes = sorted(int(s) for s in args.sizes.split(","))
    load_before = load_average()
    url = scratch_setup("postgres", args.name)
    servers, workers = {}, {}
    try:
        from django.db import connection

        from bench.server import Client, Server
        from bench.world import NOTE, REASON, build_world, seed_products

        world = build_world()
        # Per size: reps pulls per version and mode, one counted pull per version, warm-ups.
        skus = {
            s: seed_products(world, lines=s, count=4 * args.reps + 2 + 4, label="ab") for s in sizes
        }
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        connection.close()
        for v, code in codes.items():
            workdir = Path(f"/tmp/{args.name}-{v}")
            workdir.mkdir(exist_ok=True)
            os.environ["PYTHONPATH"] = str(code)  # the served process's `andon`
            servers[v] = Server(url, workdir).__enter__()
            workers[v] = Worker(code, url, world.agent.username)
        clients = {v: Client(s.port, world.token) for v, s in servers.items()}

        def http(v: str, sku: str, size: int) -> float:
            reply = clients[v].call(
                "POST", "/api/v1/andons", {"sku": sku, "reason": REASON, "note": NOTE}
            )
            body = reply.json()
            if reply.status != 201 or body["holds"]["order_lines"] != size:
                raise AssertionError(f"{v} POST {sku}: {reply.status} {reply.body[:300]!r}")
            return reply.seconds

        def service(v: str, sku: str, size: int) -> float:
            return float(workers[v].ask("pull", sku, size))

        pull = {"http": http, "service": service}
        small = sizes[0]
        for v in codes:  # warm-up: imports, caches, connections
            for mode in MODES:
                pull[mode](v, skus[small].pop(), small)
        counted = {
            v: {s: int(workers[v].ask("count", skus[s].pop(), s)) for s in sizes} for v in codes
        }
        samples = {v: {m: {s: [] for s in sizes} for m in MODES} for v in codes}
        started = time.perf_counter()
        for rep in range(args.reps):
            k = rep % len(sizes)
            order = list(codes) if rep % 2 == 0 else list(reversed(codes))
            for size in sizes[k:] + sizes[:k]:
                for mode in MODES:
                    for v in order:
                        samples[v][mode][size].append(pull[mode](v, skus[size].pop(), size))
        seconds = time.perf_counter() - started
    finally:
        for w in workers.values():
            w.close()
        for s in servers.values():
            s.stop()
        scratch_drop("postgres", args.name)
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_before": load_before,
        "load_after": load_average(),
        "seconds": round(seconds, 1),
        "sizes": sizes,
        "reps": args.reps,
        "versions": {v: {"code": str(c), "commit": _commit(c)} for v, c in codes.items()},
        "statements": counted,
        "samples": samples,
    }


def report(run: dict) -> str:
    from bench.stats import Summary, table

    versions = run["versions"]
    out = [
        f"{run['date']}, load average {run['load_before']} → {run['load_after']}, "
        f"{run['seconds']} s of interleaved pulls; base {versions['base']['commit']}, "
        f"new {versions['new']['commit']}; statements per service pull (base / new): "
        + ", ".join(
            f"{int(s):,} lines {run['statements']['base'][str(s)]} / "
            f"{run['statements']['new'][str(s)]}"
            for s in run["sizes"]
        )
    ]
    titles = {
        "http": "`POST /api/v1/andons` to the served process (request to committed answer)",
        "service": "`andon_pull()` service call, in a worker process",
    }
    for mode in MODES:
        rows = []
        for s in run["sizes"]:
            base = Summary.of(run["samples"]["base"][mode][str(s)])
            for v in ("base", "new"):
                x = Summary.of(run["samples"][v][mode][str(s)])
                rows.append([versions[v]["commit"], s, *x.against(base)])
        out.append(
            f"**{titles[mode]}**\n\n"
            + table(
                [
                    "code",
                    "packed lines",
                    "samples",
                    "p50 ms",
                    "p95 ms",
                    "p99 ms",
                    "max ms",
                    "p50 / base p50",
                    "p99 / base p99",
                ],
                rows,
            )
        )
    return "\n\n".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--base", required=True, help="checkout of the baseline (main)")
    p.add_argument("--new", required=True, help="checkout of the candidate")
    p.add_argument("--name", default="andon_pull_ab", help="PostgreSQL scratch database")
    p.add_argument("--sizes", default="10,10000")
    p.add_argument("--reps", type=int, default=30)
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    run = _run(args)
    # JSON keys are strings: the report reads the run as it was written.
    run = json.loads(json.dumps(run))
    Path(args.out).write_text(json.dumps(run, ensure_ascii=False))
    print(report(run))
    return 0


if __name__ == "__main__":
    sys.exit(main())
