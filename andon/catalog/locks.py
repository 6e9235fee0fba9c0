"""The listing lock: the first lock of every write that must not interleave with the cord.

Lock order, everywhere: listing (the product row) -> stock rows -> order lines -> work orders.
A pull, a relist, a storefront sync, an import and an admin save of held goods all take the
listings first, through these two functions and no other way, so that two of them on the
same product queue behind one row lock instead of deadlocking. Several listings are locked
in id order. Reads never lock: a selector that locked would hide a write in a read.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from andon.core.sql import any_of

from .errors import ProductNotFound, UnknownProduct
from .models import Product


def listings_lock(*, product_ids: Iterable[int]) -> None:
    """Lock these listings, in id order (one query). Contract: inside a transaction."""
    ids = sorted(set(product_ids))
    if ids:
        list(
            Product.objects.select_for_update()
            .filter(any_of(Product, "id", ids))
            .order_by("pk")
            .values("pk")
        )


def listing_lock(
    *, sku: str | None = None, product_id: int | None = None, as_reference: bool = False
) -> Product:
    """Lock one listing, by SKU or id, and return the product as locked (one query).
    Not found: 404, or 422 naming the field `sku` when the SKU is a reference in a body."""
    qs = Product.objects.select_for_update()
    try:
        return qs.get(sku=sku) if sku is not None else qs.get(pk=int(product_id or 0))
    except Product.DoesNotExist:
        detail = _("No product with SKU “%(sku)s”.") % {"sku": sku or product_id}
        if as_reference:
            raise UnknownProduct(detail, field="sku") from None
        raise ProductNotFound(detail, field="sku") from None
