"""The read matrix (matrix.py) holds for the API and for the console: each person reads
exactly what the table says, through either door. A refusal is a 403 that shows nothing."""

from __future__ import annotations

import pytest

from andon.core.models import AuditEntry, OutboxEvent
from andon.workorders.models import WorkOrder

from .conftest import RECOVERY_NOTE, Scene
from .matrix import (
    BAD_ANDON_RATE,
    CELLS,
    CORRECTIVE_ACTIONS,
    ORDERS,
    RECOVERY_CATALOGUE,
    RECOVERY_HISTORY,
    REVIEW_QUEUE,
    VENDOR_WORK_ORDERS,
    WAREHOUSE_WORK_ORDERS,
    Read,
)

pytestmark = pytest.mark.django_db


def _written() -> tuple:
    """What a read must leave as it was: the audit trail, the outbox, the work orders."""
    return (
        AuditEntry.objects.count(),
        OutboxEvent.objects.count(),
        sorted(WorkOrder.objects.values_list("pk", "state", "findings")),
    )


DEPARTMENT = {
    VENDOR_WORK_ORDERS: "vendor-management",
    WAREHOUSE_WORK_ORDERS: "warehouse-logistics",
}


def _api_reads(api, scene: Scene, read: Read, who: str) -> bool:
    """Whether `who` reads `read` through the API; every route of it must agree."""
    answers: list[bool] = []

    def get(path: str, shows) -> None:
        r = api.call("GET", path, who)
        assert r.status_code in (200, 403), (path, who, r.status_code, r.content)
        if r.status_code == 403:
            assert r["Content-Type"] == "application/problem+json"
        answers.append(r.status_code == 200 and shows(r.json()))

    if read in DEPARTMENT:
        code = DEPARTMENT[read]
        wo = scene.work_orders[code]
        get(f"/work-orders?department={code}", lambda rows: wo in [w["id"] for w in rows])
        get(f"/work-orders/{wo}", lambda w: w["id"] == wo)
        # Without a filter: the caller's own reach (a 403 for someone who reads no queue).
        r = api.call("GET", "/work-orders", who)
        assert r.status_code in (200, 403)
        answers.append(r.status_code == 200 and wo in [w["id"] for w in r.json()])
    elif read == RECOVERY_HISTORY:
        get(
            f"/customers/{scene.customer}/recovery",
            lambda rows: [g["note"] for g in rows] == [RECOVERY_NOTE],
        )
    elif read == ORDERS:
        get(f"/orders/{scene.order}", lambda body: body["external_id"] == scene.order)
    elif read == RECOVERY_CATALOGUE:
        get("/recovery/actions", lambda rows: "coupon-5" in [a["code"] for a in rows])
    elif read == BAD_ANDON_RATE:
        get("/kpis/bad-andon-rate", lambda body: "rows" in body)
    elif read == REVIEW_QUEUE:
        get("/reviews/queue", lambda rows: isinstance(rows, list))
    elif read == CORRECTIVE_ACTIONS:
        get("/corrective-actions?state=all", lambda rows: isinstance(rows, list))
    assert len(set(answers)) == 1, (read.what, who, answers)
    return answers[0]


def _console_reads(login, scene: Scene, read: Read, who: str) -> bool:
    """Whether `who` reads `read` in the console: some page of it shows it."""
    c = login(who)

    def shows(url: str, marker: str) -> bool:
        r = c.get(url)
        assert r.status_code in (200, 403), (url, who, r.status_code)
        return r.status_code == 200 and marker in r.content.decode()

    if read in DEPARTMENT:
        code = DEPARTMENT[read]
        marker = f"WO-{scene.work_orders[code]}<"
        # The department's queue, or the confirmers' queue (both work orders are resolved).
        return shows(f"/departments/{code}/", marker) or shows("/confirm/", marker)
    if read == RECOVERY_HISTORY:
        return shows(f"/customers/{scene.customer}/", RECOVERY_NOTE)
    if read == RECOVERY_CATALOGUE:
        return shows(f"/recovery/contacts/{scene.contact}/", "coupon-5")
    if read == ORDERS:
        return shows(f"/customers/{scene.customer}/", f'translate="no">{scene.order}<')
    if read == BAD_ANDON_RATE:
        return shows("/reviews/kpis/", "<table")
    if read == REVIEW_QUEUE:
        return shows("/reviews/", "<h1")
    if read == CORRECTIVE_ACTIONS:
        return shows("/reviews/actions/", "<h1")
    raise AssertionError(read)


def _id(cell) -> str:
    read, who = cell
    return f"{read.what}-{who}"


@pytest.mark.parametrize("cell", CELLS, ids=[_id(c) for c in CELLS])
def test_the_api_reads_what_the_matrix_says(api, scene, cell):
    read, who = cell
    before = _written()
    assert _api_reads(api, scene, read, who) == (who in read.readers)
    assert _written() == before


@pytest.mark.parametrize("cell", CELLS, ids=[_id(c) for c in CELLS])
def test_the_console_reads_what_the_matrix_says(login, scene, cell):
    read, who = cell
    before = _written()
    assert _console_reads(login, scene, read, who) == (who in read.readers - read.api_only)
    assert _written() == before
