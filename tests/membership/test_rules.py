"""Membership's rules without a database: transitions, calendar periods in Asia/Shanghai,
what the tick does when, who keeps benefits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from andon.core.errors import InvalidInput
from andon.membership import rules
from andon.membership.rules import Change, Period, State

SH = ZoneInfo("Asia/Shanghai")


def test_every_transition_is_listed_and_the_rest_refused_with_a_409_naming_the_state():
    assert rules.transition(State.TRIAL, Change.CONVERTED) == State.ACTIVE
    assert rules.transition(State.PAST_DUE, Change.RENEWED) == State.ACTIVE
    assert rules.transition(State.CANCELLED, Change.EXPIRED) == State.EXPIRED
    for state in State:
        for change in Change:
            if (state, change) in rules.TRANSITIONS:
                continue
            with pytest.raises(rules.WrongState) as e:
                rules.transition(state, change)
            assert e.value.status == 409 and e.value.field == "state"
    # Expired is terminal.
    assert not [k for k in rules.TRANSITIONS if k[0] == State.EXPIRED]


def test_a_trial_needs_trial_days():
    assert rules.start_state(trial=True, trial_days=30) == State.TRIAL
    assert rules.start_state(trial=False, trial_days=0) == State.ACTIVE
    with pytest.raises(InvalidInput) as e:
        rules.start_state(trial=True, trial_days=0)
    assert e.value.field == "trial"


@pytest.mark.parametrize(
    ("start", "periods", "period", "end"),
    [
        # 31 January renews on the last day of February, then on 31 March again (no drift).
        (dt.datetime(2026, 1, 31, 10, tzinfo=SH), 1, Period.MONTH, dt.datetime(2026, 2, 28, 10)),
        (dt.datetime(2026, 1, 31, 10, tzinfo=SH), 2, Period.MONTH, dt.datetime(2026, 3, 31, 10)),
        (dt.datetime(2028, 1, 31, 10, tzinfo=SH), 1, Period.MONTH, dt.datetime(2028, 2, 29, 10)),
        (
            dt.datetime(2026, 12, 15, 0, 30, tzinfo=SH),
            1,
            Period.MONTH,
            dt.datetime(2027, 1, 15, 0, 30),
        ),
        (dt.datetime(2028, 2, 29, 9, tzinfo=SH), 1, Period.YEAR, dt.datetime(2029, 2, 28, 9)),
    ],
)
def test_periods_are_calendar_months_and_years_in_the_products_time_zone(
    settings, start, periods, period, end
):
    settings.TIME_ZONE = "Asia/Shanghai"
    got = rules.period_end(start, period, periods)
    assert got.astimezone(SH).replace(tzinfo=None) == end


def test_the_month_boundary_is_shanghais_not_utcs(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    # 31 Jan 20:00 UTC is 1 February 04:00 in Shanghai: a month later is 1 March there.
    start = dt.datetime(2026, 1, 31, 20, tzinfo=dt.UTC)
    got = rules.period_end(start, Period.MONTH, 1).astimezone(SH)
    assert (got.month, got.day, got.hour) == (3, 1, 4)


def test_what_the_tick_does_when():
    now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    past, future = now - dt.timedelta(seconds=1), now + dt.timedelta(seconds=1)

    def due(state, ends_at, auto_renew=True, grace_days=7):
        return rules.due_change(
            state=state, ends_at=ends_at, auto_renew=auto_renew, grace_days=grace_days, now=now
        )

    assert due(State.TRIAL, now) == Change.CONVERTED
    assert due(State.TRIAL, future) is None
    assert due(State.ACTIVE, past) == Change.RENEWED
    assert due(State.ACTIVE, past, auto_renew=False) == Change.EXPIRED
    assert due(State.PAST_DUE, past) is None  # within grace
    assert due(State.PAST_DUE, now - dt.timedelta(days=7)) == Change.EXPIRED
    assert due(State.CANCELLED, future) is None
    assert due(State.CANCELLED, now) == Change.EXPIRED
    assert due(State.EXPIRED, past) is None


def test_a_cancelled_member_keeps_the_benefits_until_the_end_of_the_period():
    now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    end = now + dt.timedelta(days=3)
    kw = {"grace_days": 7}
    assert rules.has_benefits(state=State.CANCELLED, ends_at=end, now=now, **kw)
    assert not rules.has_benefits(state=State.CANCELLED, ends_at=end, now=end, **kw)
    assert rules.has_benefits(state=State.PAST_DUE, ends_at=now, now=now, **kw)
    assert not rules.has_benefits(state=State.EXPIRED, ends_at=end, now=now, **kw)


def test_benefit_values_are_typed():
    assert rules.check_benefit(rules.BenefitKind.DISCOUNT, Decimal("2")) == Decimal("2")
    assert rules.check_benefit(rules.BenefitKind.FREE_SHIPPING, None) is None
    for kind, value in [
        (rules.BenefitKind.DISCOUNT, None),
        (rules.BenefitKind.DISCOUNT, Decimal("0")),
        (rules.BenefitKind.DISCOUNT, Decimal("100.01")),
        (rules.BenefitKind.RETURN_WINDOW, Decimal("7.5")),
        (rules.BenefitKind.RETURN_WINDOW, Decimal("400")),
        (rules.BenefitKind.FREE_SHIPPING, Decimal("1")),
    ]:
        with pytest.raises(InvalidInput) as e:
            rules.check_benefit(kind, value)
        assert e.value.field == "value"


def test_rates_of_nothing_are_no_data_not_zero():
    assert rules.rate(0, 0) is None
    assert rules.rate(3, 4) == 0.75


def test_tally_steps_counts_decided_trials_renewals_and_paid_expiries():
    from andon.membership.rules import Change, State, tally_steps

    rows = [
        {"change": Change.CONVERTED, "from_state": State.TRIAL, "n": 3, "paid": 0},
        {"change": Change.CANCELLED, "from_state": State.TRIAL, "n": 1, "paid": 0},
        {"change": Change.CANCELLED, "from_state": State.ACTIVE, "n": 5, "paid": 5},
        {"change": Change.EXPIRED, "from_state": State.TRIAL, "n": 1, "paid": 0},
        {"change": Change.EXPIRED, "from_state": State.CANCELLED, "n": 2, "paid": 1},
        {"change": Change.RENEWED, "from_state": State.ACTIVE, "n": 3, "paid": 3},
    ]
    t = tally_steps(rows)
    assert (t.decided, t.converted, t.renewed, t.churned) == (5, 3, 3, 1)
    assert (t.trial_conversion, t.renewals_due, t.renewal_rate) == (0.6, 4, 0.75)
    empty = tally_steps([])
    assert empty.trial_conversion is None and empty.renewal_rate is None
