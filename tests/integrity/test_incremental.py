"""The worker's scan is incremental: after contacts, recoveries, pulls and imports it
refreshes only what they touched (customers, agents, products), coalesced into one task on
the integrity queue, and ends where a full scan of the same data would."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from andon.catalog.models import Product
from andon.contacts.services import contact_record
from andon.integrations.imports import rows_import
from andon.integrity.models import AgentTally, CustomerTally, PendingRef, ScanRun, Signal
from andon.integrity.services import INCREMENTAL, scan
from andon.integrity.tasks import INTEGRITY_QUEUE, integrity_scan, outbox_note
from andon.orders.models import Customer, FulfilmentStatus, Order, OrderLine
from andon.pulls.services import andon_pull
from andon.recovery.services import recovery_give
from bench.integrity_world import build

pytestmark = pytest.mark.django_db


def _signals() -> dict:
    return {
        (s.kind, s.subject_type, s.subject): (s.score, s.reasons, s.evidence)
        for s in Signal.objects.filter(current=True)
    }


def _tallies() -> tuple[set, set]:
    return (
        {
            (t.customer_id, t.orders, t.claims, t.products, float(t.value))
            for t in CustomerTally.objects.all()
        },
        {
            (
                t.agent_id,
                t.contacts,
                t.repeats,
                t.pulls,
                str(t.contact_burst),
                str(t.pull_burst),
            )
            for t in AgentTally.objects.all()
        },
    )


def _delivered(customer: str, product: Product, n: int) -> str:
    o = Order.objects.create(
        external_id=f"INC-{n}",
        customer=Customer.objects.get(external_id=customer),
        placed_at=timezone.now() - dt.timedelta(days=4),
    )
    OrderLine.objects.create(
        order=o, line_no=1, product=product, fulfilment_status=FulfilmentStatus.DELIVERED
    )
    return o.external_id


def _mixed_writes() -> None:
    """Contacts, a recovery, a pull, and imports of customers and contacts; among them a new
    cluster: three accounts registered yesterday sharing a device report one product."""
    agent = User.objects.get(username="w-agent05")
    product = Product.objects.filter(andons__isnull=True).order_by("sku").first()
    assert product is not None
    yesterday = (timezone.now() - dt.timedelta(days=1)).isoformat()
    rows_import(
        actor=None,
        kind="customers",
        rows=[
            {
                "external_id": f"NEW{i}",
                "name": f"New {i}",
                "phone": f"1370000000{i}",
                "device_id": "dev-shared-9",
                "registered_at": yesterday,
            }
            for i in range(3)
        ],
    )
    contacts = []
    for i in range(3):
        order = _delivered(f"NEW{i}", product, i)
        contacts.append(
            contact_record(
                actor=agent,
                customer=f"NEW{i}",
                order=order,
                line_no=1,
                reason="w-print",
                text="页未裁开",
            )
        )
    recovery_give(actor=agent, contact_id=contacts[0].pk, action="coupon-5")
    andon_pull(actor=agent, sku=product.sku, reason="w-print", note="100-101页未裁开")
    # A long-time customer moves to another address (an import of customers).
    rows_import(
        actor=None,
        kind="customers",
        rows=[{"external_id": "R00050", "name": "R 50", "address": "9 New Road", "city": "Ji"}],
    )
    # Contacts imported from the storefront's history.
    order = _delivered("R00051", product, 9)
    rows_import(
        actor=None,
        kind="contacts",
        rows=[
            {
                "external_id": "EXT-INC-1",
                "customer": "R00051",
                "order": order,
                "line_no": 1,
                "reason": "w-print",
                "text": "缺页",
                "created_at": timezone.now().isoformat(),
                "agent": "w-agent06",
            }
        ],
    )


def test_an_incremental_scan_after_mixed_writes_equals_a_full_scan(
    django_capture_on_commit_callbacks,
):
    build(407, customers=800)
    scan()
    before = _signals()
    DBTaskResult.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        _mixed_writes()
    # The worker reads what the writes touched from the outbox (the imports among them noted
    # theirs after their commit).
    outbox_note()

    # A burst of writes: many pending changes, one scan waiting, on its own queue.
    waiting = DBTaskResult.objects.filter(task_path=integrity_scan.module_path)
    assert waiting.count() == 1
    assert waiting.get().queue_name == INTEGRITY_QUEUE
    assert waiting.get().status == TaskResultStatus.READY
    assert PendingRef.objects.count() > 5

    integrity_scan.call()
    assert ScanRun.objects.first().trigger == "incremental"
    assert not PendingRef.objects.exists()
    incremental, tallies = _signals(), _tallies()
    # The writes changed something: the new accounts' cluster and the product it targets.
    assert incremental != before
    assert any(k[1] == "account-cluster" and "NEW0" in k[2] for k in incremental)
    assert any(k[1] == "product" for k in incremental)

    scan()
    assert ScanRun.objects.first().trigger == "command"
    assert _signals() == incremental
    assert _tallies() == tallies

    # The accounts turn out to use different devices: the cluster, and the product's signal,
    # are no longer found by the next incremental scan either.
    with django_capture_on_commit_callbacks(execute=True):
        rows_import(
            actor=None,
            kind="customers",
            rows=[
                {"external_id": f"NEW{i}", "name": f"New {i}", "device_id": f"dev-own-{i}"}
                for i in range(3)
            ],
        )
    integrity_scan.call()
    after = _signals()
    assert not any(k[1] == "account-cluster" and "NEW0" in k[2] for k in after)
    scan()
    assert _signals() == after


def test_without_a_full_scan_yet_the_task_runs_a_full_one():
    build(408, customers=800)
    PendingRef.objects.create(ref="contact", key="1")
    integrity_scan.call()
    assert ScanRun.objects.get().trigger == "task"
    assert Signal.objects.filter(kind="customer-fraud").exists()
    assert not PendingRef.objects.exists()


def test_the_task_prunes_its_old_finished_runs():
    old = timezone.now() - dt.timedelta(days=3)
    ScanRun.objects.create(started_at=old, finished_at=old, trigger="command")
    ScanRun.objects.create(started_at=old, finished_at=old, trigger=INCREMENTAL)
    done = integrity_scan.enqueue()
    DBTaskResult.objects.filter(pk=done.id).update(status="SUCCESSFUL", finished_at=old)
    integrity_scan.call()
    assert not DBTaskResult.objects.filter(pk=done.id).exists()
    assert list(ScanRun.objects.values_list("trigger", flat=True)) == [INCREMENTAL, "command"]


def test_the_customer_api_and_order_syncs_note_what_they_touched(
    api, django_capture_on_commit_callbacks
):
    from andon.integrity.scope import scope_of

    with django_capture_on_commit_callbacks(execute=True):
        r = api.call("PUT", "/customers/c-7", "integrator", {"name": "A", "device_id": "d-7"})
    assert r.status_code == 201, r.content
    assert PendingRef.objects.filter(ref="customer", key="c-7").exists()
    c = Customer.objects.get(external_id="c-7")
    Order.objects.create(external_id="o-7", customer=c, placed_at=timezone.now())
    assert scope_of([("order", "o-7")]).customers == {c.pk}
