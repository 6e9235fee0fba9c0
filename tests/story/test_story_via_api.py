"""SPEC "The story the product must reproduce", played through the HTTP API only."""

from __future__ import annotations

import pytest

from andon.catalog.models import StockLevel
from andon.core.models import AuditEntry, OutboxEvent
from andon.holds.models import Hold
from andon.orders.models import OrderLine
from andon.pulls.models import Andon

from ..holds.held import held_lines as lines_held
from ..world import SKU

pytestmark = pytest.mark.django_db(transaction=False)


def load_catalog(api) -> None:
    """The book in two warehouses and two batches; customers A and B with delivered copies;
    more orders packed but not shipped, one placed, one shipped; another product packed."""
    for code, name in [("wh-sh", "上海仓"), ("wh-bj", "北京仓")]:
        r = api.call("PUT", f"/warehouses/{code}", "integrator", {"name": name})
        assert r.status_code == 201
    book = {
        "title": "看见",
        "price": "39.80",
        "monthly_gmv": "1000000.00",
        "batches": [
            {"code": "B1", "supplier": "广西师范大学出版社", "manufacturer": "印厂甲"},
            {"code": "B2", "supplier": "广西师范大学出版社", "manufacturer": "印厂乙"},
        ],
        "stock": [
            {"warehouse": "wh-sh", "batch": "B1", "quantity": 120},
            {"warehouse": "wh-sh", "batch": "B2", "quantity": 80},
            {"warehouse": "wh-bj", "batch": "B1", "quantity": 60},
            {"warehouse": "wh-bj", "batch": "B2", "quantity": 40},
        ],
    }
    r = api.call("PUT", f"/products/{SKU}", "integrator", book)
    assert r.status_code == 201, r.content
    assert r.json()["listing_status"] == "active"
    other = {
        "title": "另一本书",
        "price": "20.00",
        "batches": [{"code": "X1"}],
        "stock": [{"warehouse": "wh-sh", "batch": "X1", "quantity": 10}],
    }
    assert api.call("PUT", "/products/9787000000001", "integrator", other).status_code == 201
    for cust in ["cust-a", "cust-b", "cust-c", "cust-d", "cust-e", "cust-f"]:
        r = api.call("PUT", f"/customers/{cust}", "integrator", {"name": cust.upper()})
        assert r.status_code == 201
    orders = [
        ("order-a", "cust-a", SKU, "B1", "wh-sh", "delivered", 1),
        ("order-b", "cust-b", SKU, "B1", "wh-bj", "delivered", 1),
        ("order-c", "cust-c", SKU, "B1", "wh-sh", "packed", 1),
        ("order-d", "cust-d", SKU, "B2", "wh-bj", "packed", 2),
        ("order-e", "cust-e", SKU, "B2", "wh-sh", "placed", 1),
        ("order-f", "cust-f", SKU, "B1", "wh-sh", "shipped", 1),
        ("order-g", "cust-e", "9787000000001", "X1", "wh-sh", "packed", 1),
    ]
    for ext, cust, sku, batch, wh, status, qty in orders:
        body = {
            "customer": cust,
            "placed_at": "2026-11-20T10:00:00+08:00",
            "channel": "web",
            "lines": [
                {
                    "line_no": 1,
                    "sku": sku,
                    "batch": batch,
                    "warehouse": wh,
                    "status": status,
                    "quantity": qty,
                    "unit_price": "39.80",
                }
            ],
        }
        r = api.call("PUT", f"/orders/{ext}", "integrator", body)
        assert r.status_code == 201, r.content


def contact(api, agent: str, customer: str, order: str) -> dict:
    r = api.call(
        "POST",
        "/contacts",
        agent,
        {
            "customer": customer,
            "order": order,
            "line_no": 1,
            "reason": "print-defect",
            "text": "100-101页未裁开",
        },
    )
    assert r.status_code == 201, r.content
    return r.json()


