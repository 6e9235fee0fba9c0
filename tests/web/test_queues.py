"""A department's queue shows every work order still to do, however long its history."""

from __future__ import annotations

import datetime as dt

import pytest

from andon.pulls.models import Andon, AndonState
from andon.workorders.models import WorkOrder

from .state import pulled, wo

pytestmark = pytest.mark.django_db


def closed_history(n: int) -> None:
    """n earlier andons of the same product, each with a closed work order due long ago."""
    current = wo("vendor-management")
    template = Andon.objects.get(pk=current.andon_id)
    andons = []
    for i in range(n):
        a = Andon.objects.get(pk=template.pk)
        a.pk = None
        a.state, a.closed_at = AndonState.CLOSED, template.opened_at
        a.opened_at = template.opened_at - dt.timedelta(days=1 + i)
        andons.append(a)
    andons = Andon.objects.bulk_create(andons)
    old = []
    for i, a in enumerate(andons):
        w = WorkOrder.objects.get(pk=current.pk)
        w.pk, w.andon = None, a
        w.state = "closed"
        w.due_at = current.due_at - dt.timedelta(days=1 + i)
        old.append(w)
    WorkOrder.objects.bulk_create(old)


def test_an_open_work_order_is_in_the_queue_after_hundreds_of_closed_ones(shop, login):
    pulled(shop)
    open_wo = wo("vendor-management")
    closed_history(250)
    vendor = login("vendor1")
    html = vendor.get("/departments/vendor-management/").content.decode()
    assert f'id="wo-{open_wo.pk}"' in html
    assert html.count('<article class="card') == 1, "closed ones stay hidden by default"
    with_closed = vendor.get("/departments/vendor-management/?closed=1").content.decode()
    assert f'id="wo-{open_wo.pk}"' in with_closed
