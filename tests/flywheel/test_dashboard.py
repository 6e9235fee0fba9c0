"""Each figure's arithmetic on the small world, for the organisation and for one team."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from andon.flywheel import selectors, summaries
from andon.flywheel.models import FigureTarget
from andon.flywheel.rules import Element

from .small_world import TODAY, W, build_small

pytestmark = pytest.mark.django_db


def values(d):
    return {f.key: f.value for e in d.elements for f in e.figures}


def test_organisation_week(world):
    build_small(world)
    d = selectors.dashboard(period="week", today=TODAY)
    assert d.window.starts[-1] == W and len(d.window.starts) == 12
    v = values(d)
    assert v["pulls"] == 2
    assert v["contain_hours"] == Decimal("24.0")  # A1 only: A2 has no evidence
    assert v["relist_hours"] == Decimal("48.0")  # A1 only: A2 is open
    assert v["problems_pulled"] == Decimal("0.5000")
    assert v["recovery_within_guide"] == Decimal("0.5000")
    assert v["bad_andon_rate"] == Decimal("0.5000")
    assert v["reviews_on_time"] == Decimal("0.5000")
    assert v["agents_pulling"] == Decimal("1.0000")  # 2 pullers / 2 agents with contacts
    assert v["bonuses_paid"] == Decimal("50.00")
    assert v["actions_on_time"] == Decimal("0.5000")
    assert v["complaints_per_1000_orders"] == Decimal("750.00")  # 3 contacts / 4 orders
    assert v["repeat_contact_rate"] == Decimal("0.3333")
    assert v["products_suppressed"] == 1
    assert v["gmv_protected"] == Decimal("380.00")
    assert v["recovery_cost_per_order"] == Decimal("20.00")
    assert v["training_actions_done"] == 1
    assert v["minutes_per_contact"] == Decimal("10.0")
    assert v["work_orders_by_department"] == 2
    assert d.figure("work_orders_by_department").series == {
        "vendor-management": [0] * 11 + [1],
        "warehouse-logistics": [0] * 11 + [1],
    }
    assert v["repeat_problems_after_fix"] == 1
    assert v["work_order_sla_met"] == Decimal("0.5000")
    # The trend: the earlier pull is in the week before W; no data is None, not a zero rate.
    assert d.figure("pulls").trend[-2:] == [1, 2]
    assert d.figure("relist_hours").trend[-2] == Decimal("6.0")
    assert d.figure("recovery_within_guide").trend[-2] is None
    membership = next(e for e in d.elements if e.element == Element.MEMBERSHIP)
    assert membership.figures and v["enrolments"] == 0 and v["trial_conversion"] is None


def test_team_view_filters_team_figures(world):
    s = build_small(world)
    v = values(selectors.dashboard(period="week", team_id=s.team1.pk, today=TODAY))
    assert v["pulls"] == 1
    assert v["bad_andon_rate"] == Decimal("0.0000")
    assert v["recovery_within_guide"] == Decimal("0.5000")
    assert v["agents_pulling"] == Decimal("1.0000")  # agent1 handled contacts and pulled
    assert v["minutes_per_contact"] == Decimal("7.5")  # agent1's two contacts
    assert v["actions_on_time"] is None  # team 2's review
    assert v["repeat_problems_after_fix"] == 0
    # Orders are the organisation's: the team's 2 contacts over all 4 orders.
    assert v["complaints_per_1000_orders"] == Decimal("500.00")


def test_month_and_targets(world):
    build_small(world)
    FigureTarget.objects.create(key="work_order_sla_met", value=Decimal("0.9"))
    d = selectors.dashboard(period="month", today=TODAY.replace(month=4, day=2))
    assert d.window.labels[-1] == "2026-03"
    sla = d.figure("work_order_sla_met")
    assert sla.value == Decimal("0.5000") and sla.target == Decimal("0.9") and sla.status == "red"
    rate = d.figure("bad_andon_rate")
    assert rate.target == Decimal("0.02") and rate.status == "red"
    assert d.figure("pulls").value == 3


def test_query_count_does_not_grow_with_data(world):
    s = build_small(world)
    with CaptureQueriesContext(connection) as small:
        before = sum(selectors.dashboard(period="week", today=TODAY).figure("pulls").trend)
    # Ten times more pulls, contacts and work orders across the window.
    from andon.pulls.models import Andon

    for i in range(10):
        Andon.objects.create(
            product=s.product,
            reason=s.a1.reason,
            note="n",
            state="closed",
            opened_at=s.a1.opened_at.replace(day=1 + i),
            closed_at=s.a1.closed_at,
            opened_by=s.a1.opened_by,
            team=s.team1,
        )
    summaries.tick()  # the back-dated pulls are seen by the summaries' next tick
    with CaptureQueriesContext(connection) as big:
        d = selectors.dashboard(period="week", today=TODAY)
    assert sum(d.figure("pulls").trend) == before + 10
    # Targets, policy, the summaries (days, periods, departments), the bad-andon rate's
    # tallies, and membership's enrolments and changes (one GROUP BY each).
    assert len(small) == len(big) <= 12


def test_query_count_bound(world, django_assert_max_num_queries):
    build_small(world)
    with django_assert_max_num_queries(12):
        selectors.dashboard(period="month", today=TODAY)
