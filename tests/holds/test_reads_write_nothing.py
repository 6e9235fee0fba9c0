"""Selectors never write (DEVELOPERS.md): the reads of holds, of disposition plans and of the
flywheel's held figures count a pending scope's packed lines (holds.scopes) without writing
their per-line holds. Only the callers that name lines by their holds (the resolve form and
the API's work order, the confirm queue, the relist, the flywheel's tick) write them out, by
the holds service, and the numbers are the same before and after."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from andon.catalog.models import Batch
from andon.flywheel import families as fam
from andon.flywheel.scorecards import BY, scorecards
from andon.holds.models import Hold, LineScope
from andon.holds.selectors import (
    held_goods_exist,
    held_line_ids,
    hold_counts,
    hold_tallies,
    holds_of,
    holds_of_andons,
)
from andon.holds.services import holds_materialize
from andon.orders.models import OrderLine
from andon.pulls.services import andon_pull
from andon.workorders.selectors import disposition_plan, disposition_plans

from ..pulls.conftest import seed_product
from ..world import SKU

pytestmark = pytest.mark.django_db
WRITES = ("INSERT", "UPDATE", "DELETE")


def writes(q: CaptureQueriesContext) -> list[str]:
    return [s["sql"] for s in q.captured_queries if s["sql"].lstrip().upper().startswith(WRITES)]


@pytest.fixture
def pulled(world):
    seed_product(agent=world.users["agent1"], packed_lines=7)
    Batch.objects.filter(code="B1").update(supplier="S1", manufacturer="M1")
    Batch.objects.filter(code="B2").update(supplier="S2", manufacturer="M2")
    OrderLine.objects.update(unit_price=Decimal("12.50"))
    andon = andon_pull(actor=world.users["agent1"], sku=SKU, reason="print-defect", note="x").andon
    assert LineScope.objects.get(andon=andon).materialized_at is None
    return andon


def _window():
    now = timezone.now()
    return now - dt.timedelta(days=7), now + dt.timedelta(days=7)


def _flywheel_figures(team_id=None):
    since, until = _window()
    cards = {
        by: sorted((r.key, r.units_held, r.gmv_suppressed) for r in scorecards(by=by, **w))
        for by, w in ((by, {"since": since, "until": until}) for by in BY)
    }
    w = fam.window("week", today=timezone.localdate() + dt.timedelta(weeks=1))  # this week
    rows = {p: (r["units"], r["gmv"]) for p, r in fam.hold_rows(w, team_id).items()}
    return cards, rows


def test_the_reads_write_nothing_while_a_scope_is_pending(pulled):
    a = pulled.pk
    lines = list(OrderLine.objects.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as q:
        listed = holds_of(andon_id=a)
        holds_of_andons(andon_ids=[a])
        plan = disposition_plan(andon_id=a)
        disposition_plans(andon_ids=[a])
        counts = hold_counts(andon_ids=[a])[a]
        hold_tallies(andon_ids=[a])
        assert held_goods_exist(andon_id=a)
        assert len(held_line_ids(order_line_ids=lines)) == 7
        _flywheel_figures()
    assert writes(q) == []
    assert LineScope.objects.get(andon=pulled).materialized_at is None
    assert not Hold.objects.filter(kind="order_line").exists()
    # The pending lines are counted, not listed: they have no hold to name yet.
    assert counts.order_lines == 7 and all(h.kind == "stock" for h in listed)
    assert sum(t.order_lines for t in plan.totals) == 7 and plan.more == 7


def test_a_pending_scope_counts_as_the_holds_it_would_write(pulled):
    before = _flywheel_figures()
    plan = disposition_plan(andon_id=pulled.pk)
    assert holds_materialize(andon_ids=[pulled.pk]) == 7
    assert _flywheel_figures() == before
    # Every line now has its hold: listed by the plan, which counts the same totals.
    after = disposition_plan(andon_id=pulled.pk)
    assert after.totals == plan.totals and after.more == 0
    assert sum(1 for r in after.rows if r.hold.kind == "order_line") == 7
    # The pull belongs to S1 (its evidence's batch B1), which held 100 units of stock and 4
    # of the packed lines (by their own batch), all counted while the scope was pending.
    assert {k: u for k, u, _ in before[0]["supplier"]} == {"S1": 100 + 4}
    assert {k: u for k, u, _ in before[0]["department"]} == {
        "vendor-management": 207,
        "warehouse-logistics": 207,
    }
    # The dashboard's live held figures: 200 units of stock and 7 lines at 12.50.
    units, gmv = map(sum, zip(*before[1].values(), strict=True))
    assert (units, gmv) == (207, 200 * Decimal("39.80") + 7 * Decimal("12.50"))


def test_the_console_and_api_materialize_before_naming_holds(pulled, api):
    # The andon's page reads: the plan counts the lines and lists none of them.
    c = Client(headers={"accept-language": "en"})
    assert c.login(username="confirmer1", password="confirmer1-pass")
    r = c.get(f"/andons/{pulled.pk}/")
    assert r.status_code == 200 and "7 more held rows" in r.content.decode()
    assert LineScope.objects.get(andon=pulled).materialized_at is None
    assert not Hold.objects.filter(kind="order_line").exists()
    # The API's work order lists the holds with their ids, for a resolve to name them.
    wo = pulled.work_orders.first()
    body = api.call("GET", f"/work-orders/{wo.pk}", "confirmer1").json()
    assert sum(1 for h in body["holds"] if h["kind"] == "order_line") == 7
    assert LineScope.objects.get(andon=pulled).materialized_at is not None


def test_the_department_queue_writes_the_lines_out_for_its_resolve_forms(pulled):
    c = Client(headers={"accept-language": "en"})
    assert c.login(username="vendor1", password="vendor1-pass")
    assert c.get("/departments/vendor-management/").status_code == 200
    assert Hold.objects.filter(andon=pulled, kind="order_line").count() == 7
    assert LineScope.objects.get(andon=pulled).materialized_at is not None
