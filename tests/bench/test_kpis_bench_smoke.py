"""The report bench's reads (now and before) run in-process on the test database (the small
world of tests/flywheel) and report p50/p95/p99 with their sample count; sizes parse with
k/M suffixes. It never asserts a time."""

from __future__ import annotations

import pytest

from bench import kpis

from ..flywheel.small_world import build_small


def test_sizes_take_suffixes():
    assert [kpis.size(s) for s in ("10M", "3m", "100k", "2,500", "1.5M")] == [
        10_000_000,
        3_000_000,
        100_000,
        2_500,
        1_500_000,
    ]


@pytest.mark.django_db
def test_kpis_bench_measures_now_and_before(world):
    build_small(world)
    rows = kpis.measure(runs=2, budget_s=0.0, with_before=True)
    names = [n for n, _, _ in rows]
    assert names[0].startswith("baseline") and len(names) == 15
    assert sum(n.startswith("… before") for n in names) == 7
    for _name, summary, queries in rows:
        assert summary.n >= 2 and summary.p99_ms >= summary.median_ms >= 0 and queries <= 12
