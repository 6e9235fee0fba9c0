"""While a product is stopped, what arrives later is held too: nothing of it ships before the
findings. (A storefront keeps syncing orders and stock while the andon is open.)"""

from __future__ import annotations

import pytest

from andon.core.models import AuditEntry
from andon.integrations.imports import rows_import
from andon.orders.models import OrderLine
from andon.pulls.services import andon_pull

from ..holds.held import held_lines, line_holds_written
from ..world import SKU
from .conftest import seed_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def stopped(world):
    seed_product(agent=world.users["agent1"])
    return andon_pull(
        actor=world.users["agent1"], sku=SKU, reason="print-defect", note="100-101页未裁开"
    ).andon


def order(line_status: str) -> dict:
    return {
        "customer": f"{SKU}-c0",
        "placed_at": "2026-11-25T10:00:00+08:00",
        "lines": [
            {"line_no": 1, "sku": SKU, "batch": "B1", "warehouse": "wh-sh", "status": line_status}
        ],
    }


def test_a_line_packed_after_the_pull_is_held_and_cannot_ship(api, stopped):
    before = held_lines().count()
    r = api.call("PUT", "/orders/late-1", "integrator", order("packed"))
    assert r.status_code == 201 and r.json()["lines"][0]["on_hold"] is True
    assert held_lines().count() == before + 1
    assert line_holds_written(andon=stopped).count() == before + 1
    shipped = api.call("PATCH", "/orders/late-1/lines/1", "integrator", {"status": "shipped"})
    assert shipped.status_code == 409
    entry = AuditEntry.objects.filter(andon_id=stopped.pk, action="holds.placed").last()
    assert entry.data["arrived_while_stopped"] and entry.data["order_lines"] == 1


def test_a_placed_line_that_is_packed_later_is_held(api, stopped):
    assert api.call("PUT", "/orders/late-2", "integrator", order("placed")).status_code == 201
    r = api.call("PATCH", "/orders/late-2/lines/1", "integrator", {"status": "packed"})
    assert r.status_code == 200 and r.json()["on_hold"] is True


def test_new_stock_of_a_stopped_product_is_held(api, stopped):
    r = api.call(
        "PUT",
        f"/products/{SKU}",
        "integrator",
        {
            "title": "看见",
            "price": "39.80",
            "batches": [{"code": "B3"}],
            "stock": [{"warehouse": "wh-sh", "batch": "B3", "quantity": 40}],
        },
    )
    assert r.status_code == 200
    assert api.call("GET", f"/andons/{stopped.pk}", "agent1").json()["holds"]["stock_units"] == 240


def test_an_import_of_packed_lines_for_a_stopped_product_holds_them(stopped):
    result = rows_import(
        actor=None,
        kind="orders",
        rows=[
            {
                "order": "late-3",
                "customer": f"{SKU}-c1",
                "placed_at": "2026-11-25T10:00:00+08:00",
                "line_no": 1,
                "sku": SKU,
                "batch": "B2",
                "warehouse": "wh-bj",
                "status": "packed",
                "quantity": 1,
                "unit_price": "39.80",
            }
        ],
    )
    assert not result.rejected, result.rejected
    line = OrderLine.objects.get(order__external_id="late-3")
    assert held_lines().filter(pk=line.pk).exists()
    assert line_holds_written(andon=stopped).filter(order_line=line).exists()


def test_a_product_that_is_not_stopped_costs_one_query(world, django_assert_num_queries):
    from andon.pulls.services import holds_catch_up

    product = seed_product(sku="FREE-1", agent=world.users["agent1"])
    with django_assert_num_queries(1):
        assert holds_catch_up(product_ids=[product.pk]) == 0
