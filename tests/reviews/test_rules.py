"""The review and KPI rules, one test per sentence, without a database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from andon.core.errors import InvalidInput
from andon.people.rules import Role, Roles
from andon.reviews import rules


def test_no_reviewed_pull_means_no_rate_not_a_perfect_zero():
    assert rules.bad_andon_rate(0, 0) is None
    assert rules.status(None, Decimal("0.02")) == "none"


def test_the_rate_is_invalid_over_reviewed_and_the_target_itself_is_green():
    assert rules.bad_andon_rate(50, 1) == Decimal("0.0200")
    assert rules.status(Decimal("0.02"), Decimal("0.02")) == "green"
    assert rules.bad_andon_rate(40, 1) == Decimal("0.0250")
    assert rules.status(Decimal("0.025"), Decimal("0.02")) == "red"
    assert rules.bad_andon_rate(3, 0) == Decimal("0")
    assert rules.bad_andon_rate(3, 3) == Decimal("1")


def test_more_invalid_than_reviewed_is_a_bug_not_a_rate():
    with pytest.raises(ValueError):
        rules.bad_andon_rate(1, 2)


def test_sampling_is_deterministic_and_close_to_the_rate():
    ids = range(1, 4001)
    half = [i for i in ids if rules.is_sampled(i, Decimal("0.5"))]
    assert half == [i for i in ids if rules.is_sampled(i, Decimal("0.5"))]
    assert 1800 < len(half) < 2200
    assert all(rules.is_sampled(i, 1) for i in ids)
    assert not any(rules.is_sampled(i, 0) for i in ids)
    # A smaller sample is a subset of a bigger one: raising the rate only adds pulls.
    fifth = {i for i in ids if rules.is_sampled(i, Decimal("0.2"))}
    assert fifth <= set(half)


def test_an_invalid_pull_needs_a_root_cause_and_an_action():
    with pytest.raises(InvalidInput) as e:
        rules.check_review("invalid", "", "retrain")
    assert e.value.field == "root_cause"
    with pytest.raises(InvalidInput) as e:
        rules.check_review("invalid", "training", "  ")
    assert e.value.field == "action"
    rules.check_review("invalid", "training", "新员工按灯规则培训")


def test_a_valid_pull_needs_nothing_and_takes_no_root_cause():
    rules.check_review("valid", "", "")
    with pytest.raises(InvalidInput) as e:
        rules.check_review("valid", "person", "")
    assert e.value.field == "root_cause"
    for bad in [("maybe", "", ""), ("invalid", "weather", "x")]:
        with pytest.raises(InvalidInput):
            rules.check_review(*bad)


def test_the_five_root_causes_of_the_talk():
    assert [c.value for c in rules.RootCause] == [
        "person",
        "training",
        "process",
        "money",
        "system",
    ]
    assert rules.action_kind_for("training") == rules.ActionKind.TRAINING
    assert rules.action_kind_for("person") == rules.ActionKind.TRAINING
    assert rules.action_kind_for("process") == rules.ActionKind.PROCESS
    assert rules.action_kind_for("money") == rules.ActionKind.NOTE


def test_team_leads_review_their_own_teams_pulls_admins_any():
    lead = Roles(frozenset({Role.TEAM_LEAD}))
    assert rules.may_review(lead, user_id=7, lead_ids=[7, None])
    assert not rules.may_review(lead, user_id=8, lead_ids=[7, None])
    assert rules.may_review(Roles(frozenset({Role.ADMIN})), user_id=1, lead_ids=[7])
    assert not rules.may_review(Roles(frozenset({Role.AGENT})), user_id=7, lead_ids=[7])
    assert rules.may_see_kpis(lead) and not rules.may_see_kpis(Roles(frozenset({Role.AGENT})))


def test_periods_start_on_monday_or_the_first_and_carry_iso_labels():
    d = dt.date(2026, 1, 1)  # a Thursday
    assert rules.period_start(d, "week") == dt.date(2025, 12, 29)
    assert rules.period_label(dt.date(2025, 12, 29), "week") == "2026-W01"
    assert rules.period_start(d, "month") == d
    assert rules.period_label(d, "month") == "2026-01"
    assert rules.last_week(dt.date(2026, 3, 11)) == (dt.date(2026, 3, 2), dt.date(2026, 3, 9))


def test_median_hours():
    assert rules.median_hours([]) is None
    hours = [dt.timedelta(hours=h) for h in (1, 3, 10)]
    assert rules.median_hours(hours) == 3.0
