"""The API's guard (andon/api/guard.py): what crashed a database before issue 8 is a 422 naming
the field, every error is problem details (500 included), an oversize body is a 413; and
nothing is written on any of these refusals."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from andon.catalog.models import Product
from andon.core.models import IdempotencyRecord
from andon.integrations.models import Delivery

from ..pulls.conftest import seed_product
from ..world import SKU
from .test_bad_input import PULL, assert_problem, nothing_written

pytestmark = pytest.mark.django_db

BIG = 2**63  # one past the largest 64-bit integer


@pytest.fixture
def seeded(world):
    return seed_product(agent=world.users["agent1"])


@pytest.mark.parametrize(
    "change,field",
    [
        ({"note": "100页\u0000未裁开"}, "note"),
        ({"reason": "print-defect\u0000"}, "reason"),
        ({"problem": BIG}, "problem"),
        ({"problem": str(BIG * 10)}, "problem"),  # pydantic reads a numeric string too
    ],
)
def test_a_nul_or_a_huge_integer_in_a_body_is_a_422_naming_it_and_writes_nothing(
    api, seeded, change, field
):
    r = api.call("POST", "/andons", "agent1", PULL | change)
    body = assert_problem(r, 422, field, "invalid-input")
    assert field in body["detail"]
    assert nothing_written()
    seeded.refresh_from_db()
    assert seeded.listing_status == "active"


def test_a_nul_in_a_path_or_a_query_is_a_422_naming_it(api, seeded):
    assert_problem(api.call("GET", "/products/97875%00", "agent1"), 422, "sku")
    assert_problem(api.call("GET", "/andons?sku=978%00", "agent1"), 422, "sku")
    r = api.call("PUT", "/products/NEW%00", "integrator", {"title": "x", "price": "1.00"})
    assert_problem(r, 422, "sku")
    assert not Product.objects.filter(sku__startswith="NEW").exists()


@pytest.mark.parametrize(
    "path",
    [f"/andons/{BIG}", f"/andons/{-BIG - 1}/timeline", f"/work-orders/{BIG * 1000}"],
)
def test_an_id_beyond_64_bits_in_a_path_is_a_422_not_a_crash(api, seeded, path):
    body = assert_problem(api.call("GET", path, "agent1"), 422, None, "invalid-input")
    assert body["field"] in {"andon_id", "work_order_id"}


def _pulled(api) -> dict:
    r = api.call("POST", "/andons", "agent1", PULL)
    assert r.status_code == 201, r.content
    return r.json()


def test_a_huge_hold_id_is_refused_before_anything_and_the_role_still_comes_first(api, seeded):
    andon = _pulled(api)
    wo = andon["work_orders"][0]["id"]
    member = (
        "vendor1"
        if andon["work_orders"][0]["department"] == "vendor-management"
        else ("warehouse1")
    )
    api.call("POST", f"/work-orders/{wo}/start", member)
    before = api.call("GET", f"/work-orders/{wo}", member).json()
    resolve = {
        "findings": "批次B1",
        "disposition": "return-to-vendor",
        "holds": [{"id": BIG, "disposition": "scrap"}],
    }
    assert_problem(
        api.call("POST", f"/work-orders/{wo}/resolve", member, resolve), 422, "holds[0].id"
    )
    # A non-member with an id in range that names no hold: refused for the role first.
    resolve["holds"][0]["id"] = 10**12
    assert_problem(api.call("POST", f"/work-orders/{wo}/resolve", "agent1", resolve), 403, None)
    after = api.call("GET", f"/work-orders/{wo}", member).json()
    assert after == before  # nothing written by either refusal


@pytest.mark.parametrize(
    "since,until",
    [
        ("2026-11-01T00:00:00+16:00", "2026-11-02T00:00:00Z"),
        ("2026-11-01T00:00:00Z", "2026-11-02T00:00:00-23:59"),
        ("0001-01-01T00:00:00+08:00", "2026-11-02T00:00:00Z"),
        (0, "2026-11-02T00:00:00Z"),
    ],
)
def test_a_replay_with_an_impossible_offset_or_date_is_a_422_and_queues_nothing(api, since, until):
    endpoint = api.call("POST", "/webhooks", "integrator", {"url": "http://127.0.0.1:9/h"}).json()
    r = api.call(
        "POST",
        f"/webhooks/{endpoint['id']}/replay",
        "integrator",
        {"since": since, "until": until},
    )
    body = assert_problem(r, 422, None, "invalid-input")
    assert body["field"] in {"since", "until"}
    assert not Delivery.objects.exists()


def test_a_10_mb_body_is_a_413_problem_and_writes_nothing(api, world, seeded):
    rows = [{"sku": f"BIG-{i}", "title": "x" * 200, "price": "1.00"} for i in range(45_000)]
    raw = json.dumps(rows)
    assert len(raw) > 10_000_000
    r = api.call("POST", "/imports/products", "integrator", raw=raw, HTTP_IDEMPOTENCY_KEY="k-413")
    body = assert_problem(r, 413, "body", "body-too-large")
    assert "bytes" in body["detail"]
    assert not IdempotencyRecord.objects.exists()
    r = api.call("GET", f"/products/{SKU}", "integrator")
    assert r.status_code == 200
    assert api.call("GET", "/products/BIG-0", "integrator").status_code == 404


def test_an_idempotency_key_with_a_nul_is_a_400_and_claims_nothing(api, seeded):
    r = api.call("POST", "/andons", "agent1", PULL, HTTP_IDEMPOTENCY_KEY="k\x00")
    assert_problem(r, 400, "Idempotency-Key", "invalid-idempotency-key")
    assert not IdempotencyRecord.objects.exists()
    assert nothing_written()


def test_unknown_paths_and_methods_answer_problem_details(api, seeded):
    assert_problem(api.call("GET", "/no-such-thing", "agent1"), 404, None, "not-found")
    r = api.call("DELETE", f"/products/{SKU}", "integrator")
    assert_problem(r, 405, None, "method-not-allowed")
    assert "GET" in r["Allow"]


def test_a_crash_is_a_500_problem_and_still_logged(world, seeded, monkeypatch, caplog):
    def crash(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("andon.api.andons.andons_list", crash)
    client = Client(raise_request_exception=False)
    r = client.get("/api/v1/andons", **world.auth("agent1"), HTTP_ACCEPT_LANGUAGE="en")
    body = assert_problem(r, 500, None, "server-error")
    assert "boom" not in json.dumps(body)  # no internals to the client
    assert any("boom" in str(rec.exc_info) for rec in caplog.records if rec.exc_info)


@pytest.mark.parametrize("since", ["0", "1700000000", "0001-01-01", "9999-12-31"])
def test_a_kpi_period_from_a_number_or_an_absurd_year_is_a_422(api, seeded, since):
    r = api.call("GET", f"/kpis/bad-andon-rate?since={since}", "lead1")
    assert_problem(r, 422, "since", "invalid-input")
    assert api.call("GET", "/kpis/bad-andon-rate?since=2026-01-01", "lead1").status_code == 200
