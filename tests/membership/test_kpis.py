"""Member figures: arithmetic on edge cases (nothing to divide, a month boundary in
Asia/Shanghai), member share of orders and GMV, and a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from andon.catalog.models import Product
from andon.membership.rules import Change, Source
from andon.membership.selectors import member_kpis
from andon.membership.services import (
    membership_change,
    membership_enrol,
    membership_tick,
    plans_ensure_defaults,
)
from andon.orders.models import Customer, Order, OrderLine

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
FEB = (dt.datetime(2026, 2, 1, tzinfo=SH), dt.datetime(2026, 3, 1, tzinfo=SH))


@pytest.fixture(autouse=True)
def _shanghai(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    plans_ensure_defaults()


def customer(n: int) -> Customer:
    return Customer.objects.create(external_id=f"k-{n}", name=f"K{n}")


def enrol(c, at, trial=True, source=Source.API):
    return membership_enrol(
        actor=None, customer=c, plan_code="member-98", source=source, trial=trial, at=at
    )


def test_an_empty_period_has_no_rates_not_zero_percent():
    k = member_kpis(since=FEB[0], until=FEB[1])
    assert k.enrolments == 0 and k.trial_conversion is None and k.renewal_rate is None
    assert k.churn is None and k.member_gmv_share is None and k.member_order_share is None
    assert [p.month for p in k.trend][-1] == dt.date(2026, 2, 1) and len(k.trend) == 6


def test_the_month_is_shanghais_an_enrolment_at_1am_on_1_february_counts_in_february():
    # 17:00 UTC on 31 January is 01:00 on 1 February in Shanghai.
    enrol(customer(1), dt.datetime(2026, 1, 31, 17, tzinfo=dt.UTC), source=Source.RECOVERY)
    enrol(customer(2), dt.datetime(2026, 1, 31, 15, tzinfo=dt.UTC))  # 23:00 on 31 January
    feb = member_kpis(since=FEB[0], until=FEB[1])
    assert feb.enrolments == 1 and feb.enrolments_by_source == {"recovery": 1}
    jan = member_kpis(since=dt.datetime(2026, 1, 1, tzinfo=SH), until=FEB[0])
    assert jan.enrolments == 1 and jan.enrolments_by_source == {"api": 1}
    assert [(p.month.month, p.enrolments) for p in feb.trend[-2:]] == [(1, 1), (2, 1)]


def test_conversion_renewal_and_churn():
    t0 = dt.datetime(2026, 1, 5, tzinfo=SH)
    trials = [enrol(customer(i), t0) for i in range(4)]  # end 4 February
    membership_change(actor=None, customer=trials[0].customer, change=Change.CANCELLED, at=t0)
    paid = [enrol(customer(10 + i), t0, trial=False) for i in range(2)]  # renew 5 February
    membership_change(actor=None, customer=paid[0].customer, change=Change.CANCELLED, at=t0)
    membership_tick(now=dt.datetime(2026, 2, 10, tzinfo=SH))
    k = member_kpis(since=FEB[0], until=FEB[1])
    # Trials: 3 converted in February (the one cancelled in January was decided then).
    assert (k.trials_converted, k.trials_decided, k.trial_conversion) == (3, 3, 1.0)
    # Paid periods due in February: one renewed, one (cancelled) expired.
    assert (k.renewed, k.churned, k.renewal_rate) == (1, 1, 0.5)
    assert (k.paid_at_start, k.churn) == (2, 0.5)
    jan = member_kpis(since=dt.datetime(2026, 1, 1, tzinfo=SH), until=FEB[0])
    assert (jan.trials_decided, jan.trials_converted, jan.trial_conversion) == (1, 0, 0.0)


def test_member_share_of_orders_and_gmv_counts_membership_at_the_time_of_the_order():
    product = Product.objects.create(sku="978-k", title="书", price="40.00")
    member, other = customer(1), customer(2)
    enrol(member, dt.datetime(2026, 2, 10, tzinfo=SH))
    for n, (c, day, price) in enumerate(
        [(member, 5, "100"), (member, 15, "60"), (other, 15, "40")]
    ):
        o = Order.objects.create(
            external_id=f"o-{n}", customer=c, placed_at=dt.datetime(2026, 2, day, tzinfo=SH)
        )
        OrderLine.objects.create(order=o, line_no=1, product=product, quantity=1, unit_price=price)
    k = member_kpis(since=FEB[0], until=FEB[1])
    assert (k.orders, k.member_orders, k.member_order_share) == (3, 1, 0.3333)
    assert (k.gmv, k.member_gmv, k.member_gmv_share) == (Decimal("200.00"), Decimal("60.00"), 0.3)


def test_the_figures_cost_the_same_queries_for_2_or_40_members(django_assert_num_queries):
    t0 = dt.datetime(2026, 1, 5, tzinfo=SH)
    for i in range(40):
        enrol(customer(i), t0, trial=i % 2 == 0)
    membership_tick(now=dt.datetime(2026, 2, 10, tzinfo=SH))
    # Summed days (February's orders and GMV with them), the rest of the days' enrolments and
    # changes (before the first membership: nothing summed), paid at start, contacts.
    with django_assert_num_queries(5):
        member_kpis(since=FEB[0], until=FEB[1])


def test_close_the_loop_recovered_customers_who_joined_converted_and_ordered_again(world):
    from andon.membership.services import membership_tick as tick
    from andon.recovery.members import recovered_members
    from andon.recovery.services import catalogue_ensure_defaults, recovery_give

    from ..reviews.factories import reported_product

    catalogue_ensure_defaults()
    _, [a, b] = reported_product(agent=world.users["agent1"])
    joined = recovery_give(actor=world.users["agent1"], contact_id=a.pk, action="membership-98")
    recovery_give(actor=world.users["agent1"], contact_id=b.pk, action="coupon-5")
    since = joined.given_at - dt.timedelta(days=1)
    product = a.product
    o = Order.objects.create(
        external_id="again", customer=a.customer, placed_at=joined.given_at + dt.timedelta(days=40)
    )
    OrderLine.objects.create(order=o, line_no=1, product=product)
    tick(now=joined.given_at + dt.timedelta(days=31))
    loop = recovered_members(since=since, until=joined.given_at + dt.timedelta(days=1))
    mine = loop.recovered
    assert (mine.customers, mine.enrolled, mine.converted, mine.renewed) == (2, 1, 1, 0)
    assert (mine.ordered_30, mine.ordered_90) == (0, 1)
    assert loop.control.customers == 0  # both who complained were given recovery


def test_the_kpi_api_for_managers_only_in_a_fixed_number_of_queries(
    api, world, django_assert_max_num_queries
):
    enrol(customer(1), dt.datetime(2026, 2, 3, tzinfo=SH), source=Source.RECOVERY)
    with django_assert_max_num_queries(14):
        r = api.call("GET", "/kpis/membership?period=month&date=2026-02-14", "lead1")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["since"].startswith("2026-02-01T00:00:00+08:00")
    assert body["enrolments_by_source"] == {"recovery": 1}
    assert body["trial_conversion"] is None and body["anchors"]["trial_conversion"] == 0.73
    assert body["recovered"]["recovered"] == 0 and len(body["trend"]) == 6
    week = api.call("GET", "/kpis/membership?period=week&date=2026-02-04", "lead1").json()
    assert week["since"].startswith("2026-02-02") and week["enrolments"] == 1
    assert api.call("GET", "/kpis/membership", "agent1").status_code == 403
    bad = api.call("GET", "/kpis/membership?period=year", "lead1")
    assert bad.status_code == 422 and bad.json()["field"] == "period"
