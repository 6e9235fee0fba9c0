"""The pull benchmark still runs: quick sizes, in-process, on the test database.

No timing assertions (SPEC: speed targets live in bench/, not in timed tests): only that it
produced numbers and that a pull's query count does not grow with the lines it holds.
"""

from __future__ import annotations

import pytest

from bench.pulls import API_IN_PROCESS, SERVICE, render, run_pulls
from bench.run import QUICK
from bench.world import build_world

pytestmark = pytest.mark.django_db

SIZES = [10, 100]


def test_quick_pull_benchmark_produces_numbers_with_constant_query_counts():
    assert set(SIZES) <= set(QUICK.sizes)
    report = run_pulls(build_world(), sizes=SIZES, reps=QUICK.reps)

    for size in SIZES:
        samples = report.samples[SERVICE][size]
        assert len(samples) == QUICK.reps and all(s > 0 for s in samples)
    for mode in (SERVICE, API_IN_PROCESS):
        counts = report.queries[mode]
        assert counts[10] > 0
        assert counts[10] == counts[100], (mode, counts)
    assert "median" in render(report)
