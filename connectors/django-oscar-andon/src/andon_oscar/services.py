"""Applying Andon's listing events: in sequence order, idempotently."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .models import AndonListing

LISTING_EVENTS = {"listing.suppressed": True, "listing.relisted": False, "listing.limited": False}
# Andon's events about its holds on a product's order lines (a line packed while the product
# is stopped is held too; holds are finalized at the relist): the shop re-reads them.
HOLD_EVENTS = frozenset({"hold.placed", "hold.finalized"})

# Oscar's line statuses are the shop's own words (OSCAR_LINE_STATUS_PIPELINE): the shop maps
# them to Andon's fulfilment states in ANDON_LINE_STATUS; these are the common English ones,
# anything else is `placed`.
LINE_STATUS = {
    "packed": "packed",
    "shipped": "shipped",
    "dispatched": "shipped",
    "delivered": "delivered",
    "complete": "delivered",
    "returned": "returned",
}


def line_status(status: str | None) -> str:
    """Andon's fulfilment state of an Oscar line status."""
    mapping = getattr(settings, "ANDON_LINE_STATUS", LINE_STATUS)
    return mapping.get((status or "").strip().lower(), "placed")


@dataclass(frozen=True)
class Cap:
    """A staged relist: at most `max_units` sold between `since` and `until`."""

    max_units: int
    since: dt.datetime
    until: dt.datetime


def listing_apply(
    *,
    sku: str,
    suppressed: bool,
    sequence: int,
    webhook_id: str = "",
    cap: Cap | None = None,
) -> bool:
    """Record Andon's word on `sku`; False when an equal or newer event was applied before
    (a retry, a replay, or a late delivery that must not undo a newer one)."""
    for _attempt in range(2):
        try:
            with transaction.atomic():
                listing, _created = AndonListing.objects.select_for_update().get_or_create(sku=sku)
                if sequence <= listing.sequence:
                    return False
                listing.suppressed = suppressed
                listing.max_units = cap.max_units if cap else None
                listing.limited_at = cap.since if cap else None
                listing.limit_until = cap.until if cap else None
                listing.sequence = sequence
                listing.last_webhook_id = webhook_id[:64]
                listing.save()
                return True
        except IntegrityError:  # two first events for one SKU at once: the loser retries
            continue
    return False


def cap_of(data: dict, at: dt.datetime) -> Cap | None:
    """The cap of a `listing.limited` payload ({"listing_status": "limited", "max_units": N,
    "until": ISO datetime}); None when it is malformed."""
    n, until = data.get("max_units"), data.get("until")
    if not isinstance(n, int) or isinstance(n, bool) or n < 0 or not isinstance(until, str):
        return None
    parsed = parse_datetime(until)
    if parsed is None or timezone.is_naive(parsed):
        return None
    return Cap(max_units=n, since=at, until=parsed)


def event_apply(event: dict, webhook_id: str = "") -> bool:
    kind = event.get("type")
    sku, sequence = event.get("sku"), event.get("sequence")
    if kind not in LISTING_EVENTS or not isinstance(sku, str) or not isinstance(sequence, int):
        return False
    cap = None
    if kind == "listing.limited":
        data = event.get("data") if isinstance(event.get("data"), dict) else {}
        at = parse_datetime(str(event.get("timestamp") or "")) or timezone.now()
        cap = cap_of(data, at)
        if cap is None:  # a cap the shop cannot read: keep the product stopped (safe side)
            return listing_apply(sku=sku, suppressed=True, sequence=sequence, webhook_id=webhook_id)
    return listing_apply(
        sku=sku,
        suppressed=LISTING_EVENTS[kind],
        sequence=sequence,
        webhook_id=webhook_id,
        cap=cap,
    )


def suppressed_skus(skus: list[str]) -> set[str]:
    return set(
        AndonListing.objects.filter(sku__in=[s for s in skus if s], suppressed=True).values_list(
            "sku", flat=True
        )
    )


def units_left(skus: list[str], now: dt.datetime | None = None) -> int | None:
    """Under a staged relist cap: units the shop may still sell (cap minus the units of
    orders placed since the cap); None when no cap holds now."""
    now = now or timezone.now()
    listing = (
        AndonListing.objects.filter(
            sku__in=[s for s in skus if s],
            suppressed=False,
            max_units__isnull=False,
            limit_until__gt=now,
        )
        .order_by("max_units")
        .first()
    )
    if listing is None:
        return None
    from django.db.models import Q, Sum
    from oscar.core.loading import get_model

    Line = get_model("order", "Line")
    sold = (
        Line.objects.filter(
            Q(upc=listing.sku) | Q(partner_sku=listing.sku),
            order__date_placed__gte=listing.limited_at,
        ).aggregate(n=Sum("quantity"))["n"]
        or 0
    )
    return max(0, listing.max_units - sold)
