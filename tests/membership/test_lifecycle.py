"""A membership's life through the services: enrol, trial converts on the tick, renews,
cancels (benefits kept to the end of the period), expires; each step with its history row,
audit entry and outbox event, and the tick idempotent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from andon.core.errors import InvalidInput
from andon.core.models import AuditEntry, OutboxEvent
from andon.membership import rules
from andon.membership.models import Membership, MembershipChange, Plan
from andon.membership.rules import Change, Source, State
from andon.membership.selectors import membership_of_customer
from andon.membership.services import (
    AlreadyMember,
    NoLiveMembership,
    membership_change,
    membership_enrol,
    membership_tick,
    plans_ensure_defaults,
)
from andon.orders.models import Customer

T0 = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def customer(db):
    plans_ensure_defaults()
    return Customer.objects.create(external_id="cust-a", name="客户A")


def events() -> list[str]:
    return list(
        OutboxEvent.objects.filter(event_type__startswith="membership.").values_list(
            "event_type", flat=True
        )
    )


def enrol(customer, *, trial=True, at=T0, **kw):
    return membership_enrol(
        actor=None,
        customer=customer,
        plan_code="member-98",
        source=Source.API,
        trial=trial,
        at=at,
        **kw,
    )


def test_trial_converts_on_the_tick_then_renews_then_cancel_keeps_benefits_to_the_end(customer):
    m = enrol(customer)
    assert m.state == State.TRIAL and m.ends_at == T0 + dt.timedelta(days=30)
    trial_end = m.ends_at
    # Before the end nothing is due.
    assert membership_tick(now=trial_end - dt.timedelta(seconds=1)) == {}
    assert membership_tick(now=trial_end) == {"converted": 1}
    m.refresh_from_db()
    assert m.state == State.ACTIVE and m.paid_from == trial_end
    assert m.ends_at == rules.period_end(trial_end, rules.Period.MONTH, 1)
    # The same instant again, and again: nothing more.
    assert membership_tick(now=trial_end) == {}
    first_end = m.ends_at
    assert membership_tick(now=first_end) == {"renewed": 1}
    m.refresh_from_db()
    assert m.paid_periods == 2 and m.ends_at == rules.period_end(trial_end, rules.Period.MONTH, 2)
    assert membership_tick(now=first_end) == {}
    cancelled = membership_change(
        actor=None, customer=customer, change=Change.CANCELLED, at=first_end + dt.timedelta(days=1)
    )
    assert cancelled.state == State.CANCELLED and not cancelled.auto_renew
    # Still a member (benefits) until the paid period ends, then expired, not renewed.
    assert membership_tick(now=cancelled.ends_at - dt.timedelta(seconds=1)) == {}
    assert rules.has_benefits(
        state=State.CANCELLED,
        ends_at=cancelled.ends_at,
        grace_days=7,
        now=cancelled.ends_at - dt.timedelta(seconds=1),
    )
    assert membership_tick(now=cancelled.ends_at) == {"expired": 1}
    m.refresh_from_db()
    assert m.state == State.EXPIRED and m.ended_at == cancelled.ends_at
    assert events() == [
        "membership.started",
        "membership.converted",
        "membership.renewed",
        "membership.cancelled",
        "membership.expired",
    ]
    assert AuditEntry.objects.filter(action__startswith="membership.").count() == 5
    changes = membership_of_customer(customer_id=customer.pk).history
    assert [(c.from_state, c.to_state) for c in changes] == [
        ("", "trial"),
        ("trial", "active"),
        ("active", "active"),
        ("active", "cancelled"),
        ("cancelled", "expired"),
    ]
    payload = OutboxEvent.objects.filter(event_type="membership.started").get().payload
    assert payload["customer"] == "cust-a" and payload["plan"] == "member-98"
    assert payload["state"] == "trial"


def test_a_long_outage_catches_up_one_period_at_a_time(customer):
    m = enrol(customer, trial=False)
    membership_tick(now=m.ends_at + dt.timedelta(days=95))
    m.refresh_from_db()
    assert m.paid_periods == 5  # 1 + four renewals to pass 95 days after the first end
    assert m.ends_at > T0 + dt.timedelta(days=125)
    assert events().count("membership.renewed") == 4


def test_past_due_keeps_grace_then_expires_and_a_payment_in_grace_renews(customer):
    m = enrol(customer, trial=False)
    membership_change(actor=None, customer=customer, change=Change.PAST_DUE, at=m.ends_at)
    assert membership_tick(now=m.ends_at + dt.timedelta(days=6)) == {}
    renewed = membership_change(
        actor=None, customer=customer, change=Change.RENEWED, at=m.ends_at + dt.timedelta(days=6)
    )
    assert renewed.state == State.ACTIVE and renewed.paid_periods == 2
    membership_change(actor=None, customer=customer, change=Change.PAST_DUE, at=renewed.ends_at)
    assert membership_tick(now=renewed.ends_at + dt.timedelta(days=7)) == {"expired": 1}


def test_one_live_membership_per_customer_in_the_service_and_in_the_database(customer):
    enrol(customer)
    with pytest.raises(AlreadyMember) as e:
        enrol(customer, trial=False)
    assert e.value.status == 409 and e.value.field == "customer"
    plan = Plan.objects.get(code="member-98")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            customer=customer,
            plan=plan,
            state="active",
            source="api",
            started_at=T0,
            ends_at=T0,
        )


def test_an_expired_customer_may_enrol_again_and_keeps_both_histories(customer):
    m = enrol(customer, trial=False)
    membership_change(actor=None, customer=customer, change=Change.CANCELLED, at=T0)
    membership_tick(now=m.ends_at)
    again = enrol(customer, trial=False, at=m.ends_at + dt.timedelta(days=1))
    shown = membership_of_customer(customer_id=customer.pk)
    assert shown.current == again
    assert len(shown.history) == 4


def test_refusals(customer):
    with pytest.raises(NoLiveMembership):  # nothing to cancel: 404
        membership_change(actor=None, customer=customer, change=Change.CANCELLED)
    Plan.objects.filter(code="member-98").update(active=False)
    with pytest.raises(InvalidInput) as e:
        enrol(customer)
    assert e.value.field == "plan"
    Plan.objects.filter(code="member-98").update(active=True, trial_days=0, recovery_action="")
    with pytest.raises(InvalidInput) as e:
        enrol(customer)
    assert e.value.field == "trial"
    with pytest.raises(InvalidInput) as e:
        enrol(customer, trial=False, campaign="x" * 65)
    assert e.value.field == "campaign"
    assert not Membership.objects.exists()


def test_cancel_twice_is_one_cancellation(customer):
    enrol(customer)
    for _ in range(2):
        membership_change(actor=None, customer=customer, change=Change.CANCELLED)
    assert MembershipChange.objects.filter(change="cancelled").count() == 1


def test_the_history_row_backs_up_the_tick_no_period_twice(customer):
    m = enrol(customer)
    membership_tick(now=m.ends_at)
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipChange.objects.create(
            membership=m,
            change="converted",
            from_state="trial",
            to_state="active",
            at=timezone.now(),
            ends_at=Membership.objects.get(pk=m.pk).ends_at,
        )
