"""The inbound event log is kept to its retention (ANDON_INBOUND_EVENT_RETENTION_DAYS, default
90 days) by `andon prune-inbound` (or the `prune_inbound_events` task); contacts stay,
and a vendor replaying a pruned event records nothing new."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from andon.contacts.models import Contact
from andon.integrations.inbound.services import inbound_event_retention, inbound_events_prune
from andon.integrations.models import InboundEvent
from andon.integrations.tasks import prune_inbound_events

from . import payloads as p
from .conftest import SECRET
from .test_inbound_helpdesks import post

pytestmark = pytest.mark.django_db


def _events(connection, ages_days: list[float]) -> list[int]:
    now = timezone.now()
    return [
        InboundEvent.objects.create(
            connection=connection,
            event_id=f"ev-{i}",
            ticket_id=str(1000 + i),
            received_at=now - dt.timedelta(days=age),
            outcome="ignored",
        ).pk
        for i, age in enumerate(ages_days)
    ]


def test_events_older_than_the_retention_go_the_rest_stay(zendesk, settings):
    ids = _events(zendesk, [200, 91, 89, 1])
    out = io.StringIO()
    call_command("prune-inbound", stdout=out)  # default retention: 90 days
    assert out.getvalue().strip() == "deleted 2 inbound events older than 90 days"
    assert sorted(InboundEvent.objects.values_list("id", flat=True)) == ids[2:]
    settings.ANDON_INBOUND_EVENT_RETENTION_DAYS = 30
    assert inbound_event_retention() == dt.timedelta(days=30)
    assert prune_inbound_events.call() == 1  # the task, as a cron-enqueued worker runs it
    call_command("prune-inbound", "--older-than", "0.5", stdout=out)
    assert not InboundEvent.objects.exists()


def test_pruning_in_batches_and_bad_ages_refused(zendesk, settings):
    _events(zendesk, [10] * 7)
    assert inbound_events_prune(older_than=dt.timedelta(days=1), batch=3) == 7
    with pytest.raises(CommandError):
        call_command("prune-inbound", "--older-than", "-1")
    settings.ANDON_INBOUND_EVENT_RETENTION_DAYS = "-3"
    with pytest.raises(CommandError):
        call_command("prune-inbound")


def test_a_replay_of_a_pruned_event_records_nothing_new(client, zendesk):
    body = p.dumps(p.zendesk_trigger())
    first = post(client, "zendesk/zd-main", body, p.zendesk_headers(SECRET, body)).json()
    assert first["outcome"] == "recorded"
    InboundEvent.objects.update(received_at=timezone.now() - dt.timedelta(days=120))
    assert inbound_events_prune() == 1
    again = post(client, "zendesk/zd-main", body, p.zendesk_headers(SECRET, body)).json()
    assert again["outcome"] == "unchanged" and again["contact"] == first["contact"]
    assert Contact.objects.count() == 1
