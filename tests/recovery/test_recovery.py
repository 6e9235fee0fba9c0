"""Service recovery: a couple of clicks, recorded with cost, guides that ask for one line of
reason and never for an approval; customer history shows it all."""

from __future__ import annotations

from decimal import Decimal

import pytest

from andon.core.models import OutboxEvent
from andon.people.rules import Role, Roles
from andon.recovery import rules
from andon.recovery.models import GuideLimit, RecoveryAction, RecoveryGiven
from andon.recovery.selectors import recovery_of_customer
from andon.recovery.services import catalogue_ensure_defaults

from ..reviews.factories import reported_product


def test_rules_the_most_generous_guide_of_a_persons_roles_counts():
    both = Roles(frozenset({Role.AGENT, Role.TEAM_LEAD}))
    limits = {"agent": Decimal("20"), "team_lead": Decimal("100")}
    assert rules.guide_for(both, limits) == Decimal("100")
    assert rules.guide_for(Roles(frozenset({Role.AGENT})), {}) is None
    assert not rules.is_unusual(Decimal("1000000"), None)
    assert rules.is_unusual(Decimal("20.01"), Decimal("20"))
    assert not rules.is_unusual(Decimal("20"), Decimal("20"))
    assert rules.check_reason(unusual=False, reason="") == ""


@pytest.fixture
def contact(world):
    catalogue_ensure_defaults()
    _, contacts = reported_product(agent=world.users["agent1"])
    return contacts[0]


def give(api, contact, as_: str = "agent1", **body):
    # The default note follows the agent's language; the story is told in Chinese.
    return api.call(
        "POST", f"/contacts/{contact.pk}/recovery", as_, body, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )


@pytest.mark.django_db
def test_the_story_recovery_in_a_couple_of_calls(api, contact):
    # New copy with a check before delivery, no photo, no return, 5 CNY coupon, membership.
    for code in ["replacement", "photo-waived", "return-waived", "coupon-5", "membership-98"]:
        r = give(api, contact, action=code)
        assert r.status_code == 201, r.content
    given = {g.action.code: g for g in RecoveryGiven.objects.select_related("action")}
    assert given["replacement"].cost == Decimal("39.80")  # the product's price
    assert given["replacement"].note == "送货前请快递员开箱检查"
    assert given["coupon-5"].cost == Decimal("5.00")
    assert not any(g.above_guide for g in given.values())
    history = recovery_of_customer(contact.customer_id)
    assert len(history) == 5 and history[0].action.code == "membership-98"
    listed = api.call("GET", f"/customers/{contact.customer.external_id}/recovery", "agent2")
    assert len(listed.json()) == 5
    assert OutboxEvent.objects.filter(event_type="recovery.given").count() == 5


@pytest.mark.django_db
def test_above_the_guide_one_line_of_reason_and_nothing_else(api, contact):
    r = give(api, contact, action="coupon-5", cost="50")
    assert r.status_code == 422 and r.json()["field"] == "reason_above_guide"
    r = give(api, contact, action="coupon-5", cost="50", reason_above_guide="第三次收到坏书")
    assert r.status_code == 201, r.content
    assert r.json()["above_guide"] is True and r.json()["cost"] == "50.00"
    # A team lead's guide is higher: the same coupon is usual for them.
    r = give(api, contact, as_="lead1", action="coupon-5", cost="50")
    assert r.status_code == 201 and r.json()["above_guide"] is False


@pytest.mark.django_db
def test_bad_input_and_roles(api, contact):
    assert give(api, contact, action="free-car").status_code == 422
    assert give(api, contact, action="coupon-5", cost="-1").status_code == 422
    r = give(api, contact, action="coupon-5", note="two\nlines")
    assert r.status_code == 422 and r.json()["field"] == "note"
    assert give(api, contact, as_="vendor1", action="coupon-5").status_code == 403
    assert (
        api.call("POST", "/contacts/999999/recovery", "agent1", {"action": "coupon-5"}).status_code
        == 404
    )
    assert not RecoveryGiven.objects.exists()


@pytest.mark.django_db
def test_the_catalogue_shows_each_persons_guide(api, contact):
    agent = {a["code"]: a["guide"] for a in api.call("GET", "/recovery/actions", "agent1").json()}
    lead = {a["code"]: a["guide"] for a in api.call("GET", "/recovery/actions", "lead1").json()}
    assert agent["coupon-5"] == "20.00" and lead["coupon-5"] == "100.00"
    assert agent["photo-waived"] is None
    RecoveryAction.objects.filter(code="refund").update(active=False)
    codes = [a["code"] for a in api.call("GET", "/recovery/actions", "agent1").json()]
    assert "refund" not in codes and codes[0] == "replacement"
    assert GuideLimit.objects.count() == 8
