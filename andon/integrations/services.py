"""Writes on webhook endpoints and deliveries: create, change, rotate the secret, replay.

Each service is one transaction. On PostgreSQL a change that makes deliveries due sends
NOTIFY andon_outbox, which reaches the workers at commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from andon.core.errors import InvalidInput
from andon.core.models import OutboxEvent
from andon.people import rules as people_rules
from andon.people.selectors import actor_require

from . import rules
from .addresses import url_address_problem, url_shape_problem
from .conf import allow_private_networks
from .models import Delivery, DeliveryAttempt, DeliveryState, WebhookEndpoint

CHANNEL = "andon_outbox"
ROTATION_GRACE = dt.timedelta(hours=24)
MAX_REPLAY = 100_000


def workers_wake() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"NOTIFY {CHANNEL}")


def _require_integrator(actor: User | None) -> None:
    # None: the operator of the machine, through a command or the benchmarks.
    if actor is not None:
        actor_require(
            actor, people_rules.may_load_catalog, _("Only integrators and admins manage webhooks.")
        )


def _clean_types(event_types: Sequence[str]) -> list[str]:
    out = sorted({t.strip() for t in event_types if t.strip()})
    for t in out:
        if len(t) > 64 or " " in t:
            raise InvalidInput(
                _("'%(type)s' is not an event type.") % {"type": t}, field="event_types"
            )
    return out


def _check_url(url: str) -> str:
    problem = url_shape_problem(url)
    if problem is None and not allow_private_networks():
        problem = url_address_problem(url)
    if problem is not None:
        raise InvalidInput(problem, field="url")
    return url


@transaction.atomic
def endpoint_create(
    *,
    url: str,
    event_types: Sequence[str] = (),
    description: str = "",
    actor: User | None,
) -> WebhookEndpoint:
    """A new endpoint with a fresh `whsec_` secret; it receives events from now on (older
    ones only by a replay of a time range)."""
    _require_integrator(actor)
    return WebhookEndpoint.objects.create(
        url=_check_url(url),
        event_types=_clean_types(event_types),
        description=description,
        secret=rules.new_secret(),
        created_at=timezone.now(),
        created_by=actor if actor is not None and actor.pk else None,
    )


@transaction.atomic
def endpoint_update(
    *,
    actor: User | None,
    endpoint: WebhookEndpoint,
    url: str | None = None,
    event_types: Sequence[str] | None = None,
    description: str | None = None,
    active: bool | None = None,
) -> WebhookEndpoint:
    _require_integrator(actor)
    if url is not None:
        endpoint.url = _check_url(url)
    if event_types is not None:
        endpoint.event_types = _clean_types(event_types)
    if description is not None:
        endpoint.description = description
    if active is not None:
        endpoint.active = active
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_rotate_secret(
    *, actor: User | None, endpoint: WebhookEndpoint, grace: dt.timedelta = ROTATION_GRACE
) -> WebhookEndpoint:
    """New current secret; the old one keeps signing (a second signature) for `grace`, so
    that the receiver can switch without losing a message."""
    _require_integrator(actor)
    now = timezone.now()
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = now + grace
    endpoint.secret = rules.new_secret()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    return endpoint


@transaction.atomic
def delivery_replay(*, actor: User | None, delivery: Delivery) -> Delivery:
    """Send again now, with the same webhook-id (receivers deduplicate by it), and a fresh
    retry period; delivered and dead-lettered deliveries alike."""
    _require_integrator(actor)
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.PENDING,
        next_attempt_at=now,
        retrying_since=now,
        lease_token="",
    )
    workers_wake()
    delivery.refresh_from_db()
    return delivery


@transaction.atomic
def deliveries_replay_range(
    *,
    actor: User | None,
    endpoint: WebhookEndpoint,
    since: dt.datetime,
    until: dt.datetime,
) -> int:
    """Queue again every event of [since, until) that the endpoint's filter takes: existing
    deliveries are reset, missing ones (events before the endpoint existed) are created."""
    _require_integrator(actor)
    if until <= since:
        raise InvalidInput(_("'until' must be after 'since'."), field="until")
    now = timezone.now()
    events = list(
        OutboxEvent.objects.filter(occurred_at__gte=since, occurred_at__lt=until)
        .order_by("id")
        .values_list("id", "event_type")[: MAX_REPLAY + 1]
    )
    if len(events) > MAX_REPLAY:
        raise InvalidInput(
            _("More than %(max)d events: replay a shorter range.") % {"max": MAX_REPLAY},
            field="since",
        )
    ids = [i for i, t in events if rules.event_matches(t, endpoint.event_types)]
    Delivery.objects.bulk_create(
        [
            Delivery(
                endpoint=endpoint,
                event_id=i,
                created_at=now,
                retrying_since=now,
                next_attempt_at=now,
            )
            for i in ids
        ],
        ignore_conflicts=True,
        batch_size=500,
    )
    types = {t for _, t in events if rules.event_matches(t, endpoint.event_types)}
    Delivery.objects.filter(
        endpoint=endpoint,
        event__occurred_at__gte=since,
        event__occurred_at__lt=until,
        event__event_type__in=types,
    ).update(
        state=DeliveryState.PENDING,
        next_attempt_at=now,
        retrying_since=now,
        lease_token="",
    )
    workers_wake()
    return len(ids)


PRUNE_BATCH = 900  # ids per DELETE: below SQLite's smallest limit of bound parameters


def deliveries_prune(*, older_than: dt.timedelta, batch: int = PRUNE_BATCH) -> int:
    """Delete deliveries delivered more than `older_than` ago, with their attempt logs;
    pending and dead-lettered ones stay (they still need someone). Returns the number of
    deliveries deleted.

    Set-based, in batches of `batch` ids, each one short transaction of two DELETEs (so a
    large log never holds a long lock); the batch's rows are locked first, so a replay
    running at the same moment either waits and finds nothing, or wins and keeps its row."""
    cutoff = timezone.now() - older_than
    total = 0
    while True:
        with transaction.atomic():
            ids = list(
                Delivery.objects.select_for_update()
                .filter(state=DeliveryState.DELIVERED, delivered_at__lt=cutoff)
                .order_by("id")
                .values_list("id", flat=True)[:batch]
            )
            if not ids:
                return total
            DeliveryAttempt.objects.filter(delivery_id__in=ids).delete()
            Delivery.objects.filter(id__in=ids).delete()
        total += len(ids)
