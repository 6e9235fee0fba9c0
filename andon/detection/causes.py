"""Shared causes across products (SPEC capability 6, "Containment past the cord"): products
with open problems or open andons whose complaints came from order lines of one supplier, one
manufacturer/printer or one warehouse are shown together. The evidence is the order lines
the complaints are about (their batch and warehouse), not the whole catalogue of a warehouse:
two products are linked because their complaining customers got goods of the same origin."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from andon.catalog.models import Product
from andon.contacts.models import Contact

from .models import ProblemState

KINDS = {
    "manufacturer": _("manufacturer / printer"),
    "supplier": _("supplier"),
    "warehouse": _("warehouse"),
}


@dataclass
class CauseProduct:
    product: Product
    batches: set[str] = field(default_factory=set)
    complaints: int = 0
    open_andons: bool = False


@dataclass
class SharedCause:
    kind: str  # manufacturer | supplier | warehouse
    value: str
    products: list[CauseProduct]
    # In shared_causes_of: the product asked about (its batches), apart from the others.
    own: CauseProduct | None = None

    @property
    def kind_label(self) -> str:
        return str(KINDS[self.kind])


def _complaint_origins(since: dt.datetime, product_ids: list[int] | None = None):
    """(product, batch code, supplier, manufacturer, warehouse name, open andon) of the order
    lines behind complaints in open problems or open andons since `since`."""
    qs = Contact.objects.filter(created_at__gte=since).filter(
        Q(assignment__problem__state=ProblemState.OPEN) | Q(andons__state="open")
    )
    if product_ids is not None:
        qs = qs.filter(product_id__in=product_ids)
    return qs.values_list(
        "product_id",
        "order_line__batch__code",
        "order_line__batch__supplier",
        "order_line__batch__manufacturer",
        "order_line__warehouse__name",
        "andons__state",
    )


def shared_causes(*, since: dt.datetime, min_products: int = 2) -> list[SharedCause]:
    """Groups of at least `min_products` products sharing an origin, the most products first,
    then manufacturers before suppliers before warehouses (the narrower origin first)."""
    groups: dict[tuple[str, str], dict[int, CauseProduct]] = defaultdict(dict)
    for product_id, batch, supplier, maker, warehouse, andon in _complaint_origins(since):
        for kind, value in (
            ("manufacturer", maker),
            ("supplier", supplier),
            ("warehouse", warehouse),
        ):
            if not value:
                continue
            entry = groups[(kind, value)].setdefault(product_id, CauseProduct(None))  # type: ignore[arg-type]
            entry.complaints += 1
            entry.open_andons = entry.open_andons or andon == "open"
            if batch and kind != "warehouse":
                entry.batches.add(batch)
    wanted = {k: v for k, v in groups.items() if len(v) >= min_products}
    products = Product.objects.in_bulk({p for v in wanted.values() for p in v})
    order = list(KINDS)
    out = []
    for (kind, value), members in wanted.items():
        for pid, entry in members.items():
            entry.product = products[pid]
        out.append(
            SharedCause(
                kind,
                value,
                sorted(members.values(), key=lambda e: (-e.complaints, e.product.sku)),
            )
        )
    out.sort(key=lambda c: (-len(c.products), order.index(c.kind), c.value))
    return out


def shared_causes_of(*, product_id: int, since: dt.datetime) -> list[SharedCause]:
    """The shared causes a product takes part in, each with the other products only."""
    out = []
    for cause in shared_causes(since=since):
        own = next((e for e in cause.products if e.product.pk == product_id), None)
        if own is not None:
            others = [e for e in cause.products if e.product.pk != product_id]
            out.append(SharedCause(cause.kind, cause.value, others, own))
    return out
