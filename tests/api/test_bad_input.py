"""Bad input: a clear 4xx problem naming the field and the reason, and nothing written."""

from __future__ import annotations

import pytest

from andon.contacts.models import Contact
from andon.core.models import AuditEntry, OutboxEvent
from andon.holds.models import Hold
from andon.pulls.models import Andon

from ..pulls.conftest import seed_product
from ..world import SKU

pytestmark = pytest.mark.django_db

PULL = {"sku": SKU, "reason": "print-defect", "note": "100-101页未裁开"}


@pytest.fixture
def seeded(world):
    return seed_product(agent=world.users["agent1"])


def nothing_written() -> bool:
    return not (
        Andon.objects.exists()
        or Hold.objects.exists()
        or AuditEntry.objects.filter(action__startswith="andon").exists()
        or OutboxEvent.objects.filter(event_type__startswith="listing").exists()
    )


def assert_problem(r, status: int, field: str | None, code: str | None = None) -> dict:
    assert r.status_code == status, r.content
    assert r["Content-Type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == status and body["title"] and body["detail"]
    if field is not None:
        assert body["field"] == field, body
    if code is not None:
        assert body["code"] == code, body
    return body


@pytest.mark.parametrize(
    "change,field,code",
    [
        ({"sku": "0000000000000"}, "sku", "unknown-product"),
        ({"reason": "no-such-reason"}, "reason", "unknown-reason"),
        ({"note": ""}, "note", "invalid-input"),
        ({"note": "x" * 500}, "note", "invalid-input"),
        ({"note": "line one\nline two"}, "note", "invalid-input"),
    ],
)
def test_a_bad_pull_is_refused_with_the_field_and_nothing_is_written(
    api, seeded, change, field, code
):
    body = assert_problem(api.call("POST", "/andons", "agent1", PULL | change), 422, field, code)
    assert body["type"] == f"urn:andon:problem:{code}"
    assert nothing_written()
    seeded.refresh_from_db()
    assert seeded.listing_status == "active"


def test_a_missing_field_is_named(api, seeded):
    body = assert_problem(
        api.call("POST", "/andons", "agent1", {"sku": SKU, "note": "x"}),
        422,
        "reason",
        "invalid-input",
    )
    assert "reason" in body["detail"]
    assert nothing_written()


def test_malformed_json_is_a_400_naming_the_body(api, seeded):
    assert_problem(
        api.call("POST", "/andons", "agent1", raw='{"sku": "97875'), 400, "body", "malformed-json"
    )
    assert nothing_written()


@pytest.mark.parametrize("who", ["vendor1", "confirmer1", "integrator"])
def test_only_agents_and_team_leads_pull(api, seeded, who):
    assert_problem(api.call("POST", "/andons", who, PULL), 403, None, "forbidden")
    assert nothing_written()


def test_without_a_token_the_answer_is_401(client, seeded):
    r = client.post("/api/v1/andons", data=PULL, content_type="application/json")
    assert_problem(r, 401, None, "unauthenticated")
    r = client.post(
        "/api/v1/andons",
        data=PULL,
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer andon_not-a-real-token",
    )
    assert r.status_code == 401
    assert nothing_written()


@pytest.mark.parametrize(
    "change,field,code",
    [
        ({"order": "no-such-order"}, "line_no", "unknown-order-line"),
        ({"line_no": 9}, "line_no", "unknown-order-line"),
        ({"reason": "nope"}, "reason", "unknown-reason"),
        ({"customer": f"{SKU}-c1"}, "customer", "customer-mismatch"),
        ({"line_no": 0}, "line_no", "invalid-input"),
        ({"channel": "pigeon"}, "channel", "invalid-input"),
    ],
)
def test_a_bad_contact_is_refused_and_not_recorded(api, seeded, change, field, code):
    body = {
        "customer": f"{SKU}-c0",
        "order": f"{SKU}-o0",
        "line_no": 1,
        "reason": "print-defect",
        "text": "x",
    }
    before = Contact.objects.count()
    assert_problem(api.call("POST", "/contacts", "agent1", body | change), 422, field, code)
    assert Contact.objects.count() == before


def test_unknown_product_on_read_is_404(api, seeded):
    assert_problem(api.call("GET", "/products/nope", "agent1"), 404, "sku", "product-not-found")


def test_bad_catalog_rows_name_their_field(api, seeded):
    r = api.call(
        "PUT",
        "/products/NEW-1",
        "integrator",
        {
            "title": "x",
            "price": "1.00",
            "batches": [{"code": "B"}],
            "stock": [{"warehouse": "nowhere", "batch": "B", "quantity": 1}],
        },
    )
    assert_problem(r, 422, "stock[0].warehouse", "unknown-warehouse")
    r = api.call("PUT", "/products/NEW-1", "integrator", {"title": "x", "price": "-1"})
    assert_problem(r, 422, "price", "invalid-input")
    r = api.call(
        "PUT",
        "/orders/o-x",
        "integrator",
        {
            "customer": f"{SKU}-c0",
            "placed_at": "2026-11-01T00:00:00Z",
            "lines": [{"line_no": 1, "sku": "nope"}],
        },
    )
    assert_problem(r, 422, "lines[0].sku", "unknown-product")
    r = api.call(
        "PUT",
        "/orders/o-x",
        "integrator",
        {
            "customer": f"{SKU}-c0",
            "placed_at": "2026-11-01T00:00:00Z",
            "lines": [{"line_no": 1, "sku": SKU, "status": "teleported"}],
        },
    )
    assert_problem(r, 422, "lines[0].status", "invalid-input")


def test_agents_cannot_load_the_catalog(api, seeded):
    assert_problem(
        api.call("PUT", "/products/NEW-2", "agent1", {"title": "x", "price": "1"}),
        403,
        None,
        "forbidden",
    )
