"""What happens to held goods: no default disposition, every hold's plan visible before the
confirmation (each department's finding and the most cautious result), and a relist that
leaves nothing to sell says so."""

from __future__ import annotations

import pytest
from django.utils import timezone

from andon.catalog.models import Batch, StockLevel, Warehouse
from andon.core.models import AuditEntry, OutboxEvent
from andon.holds.models import Hold
from andon.holds.services import holds_place_missing
from andon.pulls.models import Andon
from andon.pulls.services import andon_pull
from andon.workorders.models import WorkOrder
from andon.workorders.selectors import disposition_plan

from ..holds.held import line_holds_written
from ..pulls.conftest import seed_product
from ..reviews.factories import reported_product
from ..world import SKU

pytestmark = pytest.mark.django_db
MEMBERS = {"vendor-management": "vendor1", "warehouse-logistics": "warehouse1"}


@pytest.fixture
def work_orders(world):
    seed_product(agent=world.users["agent1"], packed_lines=2)
    result = andon_pull(actor=world.users["agent1"], sku=SKU, reason="print-defect", note="x")
    return {w.department.code: w.pk for w in result.work_orders}


def start(api, wo: int, dept: str) -> None:
    assert api.call("POST", f"/work-orders/{wo}/start", MEMBERS[dept]).status_code == 200


def resolve(api, wo: int, dept: str, body: dict):
    return api.call("POST", f"/work-orders/{wo}/resolve", MEMBERS[dept], body)


def written(wo: int) -> tuple:
    w = WorkOrder.objects.get(pk=wo)
    return (
        w.state,
        w.findings,
        w.disposition,
        AuditEntry.objects.count(),
        OutboxEvent.objects.count(),
    )


def test_resolving_while_goods_are_held_needs_a_disposition_and_writes_nothing_without(
    api, work_orders
):
    wo = work_orders["warehouse-logistics"]
    start(api, wo, "warehouse-logistics")
    before = written(wo)
    r = resolve(api, wo, "warehouse-logistics", {"findings": "已开箱检验"})
    assert r.status_code == 422
    problem = r.json()
    assert problem["code"] == "disposition-required" and problem["field"] == "disposition"
    assert "default" in problem["detail"]
    assert written(wo) == before == ("in_progress", "", "", *before[3:])
    r = resolve(
        api, wo, "warehouse-logistics", {"findings": "已开箱检验", "disposition": "release"}
    )
    assert r.status_code == 200 and r.json()["disposition"] == "release"


def test_with_nothing_held_a_department_resolves_without_a_disposition(api, world):
    product, _ = reported_product(agent=world.users["agent1"])
    andon = andon_pull(
        actor=world.users["agent1"], sku=product.sku, reason="print-defect", note="x"
    ).andon
    assert not Hold.objects.filter(andon=andon).exists()
    wo = andon.work_orders.get(department__code="vendor-management")
    start(api, wo.pk, "vendor-management")
    r = resolve(api, wo.pk, "vendor-management", {"findings": "已联系出版社"})
    assert r.status_code == 200 and r.json()["disposition"] == ""


def test_the_plan_per_hold_is_the_most_cautious_of_the_departments_findings(api, work_orders):
    vendor, warehouse = work_orders["vendor-management"], work_orders["warehouse-logistics"]
    b2 = list(
        Hold.objects.filter(stock_level__batch__code="B2")
        .order_by("id")
        .values_list("id", flat=True)
    )
    start(api, vendor, "vendor-management")
    r = resolve(
        api,
        vendor,
        "vendor-management",
        {
            "findings": "B1批次裁切故障，退回；B2合格",
            "disposition": "return-to-vendor",
            "holds": [{"id": h, "disposition": "release"} for h in b2],
        },
    )
    assert r.status_code == 200, r.content
    # Before the warehouse resolves, the confirmer sees the plan is not final.
    plan = disposition_plan(andon_id=Andon.objects.get().pk)
    assert plan.pending and not plan.unplanned
    start(api, warehouse, "warehouse-logistics")
    r = resolve(api, warehouse, "warehouse-logistics", {"findings": "抽检", "disposition": "fix"})
    assert r.status_code == 200
    detail = api.call("GET", f"/work-orders/{vendor}", "confirmer1").json()
    by_id = {h["id"]: h for h in detail["holds"]}
    for h in Hold.objects.filter(kind="stock"):
        said = by_id[h.pk]["dispositions"]
        if h.pk in b2:
            assert said == {"vendor-management": "release", "warehouse-logistics": "fix"}
            assert by_id[h.pk]["plan"] == "fix"
        else:
            assert said == {"vendor-management": "return-to-vendor", "warehouse-logistics": "fix"}
            assert by_id[h.pk]["plan"] == "return-to-vendor"
    lines = [h for h in detail["holds"] if h["kind"] == "order_line"]
    assert lines and all(h["plan"] == "return-to-vendor" for h in lines)
    plan = disposition_plan(andon_id=Andon.objects.get().pk)
    assert not plan.pending and plan.default == "return-to-vendor"
    totals = {t.disposition: (t.stock_units, t.order_lines) for t in plan.totals}
    assert totals == {"return-to-vendor": (100, 2), "fix": (100, 0)}


