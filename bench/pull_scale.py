"""The pull against the number of packed lines it holds, for one version of the code, and a
side-by-side report of two versions (issue 11, point 1).

    # one version (the code of this tree, or of another checkout with --code) into a JSON file
    .venv/bin/python bench/pull_scale.py run --db postgres --code /path/to/checkout \
        --sizes 10,1000,10000 --reps 30 --out /tmp/base-pg.json
    # the report of a baseline and a candidate measured in the same session
    .venv/bin/python bench/pull_scale.py report /tmp/base-pg.json /tmp/new-pg.json ...

`run` builds a scratch database (PostgreSQL database `--name`, or a SQLite file), migrates it
with the code under test, seeds the products (bench/world.py) and times fresh pulls through
bench/pulls.py: the service call in this process and `POST /api/v1/andons` to a served
process of the same code, sizes rotated each repetition. `--code` puts another checkout's
`andon` package first (for this process and the served one) while the bench itself stays this
tree's, so that a baseline and a candidate are measured by the same bench.
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


def _run(args: argparse.Namespace) -> None:
    code = Path(args.code).resolve() if args.code else HERE
    if code != HERE:
        # The code under test first: `andon` is imported from it here and in the served process.
        sys.path.insert(0, str(code))
        os.environ["PYTHONPATH"] = str(code)
        import andon  # noqa: F401  (bound now, before this tree's path comes first)
    sys.path.insert(0, str(HERE))
    from bench.report import load_average
    from bench.scratch import scratch_drop, scratch_setup

    load_before = load_average()
    url = scratch_setup(args.db, args.name)
    try:
        from bench import pulls
        from bench.server import served
        from bench.world import build_world

        world = build_world()
        sizes = [int(s) for s in args.sizes.split(",")]
        started = time.perf_counter()
        if args.http:
            with served(url, prefix="andon-pull-scale-") as server:
                report = pulls.run_pulls(world, sizes=sizes, reps=args.reps, port=server.port)
        else:
            report = pulls.run_pulls(world, sizes=sizes, reps=args.reps)
        elapsed = time.perf_counter() - started
    finally:
        scratch_drop(args.db, args.name)
    commit = subprocess.run(
        ["git", "-C", str(code), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(code), "status", "--porcelain", "--", "andon"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    out = {
        "label": args.label,
        "db": args.db,
        "commit": commit + (" (with uncommitted changes)" if dirty else ""),
        "code": str(code),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_before": load_before,
        "load_after": load_average(),
        "seconds": round(elapsed, 1),
        "seeded_lines": report.seeded_lines,
        "sizes": report.sizes,
        "reps": report.reps,
        "samples": {m: {str(s): v for s, v in per.items()} for m, per in report.samples.items()},
        "queries": {m: {str(s): n for s, n in per.items()} for m, per in report.queries.items()},
        "slowest": {
            str(s): sorted(
                ([round(t * 1000, 2), " ".join(sql.split())[:100]] for t, sql in st),
                reverse=True,
            )[:4]
            for s, st in report.statements.items()
        },
        "counted": {
            str(s): [round(w * 1000, 2), round(c * 1000, 2)] for s, (w, c) in report.counted.items()
        },
    }
    Path(args.out).write_text(json.dumps(out, ensure_ascii=False))
    print(f"{args.label} {args.db}: written to {args.out} ({elapsed:.0f} s)")


def _report(paths: list[str]) -> str:
    sys.path.insert(0, str(HERE))
    from bench.stats import Summary, table

    runs = [json.loads(Path(p).read_text()) for p in paths]
    out = []
    for db in dict.fromkeys(r["db"] for r in runs):
        mine = [r for r in runs if r["db"] == db]
        out.append(f"### {'PostgreSQL' if db == 'postgres' else 'SQLite'}")
        out.append(
            table(
                ["run", "code", "date", "load avg before → after", "seconds", "lines seeded"],
                [
                    [
                        r["label"],
                        r["commit"],
                        r["date"],
                        f"{r['load_before']} → {r['load_after']}",
                        r["seconds"],
                        r["seeded_lines"],
                    ]
                    for r in mine
                ],
            )
        )
        for mode, title in (
            ("http", "`POST /api/v1/andons` to the served process (request to committed answer)"),
            ("service", "`andon_pull()` service call, in the bench process"),
        ):
            rows = []
            for r in mine:
                if mode not in r["samples"]:
                    continue
                base = Summary.of(r["samples"][mode][str(r["sizes"][0])])
                for s in r["sizes"]:
                    x = Summary.of(r["samples"][mode][str(s)])
                    rows.append([r["label"], s, *x.against(base)])
            if rows:
                first = mine[0]["sizes"][0]
                out.append(
                    f"**{title}**\n\n"
                    + table(
                        [
                            "run",
                            "packed lines",
                            "samples",
                            "p50 ms",
                            "p95 ms",
                            "p99 ms",
                            "max ms",
                            f"p50 / {first}-line p50",
                            f"p99 / {first}-line p99",
                        ],
                        rows,
                    )
                )
        out.append(
            "**Statements per pull** (one counted pull per size: the service call; the whole "
            "in-process API request)\n\n"
            + table(
                ["run", *[f"{s:,} lines" for s in mine[0]["sizes"]]],
                [
                    [
                        r["label"],
                        *[
                            f"{r['queries']['service'][str(s)]} / "
                            f"{r['queries']['api-in-process'][str(s)]}"
                            for s in r["sizes"]
                        ],
                    ]
                    for r in mine
                ],
            )
        )
        rows = []
        for r in mine:
            big = str(r["sizes"][-1])
            wall, commit = r["counted"][big]
            rows.append([r["label"], f"{wall:.2f}", f"{commit:.2f}"])
            for ms, sql in r["slowest"][big][:3]:
                rows.append(["", f"{ms:.2f}", "`" + sql.replace("|", "\\|") + "…`"])
        out.append(
            f"**Where the time goes at {mine[0]['sizes'][-1]:,} lines** (the counted pull: "
            "wall ms, COMMIT ms, then its 3 slowest statements)\n\n"
            + table(["run", "ms", "COMMIT ms / statement"], rows)
        )
    return "\n\n".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    r.add_argument("--code", default=None, help="checkout whose `andon` is measured")
    r.add_argument("--label", default="candidate")
    r.add_argument("--name", default="andon_pull_scale", help="PostgreSQL scratch database")
    r.add_argument("--sizes", default="10,1000,10000")
    r.add_argument("--reps", type=int, default=30)
    r.add_argument("--no-http", dest="http", action="store_false")
    r.add_argument("--out", required=True)
    rep = sub.add_parser("report")
    rep.add_argument("paths", nargs="+")
    args = p.parse_args(argv)
    if args.cmd == "run":
        _run(args)
    else:
        print(_report(args.paths))
    return 0


if __name__ == "__main__":
    sys.exit(main())
