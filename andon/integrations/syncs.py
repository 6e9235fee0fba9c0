"""Storefront syncs: one use-case service per sync, which the API and the import both call.

Writes of goods an andon may hold (stock quantities, order lines) go through `stock_sync`
and `lines_sync` and no other way. Each, in the caller's transaction:

1. locks the listings (catalog.locks), then the rows it writes (lock order: listing ->
   stock rows -> order lines), so that a pull on the same product waits for it or it waits
   for the pull;
2. asks holds which writes touch held goods (holds.rules: held goods are frozen); those are
   handed to `refuse` and none of them is written (the API raises on the first, 409, so the
   whole request writes nothing; the import rejects the row and writes the others);
3. writes the rest set-based, in one upsert; a line's `status_changed_at` moves only when
   its status does;
4. catches up holds: what arrives while a product is stopped is held by its open andons at
   once (pulls.services.holds_catch_up).

The API's entry points (`product_sync`, `order_sync`, `line_status_sync`) check the role,
resolve references with problem details naming the field, and own their transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple, TypeVar

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from andon.catalog import services as catalog
from andon.catalog.errors import UnknownBatch, UnknownProduct, UnknownWarehouse
from andon.catalog.locks import listings_lock
from andon.catalog.models import Batch, Product, StockLevel, Warehouse
from andon.core.errors import InvalidInput
from andon.core.sql import any_of
from andon.holds.errors import LineOnHold, StockOnHold
from andon.holds.rules import LineFacts, StockFacts
from andon.holds.services import line_facts, line_writes_refused, stock_writes_refused
from andon.integrity import scope as integrity_scope
from andon.integrity.tasks import changed as integrity_changed
from andon.membership.days import order_lines_mark_stale, orders_mark_stale
from andon.orders import services as orders
from andon.orders.models import FulfilmentStatus, Order, OrderLine
from andon.orders.selectors import order_line_get

from .upserts import Tally, upsert

K = TypeVar("K", bound=Hashable)


# --- the two writes of held-able goods --------------------------------------------------


class StockRow(NamedTuple):
    """One stock quantity to write. (Named tuples: an import makes one per row, and a frozen
    dataclass costs several times more to build.)"""

    product_id: int
    warehouse_id: int
    batch_id: int
    quantity: int


def stock_sync(
    *,
    rows: Mapping[K, StockRow],
    refuse: Callable[[K, str], None],
    actor_id: int | None = None,
    tally: Tally | None = None,
) -> set[K]:
    """Set stock quantities (one row per warehouse and batch; keys unique by both). Held
    stock that would change goes to `refuse(key, field)`. Returns the keys written.
    Contract: inside the caller's transaction; see the module docstring for locks."""
    listings_lock(product_ids={r.product_id for r in rows.values()})
    existing = {
        (s.warehouse_id, s.batch_id): s
        for s in StockLevel.objects.select_for_update()
        .filter(any_of(StockLevel, "batch", {r.batch_id for r in rows.values()}))
        .order_by("id")
    }
    refused = stock_writes_refused(
        writes={
            k: (existing[(r.warehouse_id, r.batch_id)], _stock_facts(r))
            for k, r in rows.items()
            if (r.warehouse_id, r.batch_id) in existing
        }
    )
    for k in rows:
        if k in refused:
            refuse(k, "quantity")
    items = [
        (
            (r.warehouse_id, r.batch_id),
            {
                "warehouse_id": r.warehouse_id,
                "batch_id": r.batch_id,
                "product_id": r.product_id,
                "quantity": r.quantity,
            },
        )
        for k, r in rows.items()
        if k not in refused
    ]
    written = upsert(StockLevel, items, existing, ["warehouse", "batch"], tally)
    from andon.pulls.services import holds_catch_up  # lazy: a customers import needs no pulls

    holds_catch_up(product_ids={r.product_id for r in rows.values()}, actor_id=actor_id)
    return {k for k, r in rows.items() if (r.warehouse_id, r.batch_id) in written}


