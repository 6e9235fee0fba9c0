"""Twenty agents pull the same cord at the same moment: one andon, one set of work orders."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection
from django.test import Client

from andon.holds.models import LineScope
from andon.orders.models import OrderLine
from andon.pulls.models import Andon, CordPull
from andon.workorders.models import WorkOrder

from ..holds.held import held_lines, line_holds_written
from ..world import SKU
from .conftest import seed_product

PULLERS = 20


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_pulls_open_one_andon_and_one_set_of_work_orders(world):
    seed_product(agent=world.users["agent1"])
    start = threading.Barrier(PULLERS)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def puller(i: int) -> None:
        try:
            agent = "agent1" if i % 2 else "agent2"
            start.wait(timeout=30)
            r = Client().post(
                "/api/v1/andons",
                data=json.dumps({"sku": SKU, "reason": "print-defect", "note": f"第{i}位客服按灯"}),
                content_type="application/json",
                **world.auth(agent),
            )
            statuses.append(r.status_code)
        except BaseException as e:  # surfaced below: a thread must not fail silently
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=puller, args=(i,)) for i in range(PULLERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert sorted(statuses) == [200] * (PULLERS - 1) + [201], statuses
    andon = Andon.objects.get()
    assert WorkOrder.objects.filter(andon=andon).count() == 2
    assert CordPull.objects.filter(andon=andon).count() == PULLERS
    assert CordPull.objects.filter(andon=andon, credited=True).count() == 1
    # Holds were placed once, by the pull that opened the andon: one scope, five lines.
    assert LineScope.objects.count() == 1
    assert line_holds_written().count() == 5


@pytest.mark.django_db(transaction=True)
def test_orders_packed_while_the_cord_is_pulled_are_all_held(world):
    """A storefront syncing packed orders at the moment of the pull: whichever commits first,
    every packed line of the stopped product ends up held (the listing lock orders them)."""
    seed_product(agent=world.users["agent1"])
    writers = 10
    start = threading.Barrier(writers + 1)
    statuses: list[int] = []

    def sync(i: int) -> None:
        try:
            start.wait(timeout=30)
            body = {
                "customer": f"{SKU}-c0",
                "placed_at": "2026-11-25T10:00:00+08:00",
                "lines": [{"line_no": 1, "sku": SKU, "status": "packed"}],
            }
            r = Client().put(
                f"/api/v1/orders/race-{i}",
                data=json.dumps(body),
                content_type="application/json",
                **world.auth("integrator"),
            )
            statuses.append(r.status_code)
        finally:
            connection.close()

    def pull() -> None:
        try:
            start.wait(timeout=30)
            r = Client().post(
                "/api/v1/andons",
                data=json.dumps({"sku": SKU, "reason": "print-defect", "note": "100-101页未裁开"}),
                content_type="application/json",
                **world.auth("agent1"),
            )
            statuses.append(r.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=sync, args=(i,)) for i in range(writers)]
    threads.append(threading.Thread(target=pull))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(statuses) == [201] * (writers + 1), statuses
    packed = OrderLine.objects.filter(product__sku=SKU, fulfilment_status="packed")
    assert packed.count() == 5 + writers
    assert held_lines(packed).count() == 5 + writers
    assert line_holds_written().count() == 5 + writers
