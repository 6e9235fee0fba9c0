"""The cord's rules, one test per sentence of the spec. No database."""

import datetime as dt

import pytest
from django.utils import translation

from andon.core.errors import InvalidInput
from andon.pulls import rules

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
DEFAULT = rules.Policy(threshold=2, window_days=30)


def test_two_distinct_customers_within_the_window_make_a_pull_eligible():
    since = rules.evidence_since(NOW, DEFAULT, None)
    assert since == NOW - dt.timedelta(days=30)
    assert rules.eligibility(2, DEFAULT, since).eligible
    assert not rules.eligibility(1, DEFAULT, since).eligible


def test_a_safety_critical_reason_may_need_only_one_customer():
    policy = rules.Policy(threshold=1, window_days=30)
    assert rules.eligibility(1, policy, NOW).eligible


def test_when_not_eligible_the_agent_is_told_exactly_what_is_missing():
    decision = rules.eligibility(1, DEFAULT, NOW)
    assert decision.missing == 1
    with translation.override("en"):
        text = decision.explanation("Print defect")
    assert "1 customer reported" in text and "1 more customer" in text and "1 of 2" in text


def test_when_eligible_the_explanation_says_the_agent_may_pull():
    with translation.override("en"):
        text = rules.eligibility(2, DEFAULT, NOW).explanation("Print defect")
    assert text.startswith("2 customers reported “Print defect” in the last 30 days")
    assert text.endswith("you may pull.")


def test_reports_used_by_a_closed_andon_do_not_count_again():
    closed = NOW - dt.timedelta(days=3)
    assert rules.evidence_since(NOW, DEFAULT, closed) == closed
    long_ago = NOW - dt.timedelta(days=90)
    assert rules.evidence_since(NOW, DEFAULT, long_ago) == NOW - dt.timedelta(days=30)


@pytest.mark.parametrize("note", ["", "   ", "x" * 201, "two\nlines"])
def test_the_note_is_one_line_of_1_to_200_characters(note):
    with pytest.raises(InvalidInput) as err:
        rules.clean_note(note)
    assert err.value.field == "note"


def test_a_note_is_trimmed():
    assert rules.clean_note("  100-101页未裁开 ") == "100-101页未裁开"
    assert rules.clean_note("x" * 200) == "x" * 200


def test_an_andon_closes_only_when_every_work_order_is_closed():
    assert rules.andon_is_done(["closed", "closed"])
    assert not rules.andon_is_done(["closed", "resolved"])
    assert not rules.andon_is_done([])


def test_the_product_is_relisted_only_when_no_andon_on_it_is_open():
    assert rules.may_relist(0)
    assert not rules.may_relist(1)
