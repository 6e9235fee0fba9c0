"""Writes to the catalog. Listing changes are made only by the cord (pulls.services)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from andon.people import rules as people_rules
from andon.people.selectors import actor_require

from .models import Batch, ListingStatus, Product, Warehouse


@dataclass(frozen=True)
class BatchIn:
    code: str
    supplier: str = ""
    manufacturer: str = ""
    received_at: dt.date | None = None


def require_integrator(actor: User | None) -> None:
    # None: the operator of the machine, through a command (andon import, the demo loader).
    if actor is not None:
        actor_require(
            actor, people_rules.may_load_catalog, _("Only integrators and admins load the catalog.")
        )


def warehouse_upsert(*, actor: User | None, code: str, name: str) -> tuple[Warehouse, bool]:
    require_integrator(actor)
    return Warehouse.objects.update_or_create(code=code, defaults={"name": name})


@transaction.atomic
def product_upsert(
    *,
    actor: User | None,
    sku: str,
    title: str,
    price: Decimal,
    monthly_gmv: Decimal | None = None,
    batches: list[BatchIn] | None = None,
) -> tuple[Product, bool]:
    """Create or update a product by SKU and its batches. The listing status is never set
    here: a storefront sync cannot relist what the cord suppressed. Stock is held goods and
    is written through integrations.goods (held goods are frozen, holds.rules)."""
    require_integrator(actor)
    defaults: dict = {"title": title, "price": price}
    if monthly_gmv is not None:
        defaults["monthly_gmv"] = monthly_gmv
    product, created = Product.objects.update_or_create(sku=sku, defaults=defaults)
    for b in batches or []:
        Batch.objects.update_or_create(
            product=product,
            code=b.code,
            defaults={
                "supplier": b.supplier,
                "manufacturer": b.manufacturer,
                "received_at": b.received_at,
            },
        )
    return product, created


def listing_suppress(*, product: Product, at: dt.datetime) -> bool:
    """Stop-sell. Returns whether the status changed (False when another andon holds it).
    A limited listing loses its cap and its watch: the stop is the stronger state."""
    return _listing_set(product, ListingStatus.SUPPRESSED, at)


def listing_relist(*, product: Product, at: dt.datetime) -> bool:
    """Sell again, without a cap. Only the cord's relist gate and the end of a quiet watch
    (catalog.watch) call this."""
    return _listing_set(product, ListingStatus.ACTIVE, at)


def listing_limit(
    *, product: Product, max_units: int, until: dt.datetime, andon_id: int, at: dt.datetime
) -> bool:
    """Sell again under a cap of `max_units` while the fix of `andon_id` is watched until
    `until` (a staged relist). Only the cord's relist gate calls this. Contract: the listing
    is locked (catalog.locks)."""
    return _listing_set(
        product, ListingStatus.LIMITED, at, max_units=max_units, until=until, andon_id=andon_id
    )


def _listing_set(
    product: Product,
    status: ListingStatus,
    at: dt.datetime,
    *,
    max_units: int | None = None,
    until: dt.datetime | None = None,
    andon_id: int | None = None,
) -> bool:
    if product.listing_status == status:
        return False
    fields = {
        "listing_status": status,
        "listing_changed_at": at,
        "listing_max_units": max_units,
        "listing_until": until,
        "listing_watch_andon_id": andon_id,
    }
    for name, value in fields.items():
        setattr(product, name, value)
    Product.objects.filter(pk=product.pk).update(**fields)
    return True
