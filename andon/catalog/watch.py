"""The end of a staged relist's watch: a limited listing whose watch ended quietly sells
again without a cap, on its own.

Exactly once: each product is relisted under its listing lock after reading its status again,
so a second tick, an overlapping one or a retry of the task finds it active and does nothing.
A complaint on the same problem during the watch suppresses it again first (pulls.watch), and
then there is nothing left to end."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from andon.core.services import Audit, Event, audit_record, outbox_emit

from .locks import listing_lock
from .models import ListingStatus, Product
from .services import listing_relist

# Products relisted per transaction: short locks, and progress kept if the run stops.
TICK_BATCH = 200


def limited_payload(product: Product) -> dict:
    """What the storefront reads of a limited listing (webhook `listing.limited` and the feed):
    exactly the shape connectors expect."""
    assert product.listing_until is not None
    return {
        "sku": product.sku,
        "listing_status": ListingStatus.LIMITED.value,
        "max_units": product.listing_max_units,
        "until": product.listing_until.isoformat(),
    }


def watches_end(*, now: dt.datetime | None = None) -> int:
    """Relist fully every limited listing whose watch ended by `now`. Idempotent. Returns how
    many it relisted."""
    now = now or timezone.now()
    done = 0
    while True:
        due = list(
            Product.objects.filter(
                listing_status=ListingStatus.LIMITED, listing_until__lte=now
            ).values_list("pk", flat=True)[:TICK_BATCH]
        )
        if not due:
            return done
        done += _end_batch(due, now)


@transaction.atomic
def _end_batch(product_ids: list[int], now: dt.datetime) -> int:
    audit, events = [], []
    for pk in sorted(product_ids):
        product = listing_lock(product_id=pk)
        # Read again under the lock: a complaint or another tick may have come first.
        if product.listing_status != ListingStatus.LIMITED or product.listing_until is None:
            continue
        if product.listing_until > now:
            continue
        andon_id = product.listing_watch_andon_id
        data = {
            "after_watch": True,
            "max_units": product.listing_max_units,
            "until": product.listing_until.isoformat(),
        }
        listing_relist(product=product, at=now)
        audit.append(Audit("listing.relisted", "product", product.sku, andon_id, data))
        events.append(
            Event(
                "listing.relisted",
                {"sku": product.sku, "listing_status": product.listing_status, "after_watch": True},
                product_sku=product.sku,
            )
        )
    if audit:
        audit_record(actor_id=None, at=now, entries=audit)
        outbox_emit(at=now, events=events)
    return len(audit)
