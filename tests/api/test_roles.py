"""Who may do what on work orders: members of the department work, confirmers judge."""

from __future__ import annotations

import pytest

from andon.pulls.services import andon_pull

from ..pulls.conftest import seed_product
from ..world import SKU

pytestmark = pytest.mark.django_db


@pytest.fixture
def work_orders(world):
    seed_product(agent=world.users["agent1"])
    result = andon_pull(actor=world.users["agent1"], sku=SKU, reason="print-defect", note="x")
    return {w.department.code: w.pk for w in result.work_orders}


def test_a_department_member_cannot_act_on_another_departments_work_order(api, work_orders):
    r = api.call("POST", f"/work-orders/{work_orders['vendor-management']}/start", "warehouse1")
    assert r.status_code == 403 and r.json()["field"] == "department"


@pytest.mark.parametrize("who", ["agent1", "vendor1", "lead1"])
def test_only_a_confirmer_confirms_or_reopens(api, work_orders, who):
    wo = work_orders["vendor-management"]
    api.call("POST", f"/work-orders/{wo}/start", "vendor1")
    api.call(
        "POST", f"/work-orders/{wo}/resolve", "vendor1", {"findings": "ok", "disposition": "fix"}
    )
    assert api.call("POST", f"/work-orders/{wo}/confirm", who).status_code == 403
    assert api.call("POST", f"/work-orders/{wo}/reopen", who, {"reason": "no"}).status_code == 403
    assert api.call("GET", f"/work-orders/{wo}", "confirmer1").json()["state"] == "resolved"


def test_an_illegal_step_is_a_409_saying_what_is_possible(api, work_orders):
    wo = work_orders["vendor-management"]
    r = api.call("POST", f"/work-orders/{wo}/confirm", "confirmer1")
    assert r.status_code == 409 and r.json()["code"] == "illegal-transition"
    assert "start" in r.json()["detail"]


def test_resolving_needs_findings_and_a_known_disposition(api, work_orders):
    wo = work_orders["warehouse-logistics"]
    api.call("POST", f"/work-orders/{wo}/start", "warehouse1")
    r = api.call("POST", f"/work-orders/{wo}/resolve", "warehouse1", {"findings": ""})
    assert r.status_code == 422 and r.json()["field"] == "findings"
    # Goods are held: no disposition is assumed.
    r = api.call("POST", f"/work-orders/{wo}/resolve", "warehouse1", {"findings": "x"})
    assert r.status_code == 422 and r.json()["field"] == "disposition"
    assert r.json()["code"] == "disposition-required"
    r = api.call(
        "POST", f"/work-orders/{wo}/resolve", "warehouse1", {"findings": "x", "disposition": "burn"}
    )
    assert r.status_code == 422 and r.json()["field"] == "disposition"
    r = api.call(
        "POST",
        f"/work-orders/{wo}/resolve",
        "warehouse1",
        {"findings": "x", "holds": [{"id": 999999, "disposition": "scrap"}]},
    )
    assert r.status_code == 422 and r.json()["field"] == "holds"


def test_the_queue_lists_a_departments_work_orders_by_due_time(api, work_orders):
    r = api.call("GET", "/work-orders?department=warehouse-logistics&state=open", "warehouse1")
    assert [w["id"] for w in r.json()] == [work_orders["warehouse-logistics"]]
    # A member reads its own department's queue only; a confirmer reads every department's.
    r = api.call("GET", "/work-orders?state=open", "warehouse1")
    assert [w["department"] for w in r.json()] == ["warehouse-logistics"]
    r = api.call("GET", "/work-orders?state=open", "confirmer1")
    due = [w["due_at"] for w in r.json()]
    assert due == sorted(due) and len(due) == 2


def test_closed_work_orders_list_the_latest_closed_first(api, work_orders):
    for dept, member in (("vendor-management", "vendor1"), ("warehouse-logistics", "warehouse1")):
        wo = work_orders[dept]
        api.call("POST", f"/work-orders/{wo}/start", member)
        api.call(
            "POST", f"/work-orders/{wo}/resolve", member, {"findings": "ok", "disposition": "fix"}
        )
        assert api.call("POST", f"/work-orders/{wo}/confirm", "confirmer1").status_code == 200
    closed = api.call("GET", "/work-orders?state=closed", "confirmer1").json()
    assert [w["id"] for w in closed] == [
        work_orders["warehouse-logistics"],
        work_orders["vendor-management"],
    ]
