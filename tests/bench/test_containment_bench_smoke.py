"""The containment benchmark still runs, tiny, on SQLite: both pulls are timed and written.
No timing assertions (bench/RESULTS-containment.md has the figures)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_quick_containment_bench_times_both_pulls(tmp_path):
    results = tmp_path / "results.md"
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "bench.containment", "--db", "sqlite", "--packed", "50"]
        + ["--buyers", "200", "--runs", "3", "--results", str(results)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    text = results.read_text()
    assert "| with the panel | 3 |" in text and "| without (today's pull) | 3 |" in text
