"""The membership element: enrolments, trial conversion and renewal rate per period, counted
by membership's own rules (the figures agree with the membership page's KPIs)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from andon.flywheel import selectors
from andon.flywheel.rules import Element, Layer
from andon.membership.rules import Change, Source
from andon.membership.selectors import member_kpis
from andon.membership.services import (
    membership_change,
    membership_enrol,
    membership_tick,
    plans_ensure_defaults,
)
from andon.orders.models import Customer

pytestmark = pytest.mark.django_db


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _enrol(n: int, at: dt.datetime, trial: bool = True):
    c = Customer.objects.create(external_id=f"m-{n}", name=f"M{n}")
    return membership_enrol(
        actor=None, customer=c, plan_code="member-98", source=Source.API, trial=trial, at=at
    )


def build_members() -> None:
    """Six enrolments on Monday 5 January 2026: four trials (one cancelled at once, decided
    in January; three convert) and two paid (one cancelled: one renews, one expires), the
    changes recorded by the tick on Tuesday 10 February."""
    plans_ensure_defaults()
    t0 = dt.datetime(2026, 1, 5, 10, tzinfo=_tz())
    trials = [_enrol(i, t0) for i in range(4)]
    membership_change(actor=None, customer=trials[0].customer, change=Change.CANCELLED, at=t0)
    paid = [_enrol(10 + i, t0, trial=False) for i in range(2)]
    membership_change(actor=None, customer=paid[0].customer, change=Change.CANCELLED, at=t0)
    membership_tick(now=dt.datetime(2026, 2, 10, tzinfo=_tz()))


def membership_of(d: selectors.Dashboard):
    return next(e for e in d.elements if e.element == Element.MEMBERSHIP)


def test_month_figures_and_trend():
    build_members()
    d = selectors.dashboard(period="month", today=dt.date(2026, 3, 2))
    m = membership_of(d)
    assert m.layer == Layer.MEMBERSHIP
    assert [f.key for f in m.figures] == ["enrolments", "trial_conversion", "renewal_rate"]
    assert d.window.labels[-2:] == ["2026-01", "2026-02"]
    assert d.figure("enrolments").trend[-2:] == [6, 0]
    assert d.figure("enrolments").trend[:-2] == [0] * 10
    # January: the one trial decided was cancelled; February: three of three converted.
    assert d.figure("trial_conversion").trend[-2:] == [Decimal("0.0000"), Decimal("1.0000")]
    # No renewal was due in January (None, not 0 %); in February one renewed, one expired.
    assert d.figure("renewal_rate").trend[-2:] == [None, Decimal("0.5000")]
    assert all(f.scope == "organisation" and len(f.trend) == 12 for f in m.figures)


def test_the_figures_agree_with_the_membership_kpis():
    build_members()
    d = selectors.dashboard(period="month", today=dt.date(2026, 3, 2))
    tz = _tz()
    for i, (since, until) in enumerate(
        [
            (dt.datetime(2026, 1, 1, tzinfo=tz), dt.datetime(2026, 2, 1, tzinfo=tz)),
            (dt.datetime(2026, 2, 1, tzinfo=tz), dt.datetime(2026, 3, 1, tzinfo=tz)),
        ]
    ):
        k = member_kpis(since=since, until=until, trend_months=0)
        at = 10 + i
        assert d.figure("enrolments").trend[at] == k.enrolments
        for key, value in (
            ("trial_conversion", k.trial_conversion),
            ("renewal_rate", k.renewal_rate),
        ):
            shown = d.figure(key).trend[at]
            assert (shown is None and value is None) or shown == Decimal(str(value))


def test_week_figures_and_team_view():
    build_members()
    for team_id in (None, 1):
        d = selectors.dashboard(period="week", team_id=team_id, today=dt.date(2026, 2, 18))
        # The tick of 10 February records the conversions, renewal and expiry that day.
        assert d.window.starts[-1] == dt.date(2026, 2, 9)
        starts = d.window.starts
        jan5 = starts.index(dt.date(2026, 1, 5))
        assert d.figure("enrolments").trend[jan5] == 6
        assert d.figure("trial_conversion").trend[jan5] == Decimal("0.0000")
        assert d.figure("trial_conversion").value == Decimal("1.0000")
        assert d.figure("renewal_rate").value == Decimal("0.5000")
        # Membership belongs to the organisation: a team view shows the same figures.
        assert d.figure("enrolments").scope == "organisation"


def test_an_empty_world_shows_no_rates():
    d = selectors.dashboard(period="month", today=dt.date(2026, 3, 2))
    assert d.figure("enrolments").trend == [0] * 12
    assert d.figure("trial_conversion").trend == [None] * 12
    assert d.figure("renewal_rate").trend == [None] * 12
