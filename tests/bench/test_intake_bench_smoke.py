"""The intake bench's parts still work (no timing: speed lives in bench/): its count of one
contact's statements, its table with p50/p95/p99 and the share of the bare view's rate."""

from __future__ import annotations

import pytest

from bench.intake import BARE, CONTACTS, HEALTHZ, Load, contact_statements, render, statement_kinds
from bench.world import build_world, seed_intake

pytestmark = pytest.mark.django_db


def test_the_intake_bench_counts_statements_and_renders_its_table():
    world = build_world()
    lines = seed_intake(world, products=1, orders_per_product=2)
    statements = contact_statements(world.token, lines[0])
    assert 0 < len(statements) <= 30 and "INSERT" in statement_kinds(statements)
    loads = [
        Load(HEALTHZ, 1, 3, [0.001] * 3, wall_seconds=0.01),
        Load(BARE, 1, 3, [0.002] * 3, wall_seconds=0.02),
        Load(CONTACTS, 1, 3, [0.004] * 3, wall_seconds=0.04),
    ]
    out = render(loads)
    assert "p95 ms" in out and "p99 ms" in out and "n (ok)" in out
    assert "| ceiling |" in out and "| 50% |" in out


def test_the_intake_bench_compares_cpu_per_request_with_the_bare_view():
    loads = [
        Load(BARE, 1, 3, [0.002] * 3, wall_seconds=0.02, app_cpu=0.003, db_cpu=0.0),
        Load(CONTACTS, 1, 3, [0.004] * 3, wall_seconds=0.04, app_cpu=0.009, db_cpu=0.003),
    ]
    out = render(loads)
    assert "server CPU ms/req" in out and "| 3.00 | 1.00 | 25% |" in out
