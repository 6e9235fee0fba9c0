from __future__ import annotations

from django.db.models import Sum
from django.utils.translation import gettext as _

from .errors import ProductNotFound, UnknownProduct
from .models import Product, StockLevel


def product_get(*, sku: str, for_update: bool = False, as_reference: bool = False) -> Product:
    """The product by SKU. `for_update` takes its row lock: the first lock of every cord
    operation (lock order: listing -> stock -> order lines)."""
    qs = Product.objects.select_for_update() if for_update else Product.objects
    try:
        return qs.get(sku=sku)
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
