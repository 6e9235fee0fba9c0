"""A stopped product is unavailable to buy, through Oscar's own strategy.

Oscar loads its classes through OSCAR_DYNAMIC_CLASS_LOADER; `class_loader` takes whatever
Selector the shop uses (Oscar's, or the shop's fork) and wraps the strategies it returns, so
that no app needs forking: set OSCAR_DYNAMIC_CLASS_LOADER = "andon_oscar.strategy.class_loader".
A product counts as stopped when its UPC or its stock record's partner SKU is an Andon SKU that
Andon suppressed. Under a staged relist (`listing.limited`) the product sells, but no more
units than the cap leaves (units of orders placed since the cap), until the cap's end."""

from __future__ import annotations

from typing import Any

from oscar.apps.partner.availability import StockRequired, Unavailable
from oscar.core.loading import default_class_loader

from .services import suppressed_skus, units_left


class AndonStrategy:
    """Delegates to the shop's strategy; overrides availability for stopped products."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def _checked(self, info: Any, product: Any) -> Any:
        sr = info.stockrecord
        skus = [getattr(product, "upc", "") or "", getattr(sr, "partner_sku", "") or ""]
        parent = getattr(product, "parent", None)
        if parent is not None:
            skus.append(getattr(parent, "upc", "") or "")
        if suppressed_skus(skus):
            return info._replace(availability=Unavailable())
        left = units_left(skus)
        if left is not None and info.availability.is_available_to_buy:
            # A staged relist: no more than the cap's units left, whatever the stock says.
            stock = getattr(info.availability, "num_available", None)
            n = left if stock is None else min(left, stock)
            return info._replace(availability=StockRequired(n) if n > 0 else Unavailable())
        return info

    def fetch_for_product(self, product: Any, stockrecord: Any = None) -> Any:
        return self._checked(self._inner.fetch_for_product(product, stockrecord), product)

    def fetch_for_parent(self, product: Any) -> Any:
        return self._checked(self._inner.fetch_for_parent(product), product)

    def fetch_for_line(self, line: Any, stockrecord: Any = None) -> Any:
        return self._checked(self._inner.fetch_for_line(line, stockrecord), line.product)


def andon_selector(base: type) -> type:
    class AndonSelector(base):  # type: ignore[misc, valid-type]
        def strategy(self, request: Any = None, user: Any = None, **kwargs: Any) -> Any:
            return AndonStrategy(super().strategy(request=request, user=user, **kwargs))

    return AndonSelector


def class_loader(module_label: str, classnames: list[str], module_prefix: str) -> list[Any]:
    classes = list(default_class_loader(module_label, classnames, module_prefix))
    if module_label == "partner.strategy" and "Selector" in classnames:
        i = list(classnames).index("Selector")
        classes[i] = andon_selector(classes[i])
    return classes
