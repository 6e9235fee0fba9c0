"""The story: the agent gives the unhappy customer the 98折 membership from the recovery
catalogue, and she is in a trial of the configured plan at once, in the same transaction;
the trial converts on the tick. Idempotent per recovery; an existing member keeps hers."""

from __future__ import annotations

import pytest

from andon.core.models import OutboxEvent
from andon.membership.models import Membership, Plan
from andon.membership.services import (
    membership_from_recovery,
    membership_tick,
    plans_ensure_defaults,
)
from andon.recovery.models import RecoveryGiven
from andon.recovery.services import recovery_give

from ..reviews.factories import reported_product


@pytest.fixture
def contact(world):
    plans_ensure_defaults()
    _, contacts = reported_product(agent=world.users["agent1"])
    return contacts[0]


def give(world, contact, action="membership-98"):
    return recovery_give(actor=world.users["agent1"], contact_id=contact.pk, action=action)


@pytest.mark.django_db
def test_the_story_recovery_enrols_a_trial_that_converts_on_the_tick(world, contact):
    given = give(world, contact)
    m = Membership.objects.get(customer=contact.customer)
    assert (m.state, m.source, m.plan.code, m.recovery_ref) == (
        "trial",
        "recovery",
        "member-98",
        given.pk,
    )
    assert m.enrolled_by == world.users["agent1"] and m.started_at == given.given_at
    assert membership_tick(now=m.ends_at) == {"converted": 1}
    types = list(OutboxEvent.objects.order_by("id").values_list("event_type", flat=True))
    assert types == ["recovery.given", "membership.started", "membership.converted"]


@pytest.mark.django_db
def test_idempotent_per_recovery_and_an_existing_member_keeps_her_membership(world, contact):
    given = give(world, contact)
    again = membership_from_recovery(
        actor=world.users["agent1"],
        customer=contact.customer,
        action_code="membership-98",
        recovery_id=given.pk,
        at=given.given_at,
    )
    assert again is not None and again.recovery_ref == given.pk
    # A second gesture on another contact of the same member: no second membership.
    give(world, contact)
    assert Membership.objects.count() == 1
    assert RecoveryGiven.objects.count() == 2
    assert OutboxEvent.objects.filter(event_type="membership.started").count() == 1


@pytest.mark.django_db
def test_other_recovery_and_unconfigured_actions_enrol_nobody(world, contact):
    give(world, contact, action="coupon-5")
    Plan.objects.update(recovery_action="")
    give(world, contact)  # still recorded as a recovery line
    assert not Membership.objects.exists()
    assert RecoveryGiven.objects.count() == 2


@pytest.mark.django_db
def test_a_plan_off_sale_never_blocks_the_recovery(world, contact):
    Plan.objects.update(available_until="2000-01-01")
    give(world, contact)
    assert RecoveryGiven.objects.count() == 1 and not Membership.objects.exists()
