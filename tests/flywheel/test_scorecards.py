from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from andon.flywheel.families import bounds
from andon.flywheel.scorecards import andons_behind, scorecards

from .small_world import W, build_small

pytestmark = pytest.mark.django_db


def _range():
    return bounds(W - dt.timedelta(weeks=1), W + dt.timedelta(weeks=1))


def test_supplier_scorecard(world):
    s = build_small(world)
    since, until = _range()
    rows = {r.key: r for r in scorecards(by="supplier", since=since, until=until)}
    # A1 from S1's batch (its evidence), A0 (no evidence, no holds) unknown, A2 unknown.
    s1 = rows["S1"]
    assert (s1.pulls, s1.problems, s1.units_held, s1.gmv_suppressed) == (1, 1, 4, Decimal("380.00"))
    assert s1.fix_hours == Decimal("48.0") and s1.repeats == 0
    assert rows[""].pulls == 2 and rows[""].repeats == 1
    assert [a.pk for a in andons_behind(by="supplier", key="S1", since=since, until=until)] == [
        s.a1.pk
    ]


def test_manufacturer_and_department_scorecards(world):
    build_small(world)
    since, until = _range()
    m = {r.key: r for r in scorecards(by="manufacturer", since=since, until=until)}
    assert m["M1"].pulls == 1
    d = {r.key: r for r in scorecards(by="department", since=since, until=until)}
    vendor, warehouse = d["vendor-management"], d["warehouse-logistics"]
    assert (
        vendor.pulls == 1 and vendor.units_held == 4 and vendor.gmv_suppressed == Decimal("380.00")
    )
    assert vendor.fix_hours == Decimal("10.0") and vendor.sla_met == Decimal("1.0000")
    assert warehouse.fix_hours == Decimal("20.0") and warehouse.sla_met == Decimal("0.0000")
