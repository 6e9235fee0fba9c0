"""The flywheel bench's reads run in-process on the test database (the small world of
tests/flywheel) and report numbers and query counts; it never asserts a time."""

from __future__ import annotations

import pytest

from bench import flywheel

from ..flywheel.small_world import build_small


@pytest.mark.django_db
def test_flywheel_bench_measures_every_read(world):
    build_small(world)
    rows = flywheel.measure(runs=2)
    names = [n for n, _, _ in rows]
    # The reads, the live GROUP BYs before the summaries (week, month), and the summaries' tick.
    assert names[0].startswith("baseline") and len(names) == 10
    for name, summary, queries in rows:
        assert summary.n == 2 and summary.p95_ms >= 0
        # The tick recounts the trailing fortnight: a fixed ~70 statements, not a page read.
        assert 1 <= queries <= (100 if name.startswith("summaries tick") else 20)