def _stock_facts(r: StockRow) -> StockFacts:
    return StockFacts(quantity=r.quantity, warehouse_id=r.warehouse_id, batch_id=r.batch_id)


class LineRow(NamedTuple):
    """One order line to write."""

    order_id: int
    line_no: int
    product_id: int
    batch_id: int | None
    warehouse_id: int | None
    quantity: int
    unit_price: Decimal
    status: str


# Which field a refusal names: the first of the held facts the write would change.
_LINE_FIELDS = (("status", "status"), ("quantity", "quantity"), ("product_id", "sku"))


def lines_sync(
    *,
    rows: Mapping[K, LineRow],
    refuse: Callable[[K, str], None],
    actor_id: int | None = None,
    tally: Tally | None = None,
    placed: Mapping[int, dt.datetime] | None = None,
    stale_days: Collection[dt.date] = (),
    new_orders: Collection[int] = (),
) -> set[K]:
    """Create or update order lines (keys unique by order and line number). A held line that
    would change goes to `refuse(key, field)`. Returns the keys written.
    `new_orders`: ids of orders the caller created in this transaction: no other transaction
    sees them yet, so they have no lines to read or lock (a first import reads nothing).
    `placed`, `stale_days`: the orders' placed-at by id and the past days of their moved
    headers, when the caller has just written the headers (an import): the member figures'
    day marks then cost no read and one upsert (membership.days.order_lines_mark_stale).
    Contract: inside the caller's transaction; see the module docstring for locks."""
    listings_lock(product_ids={r.product_id for r in rows.values()})
    older = {r.order_id for r in rows.values()}.difference(new_orders)
    existing = (
        {
            (ln.order_id, ln.line_no): ln
            for ln in OrderLine.objects.select_for_update()
            .filter(any_of(OrderLine, "order", older))
            .order_by("id")
        }
        if older
        else {}
    )
    writes = {
        k: (existing[(r.order_id, r.line_no)], _line_facts(r))
        for k, r in rows.items()
        if (r.order_id, r.line_no) in existing
    }
    refused = line_writes_refused(writes=writes)
    for k in rows:
        if k in refused:
            refuse(k, _changed_field(line_facts(writes[k][0]), writes[k][1]))
    now = timezone.now()
    items, stamps = [], {}
    for k, r in rows.items():
        if k in refused:
            continue
        key = (r.order_id, r.line_no)
        current = existing.get(key)
        items.append(
            (
                key,
                {
                    "order_id": r.order_id,
                    "line_no": r.line_no,
                    "product_id": r.product_id,
                    "batch_id": r.batch_id,
                    "warehouse_id": r.warehouse_id,
                    "quantity": r.quantity,
                    "unit_price": r.unit_price,
                    "fulfilment_status": r.status,
                },
            )
        )
        if current is not None and current.fulfilment_status == r.status:
            stamps[key] = {"status_changed_at": current.status_changed_at}
        else:
            stamps[key] = {"status_changed_at": now}
    written = upsert(OrderLine, items, existing, ["order", "line_no"], tally, extra=stamps)
    # The member figures' summaries of the days these orders are placed on (membership/days.py).
    order_lines_mark_stale(
        order_ids={order_id for order_id, _ in written}, placed=placed, also=stale_days
    )
    from andon.pulls.services import holds_catch_up  # lazy: a customers import needs no pulls

    holds_catch_up(product_ids={r.product_id for r in rows.values()}, actor_id=actor_id)
    return {k for k, r in rows.items() if (r.order_id, r.line_no) in written}


def _changed_field(was: LineFacts, new: LineFacts) -> str:
    return next((f for a, f in _LINE_FIELDS if getattr(was, a) != getattr(new, a)), "batch")


def _line_facts(r: LineRow) -> LineFacts:
    return LineFacts(
        status=r.status, quantity=r.quantity, product_id=r.product_id, batch_id=r.batch_id
    )


# --- the API's entry points ---------------------------------------------------------------


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
