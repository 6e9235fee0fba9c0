"""SPEC's story, played through the HTTP API on what `andon demo` loaded, nothing else."""

from __future__ import annotations

from ..holds.held import line_holds_written

SKU = "9787549529322"
NOTE = "100-101页未裁开"


def _contact(api, agent: str, customer: str, order: str) -> dict:
    r = api.call(
        "POST",
        "/contacts",
        agent,
        {
            "customer": customer,
            "order": order,
            "line_no": 1,
            "reason": "print-defect",
            "text": NOTE,
        },
    )
    assert r.status_code == 201, r.content
    return r.json()


def test_the_story_is_playable_on_the_demo(demo_api):
    api = demo_api
    assert api.call("GET", f"/products/{SKU}", "agent1").json()["listing_status"] == "active"

    first = _contact(api, "agent1", "cust-a", "order-a")
    assert first["eligibility"]["eligible"] is False
    assert first["eligibility"]["missing"] == 1
    second = _contact(api, "agent2", "cust-b", "order-b")
    assert second["eligibility"]["eligible"] is True

    r = api.call("POST", "/andons", "agent2", {"sku": SKU, "reason": "print-defect", "note": NOTE})
    assert r.status_code == 201, r.content
    andon = r.json()
    assert andon["listing_status"] == "suppressed" and andon["joined"] is False
    assert andon["holds"]["stock_units"] > 0 and andon["holds"]["order_lines"] > 0
    assert sorted(w["department"] for w in andon["work_orders"]) == [
        "vendor-management",
        "warehouse-logistics",
    ]
    assert andon["evidence_contacts"] == 2
    held = set(
        line_holds_written(andon["id"]).values_list("order_line__fulfilment_status", flat=True)
    )
    assert held == {"packed"}

    # The departments and the confirmer of the demo can finish it: the book sells again.
    wos = {w["department"]: w["id"] for w in andon["work_orders"]}
    for dept, user in [("vendor-management", "vendor1"), ("warehouse-logistics", "warehouse1")]:
        assert api.call("POST", f"/work-orders/{wos[dept]}/start", user).status_code == 200
        r = api.call(
            "POST",
            f"/work-orders/{wos[dept]}/resolve",
            user,
            {"findings": "已检验", "disposition": "release"},
        )
        assert r.status_code == 200, r.content
    for wo in wos.values():
        r = api.call("POST", f"/work-orders/{wo}/confirm", "confirmer1")
        assert r.status_code == 200, r.content
    assert r.json()["relisted"] is True
    assert api.call("GET", f"/products/{SKU}", "agent1").json()["listing_status"] == "active"
