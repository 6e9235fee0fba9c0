"""The blast radius at the moment of the pull: in the service's result, the API's answer, the
console's pull-result panel and the `andon.pulled` event, within the pull's query budget."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from andon.core.models import OutboxEvent
from andon.pulls import services

from ..world import SKU
from .conftest import seed_product
from .test_blast_radius import build

pytestmark = pytest.mark.django_db


def test_the_pull_returns_the_blast_radius_and_the_event_carries_it(world):
    andon = build(world, monthly_gmv="3000")
    event = OutboxEvent.objects.get(event_type="andon.pulled", payload__andon_id=andon.pk)
    radius = event.payload["blast_radius"]
    assert (radius["stock_units"], radius["packed_lines"], radius["in_transit_lines"]) == (
        123,
        3,
        2,
    )
    assert (radius["past_buyers"], radius["past_lines"], radius["past_days"]) == (3, 4, 90)
    assert Decimal(radius["gmv_per_day_at_stake"]) == Decimal("100.00")
    assert radius["currency"] == "CNY"
    assert radius["stock_held"][0] == {"warehouse": "wh-bj", "batch": "P-2026-01", "units": 10}
    assert radius["related_products"] == [
        {"sku": "REL-BATCH", "shared": "batch"},
        {"sku": "REL-BOTH", "shared": "manufacturer"},
        {"sku": "REL-MAKER", "shared": "manufacturer"},
        {"sku": "REL-SUPPLIER", "shared": "supplier"},
    ]
    # The listing's stop-sell still comes first in the sequence.
    first = OutboxEvent.objects.filter(product_sku=SKU).order_by("id").first()
    assert first is not None and first.event_type == "listing.suppressed"


def test_a_join_answers_with_the_blast_radius_too(world):
    andon = build(world)
    joined = services.andon_pull(
        actor=world.users["agent2"], sku=SKU, reason="print-defect", note="又一位"
    )
    assert joined.joined and joined.andon.pk == andon.pk
    assert joined.blast is not None and joined.blast.stock_units == 123


def _pull_queries(world, sku: str, packed: int) -> int:
    seed_product(sku=sku, packed_lines=packed, agent=world.users["agent1"])
    with CaptureQueriesContext(connection) as ctx:
        result = services.andon_pull(
            actor=world.users["agent1"], sku=sku, reason="print-defect", note="x"
        )
    assert result.blast is not None
    assert result.blast.packed_lines == packed and result.blast.stock_units == 200
    assert result.blast.past_buyers == 2
    return len(ctx.captured_queries)


@pytest.mark.slow
def test_the_pull_with_the_panel_costs_the_same_queries_for_5_and_5000_lines(world):
    assert _pull_queries(world, "SMALL-1", 5) == _pull_queries(world, "LARGE-1", 5000)


def test_the_api_pull_answers_with_the_blast_radius_and_documents_it(world, api):
    seed_product(agent=world.users["agent1"])
    r = api.call(
        "POST", "/andons", "agent1", {"sku": SKU, "reason": "print-defect", "note": "100页"}
    )
    assert r.status_code == 201, r.content
    radius = r.json()["blast_radius"]
    assert (radius["stock_units"], radius["packed_lines"], radius["past_buyers"]) == (200, 5, 2)
    doc = api.client.get("/api/v1/openapi.json").json()
    created = doc["paths"]["/api/v1/andons"]["post"]["responses"]["201"]
    assert created["content"]["application/json"]["schema"]["$ref"].endswith("/AndonDetailOut")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["Blast radius", "Stock units held: 200", "Packed lines held: 5"]),
        ("zh-hans", ["影响范围", "被扣库存件数：200", "被扣已打包订单行：5"]),
    ],
)
def test_the_console_pull_result_shows_the_blast_radius(world, language, expected):
    seed_product(agent=world.users["agent1"])
    client = Client(headers={"accept-language": language})
    assert client.login(username="agent1", password="agent1-pass")
    r = client.post(f"/products/{SKU}/pull", {"reason": "print-defect", "note": "100-101页未裁开"})
    html = r.content.decode()
    result = html[html.index('id="pull-result"') :]
    panel = result[result.index('id="blast-radius"') :]
    panel = panel[: panel.index("</section>")]
    text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", panel)))
    for line in expected:
        assert line in text, (line, text)
