"""The silent-cord alarm: a planted silence fires, a planted drop in complaints does not;
the check writes each alarm once with its outbox event."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from andon.catalog.models import Product
from andon.contacts.models import Contact, ReasonCode
from andon.core.models import OutboxEvent
from andon.flywheel import rules, summaries
from andon.flywheel.alarms import alarms, silences
from andon.flywheel.models import SilentCordAlarm
from andon.flywheel.services import alarms_raise
from andon.orders.models import Customer, Order, OrderLine
from andon.people.models import Team
from andon.pulls.models import Andon

from .small_world import TODAY, W, at


def test_binomial_tail():
    assert math.isclose(rules.binom_cdf(0, 10, 0.5), 1 / 1024)
    assert math.isclose(rules.binom_cdf(1, 4, 0.25), 0.75**4 + 4 * 0.25 * 0.75**3)
    assert rules.binom_cdf(10, 10, 0.3) == 1.0


def test_silence_test_arithmetic():
    base_p, base_c = [10] * 8, [100] * 8
    silent = rules.silence_test(
        pulls=1, contacts=100, baseline_pulls=base_p, baseline_contacts=base_c
    )
    assert silent.expected == 10.0 and silent.alarm and silent.p_value < 0.01
    assert silent.baseline_rate == 100 and silent.rate == 10
    # Complaints fell tenfold and pulls with them: not an alarm.
    fewer = rules.silence_test(
        pulls=1, contacts=10, baseline_pulls=base_p, baseline_contacts=base_c
    )
    assert not fewer.alarm and fewer.expected == 1.0
    # Within noise: 7 against 10 expected.
    assert not rules.silence_test(
        pulls=7, contacts=100, baseline_pulls=base_p, baseline_contacts=base_c
    ).alarm
    # More pulls than expected is never an alarm; no baseline, no test.
    assert not rules.silence_test(
        pulls=30, contacts=100, baseline_pulls=base_p, baseline_contacts=base_c
    ).alarm
    none = rules.silence_test(
        pulls=0, contacts=100, baseline_pulls=[0] * 8, baseline_contacts=base_c
    )
    assert none.p_value is None and not none.alarm


def _plant(world, *, team_code: str, agent: str, now_contacts: int, now_pulls: int, sku: str):
    """Eight baseline weeks of 100 contacts and 10 pulls, then W with the given numbers."""
    reason = ReasonCode.objects.get(code="print-defect")
    product = Product.objects.create(sku=sku, title=sku)
    customer = Customer.objects.create(external_id=f"cust-{sku}", name="c")
    order = Order.objects.create(external_id=f"o-{sku}", customer=customer, placed_at=at(-70))
    line = OrderLine.objects.create(order=order, line_no=1, product=product)
    user = world.users[agent]
    team = Team.objects.get(code=team_code)
    contacts, andons = [], []
    for week in range(-8, 1):
        start = W + dt.timedelta(weeks=week)
        n_contacts, n_pulls = (now_contacts, now_pulls) if week == 0 else (100, 10)
        for i in range(n_contacts):
            contacts.append(
                Contact(
                    created_at=at(i % 5, 9 + i % 8, start),
                    customer=customer,
                    order_line=line,
                    product=product,
                    reason=reason,
                    agent=user,
                )
            )
        for i in range(n_pulls):
            andons.append(
                Andon(
                    product=product,
                    reason=reason,
                    note="n",
                    state="closed",
                    opened_at=at(i % 5, 12, start),
                    closed_at=at(i % 5, 13, start),
                    opened_by=user,
                    team=team,
                )
            )
    Contact.objects.bulk_create(contacts)
    Andon.objects.bulk_create(andons)
    summaries.tick()  # the test reads the summaries (the tick after the rows are written)
    return team


@pytest.mark.django_db
def test_planted_silence_fires_and_drop_in_complaints_does_not(world):
    silent = _plant(
        world, team_code="team-1", agent="agent1", now_contacts=100, now_pulls=1, sku="S1"
    )
    quiet = _plant(
        world, team_code="team-2", agent="agent2", now_contacts=10, now_pulls=1, sku="S2"
    )
    tests = {s.team_code: s for s in silences(period="week", today=TODAY)}
    assert tests["team-1"].period_start == W
    assert tests["team-1"].test.alarm and tests["team-1"].test.expected == 10.0
    assert not tests["team-2"].test.alarm
    assert [a.team_id for a in alarms(period="week", today=TODAY)] == [silent.pk]
    assert alarms(period="week", today=TODAY, team_id=quiet.pk) == []


@pytest.mark.django_db
def test_check_writes_each_alarm_once_with_its_event(world):
    silent = _plant(
        world, team_code="team-1", agent="agent1", now_contacts=100, now_pulls=1, sku="S1"
    )
    written = alarms_raise(period="week", today=TODAY)
    assert [a.team_id for a in written] == [silent.pk]
    assert alarms_raise(period="week", today=TODAY) == []
    assert SilentCordAlarm.objects.count() == 1
    events = list(OutboxEvent.objects.filter(event_type="flywheel.alarm"))
    assert len(events) == 1
    p = events[0].payload
    assert p["team"] == "team-1" and p["pulls"] == 1 and p["expected_pulls"] == 10.0
    assert p["contacts"] == 100 and p["baseline_pulls"] == 80 and p["p_value"] < 0.01


@pytest.mark.django_db
def test_command_runs_the_check(world):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("flywheel-alarms", "--period", "month", stdout=out)
    assert "0 new silent-cord alarm(s) for the last month" in out.getvalue()
