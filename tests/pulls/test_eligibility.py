"""Eligibility as the contact's answer reads it (`eligibility_for`, one hand-written statement):
distinct customers of the reason within its window, evidence before the last closed andon
not counted again, and a problem's customers however coded. Each case is also checked
against `pull_facts`, the pull's own read of the same rule, written apart."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from andon.contacts.models import Contact, ReasonCode
from andon.detection.models import Assignment, Problem
from andon.orders.models import OrderLine
from andon.pulls.models import Andon, AndonState
from andon.pulls.selectors import eligibility_and_members, eligibility_for, pull_facts

from ..world import SKU
from .conftest import seed_product

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


@pytest.fixture
def product(world):
    # Six customers with a line each; customers 0 and 1 reported a print defect just now.
    product = seed_product(packed_lines=4, reporters=2, agent=world.users["agent1"])
    product.agent = world.users["agent1"]  # who records the tests' other reports
    return product


def report(product, customer: int, reason: str, at: dt.datetime) -> Contact:
    line = OrderLine.objects.select_related("order").get(
        order__external_id=f"{SKU}-o{customer}", line_no=1
    )
    return Contact.objects.create(
        created_at=at,
        customer_id=line.order.customer_id,
        order_line=line,
        product=product,
        reason=ReasonCode.objects.get(code=reason),
        text="x",
        agent=product.agent,
    )


def closed_andon(world, product, reason: str, at: dt.datetime, problem=None) -> Andon:
    return Andon.objects.create(
        product=product,
        reason=ReasonCode.objects.get(code=reason),
        state=AndonState.CLOSED,
        note="n",
        opened_at=at - DAY,
        opened_by=world.users["agent1"],
        closed_at=at,
        problem=problem,
    )


def problem_of(product, contacts: list[Contact], at: dt.datetime) -> Problem:
    problem = Problem.objects.create(product=product, label_en="uncut pages", created_at=at)
    Assignment.objects.bulk_create(
        Assignment(
            contact=c,
            problem=problem,
            product=product,
            customer_id=c.customer_id,
            reason_id=c.reason_id,
            reported_at=c.created_at,
            method="lexical",
        )
        for c in contacts
    )
    return problem


def decide(product, reason: str, now: dt.datetime, problem=None):
    code = ReasonCode.objects.get(code=reason)
    with CaptureQueriesContext(connection) as seen:
        decision = eligibility_for(product=product, reason=code, now=now, problem=problem)
    assert len(seen.captured_queries) == 1
    assert decision == pull_facts(product=product, reason=code, now=now, problem=problem).decision
    return decision


def test_distinct_customers_of_the_reason_within_its_window(world, product):
    now = timezone.now()
    report(product, 0, "print-defect", now)  # the same customer again: still one
    report(product, 2, "print-defect", now - 40 * DAY)  # before the 30-day window
    report(product, 3, "wrong-item", now)  # another reason
    d = decide(product, "print-defect", now)
    assert (d.eligible, d.distinct_customers, d.by_problem) == (True, 2, False)
    assert d.since == now - 30 * DAY and d.threshold == 2


def test_evidence_before_the_last_closed_andon_does_not_count_again(world, product):
    now = timezone.now()
    closed_andon(world, product, "print-defect", now - 5 * DAY)  # superseded by the next
    closed_andon(world, product, "print-defect", now - 10 * DAY)
    closed_andon(world, product, "wrong-item", now + DAY)  # another reason's: ignored
    d = decide(product, "print-defect", now + 2 * DAY)
    assert d.since == now - 5 * DAY and d.distinct_customers == 2
    closed_andon(world, product, "print-defect", now + DAY)
    d = decide(product, "print-defect", now + 2 * DAY)
    assert d.since == now + DAY and (d.eligible, d.distinct_customers, d.missing) == (False, 0, 2)


def test_a_problem_counts_its_customers_however_coded_since_its_own_last_close(world, product):
    now = timezone.now()
    first = Contact.objects.filter(product=product).order_by("pk").first()
    others = [report(product, i, "wrong-item", now) for i in (2, 3)]
    problem = problem_of(product, [first, *others], now)
    d = decide(product, "print-defect", now, problem)
    assert (d.eligible, d.distinct_customers, d.by_problem) == (True, 3, True)
    # The problem's andon, closed after the first report: it starts the evidence again.
    closed_andon(world, product, "wrong-item", now - DAY / 2, problem=problem)
    d = decide(product, "print-defect", now, problem)
    assert d.since == now - DAY / 2 and (d.distinct_customers, d.by_problem) == (3, True)
    closed_andon(world, product, "wrong-item", now + DAY, problem=problem)
    d = decide(product, "print-defect", now + 2 * DAY, problem)
    assert (d.eligible, d.distinct_customers, d.by_problem) == (False, 0, False)


def test_the_answers_one_statement_reads_the_members_the_suggestion_reads(world, product):
    """`eligibility_and_members`: the same decision as `eligibility_for`, and the problem's
    members in detection's window as the suggestion's own read gives them, in order."""
    from andon.detection.selectors import _problem_members

    now = timezone.now()
    first = Contact.objects.filter(product=product).order_by("pk").first()
    others = [report(product, i, "wrong-item", now - i * DAY) for i in (2, 3)]
    old = report(product, 4, "wrong-item", now - 40 * DAY)  # outside detection's window
    same_time = report(product, 5, "print-defect", others[0].created_at)
    problem = problem_of(product, [first, *others, old, same_time], now)
    code = ReasonCode.objects.get(code="print-defect")
    with CaptureQueriesContext(connection) as seen:
        decision, members = eligibility_and_members(
            product=product, reason=code, now=now, problem=problem
        )
    assert len(seen.captured_queries) == 1
    assert decision == eligibility_for(product=product, reason=code, now=now, problem=problem)
    assert members == _problem_members(problem.pk, now) and len(members) == 4
    assert [m[0] for m in members] == [
        others[1].customer_id,
        others[0].customer_id,
        same_time.customer_id,
        first.customer_id,
    ]
    assert members[-1][1:4] == ("print-defect", code.label_zh, code.label_en)
