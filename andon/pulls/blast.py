"""The blast radius of an andon: what the cord caught, what it could not catch, who already has
the product, what a day of the stop costs and which other products share its source.

Read side only, set-based: three queries whatever the number of lines, holds or buyers (the
andon's holds grouped, the product's lines aggregated, the batches of other products that
share its batches' source, nothing per row)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Count,
    Sum,
)

from andon.catalog.models import Batch, Product
from andon.holds.models import Hold, HoldKind, LineScope
from andon.orders.models import FulfilmentStatus, Order, OrderLine

from .models import Andon

# Delivered lines this many days before the pull count as past buyers: long enough to cover a
# product's usual delivery-to-complaint delay, short enough not to reach back to old stock.
PAST_BUYERS_DAYS = 90
# Sales over this many days before the pull give the GMV per day when the storefront sends no
# monthly GMV.
SALES_DAYS = 30
# How many related products the panel and the API list (closest link first, then by SKU).
RELATED_MAX = 50

# The closer the link, the earlier: same batch code, same manufacturer, same supplier.
SHARED_ORDER = ("batch", "manufacturer", "supplier")


@dataclass(frozen=True)
class StockHeld:
    warehouse: str  # warehouse code
    batch: str  # batch code
    units: int


@dataclass(frozen=True)
class RelatedProduct:
    sku: str
    shared: str  # "batch" | "manufacturer" | "supplier"


@dataclass(frozen=True)
class BlastRadius:
    stock_units: int
    stock_held: list[StockHeld]
    packed_lines: int
    in_transit_lines: int
    past_lines: int
    past_buyers: int
    past_days: int
    gmv_per_day_at_stake: Decimal
    currency: str
    related_products: list[RelatedProduct]


def blast_radius(
    *,
    andon: Andon,
    past_days: int = PAST_BUYERS_DAYS,
    product: Product | None = None,
    packed: int | None = None,
    stock: list[StockHeld] | None = None,
) -> BlastRadius:
    """The andon's blast radius (its product loaded). Stock and packed lines are what the cord
    caught (its holds, whatever became of them since); in-transit lines are the product's lines
    already with the carrier now, which no hold can stop; past buyers are the distinct customers
    with a delivered line of the product since `past_days` before the pull. `product`: the
    andon's product when the caller has it already (the pull), saving its read. `packed`: the
    packed lines the pull has just held (its scope's count), saving their count; with it,
    `stock`: the stock it has just held by warehouse and batch, saving the read of its holds."""
    product = product or andon.product
    held_lines = 0
    if stock is None or packed is None:
        stock, held_lines = _held(andon_id=andon.pk)
    lines = _lines(
        andon=andon, past_days=past_days, sales=not product.monthly_gmv, scope=packed is None
    )
    if packed is None:
        packed = held_lines + lines["scope_packed"]
    gmv = product.monthly_gmv / 30 if product.monthly_gmv else lines["sales"] / SALES_DAYS
    return BlastRadius(
        stock_units=sum(s.units for s in stock),
        stock_held=stock,
        packed_lines=packed,
        in_transit_lines=lines["in_transit"],
        past_lines=lines["past_lines"],
        past_buyers=lines["past_buyers"],
        past_days=past_days,
        gmv_per_day_at_stake=Decimal(gmv).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
        currency=product.currency,
        related_products=_related(product_id=product.pk),
    )


def past_buyers_since(andon: Andon, past_days: int = PAST_BUYERS_DAYS) -> dt.datetime:
    """The start of the past buyers' window: the blast radius's and proactive recovery's."""
    return andon.opened_at - dt.timedelta(days=past_days)


def blast_payload(radius: BlastRadius) -> dict:
    """The blast radius as the `andon.pulled` event carries it: the API's shape, money as a
    decimal string."""
    return {
        "blast_radius": {
            "stock_units": radius.stock_units,
            "stock_held": [
                {"warehouse": s.warehouse, "batch": s.batch, "units": s.units}
                for s in radius.stock_held
            ],
            "packed_lines": radius.packed_lines,
            "in_transit_lines": radius.in_transit_lines,
            "past_lines": radius.past_lines,
            "past_buyers": radius.past_buyers,
            "past_days": radius.past_days,
            "gmv_per_day_at_stake": str(radius.gmv_per_day_at_stake),
            "currency": radius.currency,
            "related_products": [
                {"sku": r.sku, "shared": r.shared} for r in radius.related_products
            ],
        }
    }


def _held(*, andon_id: int) -> tuple[list[StockHeld], int]:
    """Stock units per warehouse and batch, and packed lines held by rows, from the andon's
    holds (one grouped query; a pending scope's lines are not rows, see holds.scopes)."""
    rows = (
        Hold.objects.filter(andon_id=andon_id)
        .values("kind", "stock_level__warehouse__code", "stock_level__batch__code")
        .annotate(units=Sum("quantity"), n=Count("id"))
        .order_by("kind", "stock_level__warehouse__code", "stock_level__batch__code")
    )
    stock: list[StockHeld] = []
    packed = 0
    for r in rows:
        if r["kind"] == HoldKind.STOCK:
            stock.append(
                StockHeld(
                    warehouse=r["stock_level__warehouse__code"],
                    batch=r["stock_level__batch__code"],
                    units=r["units"] or 0,
                )
            )
        else:
            packed += r["n"]
    return stock, packed


def _lines(*, andon: Andon, past_days: int, sales: bool, scope: bool) -> dict:
    """In-transit lines, past delivered lines and their distinct buyers, the sales before the
    pull (with `sales`) and the packed lines the andon's pending scope holds (with `scope`;
    holds.scopes: none when it has none), in one aggregate over the product's lines. A
    delivered line without a status time counts from its order's time. Hand-written: it runs
    in every pull, where building it through the ORM cost more than running it.

    Without the sales, only the shipped and delivered lines (and, with `scope`, the packed
    ones) are read, through the (product, fulfilment_status) index: the pull of a product with
    a monthly GMV does not read the packed lines it has just held (issue 11)."""
    at = connection.ops.adapt_datetimefield_value
    past_since = at(andon.opened_at - dt.timedelta(days=past_days))
    S = FulfilmentStatus
    delivered = "l.fulfilment_status = %s AND COALESCE(l.status_changed_at, o.placed_at) >= %s"
    columns = [
        "COUNT(*) FILTER (WHERE l.fulfilment_status = %s)",
        f"COUNT(*) FILTER (WHERE {delivered})",
        f"COUNT(DISTINCT o.customer_id) FILTER (WHERE {delivered})",
    ]
    params: list[Any] = [S.SHIPPED.value, S.DELIVERED.value, past_since]
    params += [S.DELIVERED.value, past_since]
    if scope:
        columns.append(
            f"COUNT(*) FILTER (WHERE l.fulfilment_status = %s AND EXISTS (SELECT 1 FROM"
            f" {LineScope._meta.db_table} s WHERE s.andon_id = %s AND s.materialized_at IS NULL))"
        )
        params += [S.PACKED.value, andon.pk]
    if sales:
        columns.append(
            "SUM(l.quantity * l.unit_price) FILTER (WHERE o.placed_at >= %s"
            " AND o.placed_at < %s AND l.fulfilment_status <> %s)"
        )
        sales_since = andon.opened_at - dt.timedelta(days=SALES_DAYS)
        params += [at(sales_since), at(andon.opened_at), S.RETURNED.value]
    where = "l.product_id = %s"
    params.append(andon.product_id)
    if not sales:
        statuses = [S.SHIPPED.value, S.DELIVERED.value] + [S.PACKED.value] * scope
        where += f" AND l.fulfilment_status IN ({', '.join(['%s'] * len(statuses))})"
        params += statuses
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT {', '.join(columns)} FROM {OrderLine._meta.db_table} l"
            f" JOIN {Order._meta.db_table} o ON o.id = l.order_id WHERE {where}",
            params,
        )
        row = cur.fetchone()
    out = {"in_transit": row[0], "past_lines": row[1], "past_buyers": row[2]}
    out["scope_packed"] = row[3] if scope else 0
    out["sales"] = _money(row[-1]) if sales else Decimal("0")
    return out


