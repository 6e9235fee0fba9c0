"""Signals never stand between the agent and the customer or the cord (SPEC: "Trust, then
verify"): with every signal firing on the people involved, a contact, a recovery within the
guide and a pull go through at once, with the same queries as without integrity; the scan
runs after the commit, on the worker."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from andon.catalog.models import Product
from andon.contacts.services import contact_record
from andon.integrity.models import PendingRef, Signal
from andon.integrity.services import scan
from andon.integrity.tasks import integrity_scan, outbox_note
from andon.orders.models import Customer, FulfilmentStatus, Order, OrderLine
from andon.pulls.models import Andon
from andon.pulls.services import andon_pull
from andon.recovery.services import recovery_give
from bench.integrity_world import build

pytestmark = pytest.mark.django_db


def _order(customer: str, product: Product, n: int) -> str:
    c = Customer.objects.get(external_id=customer)
    o = Order.objects.create(
        external_id=f"NB-{n}", customer=c, placed_at=timezone.now() - dt.timedelta(days=5)
    )
    OrderLine.objects.create(
        order=o, line_no=1, product=product, fulfilment_status=FulfilmentStatus.DELIVERED
    )
    return o.external_id


def _queries(q: CaptureQueriesContext) -> int:
    # The delivery wake-up is enqueued once per transaction, and both runs of this test share
    # the test's transaction: the first run's wake-up is not a cost of the signals.
    return sum("dbtaskresult" not in x["sql"] for x in q.captured_queries)


def _frontline(agent: User, customers: list[str], product: Product, tag: str) -> list[int]:
    """Two contacts, a recovery within the guide and a pull: the number of queries of each."""
    orders = [_order(c, product, i + 10 * len(tag)) for i, c in enumerate(customers)]
    counts, contacts = [], []
    for c, o in zip(customers, orders, strict=True):
        with CaptureQueriesContext(connection) as q:
            contacts.append(
                contact_record(
                    actor=agent, customer=c, order=o, line_no=1, reason="w-print", text="页未裁开"
                )
            )
        counts.append(_queries(q))
        assert not any("integrity" in x["sql"] for x in q.captured_queries)
    with CaptureQueriesContext(connection) as q:
        recovery_give(actor=agent, contact_id=contacts[0].pk, action="coupon-5")
    counts.append(_queries(q))
    assert not any("integrity" in x["sql"] for x in q.captured_queries)
    with CaptureQueriesContext(connection) as q:
        result = andon_pull(actor=agent, sku=product.sku, reason="w-print", note="100-101页未裁开")
    counts.append(_queries(q))
    assert not any("integrity" in x["sql"] for x in q.captured_queries)
    assert Andon.objects.filter(pk=result.andon.pk, state="open").exists()
    return counts


def test_signals_firing_on_everyone_involved_change_nothing_for_the_frontline(
    django_capture_on_commit_callbacks,
):
    build(404, customers=800)
    scan()
    flagged_agent = Signal.objects.get(kind="staff-misuse", subject="w-agent04")
    fraudster = Signal.objects.filter(kind="customer-fraud").first()
    cluster = Signal.objects.filter(kind="account-cluster", subject_type="account-cluster").first()
    assert flagged_agent and fraudster and cluster
    suspects = [fraudster.subject, cluster.subject.split(",")[0]]
    products = list(Product.objects.filter(andons__isnull=True).order_by("sku")[:2])

    with django_capture_on_commit_callbacks() as callbacks:
        with_signals = _frontline(
            User.objects.get(username="w-agent04"), suspects, products[0], "a"
        )
    # The same steps by people no signal names, on another product.
    plain = _frontline(
        User.objects.get(username="w-agent05"), ["R00050", "R00051"], products[1], "bb"
    )
    assert with_signals == plain
    # Nothing for integrity after the commit either: the worker reads what the writes
    # touched from the outbox, and asks for one scan, not one per write.
    for cb in callbacks:
        cb()
    assert not DBTaskResult.objects.filter(task_path=integrity_scan.module_path).exists()
    assert not PendingRef.objects.exists()
    assert outbox_note() > 0
    assert DBTaskResult.objects.filter(task_path=integrity_scan.module_path).count() == 1
    assert PendingRef.objects.filter(ref="andon").exists()
    assert outbox_note() == 0


def test_the_scan_task_and_the_command_compute_the_signals(capsys):
    build(405, customers=800)
    integrity_scan.call()
    assert Signal.objects.filter(kind="customer-fraud").exists()
    Signal.objects.all().delete()
    call_command("integrity", "scan", "--no-progress")
    out = capsys.readouterr().out
    assert "customer-fraud:" in out and Signal.objects.exists()
    call_command("integrity", "list", "--kind", "staff-misuse")
    assert "w-agent04" in capsys.readouterr().out


def test_a_rescan_keeps_decisions_and_first_seen():
    from andon.integrity.services import signal_decide

    build(406, customers=800)
    scan()
    s = Signal.objects.filter(kind="customer-fraud").first()
    lead = User.objects.get(username="w-lead0")
    signal_decide(signal_id=s.pk, status="dismissed", reason="known reseller", actor_id=lead.pk)
    first_seen = s.first_seen
    scan()
    s.refresh_from_db()
    assert (s.status, s.first_seen, s.current) == ("dismissed", first_seen, True)
    assert s.decisions.get().reason == "known reseller"
