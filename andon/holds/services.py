"""Placing and finalizing holds, set-based: a pull that holds ten thousand packed lines is a
handful of statements, never a loop of saves."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from django.db import connection
from django.db.models import F, Max, OuterRef, Subquery, Value
from django.db.models.functions import Greatest

from andon.catalog.models import StockLevel
from andon.orders.models import FulfilmentStatus, OrderLine

from .models import Hold, HoldKind, HoldState
from .rules import (
    REMOVES_UNITS,
    Disposition,
    LineFacts,
    StockFacts,
    final_state,
    line_write_refused,
    stock_write_refused,
)
from .selectors import HoldCounts, held_stock_ids, hold_counts

K = TypeVar("K", bound=Hashable)


# The one place every write to stock or order lines asks (API, import, admin, services):
# holds.rules decides, these read what is held. Each returns the keys of the writes refused.


def stock_writes_refused(*, writes: Mapping[K, tuple[StockLevel, StockFacts]]) -> set[K]:
    """Of the writes (current row, values to write), those to held stock that would change
    it. One query. Contract: the caller holds the stock rows' locks (or the listings')."""
    held = held_stock_ids(stock_level_ids=[s.pk for s, _ in writes.values()])
    return {
        k
        for k, (s, new) in writes.items()
        if stock_write_refused(held=s.pk in held, current=stock_facts(s), new=new)
    }


def line_writes_refused(*, writes: Mapping[K, tuple[OrderLine, LineFacts]]) -> set[K]:
    """Of the writes (current line, values to write), those to held lines that would change
    them. No query: a line's `on_hold` is the holds' own mark, kept by this module.
    Contract: the caller holds the lines' row locks."""
    return {
        k
        for k, (line, new) in writes.items()
        if line_write_refused(held=line.on_hold, current=line_facts(line), new=new)
    }


def stock_facts(s: StockLevel) -> StockFacts:
    return StockFacts(quantity=s.quantity, warehouse_id=s.warehouse_id, batch_id=s.batch_id)


def line_facts(line: OrderLine) -> LineFacts:
    return LineFacts(
        status=line.fulfilment_status,
        quantity=line.quantity,
        product_id=line.product_id,
        batch_id=line.batch_id,
    )


def holds_place(*, andon_id: int, product_id: int, at: dt.datetime) -> HoldCounts:
    """Hold all stock of the product and every packed-not-shipped line.

    Contract: the caller holds the product's row lock. Three statements and one count,
    whatever the number of rows.
    """
    holds_place_missing(andon_id=andon_id, product_id=product_id, at=at)
    return hold_counts(andon_ids=[andon_id])[andon_id]


def holds_place_missing(*, andon_id: int, product_id: int, at: dt.datetime) -> tuple[int, int]:
    """Hold what the andon does not hold yet (all of it, at the pull; later, stock and packed
    lines that arrived while the product is stopped). Returns (stock rows, order lines) newly
    held. Contract: the caller holds the product's row lock."""
    hold = Hold._meta.db_table
    stock = StockLevel._meta.db_table
    line = OrderLine._meta.db_table
    placed_at = connection.ops.adapt_datetimefield_value(at)
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {hold} (andon_id, kind, stock_level_id, order_line_id, quantity,"
            f" state, placed_at) SELECT %s, %s, s.id, NULL, s.quantity, %s, %s FROM {stock} s"
            f" WHERE s.product_id = %s AND s.quantity > 0 AND NOT EXISTS (SELECT 1 FROM {hold} h"
            f" WHERE h.andon_id = %s AND h.stock_level_id = s.id)",
            [andon_id, HoldKind.STOCK.value, HoldState.HELD.value, placed_at, product_id, andon_id],
        )
        stock_rows = cur.rowcount
        cur.execute(
            f"INSERT INTO {hold} (andon_id, kind, stock_level_id, order_line_id, quantity,"
            f" state, placed_at) SELECT %s, %s, NULL, l.id, l.quantity, %s, %s FROM {line} l"
            f" WHERE l.product_id = %s AND l.fulfilment_status = %s AND NOT EXISTS (SELECT 1"
            f" FROM {hold} h WHERE h.andon_id = %s AND h.order_line_id = l.id)",
            [
                andon_id,
                HoldKind.ORDER_LINE.value,
                HoldState.HELD.value,
                placed_at,
                product_id,
                FulfilmentStatus.PACKED.value,
                andon_id,
            ],
        )
        lines = cur.rowcount
    if lines:
        OrderLine.objects.filter(
            product_id=product_id, fulfilment_status=FulfilmentStatus.PACKED, on_hold=False
        ).update(on_hold=True)
    return stock_rows, lines


@dataclass
class DispositionPlan:
    """What one andon's findings say: a plan for its holds and per-hold exceptions. No
    default: `default` None means no department decided on the held goods that are not
    named one by one, and they are left as they are (the relist gate refuses that case)."""

    default: Disposition | None
    overrides: dict[int, Disposition] = field(default_factory=dict)


def holds_finalize(
    *, product_id: int, plans: dict[int, DispositionPlan], at: dt.datetime
) -> dict[str, int]:
    """Carry out the dispositions of every active hold on the product (at relist).

    Units returned to vendor or scrapped leave stock; a packed line whose unit is gone goes
    back to `placed` to be picked again; every line of the product comes off hold.
    Returns the number of holds per final state.
    """
    finalized: dict[str, int] = defaultdict(int)
    for andon_id, plan in plans.items():
        by_disposition: dict[Disposition, list[int]] = defaultdict(list)
        for hold_id, d in plan.overrides.items():
            by_disposition[d].append(hold_id)
        for d, ids in by_disposition.items():
            finalized[final_state(d)] += Hold.objects.filter(
                andon_id=andon_id, id__in=ids, state=HoldState.HELD
            ).update(state=final_state(d), finalized_at=at)
        if plan.default is not None:
            finalized[final_state(plan.default)] += Hold.objects.filter(
                andon_id=andon_id, state=HoldState.HELD
            ).update(state=final_state(plan.default), finalized_at=at)
    _remove_units(product_id=product_id, at=at)
    _lines_off_hold(product_id=product_id, at=at)
    return {k: v for k, v in finalized.items() if v}


_REMOVED_STATES = [final_state(d) for d in REMOVES_UNITS]


def _remove_units(*, product_id: int, at: dt.datetime) -> None:
    # Max, not Sum: two andons holding the same stock row hold the same units.
    removed = (
        Hold.objects.filter(stock_level=OuterRef("pk"), finalized_at=at, state__in=_REMOVED_STATES)
        .values("stock_level")
        .annotate(units=Max("quantity"))
        .values("units")
    )
    StockLevel.objects.filter(
        product_id=product_id,
        holds__finalized_at=at,
        holds__state__in=_REMOVED_STATES,
    ).update(quantity=Greatest(F("quantity") - Subquery(removed), Value(0)))


def _lines_off_hold(*, product_id: int, at: dt.datetime) -> None:
    OrderLine.objects.filter(
        product_id=product_id,
        on_hold=True,
        holds__finalized_at=at,
        holds__state__in=_REMOVED_STATES,
    ).update(fulfilment_status=FulfilmentStatus.PLACED, status_changed_at=at)
    OrderLine.objects.filter(product_id=product_id, on_hold=True).update(on_hold=False)
