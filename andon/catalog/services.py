"""Writes to the catalog. Listing changes are made only by the cord (pulls.services)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from .errors import UnknownBatch, UnknownWarehouse
from .models import Batch, ListingStatus, Product, StockLevel, Warehouse


@dataclass(frozen=True)
class BatchIn:
    code: str
    supplier: str = ""
    manufacturer: str = ""
    received_at: dt.date | None = None


@dataclass(frozen=True)
class StockIn:
    warehouse: str
    batch: str
    quantity: int


def warehouse_upsert(*, code: str, name: str) -> tuple[Warehouse, bool]:
    return Warehouse.objects.update_or_create(code=code, defaults={"name": name})


@transaction.atomic
def product_upsert(
    *,
    sku: str,
    title: str,
    price: Decimal,
    monthly_gmv: Decimal | None = None,
    batches: list[BatchIn] | None = None,
    stock: list[StockIn] | None = None,
) -> tuple[Product, bool]:
    """Create or update a product by SKU. The listing status is never set here: a storefront
    sync cannot relist what the cord suppressed. Stock rows given replace those quantities."""
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
    if stock:
        _stock_set(product, stock)
    return product, created


def _stock_set(product: Product, stock: list[StockIn]) -> None:
    codes = {s.warehouse for s in stock}
    warehouses = {w.code: w for w in Warehouse.objects.filter(code__in=codes)}
    batches = {b.code: b for b in product.batches.filter(code__in={s.batch for s in stock})}
    for i, s in enumerate(stock):
        if s.warehouse not in warehouses:
            raise UnknownWarehouse(
                _("No warehouse with code “%(code)s”.") % {"code": s.warehouse},
                field=f"stock[{i}].warehouse",
            )
        if s.batch not in batches:
            raise UnknownBatch(
                _("Product %(sku)s has no batch “%(batch)s”.")
                % {"sku": product.sku, "batch": s.batch},
                field=f"stock[{i}].batch",
            )
        StockLevel.objects.update_or_create(
            warehouse=warehouses[s.warehouse],
            batch=batches[s.batch],
            defaults={"product": product, "quantity": s.quantity},
        )


def listing_suppress(*, product: Product, at: dt.datetime) -> bool:
    """Stop-sell. Returns whether the status changed (False when another andon holds it)."""
    return _listing_set(product, ListingStatus.SUPPRESSED, at)


def listing_relist(*, product: Product, at: dt.datetime) -> bool:
    """Sell again. Only the cord's relist gate calls this."""
    return _listing_set(product, ListingStatus.ACTIVE, at)


def _listing_set(product: Product, status: ListingStatus, at: dt.datetime) -> bool:
    if product.listing_status == status:
        return False
    product.listing_status, product.listing_changed_at = status, at
    Product.objects.filter(pk=product.pk).update(listing_status=status, listing_changed_at=at)
    return True
