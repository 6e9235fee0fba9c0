"""Listing events written straight into the outbox, as the cord writes them."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from andon.core.services import Event, outbox_emit


def listing_events_emit(count: int, products: int = 5) -> dict[str, str]:
    """`count` listing events over `products` SKUs, alternating stop-sell and relist, one
    transaction each; returns the last status per SKU."""
    last: dict[str, str] = {}
    for i in range(count):
        sku = f"SKU-{i % products}"
        suppressed = (i // products) % 2 == 0
        status = "suppressed" if suppressed else "active"
        kind = "listing.suppressed" if suppressed else "listing.relisted"
        with transaction.atomic():
            outbox_emit(
                at=timezone.now(),
                events=[Event(kind, {"sku": sku, "listing_status": status}, product_sku=sku)],
            )
        last[sku] = status
    return last
