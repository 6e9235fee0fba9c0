"""The per-day membership summaries (MemberDay) the figures read for closed days: after every
kind of write (enrol, convert, renew, cancel, expire, a storefront's import and its replay,
writes dated on days already summed) the figures equal a full recomputation from the rows,
and they cost a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from andon.membership.day_marks import days_mark_stale
from andon.membership.days import days_refresh
from andon.membership.models import MemberDay
from andon.membership.rules import Change, Source, State
from andon.membership.selectors import member_kpis
from andon.membership.services import (
    membership_change,
    membership_enrol,
    membership_tick,
    plans_ensure_defaults,
)
from andon.membership.sync import Record, memberships_sync
from andon.orders.models import Customer

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 1, 5, 10, tzinfo=SH)


@pytest.fixture(autouse=True)
def _shanghai(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    plans_ensure_defaults()


def customers(n: int, prefix: str = "d") -> list[Customer]:
    return [Customer.objects.create(external_id=f"{prefix}-{i}", name=f"D{i}") for i in range(n)]


def enrol(c: Customer, at: dt.datetime, trial: bool = True, source: Source = Source.API):
    return membership_enrol(
        actor=None, customer=c, plan_code="member-98", source=source, trial=trial, at=at
    )


def months() -> list[tuple[dt.datetime, dt.datetime]]:
    starts = [dt.datetime(2026, m, 1, tzinfo=SH) for m in range(1, 6)]
    # A month, a week and a period cut mid-day (a launch's milestone "until now").
    return [
        *zip(starts, starts[1:], strict=False),
        (dt.datetime(2026, 2, 2, tzinfo=SH), dt.datetime(2026, 2, 9, tzinfo=SH)),
        (dt.datetime(2026, 1, 20, 13, tzinfo=SH), dt.datetime(2026, 3, 3, 17, 30, tzinfo=SH)),
    ]


def assert_summaries_equal_the_rows() -> None:
    """The figures with the summaries as they are, then with every summary dropped (all read
    from the rows): the same, for every period."""
    with_days = [member_kpis(since=a, until=b) for a, b in months()]
    with transaction.atomic():
        MemberDay.objects.all().delete()
        from_rows = [member_kpis(since=a, until=b) for a, b in months()]
        transaction.set_rollback(True)
    assert with_days == from_rows


def test_after_each_kind_of_write_the_summaries_equal_a_recomputation():
    trials, paid = customers(4), customers(3, "p")
    for i, c in enumerate(trials):
        enrol(c, T0 + dt.timedelta(days=i), source=[Source.API, Source.RECOVERY][i % 2])
    for c in paid:
        enrol(c, T0, trial=False)
    membership_change(actor=None, customer=trials[0], change=Change.CANCELLED, at=T0)
    membership_change(actor=None, customer=paid[0], change=Change.CANCELLED, at=T0)
    assert days_refresh() > 0 and MemberDay.objects.filter(stale=False).exists()
    assert_summaries_equal_the_rows()
    # Converted, renewed, expired by the tick (dated on summed days: they go stale).
    membership_tick(now=dt.datetime(2026, 2, 10, tzinfo=SH))
    assert_summaries_equal_the_rows()
    membership_tick(now=dt.datetime(2026, 3, 12, tzinfo=SH))
    assert_summaries_equal_the_rows()
    # The storefront's records of older members, then the same file again (no change).
    plan = trials[0].memberships.get().plan
    records = {
        i: (
            c,
            Record(
                plan,
                State.ACTIVE,
                dt.datetime(2026, 1, 2 + i, 9, tzinfo=SH),
                dt.datetime(2026, 4, 2 + i, 9, tzinfo=SH),
            ),
        )
        for i, c in enumerate(customers(3, "s"))
    }
    memberships_sync(records, actor_id=None, at=dt.datetime(2026, 3, 1, tzinfo=SH))
    assert_summaries_equal_the_rows()
    days_refresh()
    memberships_sync(records, actor_id=None, at=dt.datetime(2026, 3, 2, tzinfo=SH))
    assert_summaries_equal_the_rows()
    # A new enrolment dated on a summed day: that day is stale until the next refresh.
    days_refresh()
    enrol(customers(1, "late")[0], dt.datetime(2026, 2, 14, 12, tzinfo=SH))
    assert MemberDay.objects.get(day=dt.date(2026, 2, 14)).stale
    assert_summaries_equal_the_rows()
    days_refresh()
    assert not MemberDay.objects.filter(stale=True).exists()
    assert_summaries_equal_the_rows()
    feb = member_kpis(since=dt.datetime(2026, 2, 1, tzinfo=SH), until=months()[1][1])
    assert feb.enrolments == 1 and feb.trials_converted == 3


def test_a_day_marked_while_the_refresh_summed_it_stays_stale():
    enrol(customers(1)[0], T0)
    days_refresh()
    read = MemberDay.objects.get(day=T0.date())  # what a refresh reads before summing
    days_mark_stale([T0])  # a write dated that day commits meanwhile
    # The refresh replaces only the version it read: the day stays stale, read from the rows.
    assert not MemberDay.objects.filter(day=read.day, version=read.version).update(stale=False)
    assert MemberDay.objects.get(day=T0.date()).stale
    assert days_refresh() == 1 and not MemberDay.objects.get(day=T0.date()).stale


def test_the_figures_with_summaries_cost_six_queries_whatever_the_days(
    django_assert_max_num_queries,
):
    for i, c in enumerate(customers(30)):
        enrol(c, T0 + dt.timedelta(days=i), trial=i % 2 == 0)
    membership_tick(now=dt.datetime(2026, 3, 1, tzinfo=SH))
    assert MemberDay.objects.count() > 60
    with django_assert_max_num_queries(6):
        member_kpis(since=dt.datetime(2026, 2, 1, tzinfo=SH), until=months()[1][1])
