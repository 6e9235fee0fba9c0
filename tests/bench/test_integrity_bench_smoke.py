"""The integrity benchmarks still run: one planted world through the quality bench's seed run,
and the speed bench's world and scan at a toy size on PostgreSQL. No timing assertions."""

from __future__ import annotations

import pytest
from django.db import connection

from bench import integrity_quality, integrity_scan


@pytest.mark.django_db
def test_the_quality_bench_scores_a_seed():
    scores, named, took, contacts = integrity_quality.run_seed(91, customers=400)
    assert {s.kind for s in scores} >= {"customer-fraud", "staff-misuse", "system-error"}
    assert contacts > 0 and took > 0
    assert named == []


@pytest.mark.django_db
def test_the_speed_bench_builds_a_world_and_scans_it():
    if connection.vendor != "postgresql":
        pytest.skip("the speed bench writes its world with PostgreSQL's generate_series")
    # VACUUM cannot run inside the test's transaction: ANALYZE only.
    built = integrity_scan.build(2_000, 400, 4_000, vacuum=False)
    assert built["total build"] > 0
    steps, baseline, counts = integrity_scan.measure()
    assert "customer-fraud" in steps and baseline >= 0 and set(counts) >= {"staff-misuse"}
