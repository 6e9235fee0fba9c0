"""The cord played through the API, as briefly as the integration tests need it: a product
with stock, two customers' reports, a pull, and the fixes that relist it."""

from __future__ import annotations

SKU = "9787549529322"


def catalog_load(api, sku: str = SKU) -> None:
    assert api.call("PUT", "/warehouses/wh-sh", "integrator", {"name": "上海仓"}).status_code in (
        200,
        201,
    )
    r = api.call(
        "PUT",
        f"/products/{sku}",
        "integrator",
        {
            "title": "看见",
            "price": "39.80",
            "batches": [{"code": "B1"}],
            "stock": [{"warehouse": "wh-sh", "batch": "B1", "quantity": 10}],
        },
    )
    assert r.status_code in (200, 201), r.content
    for cust in ("cust-a", "cust-b"):
        assert api.call("PUT", f"/customers/{cust}", "integrator", {"name": cust}).status_code in (
            200,
            201,
        )
        r = api.call(
            "PUT",
            f"/orders/order-{cust}-{sku}",
            "integrator",
            {
                "customer": cust,
                "placed_at": "2026-11-20T10:00:00+08:00",
                "channel": "web",
                "lines": [
                    {
                        "line_no": 1,
                        "sku": sku,
                        "batch": "B1",
                        "warehouse": "wh-sh",
                        "status": "delivered",
                    }
                ],
            },
        )
        assert r.status_code in (200, 201), r.content


def pull(api, sku: str = SKU) -> dict:
    for agent, cust in (("agent1", "cust-a"), ("agent2", "cust-b")):
        r = api.call(
            "POST",
            "/contacts",
            agent,
            {
                "customer": cust,
                "order": f"order-{cust}-{sku}",
                "line_no": 1,
                "reason": "print-defect",
                "text": "100-101页未裁开",
            },
        )
        assert r.status_code == 201, r.content
    r = api.call(
        "POST",
        "/andons",
        "agent2",
        {"sku": sku, "reason": "print-defect", "note": "100-101页未裁开"},
    )
    assert r.status_code == 201, r.content
    return r.json()


def fix_and_relist(api, andon: dict) -> None:
    members = {"vendor-management": "vendor1", "warehouse-logistics": "warehouse1"}
    for wo in andon["work_orders"]:
        who = members[wo["department"]]
        assert api.call("POST", f"/work-orders/{wo['id']}/start", who).status_code == 200
        r = api.call(
            "POST",
            f"/work-orders/{wo['id']}/resolve",
            who,
            {"findings": "已检验", "disposition": "release"},
        )
        assert r.status_code == 200, r.content
        r = api.call("POST", f"/work-orders/{wo['id']}/confirm", "confirmer1")
        assert r.status_code == 200, r.content
    assert r.json()["relisted"] is True