def test_a_relist_that_leaves_no_stock_says_so(api, work_orders):
    for dept, wo in work_orders.items():
        start(api, wo, dept)
        r = resolve(api, wo, dept, {"findings": "整批报废", "disposition": "scrap"})
        assert r.status_code == 200
    first, last = work_orders.values()
    assert (
        api.call("POST", f"/work-orders/{first}/confirm", "confirmer1").json()["units_on_hand"]
        is None
    )
    r = api.call("POST", f"/work-orders/{last}/confirm", "confirmer1")
    body = r.json()
    assert body["relisted"] is True
    assert (body["units_on_hand"], body["units_removed"]) == (0, 200)
    assert body["holds_finalized"] == {"scrapped": 6}
    audit = AuditEntry.objects.get(action="listing.relisted")
    assert audit.data == {"units_on_hand": 0, "units_removed": 200}
    event = OutboxEvent.objects.get(event_type="listing.relisted")
    assert event.payload["units_on_hand"] == 0


def test_goods_held_after_every_department_resolved_without_a_disposition_block_the_close(
    api, world
):
    product, _ = reported_product(agent=world.users["agent1"])
    andon = andon_pull(
        actor=world.users["agent1"], sku=product.sku, reason="print-defect", note="x"
    ).andon
    wos = {w.department.code: w.pk for w in andon.work_orders.all()}
    for dept, wo in wos.items():
        start(api, wo, dept)
        assert resolve(api, wo, dept, {"findings": "无库存可检"}).status_code == 200
    # Stock arrives while the product is stopped: it is held, and nobody has decided on it.
    wh = Warehouse.objects.create(code="wh-late", name="wh-late")
    batch = Batch.objects.create(product=product, code="L1")
    StockLevel.objects.create(product=product, warehouse=wh, batch=batch, quantity=30)
    holds_place_missing(andon_id=andon.pk, product_id=product.pk, at=timezone.now())
    first, last = wos.values()
    assert api.call("POST", f"/work-orders/{first}/confirm", "confirmer1").status_code == 200
    before = (AuditEntry.objects.count(), OutboxEvent.objects.count())
    r = api.call("POST", f"/work-orders/{last}/confirm", "confirmer1")
    assert r.status_code == 409 and r.json()["code"] == "holds-without-disposition"
    assert r.json()["field"] == "disposition"
    assert WorkOrder.objects.get(pk=last).state == "resolved"
    andon.refresh_from_db()
    product.refresh_from_db()
    assert andon.state == "open" and product.listing_status == "suppressed"
    assert Hold.objects.get(andon=andon).state == "held"
    assert (AuditEntry.objects.count(), OutboxEvent.objects.count()) == before
    # Reopened and resolved with a disposition, it closes.
    api.call("POST", f"/work-orders/{last}/reopen", "confirmer1", {"reason": "新到库存需处置"})
    dept = next(d for d, w in wos.items() if w == last)
    start(api, last, dept)
    assert (
        resolve(api, last, dept, {"findings": "新到库存合格", "disposition": "release"}).status_code
        == 200
    )
    r = api.call("POST", f"/work-orders/{last}/confirm", "confirmer1")
    assert r.status_code == 200 and r.json()["relisted"] is True
    assert r.json()["units_on_hand"] == 30


def test_the_plan_reads_in_five_queries_whatever_the_number_of_holds(
    api, world, django_assert_num_queries
):
    seed_product(sku="978-many", agent=world.users["agent1"], packed_lines=300)
    andon = andon_pull(
        actor=world.users["agent1"], sku="978-many", reason="print-defect", note="x"
    ).andon
    wos = {w.department.code: w.pk for w in andon.work_orders.all()}
    some = list(line_holds_written(andon).values_list("id", flat=True)[:50])
    for dept, wo in wos.items():
        start(api, wo, dept)
        body = {"findings": "x", "disposition": "fix"}
        if dept == "vendor-management":
            body["holds"] = [{"id": h, "disposition": "scrap"} for h in some]
        assert resolve(api, wo, dept, body).status_code == 200
    # Five: whether a scope of the andon is still to write out (holds.scopes), then the four
    # reads of the plan.
    with django_assert_num_queries(5):
        plan = disposition_plan(andon_id=andon.pk)
        totals = {t.disposition: (t.stock_units, t.order_lines) for t in plan.totals}
    assert sum(n for _, n in totals.values()) == 300 and plan.more == 304 - 200
