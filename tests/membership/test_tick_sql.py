"""The set-based tick computes what the Python rules say: calendar months clamped to the
month's last day in the product's time zone (31 January renews on 28 February, then 31
March), yearly plans, and event payloads as services._event_payload writes them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from andon.core.models import AuditEntry, OutboxEvent
from andon.membership import rules
from andon.membership.models import Plan
from andon.membership.rules import Source
from andon.membership.services import membership_enrol, membership_tick, plans_ensure_defaults
from andon.orders.models import Customer

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _shanghai(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    plans_ensure_defaults()


def test_month_ends_are_clamped_and_never_drift_and_payloads_match_the_services():
    anchor = dt.datetime(2026, 1, 31, 23, 30, tzinfo=SH)  # 15:30 UTC: the day is Shanghai's
    c = Customer.objects.create(external_id="clamp", name="C")
    m = membership_enrol(
        actor=None, customer=c, plan_code="member-98", source=Source.API, trial=False, at=anchor
    )
    for n in (1, 2, 3):
        membership_tick(now=rules.period_end(anchor, rules.Period.MONTH, n))
        m.refresh_from_db()
        assert m.paid_periods == n + 1
        assert m.ends_at == rules.period_end(anchor, rules.Period.MONTH, n + 1)
    assert timezone_day(m.ends_at) == dt.date(2026, 5, 31)
    event = OutboxEvent.objects.filter(event_type="membership.renewed").last()
    p = event.payload
    assert p["membership_id"] == m.pk and p["customer"] == "clamp" and p["plan"] == "member-98"
    assert p["state"] == "active" and p["source"] == "api" and p["auto_renew"] is True
    assert p["started_at"] == m.started_at.astimezone(dt.UTC).isoformat()
    assert dt.datetime.fromisoformat(p["ends_at"]) == m.ends_at
    assert dt.datetime.fromisoformat(p["occurred_at"]) == event.occurred_at
    audit = AuditEntry.objects.filter(action="membership.renewed").last()
    assert audit.subject_id == str(m.pk) and audit.data == {
        k: v for k, v in p.items() if k != "occurred_at"
    }


def test_a_yearly_trial_converts_then_renews_a_year_on():
    Plan.objects.create(
        code="yearly", name_zh="年卡", name_en="Yearly", price="99", period="year", trial_days=7
    )
    start = dt.datetime(2028, 2, 22, 9, tzinfo=SH)
    c = Customer.objects.create(external_id="year", name="Y")
    m = membership_enrol(
        actor=None, customer=c, plan_code="yearly", source=Source.API, trial=True, at=start
    )
    assert membership_tick(now=m.ends_at) == {"converted": 1}
    m.refresh_from_db()
    assert m.paid_from == start + dt.timedelta(days=7)  # 29 February 2028
    assert m.ends_at == rules.period_end(m.paid_from, rules.Period.YEAR, 1)
    assert timezone_day(m.ends_at) == dt.date(2029, 2, 28)
    assert membership_tick(now=m.ends_at) == {"renewed": 1}
    m.refresh_from_db()
    # Counted from the anchor, not from the clamped end: still the 28th in a common year.
    assert m.ends_at == rules.period_end(m.paid_from, rules.Period.YEAR, 2)
    assert timezone_day(m.ends_at) == dt.date(2030, 2, 28)


def timezone_day(at: dt.datetime) -> dt.date:
    return at.astimezone(SH).date()
