"""SPEC "No bureaucracy": no setting and no limit makes a pull or a recovery wait for anyone.

Two ways of checking it: no model of these domains has anything that could hold a request
for approval (a state, a pending flag, an approver), and with every setting at its most
restrictive value a pull and a recovery still take effect in the same call.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.apps import apps

from andon.catalog.models import ListingStatus
from andon.incentives.models import BonusPolicy
from andon.pulls.models import AndonState
from andon.pulls.services import andon_pull
from andon.recovery.models import GuideLimit, RecoveryGiven
from andon.recovery.services import catalogue_ensure_defaults, recovery_give
from andon.reviews.models import ReviewPolicy

from ..reviews.factories import reported_product

WAITING_WORDS = (
    "approv",
    "pending",
    "quota",
    "fine",
    "penalt",
    "authori",
    "escalat",
    "waiting",
    "sign_off",
    "permission",
)


def test_no_model_of_recovery_reviews_or_incentives_can_hold_a_request_for_approval():
    for label in ("recovery", "reviews", "incentives"):
        for model in apps.get_app_config(label).get_models():
            for f in model._meta.get_fields():
                name = f.name.lower()
                assert not any(w in name for w in WAITING_WORDS), f"{model.__name__}.{f.name}"


@pytest.mark.django_db
def test_with_every_setting_at_its_strictest_a_recovery_takes_effect_at_once(world):
    catalogue_ensure_defaults()
    GuideLimit.objects.update(max_cost=Decimal("0"))
    ReviewPolicy.objects.create(sample_rate=Decimal("1"), target_rate=Decimal("0"))
    BonusPolicy.objects.create(amount_per_valid_pull=Decimal("0"))
    _, [contact, _] = reported_product(agent=world.users["agent1"])
    given = recovery_give(
        actor=world.users["agent1"],
        contact_id=contact.pk,
        action="replacement",
        reason_above_guide="客户第二次收到坏书",
    )
    # Recorded and final: there is no later state for it to wait in.
    assert given.above_guide is True
    assert RecoveryGiven.objects.filter(pk=given.pk).exists()
    assert {f.name for f in RecoveryGiven._meta.fields} >= {"given_at", "agent"}


@pytest.mark.django_db
def test_with_every_setting_at_its_strictest_a_pull_stops_the_line_at_once(world):
    ReviewPolicy.objects.create(sample_rate=Decimal("1"), target_rate=Decimal("0"))
    BonusPolicy.objects.create(amount_per_valid_pull=Decimal("0"))
    catalogue_ensure_defaults()
    GuideLimit.objects.update(max_cost=Decimal("0"))
    product, _ = reported_product(agent=world.users["agent1"])
    result = andon_pull(
        actor=world.users["agent1"], sku=product.sku, reason="print-defect", note="未裁开"
    )
    product.refresh_from_db()
    assert result.andon.state == AndonState.OPEN
    assert product.listing_status == ListingStatus.SUPPRESSED
    assert result.work_orders
