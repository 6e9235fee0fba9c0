"""Applying Andon's listing events: in sequence order, idempotently."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from .models import AndonListing

LISTING_EVENTS = {"listing.suppressed": True, "listing.relisted": False}


def listing_apply(*, sku: str, suppressed: bool, sequence: int, webhook_id: str = "") -> bool:
    """Record Andon's word on `sku`; False when an equal or newer event was applied before
    (a retry, a replay, or a late delivery that must not undo a newer one)."""
    for _attempt in range(2):
        try:
            with transaction.atomic():
                listing, _created = AndonListing.objects.select_for_update().get_or_create(sku=sku)
                if sequence <= listing.sequence:
                    return False
                listing.suppressed = suppressed
                listing.sequence = sequence
                listing.last_webhook_id = webhook_id[:64]
                listing.save()
                return True
        except IntegrityError:  # two first events for one SKU at once: the loser retries
            continue
    return False


def event_apply(event: dict, webhook_id: str = "") -> bool:
    kind = event.get("type")
    sku, sequence = event.get("sku"), event.get("sequence")
    if kind not in LISTING_EVENTS or not isinstance(sku, str) or not isinstance(sequence, int):
        return False
    return listing_apply(
        sku=sku, suppressed=LISTING_EVENTS[kind], sequence=sequence, webhook_id=webhook_id
    )


def suppressed_skus(skus: list[str]) -> set[str]:
    return set(
        AndonListing.objects.filter(sku__in=[s for s in skus if s], suppressed=True).values_list(
            "sku", flat=True
        )
    )
