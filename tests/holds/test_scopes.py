"""Holding packed lines by scope (holds.scopes): the pull writes one scope row, a line's held
state is derived from it, per-line holds are written once when someone needs them, and the
relist carries out the dispositions on lines nobody listed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from andon.holds.models import Hold, LineScope
from andon.holds.scopes import holds_materialize
from andon.holds.selectors import held_goods_exist, hold_counts, hold_tallies
from andon.orders.models import OrderLine
from andon.pulls.services import andon_pull

from ..pulls.conftest import seed_product
from ..world import SKU
from .held import held_lines

pytestmark = pytest.mark.django_db
MEMBERS = {"vendor-management": "vendor1", "warehouse-logistics": "warehouse1"}


@pytest.fixture
def pulled(world):
    seed_product(agent=world.users["agent1"], packed_lines=7)
    return andon_pull(actor=world.users["agent1"], sku=SKU, reason="print-defect", note="x")


def test_the_pull_holds_its_lines_by_one_scope_and_every_reader_counts_them(pulled):
    andon = pulled.andon
    scope = LineScope.objects.get(andon=andon)
    assert scope.materialized_at is None and scope.lines == 7 == pulled.holds.order_lines
    assert not Hold.objects.filter(kind="order_line").exists()
    assert held_lines().count() == 7
    assert hold_counts(andon_ids=[andon.pk])[andon.pk].order_lines == 7
    held = next(t for t in hold_tallies(andon_ids=[andon.pk])[andon.pk] if t.state == "held")
    assert (held.order_lines, held.line_units) == (7, 7)
    assert held_goods_exist(andon_id=andon.pk)


def test_materializing_writes_each_held_line_once_and_keeps_the_pulls_time(pulled):
    andon = pulled.andon
    packed = set(OrderLine.objects.filter(fulfilment_status="packed").values_list("pk", flat=True))
    assert holds_materialize(andon_ids=[andon.pk]) == 7
    rows = Hold.objects.filter(andon=andon, kind="order_line", state="held")
    assert set(rows.values_list("order_line_id", flat=True)) == packed
    assert {h.placed_at for h in rows} == {andon.opened_at}
    assert LineScope.objects.get(andon=andon).materialized_at is not None
    # Nothing twice, and one query once nothing is pending.
    with CaptureQueriesContext(connection) as q:
        assert holds_materialize(andon_ids=[andon.pk]) == 0
    assert len(q.captured_queries) == 1
    assert rows.count() == 7 and held_lines().count() == 7
    assert hold_counts(andon_ids=[andon.pk])[andon.pk].order_lines == 7


def test_a_line_packed_while_the_scope_is_pending_is_held_without_a_row(api, pulled):
    body = {
        "customer": f"{SKU}-c0",
        "placed_at": "2026-11-25T10:00:00+08:00",
        "lines": [{"line_no": 1, "sku": SKU, "status": "packed"}],
    }
    assert api.call("PUT", "/orders/late-s", "integrator", body).status_code == 201
    assert not Hold.objects.filter(kind="order_line").exists()
    assert LineScope.objects.get(andon=pulled.andon).lines == 8
    assert held_lines().count() == 8
    assert holds_materialize(andon_ids=[pulled.andon.pk]) == 8


def test_the_relist_carries_out_the_dispositions_on_lines_nobody_listed(api, pulled):
    # Resolved and confirmed through the API without reading the holds: the scope is still
    # pending at the relist, which writes the lines out and disposes of them.
    for wo in pulled.work_orders:
        who = MEMBERS[wo.department.code]
        assert api.call("POST", f"/work-orders/{wo.pk}/start", who).status_code == 200
        body = {"findings": "x", "disposition": "scrap"}
        assert api.call("POST", f"/work-orders/{wo.pk}/resolve", who, body).status_code == 200
    assert LineScope.objects.get(andon=pulled.andon).materialized_at is None
    confirmed = [
        api.call("POST", f"/work-orders/{wo.pk}/confirm", "confirmer1") for wo in pulled.work_orders
    ]
    assert confirmed[-1].status_code == 200 and confirmed[-1].json()["relisted"] is True
    assert LineScope.objects.get(andon=pulled.andon).materialized_at is not None
    lines = Hold.objects.filter(andon=pulled.andon, kind="order_line")
    assert lines.count() == 7 and set(lines.values_list("state", flat=True)) == {"scrapped"}
    # Scrapped units are gone: their lines go back to be picked, and nothing is held.
    assert not OrderLine.objects.filter(fulfilment_status="packed").exists()
    assert not held_lines().exists() and not held_goods_exist(andon_id=pulled.andon.pk)
