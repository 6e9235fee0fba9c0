"""Reads: the outbox's safe horizon, the listing-events feed, endpoints and the delivery log."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from andon.core.errors import NotFound
from andon.core.models import OutboxEvent

from .models import Delivery, DeliveryState, RelayCursor, WebhookEndpoint

LISTING_EVENTS = ("listing.suppressed", "listing.relisted", "listing.limited")


def outbox_safe_horizon(*, wait: float = 0.2) -> int | None:
    """The largest outbox id H such that no event with id <= H can still appear.

    Why this is needed: ids come from a sequence when a row is inserted, not when its
    transaction commits. On PostgreSQL transaction A may take id 10, B id 11, and B commit
    first: a reader that saw 11 and moved its cursor past 10 would lose A's event forever.

    PostgreSQL: a transaction that drew an outbox id holds a RowExclusiveLock on the outbox
    table from before it drew the id (the INSERT takes it at start) until it ends. One
    statement reads the largest visible id M and then, from pg_locks, the transactions that
    hold that lock. Any id below M that is not visible belongs to one of them (ids are drawn
    in order, so it was drawn, under the lock, before M was). Once all of them have ended,
    every id <= M is visible or will never exist. We wait up to `wait` seconds for that; a
    transaction that keeps the lock longer (a long import, a stuck session) makes this return
    None and the caller keeps its last proven horizon. Only writers of the outbox count:
    long transactions elsewhere, or in other databases of the cluster, do not hold it back.

    SQLite: writers are serialised (BEGIN IMMEDIATE), so ids commit in order and the largest
    visible id is safe as it stands.
    """
    table = OutboxEvent._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor != "postgresql":
            cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            return int(cur.fetchone()[0])
        holders = (
            "SELECT virtualtransaction FROM pg_locks WHERE locktype = 'relation'"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            f" AND relation = '{table}'::regclass AND mode = 'RowExclusiveLock'"
            " AND pid <> pg_backend_pid()"
        )
        cur.execute(f"SELECT (SELECT COALESCE(MAX(id), 0) FROM {table}), ARRAY({holders})")
        top, writers = cur.fetchone()
        deadline = time.monotonic() + wait
        while writers:
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.002)
            cur.execute(f"SELECT ARRAY({holders} AND virtualtransaction = ANY(%s))", [writers])
            writers = cur.fetchone()[0]
        return int(top)


def relayed_horizon() -> int:
    cursor = RelayCursor.objects.filter(name="outbox").first()
    return cursor.relayed_id if cursor else 0


@dataclass(frozen=True)
class ListingEvent:
    id: int
    event_type: str
    sku: str
    listing_status: str
    sequence: int
    occurred_at: dt.datetime
    # A limited listing (staged relist): the cap and the end of the watch.
    max_units: int | None = None
    until: str | None = None


def listing_events_after(*, after: int, limit: int) -> tuple[list[ListingEvent], int]:
    """Listing changes with outbox id > `after`, oldest first, and the next cursor.

    Gap-free: only events up to the safe horizon (see `outbox_safe_horizon`) are shown, so an
    event can never appear later behind a cursor a client already holds. When no new event
    is visible the cursor still moves up to the horizon, so that a quiet feed is cheap.
    """
    horizon = max(outbox_safe_horizon() or 0, relayed_horizon())
    rows = list(
        OutboxEvent.objects.filter(
            id__gt=after, id__lte=horizon, event_type__in=LISTING_EVENTS
        ).order_by("id")[:limit]
    )
    events = [
        ListingEvent(
            id=r.pk,
            event_type=r.event_type,
            sku=r.product_sku,
            listing_status=r.payload.get("listing_status")
            or ("suppressed" if r.event_type == "listing.suppressed" else "active"),
            sequence=r.product_sequence or 0,
            occurred_at=r.occurred_at,
            max_units=r.payload.get("max_units"),
            until=r.payload.get("until"),
        )
        for r in rows
    ]
    if len(rows) == limit:
        return events, rows[-1].pk
    return events, max(after, horizon)


def endpoint_get(*, endpoint_id: int) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound(_("No webhook endpoint %(id)s.") % {"id": endpoint_id})
    return endpoint


def endpoint_list() -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.order_by("id")


def delivery_get(*, delivery_id: int) -> Delivery:
    delivery = Delivery.objects.select_related("event", "endpoint").filter(pk=delivery_id).first()
    if delivery is None:
        raise NotFound(_("No delivery %(id)s.") % {"id": delivery_id})
    return delivery


def deliveries_of(
    *,
    endpoint_id: int,
    state: DeliveryState | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[Delivery]:
    """An endpoint's delivery log, newest first, with every attempt."""
    qs = Delivery.objects.filter(endpoint_id=endpoint_id).select_related("event")
    if state:
        qs = qs.filter(state=state)
    if before_id:
        qs = qs.filter(id__lt=before_id)
    return list(qs.prefetch_related("attempt_log").order_by("-id")[:limit])
