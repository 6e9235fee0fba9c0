"""Delivery is woken through Django's tasks framework: one task per transaction that writes
outbox events, committed with it or not at all."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from andon.core.services import Event, outbox_emit
from andon.integrations import services
from andon.integrations.models import Delivery, DeliveryState

from .story import SKU, catalog_load, pull

TASK = "andon.integrations.tasks.relay_and_deliver"


def _wakeups() -> int:
    return DBTaskResult.objects.filter(task_path=TASK).count()


def _emit(kind: str = "listing.suppressed") -> None:
    outbox_emit(at=timezone.now(), events=[Event(kind, {"sku": "S-1"}, product_sku="S-1")])


@pytest.mark.django_db
def test_an_event_written_in_a_transaction_that_rolls_back_enqueues_nothing():
    before = _wakeups()
    with pytest.raises(RuntimeError), transaction.atomic():
        _emit()
        assert _wakeups() == before + 1
        raise RuntimeError("the business change failed")
    assert _wakeups() == before


@pytest.mark.django_db
def test_one_transaction_enqueues_one_wake_up_however_many_events_it_writes():
    before = _wakeups()
    with transaction.atomic():
        _emit()
        _emit("listing.relisted")
        with transaction.atomic():
            _emit()
    assert _wakeups() == before + 1


@pytest.mark.django_db
def test_a_rolled_back_savepoint_takes_its_wake_up_along_and_the_next_write_enqueues_again():
    before = _wakeups()
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            _emit()
            raise RuntimeError
        assert _wakeups() == before
        _emit()
    assert _wakeups() == before + 1


@pytest.mark.django_db(transaction=True)
def test_a_committed_pull_is_delivered_by_the_task_worker_alone(api, receiver):
    # Given a storefront, and no delivery loop running anywhere
    endpoint = services.endpoint_create(actor=None, url=receiver.url, event_types=["listing.*"])
    receiver.start(endpoint.secret)
    catalog_load(api)
    DBTaskResult.objects.all().delete()

    # When the cord is pulled, the commit leaves a task, and nothing is delivered yet
    pull(api)
    assert _wakeups() >= 1
    assert not Delivery.objects.exists()

    # Then the framework's own worker, run until its queue is empty, delivers the stop-sell
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    assert [e["type"] for e in receiver.received()] == ["listing.suppressed"]
    assert receiver.received()[0]["sku"] == SKU
    assert Delivery.objects.get().state == DeliveryState.DELIVERED
    # (The integrity scan the pull asked for waits on its own queue, not this worker's.)
    default = DBTaskResult.objects.filter(queue_name="default")
    assert set(default.values_list("status", flat=True)) == {"SUCCESSFUL"}
