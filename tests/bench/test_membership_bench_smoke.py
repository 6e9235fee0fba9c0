"""The membership benchmark still runs, tiny, in its own PostgreSQL database: it loads,
times the member figures against the baseline, ticks every due membership once and finds
nothing due the second time; then the orders-and-GMV shapes of bench/membership_orders.py
all give the code's answer on that database. No timing assertions
(bench/RESULTS-membership.md has them)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_quick_membership_bench_measures_and_ticks_once(tmp_path):
    results = tmp_path / "results.md"
    env = {**os.environ, "ANDON_MEMBERBENCH_DB": "andon_memberbench_smoke"}
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "bench.membership", "--customers", "2000", "--members", "400"]
        + ["--orders", "1000", "--runs", "3", "--results", str(results)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    text = results.read_text()
    assert "| member_kpis, one month | 3 |" in text
    assert "| both: the API's member figures | 3 |" in text and "control group" in text
    assert "The same tick again at the same instant" in text and "nothing due" in text
    shapes = subprocess.run(
        [sys.executable, "-m", "bench.membership_orders", "--runs", "1"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    rows = [r for r in shapes.splitlines() if r.startswith("| ") and "| 1 |" in r]
    assert len(rows) == 10 and not any(r.endswith("| NO |") for r in rows), shapes
