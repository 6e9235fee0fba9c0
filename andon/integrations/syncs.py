"""Storefront syncs: one use-case service per sync, which the API calls (the import calls the
same writes of held-able goods, integrations.goods, directly).

The API's entry points (`product_sync`, `order_sync`, `line_status_sync`) check the role,
resolve references with problem details naming the field, own their transaction, and write
stock and order lines through `goods.stock_sync` and `goods.lines_sync` (listing locks,
held goods refused, holds caught up).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from andon.catalog import services as catalog
from andon.catalog.errors import UnknownBatch, UnknownProduct, UnknownWarehouse
from andon.catalog.models import Batch, Product, Warehouse
from andon.core.errors import InvalidInput
from andon.holds.errors import LineOnHold, StockOnHold
from andon.integrity import scope as integrity_scope
from andon.integrity.tasks import changed as integrity_changed
from andon.membership.day_marks import orders_mark_stale
from andon.orders import services as orders
from andon.orders.models import FulfilmentStatus, Order, OrderLine
from andon.orders.selectors import order_line_get

from .goods import LineRow, StockRow, lines_sync, stock_sync


@dataclass(frozen=True)
class StockIn:
    warehouse: str
    batch: str
    quantity: int


@transaction.atomic
def product_sync(
    *,
    actor: User | None,
    sku: str,
    title: str,
    price: Decimal,
    monthly_gmv: Decimal | None = None,
    batches: list[catalog.BatchIn] | None = None,
    stock: list[StockIn] | None = None,
) -> tuple[Product, bool]:
    """A product, its batches and its stock, as the storefront has them now: all of it or
    nothing (a write to held stock refuses the whole request, 409). `actor` None: a command."""
    product, created = catalog.product_upsert(
        actor=actor, sku=sku, title=title, price=price, monthly_gmv=monthly_gmv, batches=batches
    )
    stock = stock or []
    warehouses = dict(
        Warehouse.objects.filter(code__in={s.warehouse for s in stock}).values_list("code", "id")
    )
    batch_ids = dict(
        Batch.objects.filter(product=product, code__in={s.batch for s in stock}).values_list(
            "code", "id"
        )
    )
    rows: dict[int, StockRow] = {}
    seen: set[tuple[str, str]] = set()
    for i, s in enumerate(stock):
        if s.warehouse not in warehouses:
            raise UnknownWarehouse(
                _("No warehouse with code “%(code)s”.") % {"code": s.warehouse},
                field=f"stock[{i}].warehouse",
            )
        if s.batch not in batch_ids:
            raise UnknownBatch(
                _("Product %(sku)s has no batch “%(batch)s”.") % {"sku": sku, "batch": s.batch},
                field=f"stock[{i}].batch",
            )
        if (s.warehouse, s.batch) in seen:
            raise InvalidInput(
                _("Batch %(batch)s in %(warehouse)s is given twice.")
                % {"batch": s.batch, "warehouse": s.warehouse},
                field=f"stock[{i}].batch",
            )
        seen.add((s.warehouse, s.batch))
        rows[i] = StockRow(product.pk, warehouses[s.warehouse], batch_ids[s.batch], s.quantity)

    def refuse(i: int, field: str) -> None:
        raise StockOnHold.of(
            sku=sku, warehouse=stock[i].warehouse, batch=stock[i].batch, field=f"stock[{i}].{field}"
        )

    stock_sync(rows=rows, refuse=refuse, actor_id=_id(actor))
    return product, created


@dataclass(frozen=True)
class LineIn:
    line_no: int
    sku: str
    quantity: int = 1
    unit_price: Decimal = Decimal("0")
    batch: str | None = None
    warehouse: str | None = None
    status: FulfilmentStatus = FulfilmentStatus.PLACED


@transaction.atomic
def order_sync(
    *,
    actor: User | None,
    external_id: str,
    customer: str,
    placed_at: dt.datetime,
    channel: str,
    lines: list[LineIn],
) -> tuple[Order, bool]:
    """An order and its lines (by line number), as the storefront has them now: all of it or
    nothing (a write to a held line refuses the whole request, 409). `actor` None: a
    command."""
    # The member figures' summaries of the days the order is placed on, before and after.
    orders_mark_stale(external_ids=[external_id], placed=[placed_at])
    order, created = orders.order_upsert(
        actor=actor,
        external_id=external_id,
        customer=customer,
        placed_at=placed_at,
        channel=channel,
    )
    products = dict(
        Product.objects.filter(sku__in={ln.sku for ln in lines}).values_list("sku", "id")
    )
    warehouses = dict(
        Warehouse.objects.filter(
            code__in={ln.warehouse for ln in lines if ln.warehouse}
        ).values_list("code", "id")
    )
    batches = {
        (p, c): i
        for i, p, c in Batch.objects.filter(
            product_id__in=products.values(), code__in={ln.batch for ln in lines if ln.batch}
        ).values_list("id", "product_id", "code")
    }
    rows: dict[int, LineRow] = {}
    seen: set[int] = set()
    for i, ln in enumerate(lines):
        product_id = products.get(ln.sku)
        if product_id is None:
            raise UnknownProduct(
                _("No product with SKU “%(sku)s”.") % {"sku": ln.sku}, field=f"lines[{i}].sku"
            )
        if ln.warehouse and ln.warehouse not in warehouses:
            raise UnknownWarehouse(
                _("No warehouse with code “%(code)s”.") % {"code": ln.warehouse},
                field=f"lines[{i}].warehouse",
            )
        batch_id = batches.get((product_id, ln.batch)) if ln.batch else None
        if ln.batch and batch_id is None:
            raise UnknownBatch(
                _("Product %(sku)s has no batch “%(batch)s”.") % {"sku": ln.sku, "batch": ln.batch},
                field=f"lines[{i}].batch",
            )
        if ln.line_no in seen:
            raise InvalidInput(
                _("Line %(line)s is given twice.") % {"line": ln.line_no},
                field=f"lines[{i}].line_no",
            )
        seen.add(ln.line_no)
        rows[i] = LineRow(
            order_id=order.pk,
            line_no=ln.line_no,
            product_id=product_id,
            batch_id=batch_id,
            warehouse_id=warehouses[ln.warehouse] if ln.warehouse else None,
            quantity=ln.quantity,
            unit_price=ln.unit_price,
            status=ln.status,
        )

    def refuse(i: int, field: str) -> None:
        raise LineOnHold.of(
            order=external_id, line_no=lines[i].line_no, field=f"lines[{i}].{field}"
        )

    lines_sync(rows=rows, refuse=refuse, actor_id=_id(actor))
    integrity_changed([(integrity_scope.ORDER, external_id)])
    return order, created


@transaction.atomic
def line_status_sync(
    *, actor: User | None, order: str, line_no: int, status: FulfilmentStatus
) -> OrderLine:
    """Move one line's fulfilment status (the storefront packed or shipped it). A held line
    keeps its status until released (409); the same status again changes nothing."""
    orders.require_integrator(actor)
    line = order_line_get(order=order, line_no=line_no)
    row = LineRow(
        order_id=line.order_id,
        line_no=line.line_no,
        product_id=line.product_id,
        batch_id=line.batch_id,
        warehouse_id=line.warehouse_id,
        quantity=line.quantity,
        unit_price=line.unit_price,
        status=status,
    )

    def refuse(_k: int, field: str) -> None:
        raise LineOnHold.of(order=order, line_no=line_no, field=field)

    lines_sync(rows={0: row}, refuse=refuse, actor_id=_id(actor))
    integrity_changed([(integrity_scope.ORDER, order)])
    return order_line_get(order=order, line_no=line_no)


def _id(actor: User | None) -> int | None:
    return actor.pk if actor is not None else None
