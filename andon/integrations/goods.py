"""The two writes of goods an andon may hold: stock quantities (`stock_sync`) and order lines
(`lines_sync`). Every write of them, from the API (integrations.syncs) or an import, goes
through these and no other way. Each, in the caller's transaction:

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
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Hashable, Mapping
from decimal import Decimal
from typing import NamedTuple, TypeVar

from django.utils import timezone

from andon.catalog.locks import listings_lock
from andon.catalog.models import StockLevel
from andon.core.sql import any_of
from andon.holds.rules import LineFacts, StockFacts
from andon.holds.services import line_facts, line_writes_refused, stock_writes_refused
from andon.membership.day_marks import order_lines_mark_stale
from andon.orders.models import OrderLine

from .upserts import Tally, upsert

K = TypeVar("K", bound=Hashable)


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
    sees them yet, so they have no lines to read or lock (a first import reads nothing), and
    their lines go in without a look for a conflict.
    `placed`, `stale_days`: the orders' placed-at by id and the past days of their moved
    headers, when the caller has just written the headers (an import): the member figures'
    day marks then cost no read and one upsert (membership.day_marks.order_lines_mark_stale).
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
    # One stamp shared by every line whose status moves (upsert copies, never changes it).
    moved: dict[str, dt.datetime | None] = {"status_changed_at": timezone.now()}
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
            stamps[key] = moved
    written = upsert(
        OrderLine,
        items,
        existing,
        ["order", "line_no"],
        tally,
        extra=stamps,
        # Lines of orders this transaction created: none can exist, so no conflict to look for.
        fresh={key for key, _ in items if key[0] in new_orders},
    )
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