def _money(value: Any) -> Decimal:
    # SQLite answers a sum of decimals as a float: read it as Django reads a decimal column
    # there (15 significant digits, then the cents).
    if value is None:
        return Decimal("0")
    if isinstance(value, float):
        value = Context(prec=15).create_decimal_from_float(value)
    return Decimal(value).quantize(Decimal("0.01"))


def _related(*, product_id: int) -> list[RelatedProduct]:
    """Other products with a batch of the same code, manufacturer or supplier as one of this
    product's batches, each with its closest link, closest first then by SKU (one statement,
    hand-written: it runs in every pull). An empty code, manufacturer or supplier links
    nothing."""
    batch = Batch._meta.db_table
    product = Product._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT p.sku, MIN(CASE WHEN b.code = m.code AND m.code <> '' THEN 0"
            f" WHEN b.manufacturer = m.manufacturer AND m.manufacturer <> '' THEN 1 ELSE 2 END)"
            f" AS link FROM {batch} m JOIN {batch} b ON b.product_id <> m.product_id"
            f" AND ((b.code = m.code AND m.code <> '')"
            f" OR (b.manufacturer = m.manufacturer AND m.manufacturer <> '')"
            f" OR (b.supplier = m.supplier AND m.supplier <> ''))"
            f" JOIN {product} p ON p.id = b.product_id WHERE m.product_id = %s"
            f" GROUP BY p.sku ORDER BY link, p.sku LIMIT %s",
            [product_id, RELATED_MAX],
        )
        return [RelatedProduct(sku=sku, shared=SHARED_ORDER[link]) for sku, link in cur.fetchall()]
