"""Held goods are frozen everywhere: while an andon holds stock or a packed order line, the
API (409), the import (row rejected), the admin (a form error) and the services (StockOnHold,
LineOnHold) refuse to change it, and each refusal writes nothing at all."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from andon.catalog.models import StockLevel
from andon.catalog.services import BatchIn
from andon.holds.errors import LineOnHold, StockOnHold
from andon.integrations import syncs
from andon.integrations.admin import OrderLineForm
from andon.integrations.imports import rows_import
from andon.orders.models import OrderLine
from andon.pulls.services import andon_pull

from ..api.test_bad_input import assert_problem
from ..pulls.conftest import seed_product
from ..snapshot import assert_nothing_written, db_state
from ..world import SKU
from .held import held_lines

pytestmark = pytest.mark.django_db


@pytest.fixture
def stopped(world):
    seed_product(agent=world.users["agent1"])
    return andon_pull(
        actor=world.users["agent1"], sku=SKU, reason="print-defect", note="100-101页未裁开"
    ).andon


def product_body(quantity: int, title: str = "看见（新版）") -> dict:
    return {
        "title": title,
        "price": "39.80",
        "batches": [{"code": "B1"}],
        "stock": [{"warehouse": "wh-sh", "batch": "B1", "quantity": quantity}],
    }


def held_line() -> OrderLine:
    return (
        held_lines()
        .select_related("order__customer", "product", "batch", "warehouse")
        .order_by("id")
        .first()
    )


def order_body(line: OrderLine, **change) -> dict:
    return {
        "customer": line.order.customer.external_id,
        "placed_at": line.order.placed_at.isoformat(),
        "channel": "web-2",
        "lines": [
            {
                "line_no": line.line_no,
                "sku": line.product.sku,
                "batch": line.batch.code,
                "warehouse": line.warehouse.code,
                "status": line.fulfilment_status,
                "quantity": line.quantity,
                **change,
            }
        ],
    }


# --- API --------------------------------------------------------------------------------


def test_the_api_refuses_to_change_held_stock_and_writes_nothing(api, stopped):
    before = db_state()
    r = api.call("PUT", f"/products/{SKU}", "integrator", product_body(999))
    body = assert_problem(r, 409, "stock[0].quantity", "stock-on-hold")
    assert "on hold" in body["detail"]
    assert_nothing_written(before)  # not even the new title
    assert StockLevel.objects.get(warehouse__code="wh-sh", batch__code="B1").quantity == 50


def test_the_api_may_send_held_stock_again_unchanged(api, stopped):
    r = api.call("PUT", f"/products/{SKU}", "integrator", product_body(50))
    assert r.status_code == 200, r.content
    assert r.json()["title"] == "看见（新版）"


@pytest.mark.parametrize(
    "change,field",
    [({"quantity": 3}, "quantity"), ({"status": "shipped"}, "status"), ({"batch": "B2"}, "batch")],
)
def test_the_api_refuses_to_change_a_held_line_and_writes_nothing(api, stopped, change, field):
    line = held_line()
    if change.get("batch") == line.batch.code:
        change = {"batch": "B1"}
    before = db_state()
    r = api.call(
        "PUT", f"/orders/{line.order.external_id}", "integrator", order_body(line, **change)
    )
    assert_problem(r, 409, f"lines[0].{field}", "line-on-hold")
    assert_nothing_written(before)  # the order's channel neither


def test_the_api_refuses_to_move_a_held_lines_status_and_writes_nothing(api, stopped):
    line = held_line()
    before = db_state()
    r = api.call(
        "PATCH", f"/orders/{line.order.external_id}/lines/1", "integrator", {"status": "shipped"}
    )
    assert_problem(r, 409, "status", "line-on-hold")
    assert_nothing_written(before)


def test_put_order_stamps_the_status_change_only_when_the_status_changes(api, world):
    seed_product(sku="FREE-1", packed_lines=1, reporters=0, agent=world.users["agent1"])
    line = OrderLine.objects.select_related("order__customer", "product", "batch", "warehouse").get(
        product__sku="FREE-1"
    )
    first = api.call("PUT", "/orders/FREE-1-o0", "integrator", order_body(line))
    assert first.status_code == 200, first.content
    stamped = OrderLine.objects.get(pk=line.pk).status_changed_at
    again = api.call("PUT", "/orders/FREE-1-o0", "integrator", order_body(line, quantity=2))
    assert again.status_code == 200
    assert OrderLine.objects.get(pk=line.pk).status_changed_at == stamped  # same status
    moved = api.call("PUT", "/orders/FREE-1-o0", "integrator", order_body(line, status="shipped"))
    assert moved.status_code == 200
    assert OrderLine.objects.get(pk=line.pk).status_changed_at != stamped


def test_a_line_given_twice_in_one_order_is_refused_naming_it(api, world):
    seed_product(sku="FREE-2", packed_lines=1, reporters=0, agent=world.users["agent1"])
    line = OrderLine.objects.select_related("order__customer", "product", "batch", "warehouse").get(
        product__sku="FREE-2"
    )
    body = order_body(line)
    body["lines"] *= 2
    before = db_state()
    assert_problem(
        api.call("PUT", "/orders/FREE-2-o0", "integrator", body), 422, "lines[1].line_no"
    )
    assert_nothing_written(before)


# --- import -----------------------------------------------------------------------------


def test_the_import_rejects_held_stock_and_writes_nothing(world, stopped):
    before = db_state()
    result = rows_import(
        actor=world.users["integrator"],
        kind="stock",
        rows=[{"sku": SKU, "warehouse": "wh-sh", "batch": "B1", "quantity": 999}],
    )
    assert [(r.row, r.field) for r in result.rejected] == [(1, "quantity")]
    assert_nothing_written(before)


def test_the_import_rejects_a_held_lines_quantity_and_writes_nothing(world, stopped):
    line = held_line()
    before = db_state()
    result = rows_import(
        actor=world.users["integrator"],
        kind="orders",
        rows=[
            {
                "order": line.order.external_id,
                "customer": line.order.customer.external_id,
                "placed_at": line.order.placed_at.isoformat(),
                "line_no": 1,
                "sku": SKU,
                "batch": line.batch.code,
                "warehouse": line.warehouse.code,
                "status": "packed",
                "quantity": 7,
            }
        ],
    )
    assert [(r.row, r.field) for r in result.rejected] == [(1, "quantity")]
    assert_nothing_written(before)


# --- admin ------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-12345678")
    client.force_login(user)
    return client


def test_the_admin_refuses_to_change_held_stock_with_a_form_error(admin_client, stopped):
    stock = StockLevel.objects.get(warehouse__code="wh-sh", batch__code="B1")
    before = db_state()
    r = admin_client.post(
        f"/admin/catalog/stocklevel/{stock.pk}/change/",
        {
            "product": stock.product_id,
            "warehouse": stock.warehouse_id,
            "batch": stock.batch_id,
            "quantity": 999,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 200  # the form again, with the error
    assert "is on hold by an open andon" in r.content.decode()
    assert_nothing_written(before)


def test_the_admin_may_change_stock_nobody_holds(admin_client, world):
    seed_product(sku="FREE-3", agent=world.users["agent1"])
    stock = StockLevel.objects.filter(product__sku="FREE-3").first()
    r = admin_client.post(
        f"/admin/catalog/stocklevel/{stock.pk}/change/",
        {
            "product": stock.product_id,
            "warehouse": stock.warehouse_id,
            "batch": stock.batch_id,
            "quantity": 7,
        },
    )
    assert r.status_code == 302, r.content
    stock.refresh_from_db()
    assert stock.quantity == 7


def test_the_admins_order_line_form_refuses_to_change_a_held_line(stopped):
    line = held_line()
    data = {
        "order": line.order_id,
        "line_no": line.line_no,
        "product": line.product_id,
        "batch": line.batch_id,
        "warehouse": line.warehouse_id,
        "quantity": 5,
        "unit_price": "39.80",
        "fulfilment_status": line.fulfilment_status,
    }
    before = db_state()
    with transaction.atomic():  # as the admin's change view (the form locks the listing)
        form = OrderLineForm(data=data, instance=line)
        assert not form.is_valid()
    assert [e.code for e in form.errors.as_data()["__all__"]] == ["line-on-hold"]
    assert_nothing_written(before)


# --- services ---------------------------------------------------------------------------


def test_the_product_sync_service_refuses_held_stock_and_writes_nothing(world, stopped):
    before = db_state()
    with pytest.raises(StockOnHold) as refused:
        syncs.product_sync(
            actor=world.users["integrator"],
            sku=SKU,
            title="看见（新版）",
            price=Decimal("39.80"),
            batches=[BatchIn("B9")],
            stock=[syncs.StockIn("wh-bj", "B2", 0)],
        )
    assert refused.value.field == "stock[0].quantity"
    assert_nothing_written(before)  # neither the title nor the new batch


def test_the_order_sync_service_refuses_a_held_line_and_writes_nothing(world, stopped):
    line = held_line()
    before = db_state()
    with pytest.raises(LineOnHold):
        syncs.order_sync(
            actor=world.users["integrator"],
            external_id=line.order.external_id,
            customer=line.order.customer.external_id,
            placed_at=line.order.placed_at,
            channel="elsewhere",
            lines=[
                syncs.LineIn(line_no=1, sku=SKU, quantity=9, batch=line.batch.code, status="packed")
            ],
        )
    assert_nothing_written(before)


def test_the_line_status_service_refuses_a_held_line_and_writes_nothing(world, stopped):
    line = held_line()
    before = db_state()
    with pytest.raises(LineOnHold):
        syncs.line_status_sync(
            actor=world.users["integrator"],
            order=line.order.external_id,
            line_no=1,
            status="shipped",
        )
    assert_nothing_written(before)


def test_the_admin_shows_holds_but_never_changes_them(admin_client, stopped):
    hold = stopped.holds.first()
    before = db_state()
    assert admin_client.get(f"/admin/holds/hold/{hold.pk}/change/").status_code == 200
    r = admin_client.post(
        f"/admin/holds/hold/{hold.pk}/change/", {"state": "released", "quantity": 0}
    )
    assert r.status_code == 403
    assert_nothing_written(before)


def _order_admin_post(line: OrderLine, **change) -> dict:
    order = line.order
    placed = order.placed_at.astimezone(dt.UTC)
    return {
        "external_id": order.external_id,
        "customer": order.customer_id,
        "placed_at_0": placed.strftime("%Y-%m-%d"),
        "placed_at_1": placed.strftime("%H:%M:%S"),
        "channel": order.channel,
        "lines-TOTAL_FORMS": 1,
        "lines-INITIAL_FORMS": 1,
        "lines-MIN_NUM_FORMS": 0,
        "lines-MAX_NUM_FORMS": 1000,
        "lines-0-id": line.pk,
        "lines-0-order": order.pk,
        "lines-0-line_no": line.line_no,
        "lines-0-product": line.product_id,
        "lines-0-batch": line.batch_id,
        "lines-0-warehouse": line.warehouse_id,
        "lines-0-quantity": line.quantity,
        "lines-0-unit_price": str(line.unit_price),
        "lines-0-fulfilment_status": line.fulfilment_status,
        **{f"lines-0-{k}": v for k, v in change.items()},
    }


def test_the_order_admin_page_refuses_to_change_a_held_line(admin_client, stopped, settings):
    settings.TIME_ZONE = "UTC"
    line = held_line()
    url = f"/admin/orders/order/{line.order_id}/change/"
    assert admin_client.get(url).status_code == 200
    before = db_state()
    r = admin_client.post(url, _order_admin_post(line, quantity=5), HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200, r.status_code  # the page again, with the error
    assert "is on hold by an andon" in r.content.decode()
    assert_nothing_written(before)
    # What the hold does not keep (the unit price) may change.
    r = admin_client.post(url, _order_admin_post(line, unit_price="35.00"))
    assert r.status_code == 302, r.content.decode()[:2000]
    assert OrderLine.objects.get(pk=line.pk).unit_price == Decimal("35.00")
