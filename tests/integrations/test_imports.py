"""Bulk import: idempotent by external ids, good rows in, bad rows named with line and reason."""

from __future__ import annotations

import csv
import io

import pytest
import tablib
from django.core.management import call_command
from django.core.management.base import CommandError

from andon.catalog.models import Product, StockLevel
from andon.orders.models import Customer, OrderLine

from ..holds.held import held_lines

pytestmark = pytest.mark.django_db

PRODUCTS = [
    {"sku": "9787549529322", "title": "看见", "price": "39.80", "monthly_gmv": "1000000"},
    {"sku": "9787000000001", "title": "另一本书", "price": "20"},
]


def _imp(api, kind: str, rows: list[dict], **headers) -> dict:
    r = api.call("POST", f"/imports/{kind}", "integrator", rows, **headers)
    assert r.status_code == 200, r.content
    return r.json()


def _catalog(api) -> None:
    _imp(api, "warehouses", [{"code": "wh-sh", "name": "上海仓"}])
    _imp(api, "products", PRODUCTS)
    _imp(api, "batches", [{"sku": "9787549529322", "code": "B1", "supplier": "广西师大"}])
    _imp(api, "customers", [{"external_id": "cust-a", "name": "A"}])


def _hold(line: OrderLine) -> None:
    """An open andon holding this line (as a pull would), without the pull's eligibility."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from andon.contacts.models import ReasonCode
    from andon.holds.models import Hold
    from andon.pulls.models import Andon

    now = timezone.now()
    reason = ReasonCode.objects.create(code="held-test", label_zh="测试", label_en="test")
    andon = Andon.objects.create(
        product=line.product,
        reason=reason,
        note="held",
        opened_at=now,
        opened_by=User.objects.create(username="held-test"),
    )
    Hold.objects.create(
        andon=andon, kind="order_line", order_line=line, quantity=line.quantity, placed_at=now
    )


def test_importing_the_same_rows_twice_changes_nothing_the_second_time(api):
    assert _imp(api, "products", PRODUCTS) == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": [],
    }
    before = list(Product.objects.values_list("sku", "updated_at"))
    assert _imp(api, "products", PRODUCTS) == {
        "created": 0,
        "updated": 0,
        "unchanged": 2,
        "rejected": [],
    }
    assert list(Product.objects.values_list("sku", "updated_at")) == before
    changed = [{**PRODUCTS[0], "price": "35.00"}, PRODUCTS[1]]
    assert _imp(api, "products", changed)["updated"] == 1


def test_an_import_never_relists_a_suppressed_product(api):
    _imp(api, "products", PRODUCTS)
    Product.objects.filter(sku=PRODUCTS[0]["sku"]).update(listing_status="suppressed")
    _imp(api, "products", [{**PRODUCTS[0], "title": "看见（新版）"}])
    p = Product.objects.get(sku=PRODUCTS[0]["sku"])
    assert (p.title, p.listing_status) == ("看见（新版）", "suppressed")


def test_bad_rows_are_rejected_with_row_field_and_reason_and_good_rows_go_in(api):
    _catalog(api)
    order = {
        "order": "o-1",
        "customer": "cust-a",
        "placed_at": "2026-11-20T10:00:00+08:00",
        "sku": "9787549529322",
        "batch": "B1",
        "warehouse": "wh-sh",
    }
    result = _imp(
        api,
        "orders",
        [
            {**order, "line_no": 1, "status": "packed"},
            {**order, "line_no": 2, "sku": "NOPE"},
            {**order, "line_no": 3, "status": "lost"},
            {**order, "order": "o-2", "customer": "nobody", "line_no": 1},
            {**order, "line_no": 1, "status": "shipped"},
        ],
    )
    assert result["created"] == 1
    assert [(r["row"], r["field"]) for r in result["rejected"]] == [
        (2, "sku"),
        (3, "status"),
        (4, "customer"),
        (5, "line_no"),
    ]
    assert "NOPE" in result["rejected"][0]["reason"]
    assert OrderLine.objects.get().fulfilment_status == "packed"


def test_a_held_line_keeps_its_status_but_other_lines_update(api):
    _catalog(api)
    order = {
        "order": "o-1",
        "customer": "cust-a",
        "placed_at": "2026-11-20T10:00:00+08:00",
        "sku": "9787549529322",
        "status": "packed",
    }
    _imp(api, "orders", [{**order, "line_no": 1}, {**order, "line_no": 2}])
    _hold(OrderLine.objects.get(line_no=1))
    result = _imp(
        api,
        "orders",
        [
            {**order, "line_no": 1, "status": "shipped"},
            {**order, "line_no": 2, "status": "shipped"},
        ],
    )
    assert result["updated"] == 1
    assert [(r["row"], r["field"]) for r in result["rejected"]] == [(1, "status")]
    assert dict(OrderLine.objects.values_list("line_no", "fulfilment_status")) == {
        1: "packed",
        2: "shipped",
    }
    assert held_lines(OrderLine.objects.filter(line_no=1)).exists()


def test_thousands_of_rows_in_one_request_and_a_retry_with_the_same_key_replays(api):
    rows = [
        {"external_id": f"c-{i}", "name": f"客户{i}", "phone": str(13800000000 + i)}
        for i in range(3000)
    ]
    first = _imp(api, "customers", rows, HTTP_IDEMPOTENCY_KEY="load-1")
    assert first["created"] == 3000 and Customer.objects.count() == 3000
    again = api.call(
        "POST", "/imports/customers", "integrator", rows, HTTP_IDEMPOTENCY_KEY="load-1"
    )
    assert again.json() == first and again["Idempotent-Replayed"] == "true"


def test_only_integrators_import_and_an_unknown_kind_is_refused(api):
    assert api.call("POST", "/imports/products", "agent1", PRODUCTS).status_code == 403
    assert api.call("POST", "/imports/planets", "integrator", PRODUCTS).status_code == 422


def _csv(path, rows: list[list]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)


def test_the_cli_imports_a_csv_twice_idempotently_and_writes_the_rejects(tmp_path, api):
    _catalog(api)
    path = tmp_path / "stock.csv"
    _csv(
        path,
        [
            ["sku", "warehouse", "batch", "quantity"],
            ["9787549529322", "wh-sh", "B1", "120"],
            ["9787549529322", "wh-xx", "B1", "5"],
            ["9787549529322", "wh-sh", "B9", "5"],
            ["9787000000001", "wh-sh", "B1", "-1"],
        ],
    )
    out = io.StringIO()
    with pytest.raises(CommandError, match="3 of 4 rows rejected") as rejected:
        call_command("import", "stock", str(path), "--no-progress", stdout=out)
    assert rejected.value.returncode == 3, "a script notices"
    assert "1 created, 0 updated, 0 unchanged, 3 rejected" in out.getvalue()
    rejects = list(csv.DictReader((tmp_path / "stock.csv.rejects.csv").open()))
    assert [(r["rejected_line"], r["rejected_field"]) for r in rejects] == [
        ("3", "warehouse"),
        ("4", "batch"),
        ("5", "quantity"),
    ]
    assert "wh-xx" in rejects[0]["rejected_reason"]
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", "stock", str(path), "--no-progress", stdout=out)
    assert "0 created, 0 updated, 1 unchanged, 3 rejected" in out.getvalue()
    assert StockLevel.objects.get().quantity == 120


def test_the_cli_reads_xlsx(tmp_path, db):
    data = tablib.Dataset(headers=["sku", "title", "price"])
    data.append([9787549529322, "看见", 39.8])
    path = tmp_path / "products.xlsx"
    path.write_bytes(data.export("xlsx"))
    out = io.StringIO()
    call_command("import", "products", str(path), "--no-progress", stdout=out)
    assert "1 created" in out.getvalue()
    assert Product.objects.get().sku == "9787549529322"