def test_the_story_of_the_book_with_uncut_pages(api):
    load_catalog(api)

    # Customer A calls: one customer is not enough, and the agent is told what is missing.
    first = contact(api, "agent1", "cust-a", "order-a")
    assert first["eligibility"] == {
        "eligible": False,
        "distinct_customers": 1,
        "threshold": 2,
        "window_days": 30,
        "missing": 1,
        "explanation": first["eligibility"]["explanation"],
    }
    early = api.call(
        "POST",
        "/andons",
        "agent1",
        {"sku": SKU, "reason": "print-defect", "note": "100-101页未裁开"},
    )
    assert early.status_code == 422
    problem = early.json()
    assert problem["code"] == "not-eligible"
    assert problem["eligibility"]["missing"] == 1
    assert "1" in problem["detail"] and "2" in problem["detail"]
    assert not Andon.objects.exists() and not Hold.objects.exists()
    assert api.call("GET", f"/products/{SKU}", "agent1").json()["listing_status"] == "active"

    # Customer B reports the same problem: now the agent may pull.
    second = contact(api, "agent2", "cust-b", "order-b")
    assert second["eligibility"]["eligible"] is True
    assert second["eligibility"]["distinct_customers"] == 2

    pulled = api.call(
        "POST",
        "/andons",
        "agent2",
        {"sku": SKU, "reason": "print-defect", "note": "100-101页未裁开"},
    )
    assert pulled.status_code == 201, pulled.content
    andon = pulled.json()
    assert andon["state"] == "open" and andon["joined"] is False
    assert andon["listing_status"] == "suppressed"
    # 2. all stock in every warehouse, and packed-not-shipped lines only (c and d, not e/f/g)
    assert andon["holds"] == {"stock_units": 300, "order_lines": 2}
    held_lines = set(lines_held().values_list("order__external_id", flat=True))
    assert held_lines == {"order-c", "order-d"}
    # 3. one work order per routed department
    assert sorted(w["department"] for w in andon["work_orders"]) == [
        "vendor-management",
        "warehouse-logistics",
    ]
    assert {w["state"] for w in andon["work_orders"]} == {"open"}
    assert andon["evidence_contacts"] == 2
    product = api.call("GET", f"/products/{SKU}", "agent1").json()
    assert product["listing_status"] == "suppressed"
    assert [a["id"] for a in product["open_andons"]] == [andon["id"]]

    # A second pull for the same reason joins: more evidence, no duplicate work orders.
    joined = api.call(
        "POST",
        "/andons",
        "agent1",
        {"sku": SKU, "reason": "print-defect", "note": "又一位顾客反馈"},
    )
    assert joined.status_code == 200 and joined.json()["joined"] is True
    assert joined.json()["id"] == andon["id"]
    assert len(joined.json()["work_orders"]) == 2

    # A held packed line cannot ship.
    shipped = api.call("PATCH", "/orders/order-c/lines/1", "integrator", {"status": "shipped"})
    assert shipped.status_code == 409 and shipped.json()["code"] == "line-on-hold"

    wos = {w["department"]: w["id"] for w in andon["work_orders"]}
    vendor_wo, warehouse_wo = wos["vendor-management"], wos["warehouse-logistics"]
    detail = api.call("GET", f"/work-orders/{warehouse_wo}", "warehouse1").json()
    b2_stock = [h["id"] for h in detail["holds"] if h["kind"] == "stock" and h["batch"] == "B2"]
    assert len(detail["holds"]) == 6 and len(b2_stock) == 2

    # Vendor management: batch B1 from printer 甲 is bad, return it; B2 is fine.
    assert api.call("POST", f"/work-orders/{vendor_wo}/start", "vendor1").status_code == 200
    r = api.call(
        "POST",
        f"/work-orders/{vendor_wo}/resolve",
        "vendor1",
        {
            "findings": "印厂甲B1批次裁切故障，整批退回；B2批次抽检合格",
            "disposition": "return-to-vendor",
            "holds": [{"id": h, "disposition": "release"} for h in b2_stock],
        },
    )
    assert r.status_code == 200 and r.json()["state"] == "resolved", r.content
    # Warehouse: the held units were inspected; nothing more to do from its side.
    assert api.call("POST", f"/work-orders/{warehouse_wo}/start", "warehouse1").status_code == 200
    r = api.call(
        "POST",
        f"/work-orders/{warehouse_wo}/resolve",
        "warehouse1",
        {"findings": "已开箱检验", "disposition": "release"},
    )
    assert r.status_code == 200

    # The confirmer confirms one, reopens the other: still suppressed.
    r = api.call("POST", f"/work-orders/{vendor_wo}/confirm", "confirmer1")
    assert r.status_code == 200 and r.json()["state"] == "closed"
    assert r.json()["relisted"] is False and r.json()["listing_status"] == "suppressed"
    r = api.call(
        "POST",
        f"/work-orders/{warehouse_wo}/reopen",
        "confirmer1",
        {"reason": "请附上已打包订单的检验结果"},
    )
    assert r.status_code == 200 and r.json()["state"] == "reopened"
    assert api.call("GET", f"/products/{SKU}", "agent1").json()["listing_status"] == "suppressed"
    r = api.call(
        "POST",
        f"/work-orders/{warehouse_wo}/resolve",
        "warehouse1",
        {"findings": "已打包订单逐件检验，B1批次两单需重新拣货", "disposition": "release"},
    )
    assert r.status_code == 200

    # The last confirmation relists the product and carries out the dispositions.
    r = api.call("POST", f"/work-orders/{warehouse_wo}/confirm", "confirmer1")
    assert r.status_code == 200, r.content
    assert r.json()["andon_closed"] is True and r.json()["relisted"] is True
    assert r.json()["listing_status"] == "active" and r.json()["andon_state"] == "closed"
    final = api.call("GET", f"/andons/{andon['id']}", "agent1").json()
    assert final["state"] == "closed" and final["closed_at"]

    # Holds' final state: B1 returned to vendor (units gone), B2 released, packed lines
    # (the most cautious finding: return to vendor) go back to be picked again.
    states = {
        (h.kind, h.stock_level.batch.code if h.stock_level else None): h.state
        for h in Hold.objects.select_related("stock_level__batch")
    }
    assert states[("stock", "B1")] == "returned_to_vendor"
    assert states[("stock", "B2")] == "released"
    assert states[("order_line", None)] == "returned_to_vendor"
    assert not Hold.objects.filter(state="held").exists()
    units = {
        (s.warehouse.code, s.batch.code): s.quantity
        for s in StockLevel.objects.filter(product__sku=SKU)
    }
    assert units == {
        ("wh-sh", "B1"): 0,
        ("wh-bj", "B1"): 0,
        ("wh-sh", "B2"): 80,
        ("wh-bj", "B2"): 40,
    }
    lines = {
        ln.order.external_id: (ln.fulfilment_status, ln.holds.filter(state="held").exists())
        for ln in OrderLine.objects.select_related("order")
    }
    assert lines["order-c"] == ("placed", False) and lines["order-d"] == ("placed", False)
    assert lines["order-f"] == ("shipped", False) and lines["order-g"] == ("packed", False)

    # 5. Everything recorded: who, when, which contacts are the evidence.
    timeline = api.call("GET", f"/andons/{andon['id']}/timeline", "agent1").json()
    actions = [e["action"] for e in timeline]
    assert actions[:2] == ["andon.pulled", "listing.suppressed"]
    for expected in [
        "holds.placed",
        "workorder.created",
        "pull.credited",
        "andon.joined",
        "workorder.started",
        "workorder.resolved",
        "workorder.reopened",
        "workorder.confirmed",
        "andon.closed",
        "listing.relisted",
        "holds.finalized",
    ]:
        assert expected in actions, expected
    assert actions.count("workorder.created") == 2 and actions.count("workorder.resolved") == 3
    pulled_entry = timeline[0]
    assert pulled_entry["actor"] == "agent2"
    assert sorted(pulled_entry["data"]["evidence_contacts"]) == sorted([first["id"], second["id"]])
    assert AuditEntry.objects.filter(action="contact.created").count() == 2

    # The storefront is told, in order.
    seq = dict(
        OutboxEvent.objects.filter(product_sku=SKU, event_type__startswith="listing.").values_list(
            "event_type", "product_sequence"
        )
    )
    assert seq["listing.suppressed"] < seq["listing.relisted"]

    # After the relist the old reports do not count again: new customers are needed.
    again = api.call("GET", f"/products/{SKU}/eligibility?reason=print-defect", "agent1").json()
    assert again["eligible"] is False and again["distinct_customers"] == 0
