"""Reads: the listing-events feed, endpoints and the delivery log (the outbox's safe horizon and
the consumers' places in it are core's: integrity and detection read the outbox too)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from andon.core.errors import NotFound
from andon.core.models import OutboxEvent
from andon.core.selectors import outbox_place, outbox_safe_horizon

from .models import Delivery, DeliveryState, WebhookEndpoint

LISTING_EVENTS = ("listing.suppressed", "listing.relisted", "listing.limited")
RELAY_PLACE = "relay"  # the relay's place in the outbox (core.OutboxPlace)


def relayed_horizon() -> int:
    return outbox_place(RELAY_PLACE)


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
