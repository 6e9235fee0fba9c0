"""A retried request with the same Idempotency-Key never duplicates anything."""

from __future__ import annotations

import pytest

from andon.contacts.models import Contact
from andon.pulls.models import Andon, CordPull

from ..pulls.conftest import seed_product
from ..world import SKU

pytestmark = pytest.mark.django_db

CONTACT = {
    "customer": f"{SKU}-c0",
    "order": f"{SKU}-o0",
    "line_no": 1,
    "reason": "print-defect",
    "text": "100-101页未裁开",
}
PULL = {"sku": SKU, "reason": "print-defect", "note": "100-101页未裁开"}


@pytest.fixture
def seeded(world):
    return seed_product(agent=world.users["agent1"])


def test_a_retried_contact_is_recorded_once_and_answered_the_same(api, seeded):
    before = Contact.objects.count()
    first = api.call("POST", "/contacts", "agent1", CONTACT, HTTP_IDEMPOTENCY_KEY="k-1")
    again = api.call("POST", "/contacts", "agent1", CONTACT, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Contact.objects.count() == before + 1


def test_a_retried_pull_is_one_pull_not_a_join(api, seeded):
    first = api.call("POST", "/andons", "agent1", PULL, HTTP_IDEMPOTENCY_KEY="pull-1")
    again = api.call("POST", "/andons", "agent1", PULL, HTTP_IDEMPOTENCY_KEY="pull-1")
    assert first.status_code == again.status_code == 201
    assert again.json()["joined"] is False
    assert Andon.objects.count() == 1 and CordPull.objects.count() == 1


def test_a_key_reused_for_a_different_request_is_refused(api, seeded):
    api.call("POST", "/contacts", "agent1", CONTACT, HTTP_IDEMPOTENCY_KEY="k-2")
    r = api.call(
        "POST", "/contacts", "agent1", CONTACT | {"text": "other"}, HTTP_IDEMPOTENCY_KEY="k-2"
    )
    assert r.status_code == 422 and r.json()["code"] == "idempotency-key-reused"
    assert r.json()["field"] == "Idempotency-Key"


def test_a_refused_request_does_not_burn_its_key(api, seeded):
    bad = api.call("POST", "/andons", "agent1", PULL | {"note": ""}, HTTP_IDEMPOTENCY_KEY="k-3")
    assert bad.status_code == 422
    # The same key with the same (still bad) body is judged afresh, not replayed.
    assert (
        api.call(
            "POST", "/andons", "agent1", PULL | {"note": ""}, HTTP_IDEMPOTENCY_KEY="k-3"
        ).status_code
        == 422
    )
    assert not Andon.objects.exists()


def test_keys_belong_to_their_user(api, seeded):
    a = api.call("POST", "/contacts", "agent1", CONTACT, HTTP_IDEMPOTENCY_KEY="shared")
    b = api.call("POST", "/contacts", "agent2", CONTACT, HTTP_IDEMPOTENCY_KEY="shared")
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]


def test_an_overlong_key_is_a_400(api, seeded):
    r = api.call("POST", "/contacts", "agent1", CONTACT, HTTP_IDEMPOTENCY_KEY="k" * 201)
    assert r.status_code == 400 and r.json()["field"] == "Idempotency-Key"
