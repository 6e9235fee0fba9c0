"""The blast radius of an andon: each figure on a world with two batches, three warehouses and
lines in every state, and a query count that does not grow with the lines."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from andon.catalog.models import Batch, Product, StockLevel, Warehouse
from andon.contacts.models import Contact, ReasonCode
from andon.orders.models import Customer, FulfilmentStatus, Order, OrderLine
from andon.pulls import services
from andon.pulls.blast import BlastRadius, RelatedProduct, StockHeld, blast_radius
from andon.pulls.models import Andon

from ..world import SKU
from .conftest import seed_product

pytestmark = pytest.mark.django_db

S = FulfilmentStatus

# (customer, status, batch index, warehouse index, days since the order, days since the status
# changed or None for no status time)
LINES = [
    (0, S.DELIVERED, 0, 0, 7, 5),  # a reporter
    (1, S.DELIVERED, 1, 1, 7, 5),  # a reporter
    (0, S.DELIVERED, 1, 2, 12, 10),  # the same buyer again: one past buyer, two lines
    (2, S.DELIVERED, 0, 0, 205, 200),  # delivered before the window
    (3, S.DELIVERED, 1, 2, 20, None),  # no status time: counts from its order
    (4, S.PACKED, 0, 0, 2, 1),
    (5, S.PACKED, 1, 1, 2, 1),
    (6, S.PACKED, 0, 2, 2, 1),
    (7, S.SHIPPED, 0, 1, 3, 2),  # with the carrier
    (8, S.SHIPPED, 1, 2, 3, 2),
    (9, S.PLACED, 0, 0, 1, None),
    (10, S.RETURNED, 1, 1, 9, 3),  # returned: neither a sale nor a past buyer
]


def build(world, *, monthly_gmv: str = "0") -> Andon:
    now = timezone.now()
    product = Product.objects.create(
        sku=SKU, title="看见", price="10.00", monthly_gmv=Decimal(monthly_gmv)
    )
    warehouses = [Warehouse.objects.create(code=f"wh-{c}", name=c) for c in ("bj", "gz", "sh")]
    batches = [
        Batch.objects.create(product=product, code="P-2026-01", supplier="S-A", manufacturer="M-X"),
        Batch.objects.create(product=product, code="P-2026-02", supplier="S-B", manufacturer="M-Y"),
    ]
    StockLevel.objects.bulk_create(
        StockLevel(product=product, warehouse=w, batch=b, quantity=10 * (wi + 1) + bi)
        for wi, w in enumerate(warehouses)
        for bi, b in enumerate(batches)
    )
    customers = Customer.objects.bulk_create(
        Customer(external_id=f"c{i}", name=f"C{i}") for i in range(11)
    )
    for n, (c, status, b, w, ordered, moved) in enumerate(LINES):
        order = Order.objects.create(
            external_id=f"o{n}", customer=customers[c], placed_at=now - dt.timedelta(days=ordered)
        )
        OrderLine.objects.create(
            order=order,
            line_no=1,
            product=product,
            batch=batches[b],
            warehouse=warehouses[w],
            unit_price=Decimal("10.00"),
            fulfilment_status=status,
            status_changed_at=None if moved is None else now - dt.timedelta(days=moved),
        )
    reason = ReasonCode.objects.get(code="print-defect")
    for line in OrderLine.objects.filter(order__external_id__in=["o0", "o1"]).select_related(
        "order"
    ):
        Contact.objects.create(
            created_at=now,
            customer_id=line.order.customer_id,
            order_line=line,
            product=product,
            reason=reason,
            text="100-101页未裁开",
            agent=world.users["agent1"],
        )
    # Other products: one with a batch of the same code, one printed by the same manufacturer,
    # one from the same supplier only, one from the same supplier and manufacturer (the closer
    # link wins), one unrelated.
    for sku, code, supplier, maker in [
        ("REL-BATCH", "P-2026-01", "S-Z", "M-Z"),
        ("REL-MAKER", "Q-1", "S-Z", "M-Y"),
        ("REL-SUPPLIER", "Q-2", "S-A", "M-Z"),
        ("REL-BOTH", "Q-3", "S-B", "M-X"),
        ("UNRELATED", "Q-4", "S-Z", "M-Z"),
    ]:
        other = Product.objects.create(sku=sku, title=sku)
        Batch.objects.create(product=other, code=code, supplier=supplier, manufacturer=maker)
    result = services.andon_pull(
        actor=world.users["agent1"], sku=SKU, reason="print-defect", note="100-101页未裁开"
    )
    return Andon.objects.select_related("product").get(pk=result.andon.pk)


def test_every_figure_on_two_batches_three_warehouses_and_lines_in_every_state(world):
    radius = blast_radius(andon=build(world))
    assert radius == BlastRadius(
        stock_units=(10 + 11) + (20 + 21) + (30 + 31),
        stock_held=[
            StockHeld("wh-bj", "P-2026-01", 10),
            StockHeld("wh-bj", "P-2026-02", 11),
            StockHeld("wh-gz", "P-2026-01", 20),
            StockHeld("wh-gz", "P-2026-02", 21),
            StockHeld("wh-sh", "P-2026-01", 30),
            StockHeld("wh-sh", "P-2026-02", 31),
        ],
        packed_lines=3,
        in_transit_lines=2,
        past_lines=4,
        past_buyers=3,
        past_days=90,
        # No monthly GMV: the 10 lines sold in the 30 days before the pull (not the returned
        # one, not the one ordered 205 days ago) at 10.00, over 30 days.
        gmv_per_day_at_stake=Decimal("3.33"),
        currency="CNY",
        related_products=[
            RelatedProduct("REL-BATCH", "batch"),
            RelatedProduct("REL-BOTH", "manufacturer"),
            RelatedProduct("REL-MAKER", "manufacturer"),
            RelatedProduct("REL-SUPPLIER", "supplier"),
        ],
    )


def test_monthly_gmv_from_the_storefront_wins_over_sales(world):
    assert blast_radius(andon=build(world, monthly_gmv="3000")).gmv_per_day_at_stake == Decimal(
        "100.00"
    )


def test_a_shorter_window_counts_fewer_past_buyers(world):
    radius = blast_radius(andon=build(world), past_days=8)
    assert (radius.past_lines, radius.past_buyers) == (2, 2)


def test_stock_and_packed_lines_stay_what_the_cord_caught_after_the_holds_are_released(world):
    andon = build(world)
    before = blast_radius(andon=andon)
    andon.holds.update(state="released")
    assert blast_radius(andon=andon) == before


def _count_queries(world, sku: str, packed: int) -> int:
    seed_product(sku=sku, packed_lines=packed, agent=world.users["agent1"])
    pulled = services.andon_pull(
        actor=world.users["agent1"], sku=sku, reason="print-defect", note="x"
    )
    andon = Andon.objects.select_related("product").get(pk=pulled.andon.pk)
    with CaptureQueriesContext(connection) as ctx:
        radius = blast_radius(andon=andon)
    assert radius.packed_lines == packed and radius.past_buyers == 2
    return len(ctx.captured_queries)


def test_the_query_count_is_the_same_for_5_and_500_lines(world, django_assert_max_num_queries):
    small = _count_queries(world, "SMALL-1", 5)
    large = _count_queries(world, "LARGE-1", 500)
    assert small == large
    andon = Andon.objects.select_related("product").get(product__sku="LARGE-1")
    with django_assert_max_num_queries(3):
        blast_radius(andon=andon)


def test_the_andon_read_carries_the_blast_radius_and_the_document_describes_it(world, api):
    andon = build(world, monthly_gmv="3000")
    r = api.call("GET", f"/andons/{andon.pk}", "agent1")
    assert r.status_code == 200, r.content
    radius = r.json()["blast_radius"]
    assert {k: radius[k] for k in ("stock_units", "packed_lines", "in_transit_lines")} == {
        "stock_units": 123,
        "packed_lines": 3,
        "in_transit_lines": 2,
    }
    assert (radius["past_buyers"], radius["past_lines"], radius["past_days"]) == (3, 4, 90)
    assert Decimal(radius["gmv_per_day_at_stake"]) == Decimal("100.00")
    assert radius["stock_held"][0] == {"warehouse": "wh-bj", "batch": "P-2026-01", "units": 10}
    assert radius["related_products"][0] == {"sku": "REL-BATCH", "shared": "batch"}
    doc = api.client.get("/api/v1/openapi.json").json()
    schemas = doc["components"]["schemas"]
    ok = doc["paths"]["/api/v1/andons/{andon_id}"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"]["$ref"].endswith("/AndonDetailOut")
    documented = set(schemas["BlastRadiusOut"]["properties"])
    assert {
        "stock_units",
        "packed_lines",
        "in_transit_lines",
        "past_buyers",
        "gmv_per_day_at_stake",
        "related_products",
    } <= documented
    shared = schemas["RelatedProductOut"]["properties"]["shared"]
    assert set(shared["enum"]) == {"batch", "manufacturer", "supplier"}


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            [
                "Blast radius",
                "Stock units held: 123",
                "Packed lines held: 3",
                "Lines already with the carrier (cannot be held): 2",
                "Past buyers (delivered from 90 days before the pull): 3 (4 lines)",
                "GMV per day at stake: CN¥3.33",
                "REL-BATCH · same batch code",
                "REL-SUPPLIER · same supplier",
            ],
        ),
        (
            "zh-hans",
            [
                "影响范围",
                "被扣库存件数：123",
                "被扣已打包订单行：3",
                "已交承运商的订单行（无法扣留）：2",
                "过去买家（按灯前 90 天起签收）：3 (4 行)",
                "每日涉及成交额：¥3.33",
                "REL-MAKER · 同一生产商/印厂",
            ],
        ),
    ],
)
def test_the_andon_page_shows_the_blast_radius_in_both_languages(world, language, expected):
    andon = build(world)
    client = Client(headers={"accept-language": language})
    assert client.login(username="agent1", password="agent1-pass")
    html = client.get(f"/andons/{andon.pk}/").content.decode()
    panel = html[html.index('id="blast-radius"') :]
    panel = panel[: panel.index("</section>")]
    text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", panel)))
    for line in expected:
        assert line in text, (line, text)
    assert '<td translate="no">wh-sh</td><td translate="no">P-2026-02</td><td>31</td>' in panel


def test_large_figures_are_grouped_by_thousands():
    from andon.web.formatting import number

    assert (number(1234567), number(0), number(None)) == ("1,234,567", "0", "—")


def test_the_andon_read_costs_the_same_queries_for_5_and_500_lines(world, api):
    # The token's first use of the minute writes its last-used time: not measured.
    api.call("GET", "/andons", "agent1")
    counts = []
    for sku, packed in (("SMALL-1", 5), ("LARGE-1", 500)):
        seed_product(sku=sku, packed_lines=packed, agent=world.users["agent1"])
        pulled = services.andon_pull(
            actor=world.users["agent1"], sku=sku, reason="print-defect", note="x"
        )
        with CaptureQueriesContext(connection) as ctx:
            r = api.call("GET", f"/andons/{pulled.andon.pk}", "agent1")
        assert r.status_code == 200 and r.json()["blast_radius"]["packed_lines"] == packed
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
