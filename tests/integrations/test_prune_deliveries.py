"""`andon prune-deliveries`: old delivered deliveries go with their attempts; anything that
still needs someone (pending, dead-lettered) stays."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from andon.integrations import services
from andon.integrations.models import Delivery, DeliveryAttempt, DeliveryState
from andon.integrations.relay import relay_pass

from .events import listing_events_emit

pytestmark = pytest.mark.django_db


def _age(state: DeliveryState, days: float, ids: list[int]) -> None:
    at = timezone.now() - dt.timedelta(days=days)
    Delivery.objects.filter(id__in=ids).update(
        state=state, delivered_at=at if state == DeliveryState.DELIVERED else None
    )
    DeliveryAttempt.objects.bulk_create(
        DeliveryAttempt(delivery_id=i, attempted_at=at, status_code=204) for i in ids
    )


def test_old_delivered_deliveries_are_deleted_with_their_attempts_and_the_rest_kept():
    services.endpoint_create(actor=None, url="http://127.0.0.1:9/hooks")
    listing_events_emit(10, products=2)
    relay_pass()
    ids = list(Delivery.objects.order_by("id").values_list("id", flat=True))
    _age(DeliveryState.DELIVERED, 40, ids[:4])  # old and delivered: go
    _age(DeliveryState.DELIVERED, 5, ids[4:6])  # recent: stay
    _age(DeliveryState.DEAD, 40, ids[6:8])  # dead-lettered: stay, however old
    _age(DeliveryState.PENDING, 40, ids[8:])  # still retrying: stay

    out = io.StringIO()
    call_command("prune-deliveries", "--older-than", "30", stdout=out)

    assert "deleted 4 delivered deliveries" in out.getvalue()
    assert list(Delivery.objects.order_by("id").values_list("id", flat=True)) == ids[4:]
    assert set(DeliveryAttempt.objects.values_list("delivery_id", flat=True)) == set(ids[4:])


def test_pruning_works_in_batches_and_deletes_finished_wake_ups():
    services.endpoint_create(actor=None, url="http://127.0.0.1:9/hooks")
    listing_events_emit(7, products=1)
    relay_pass()
    _age(DeliveryState.DELIVERED, 2, list(Delivery.objects.values_list("id", flat=True)))
    DBTaskResult.objects.update(
        status="SUCCESSFUL", finished_at=timezone.now() - dt.timedelta(hours=2)
    )
    assert services.deliveries_prune(older_than=dt.timedelta(days=1), batch=3) == 7
    assert not Delivery.objects.exists() and not DeliveryAttempt.objects.exists()
    call_command("prune-deliveries", "--older-than", "0", stdout=io.StringIO())
    assert not DBTaskResult.objects.exists()
