from __future__ import annotations

from django.db.models import Sum
from django.utils.translation import gettext as _

from .errors import ProductNotFound, UnknownProduct
from .models import Product, StockLevel


def product_get(*, sku: str, as_reference: bool = False) -> Product:
    """The product by SKU (a read: to lock the listing, catalog.locks)."""
    try:
        return Product.objects.get(sku=sku)
    except Product.DoesNotExist:
        if as_reference:
            raise UnknownProduct(_no_product(sku), field="sku") from None
        raise ProductNotFound(_no_product(sku), field="sku") from None


def _no_product(sku: str) -> str:
    return _("No product with SKU “%(sku)s”.") % {"sku": sku}


def stock_units(*, product_id: int) -> int:
    return StockLevel.objects.filter(product_id=product_id).aggregate(n=Sum("quantity"))["n"] or 0


def stock_of(*, product_id: int) -> list[StockLevel]:
    return list(
        StockLevel.objects.filter(product_id=product_id)
        .select_related("warehouse", "batch")
        .order_by("warehouse__code", "batch__code")
    )
