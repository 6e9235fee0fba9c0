"""The membership API: plans, a customer's membership with history, enrol / renew / past
due / cancel, the storefront's PUT; 4xx problem details naming the field; roles; idempotency."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group, User

from andon.core.models import ApiToken, AuditEntry, OutboxEvent, hash_token
from andon.membership.models import Membership, MembershipChange
from andon.membership.services import plans_ensure_defaults
from andon.orders.models import Customer
from andon.recovery.services import catalogue_ensure_defaults

from ..reviews.factories import reported_product

pytestmark = pytest.mark.django_db
PATH = "/customers/cust-a/membership"


@pytest.fixture
def setup(world):
    plans_ensure_defaults()
    Customer.objects.create(external_id="cust-a", name="客户A")
    manager = User.objects.create_user(username="mm1", password="x")
    manager.groups.add(Group.objects.get_or_create(name="membership_manager")[0])
    raw = ApiToken.new_raw()
    ApiToken.objects.create(user=manager, token_hash=hash_token(raw), prefix=raw[:12])
    world.tokens["mm1"] = raw
    return world


def membership_events() -> list[str]:
    return list(
        OutboxEvent.objects.filter(event_type__startswith="membership.")
        .order_by("id")
        .values_list("event_type", flat=True)
    )


def test_plans_with_their_benefits_in_a_fixed_number_of_queries(
    api, setup, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):  # token, plans, benefits (+ session/savepoints)
        r = api.call("GET", "/membership/plans", "agent1")
    assert r.status_code == 200
    [plan] = r.json()
    assert plan["code"] == "member-98" and plan["trial_days"] == 30
    assert plan["benefits"][0] == {
        "kind": "discount_percent",
        "value": "2.00",
        "label_zh": "全场九八折",
        "label_en": "2% off every order",
    }


def test_enrol_read_cancel_and_the_benefits_stay_to_the_end(api, setup):
    r = api.call("POST", PATH, "agent1", {"plan": "member-98", "source": "console"})
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["state"], body["source"], body["benefits_now"]) == ("trial", "console", True)
    assert [h["change"] for h in body["history"]] == ["started"]
    assert body["history"][0]["by"] == "agent1"
    r = api.call("GET", PATH, "integrator")
    assert r.status_code == 200 and r.json()["state"] == "trial"
    for _ in range(2):
        r = api.call("POST", f"{PATH}/cancel", "mm1")
        assert r.status_code == 200, r.content
    assert r.json()["state"] == "cancelled" and r.json()["benefits_now"] is True
    assert r.json()["auto_renew"] is False
    assert membership_events() == ["membership.started", "membership.cancelled"]


def test_renew_with_an_idempotency_key_renews_once(api, setup):
    api.call(
        "POST", PATH, "integrator", {"plan": "member-98", "trial": False, "source": "storefront"}
    )
    headers = {"HTTP_IDEMPOTENCY_KEY": "pay-2026-04"}
    first = api.call("POST", f"{PATH}/renew", "integrator", **headers)
    again = api.call("POST", f"{PATH}/renew", "integrator", **headers)
    assert first.status_code == again.status_code == 200
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert first.json() == again.json()
    assert Membership.objects.get().paid_periods == 2
    assert membership_events() == ["membership.started", "membership.renewed"]


def test_enrol_with_an_idempotency_key_enrols_once(api, setup):
    headers = {"HTTP_IDEMPOTENCY_KEY": "enrol-cust-a"}
    for _ in range(2):
        r = api.call("POST", PATH, "agent1", {"plan": "member-98"}, **headers)
        assert r.status_code == 201
    assert Membership.objects.count() == 1


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        (PATH, {"plan": "gold"}, 422, "plan"),
        (PATH, {"plan": ""}, 422, "plan"),
        (PATH, {"plan": "member-98", "source": "recovery"}, 422, "source"),
        (PATH, {"plan": "member-98", "trial": "maybe"}, 422, "trial"),
        (PATH, {"plan": "member-98", "campaign": "x" * 65}, 422, "campaign"),
        ("/customers/nobody/membership", {"plan": "member-98"}, 404, "external_id"),
        (f"{PATH}/cancel", None, 404, "customer"),
        (f"{PATH}/renew", None, 404, "customer"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field(api, setup, path, body, status, field):
    r = api.call("POST", path, "agent1", body)
    assert r.status_code == status, r.content
    assert r["Content-Type"] == "application/problem+json"
    assert r.json()["field"] == field


def test_a_second_enrolment_is_a_409_naming_the_customer(api, setup):
    api.call("POST", PATH, "agent1", {"plan": "member-98"})
    r = api.call("POST", PATH, "agent2", {"plan": "member-98", "trial": False})
    assert r.status_code == 409 and r.json()["field"] == "customer"
    assert r.json()["code"] == "already-member"
    r = api.call("POST", f"{PATH}/past-due", "agent2")
    assert r.status_code == 409 and r.json()["field"] == "state"  # a trial is not past due


@pytest.mark.parametrize("who", ["vendor1", "warehouse1", "confirmer1"])
def test_only_service_people_integrators_and_managers_read_or_change(api, setup, who):
    assert api.call("GET", PATH, who).status_code == 403
    assert api.call("POST", PATH, who, {"plan": "member-98"}).status_code == 403
    assert api.call("POST", f"{PATH}/cancel", who).status_code == 403
    assert not Membership.objects.exists()


def test_never_a_member_is_a_404(api, setup):
    r = api.call("GET", PATH, "agent1")
    assert r.status_code == 404 and r.json()["field"] == "external_id"


def test_the_storefront_put_creates_moves_forward_and_repeats_as_a_no_op(api, setup):
    start = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    trial = {
        "plan": "member-98",
        "state": "trial",
        "started_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(days=30)).isoformat(),
    }
    for _ in range(2):
        r = api.call("PUT", PATH, "integrator", trial)
        assert r.status_code == 200, r.content
    assert r.json()["source"] == "storefront"
    paid = {**trial, "state": "active", "ends_at": (start + dt.timedelta(days=61)).isoformat()}
    for _ in range(2):
        r = api.call("PUT", PATH, "integrator", paid)
        assert r.status_code == 200, r.content
    assert r.json()["state"] == "active"
    assert membership_events() == ["membership.started", "membership.converted"]
    back = api.call("PUT", PATH, "integrator", trial)
    assert back.status_code == 409 and back.json()["field"] == "state"
    bad = api.call("PUT", PATH, "integrator", {**paid, "ends_at": "2020-01-01T00:00:00Z"})
    assert bad.status_code == 422 and bad.json()["field"] == "ends_at"
    other = api.call("PUT", PATH, "integrator", {**paid, "plan": "nope"})
    assert other.status_code == 422 and other.json()["field"] == "plan"
    gone = api.call("PUT", PATH, "integrator", {**paid, "state": "expired"})
    assert gone.status_code == 200 and gone.json()["state"] == "expired"
    assert MembershipChange.objects.count() == 3
    # The same expiry again is the same record: answered as is, nothing written.
    again = api.call("PUT", PATH, "integrator", {**paid, "state": "expired"})
    assert again.status_code == 200 and again.json()["state"] == "expired"
    assert MembershipChange.objects.count() == 3 and len(membership_events()) == 3
    # A cancelled member whose record repeats auto_renew (default true) is unchanged too.
    Customer.objects.create(external_id="cust-b", name="客户B")
    cancelled = {**paid, "state": "cancelled"}
    for _ in range(2):
        r = api.call("PUT", "/customers/cust-b/membership", "integrator", cancelled)
        assert r.status_code == 200 and r.json()["auto_renew"] is False
    assert not AuditEntry.objects.filter(action="membership.synced").exists()


def test_the_story_over_the_api_recovery_then_membership(api, setup):
    catalogue_ensure_defaults()
    _, [contact, _] = reported_product(agent=setup.users["agent1"])
    r = api.call("POST", f"/contacts/{contact.pk}/recovery", "agent1", {"action": "membership-98"})
    assert r.status_code == 201, r.content
    r = api.call("GET", f"/customers/{contact.customer.external_id}/membership", "agent2")
    assert r.status_code == 200
    assert (r.json()["state"], r.json()["source"], r.json()["plan"]) == (
        "trial",
        "recovery",
        "member-98",
    )


@pytest.mark.parametrize("value", [0, 1, "true", "yes", None])
def test_booleans_are_json_booleans(api, setup, value):
    r = api.call("POST", PATH, "agent1", {"plan": "member-98", "trial": value})
    assert r.status_code == 422 and r.json()["field"] == "trial"
    put = {
        "plan": "member-98",
        "state": "active",
        "started_at": "2026-11-01T00:00:00Z",
        "ends_at": "2026-12-01T00:00:00Z",
        "auto_renew": value,
    }
    r = api.call("PUT", PATH, "integrator", put)
    assert r.status_code == 422 and r.json()["field"] == "auto_renew"
