"""Settling without anyone running `andon detection regroup` (settle.py): the delivery
worker's pass re-groups the products of new contacts (read from the outbox past detection's
place), an import re-groups the products it touched; products with nothing new are left as
they are, and a moved contact still says which contact it matched and how alike they are."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from andon.contacts.models import Contact
from andon.core.models import OutboxEvent, OutboxPlace
from andon.detection import linkage, services
from andon.detection.models import Assignment, Problem
from andon.detection.settle import OUTBOX_PLACE, outbox_settle
from andon.detection.tasks import products_settle_task
from andon.integrations import worker
from andon.integrations.imports import rows_import

from ..world import SKU
from .test_problems import MISSING, UNCUT, groups

pytestmark = pytest.mark.django_db


def _split(contact: Contact) -> Problem:
    """As if arrival order had opened a problem of its own for this contact."""
    alone = Problem.objects.create(
        product_id=contact.product_id, created_at=contact.created_at, label_en="x"
    )
    Assignment.objects.filter(contact_id=contact.pk).update(problem=alone)
    return alone


def _place() -> int:
    return OutboxPlace.objects.get(consumer=OUTBOX_PLACE).read_id


def test_a_worker_pass_settles_the_products_of_new_contacts(catalogue, model):
    product = catalogue.product(SKU)
    uncut = [catalogue.report(product, t, reason=r) for t, r in UNCUT]
    missing = [catalogue.report(product, t, reason=r) for t, r in MISSING]
    alone = _split(uncut[1])
    assert len(groups(uncut + missing)) == 3

    worker.drain()

    assert groups(uncut + missing) == [{c.pk for c in uncut}, {c.pk for c in missing}]
    assert not Problem.objects.filter(pk=alone.pk).exists()
    # Explainable as online assignment is: the contact it matched, their similarity, and
    # the mean evidence that merged it.
    a = Assignment.objects.get(contact_id=uncut[1].pk)
    assert a.matched_contact_id in {uncut[0].pk, uncut[2].pk}
    assert a.method == "embedding" and a.similarity > 0.3
    assert a.score >= linkage.REGROUP
    assert _place() == OutboxEvent.objects.latest("id").pk
    assert outbox_settle() == 0  # nothing new: nothing read


# Four reports of the development set, in an order that misleads online assignment: the
# second (pages missing after 200) joins the first (pages 100-101 uncut) while only the
# first is there, and the same customer's two reports of the uncut pages then open a problem
# of their own. All pairs weighed at once, the three uncut reports are one problem.
MISLEADING = [
    ("k01", "第100页和101页没有裁开，连在一起"),
    ("k10", "第200页后面直接跳到217页，中间少了一整帖"),
    ("k02", "又来电：还是那两页连着的问题，想确认新书会不会也这样"),
    ("k02", "顾客说书里有两页粘着没切开，大概在一百页左右"),
]


def test_a_worker_pass_settles_what_arrival_order_decided(catalogue, model):
    product = catalogue.product(SKU)
    a, b, c, d = (
        catalogue.report(product, text, reason="other", customer=customer)
        for customer, text in MISLEADING
    )
    assert groups([a, b, c, d]) == [{a.pk, b.pk}, {c.pk, d.pk}]  # online, in this order

    worker.drain()

    assert groups([a, b, c, d]) == [{a.pk, c.pk, d.pk}, {b.pk}]


def test_products_without_new_contacts_are_left_as_they_are(catalogue, model):
    quiet, busy = catalogue.product(SKU), catalogue.product("SKU-BUSY")
    earlier = [catalogue.report(quiet, t, reason=r) for t, r in UNCUT]
    worker.drain()
    _split(earlier[1])  # a person's view of it is not touched without a new contact
    late = [catalogue.report(busy, t, reason=r) for t, r in UNCUT]
    _split(late[1])

    assert outbox_settle() > 0

    assert len(groups(earlier)) == 2
    assert groups(late) == [{c.pk for c in late}]


def test_corrections_are_kept_by_the_worker_pass(api, catalogue, model):
    product = catalogue.product(SKU)
    uncut = [catalogue.report(product, t, reason=r) for t, r in UNCUT]
    missing = [catalogue.report(product, t, reason=r) for t, r in MISSING]
    missing_id = Assignment.objects.get(contact_id=missing[0].pk).problem_id
    r = api.call(
        "POST", f"/problem-clusters/{missing_id}/move", "lead1", {"contacts": [uncut[2].pk]}
    )
    assert r.status_code == 200, r.content
    _split(uncut[1])

    worker.drain()

    assert groups(uncut + missing) == [
        {uncut[0].pk, uncut[1].pk},
        {uncut[2].pk} | {c.pk for c in missing},
    ]


@pytest.mark.parametrize("inline", [True, False], ids=["inline", "by-a-worker"])
def test_an_import_settles_the_products_it_touched(world, catalogue, model, monkeypatch, inline):
    if not inline:  # a file over more products than the import settles itself
        monkeypatch.setattr(services, "SETTLE_INLINE", 0)
    product = catalogue.product(SKU)
    earlier = [catalogue.report(product, t, reason=r) for t, r in UNCUT]
    OutboxPlace.objects.filter(consumer=OUTBOX_PLACE).update(
        read_id=OutboxEvent.objects.latest("id").pk
    )
    _split(earlier[1])
    rows = []
    for i, (text, reason) in enumerate(MISSING):
        customer, order = catalogue.delivered(product)
        rows.append(
            {
                "external_id": f"ext-{i}",
                "customer": customer,
                "order": order,
                "line_no": 1,
                "reason": reason,
                "text": text,
                "created_at": (timezone.now() - dt.timedelta(hours=2 - i)).isoformat(),
                "agent": "agent1",
            }
        )

    assert rows_import(actor=None, kind="contacts", rows=rows).created == 2

    waiting = DBTaskResult.objects.filter(task_path=products_settle_task.module_path)
    if inline:
        assert not waiting.exists()
    else:
        assert waiting.get().args_kwargs["args"] == [[product.pk]]
        products_settle_task.call([product.pk])
    imported = list(Contact.objects.filter(external_id__in=["ext-0", "ext-1"]))
    assert groups(earlier + imported) == [{c.pk for c in earlier}, {c.pk for c in imported}]


def test_a_rebuild_regroups_unless_told_not_to(catalogue, model, capsys):
    product = catalogue.product(SKU)
    [catalogue.report(product, t, reason=r) for t, r in UNCUT + MISSING]

    call_command("detection", "rebuild", "--product", SKU, "--no-progress")
    assert "5 recent contacts of 1 products re-grouped" in capsys.readouterr().out

    call_command("detection", "rebuild", "--product", SKU, "--no-regroup", "--no-progress")
    out = capsys.readouterr().out
    assert "5 contacts of 1 products" in out and "re-grouped" not in out


def test_a_contact_the_intake_left_unassigned_is_assigned_by_the_worker_pass(catalogue, model):
    product = catalogue.product(SKU)
    uncut = [catalogue.report(product, t, reason=r) for t, r in UNCUT]
    # As when the problem the intake chose was emptied by a re-grouping at that moment.
    Assignment.objects.filter(contact_id=uncut[2].pk).delete()

    worker.drain()

    assert groups(uncut) == [{c.pk for c in uncut}]


@pytest.mark.parametrize("state", ["dissolved", "merged"])
def test_a_contact_the_intake_put_on_a_problem_gone_meanwhile_is_placed_by_the_worker_pass(
    catalogue, model, state
):
    """The intake read its candidates, then a re-grouping dissolved (or a person merged away)
    the problem it chose before its write: the contact landed on a problem no count reads."""
    product = catalogue.product(SKU)
    uncut = [catalogue.report(product, t, reason=r) for t, r in UNCUT]
    gone = _split(uncut[2])
    Problem.objects.filter(pk=gone.pk).update(state=state)

    worker.drain()

    assert groups(uncut) == [{c.pk for c in uncut}]
    assert Assignment.objects.get(contact_id=uncut[2].pk).problem.state == "open"


def test_a_corrected_contact_on_a_merged_problem_is_left_to_the_person(catalogue, model):
    product = catalogue.product(SKU)
    uncut = [catalogue.report(product, t, reason=r) for t, r in UNCUT]
    gone = _split(uncut[2])
    Problem.objects.filter(pk=gone.pk).update(state="merged")
    Assignment.objects.filter(contact_id=uncut[2].pk).update(pinned=True)

    worker.drain()

    assert Assignment.objects.get(contact_id=uncut[2].pk).problem_id == gone.pk
