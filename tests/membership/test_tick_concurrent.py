"""The tick run twice at once (two connections, two threads): every due membership changes
exactly once, with one event each. On PostgreSQL the row locks with SKIP LOCKED split the
work; on SQLite the writers queue one behind the other and the second finds nothing due."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from andon.core.models import OutboxEvent
from andon.membership.models import Membership, MembershipChange
from andon.membership.rules import Source
from andon.membership.services import membership_enrol, membership_tick, plans_ensure_defaults
from andon.membership.tasks import membership_tick_task
from andon.orders.models import Customer

T0 = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)


def _members(n: int) -> None:
    plans_ensure_defaults()
    for i in range(n):
        c = Customer.objects.create(external_id=f"tick-{i}", name=f"C{i}")
        membership_enrol(
            actor=None,
            customer=c,
            plan_code="member-98",
            source=Source.API,
            trial=i % 2 == 0,
            at=T0,
        )


@pytest.mark.django_db(transaction=True)
def test_two_ticks_at_once_change_each_membership_once():
    _members(40)
    now = T0 + dt.timedelta(days=40)  # trials (30 days) and paid months (31 days) are due
    results: list[dict[str, int]] = []
    errors: list[BaseException] = []

    def run():
        try:
            results.append(membership_tick(now=now))
        except BaseException as e:
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    merged: dict[str, int] = {}
    for r in results:
        for k, v in r.items():
            merged[k] = merged.get(k, 0) + v
    assert merged == {"converted": 20, "renewed": 20}
    assert MembershipChange.objects.exclude(change="started").count() == 40
    assert OutboxEvent.objects.filter(event_type="membership.converted").count() == 20
    assert not Membership.objects.filter(ends_at__lte=now).exists()


@pytest.mark.django_db
def test_the_command_and_the_task_run_the_same_tick(capsys):
    _members(2)
    call_command("membership", "tick", "--at", (T0 + dt.timedelta(days=31)).isoformat())
    assert capsys.readouterr().out.strip() == "1 converted, 1 renewed"
    call_command("membership", "tick", "--at", (T0 + dt.timedelta(days=31)).isoformat())
    assert capsys.readouterr().out.strip() == "nothing due"
    # The task ticks at the real now: months later, both renew up to it, then nothing is due.
    assert set(membership_tick_task.call()) == {"renewed"}
    assert not Membership.objects.filter(ends_at__lte=timezone.now()).exists()
