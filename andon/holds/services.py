"""Placing and finalizing holds, set-based: a pull that holds ten thousand packed lines is a
handful of statements, never a loop of saves."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import connection
from django.db.models import F, Max, OuterRef, Subquery, Value
from django.db.models.functions import Greatest

from andon.catalog.models import Batch, StockLevel, Warehouse
from andon.orders.models import FulfilmentStatus, OrderLine

from .models import Hold, HoldKind, HoldState, LineScope
from .rules import (
    REMOVES_UNITS,
    Disposition,
    LineFacts,
    StockFacts,
    final_state,
    line_write_refused,
    stock_write_refused,
)
from .scopes import holds_materialize, scope_catch_up, scope_place
from .selectors import held_line_ids, held_stock_ids

K = TypeVar("K", bound=Hashable)

# Re-exported: holds_materialize (holds.scopes) is this domain's service "write out the
# per-line holds of pending scopes". A caller about to name lines by their holds (a resolve
# form, the API's holds with their ids, the confirm queue, the relist's finalize) calls it from
# here, then reads; selectors never write.
__all__ = ["holds_materialize"]


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
    them. One query (none when nothing would change): a line's held state is its holds' own,
    never a flag on the line. Contract: the caller holds the lines' row locks (or the
    listings')."""
    changing = {k: (ln, new) for k, (ln, new) in writes.items() if line_facts(ln) != new}
    held = held_line_ids(order_line_ids=[ln.pk for ln, _ in changing.values()])
    return {
        k
        for k, (line, new) in changing.items()
        if line_write_refused(held=line.pk in held, current=line_facts(line), new=new)
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


@dataclass(frozen=True)
class PlacedHolds:
    stock_units: int
    order_lines: int
    # (warehouse code, batch code, units) held, by warehouse then batch code: the blast
    # radius's stock held, given back by the write so that the pull does not read it again.
    stock: list[tuple[str, str, int]]


def holds_place(*, andon_id: int, product_id: int, at: dt.datetime) -> PlacedHolds:
    """Hold all stock of the product and every packed-not-shipped line, for an andon that
    holds nothing yet (the pull that opens it).

    Contract: the caller holds the product's row lock. Whatever the number of rows: an
    INSERT ... SELECT of the stock rows (a few per product) and one scope row that holds every
    packed line of the product (holds.scopes), not a row per line; what was held comes back
    from the inserts. One statement on PostgreSQL (both inserts in data-modifying CTEs of the
    read of what they held), three elsewhere (the two inserts, then the stock held by
    warehouse and batch).
    """
    if connection.vendor == "postgresql":
        return _place_in_one(andon_id=andon_id, product_id=product_id, at=at)
    placed = _insert_holds(andon_id=andon_id, product_id=product_id, at=at, fresh=True, lines=False)
    lines = scope_place(andon_id=andon_id, product_id=product_id, at=at)
    return PlacedHolds(placed.stock_units, lines, _stock_held(andon_id))


_CODES = (
    f" JOIN {Warehouse._meta.db_table} w ON w.id = s.warehouse_id"
    f" JOIN {Batch._meta.db_table} b ON b.id = s.batch_id"
)


def _stock_held(andon_id: int) -> list[tuple[str, str, int]]:
    hold, stock = Hold._meta.db_table, StockLevel._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT w.code, b.code, SUM(h.quantity) FROM {hold} h"
            f" JOIN {stock} s ON s.id = h.stock_level_id{_CODES} WHERE h.andon_id = %s"
            " AND h.kind = %s GROUP BY w.code, b.code ORDER BY w.code, b.code",
            [andon_id, HoldKind.STOCK.value],
        )
        return [(w, b, int(u)) for w, b, u in cur.fetchall()]


def _place_in_one(*, andon_id: int, product_id: int, at: dt.datetime) -> PlacedHolds:
    hold, stock = Hold._meta.db_table, StockLevel._meta.db_table
    scope, line = LineScope._meta.db_table, OrderLine._meta.db_table
    placed_at: Any = connection.ops.adapt_datetimefield_value(at)
    # A data-modifying CTE runs to completion whether or not the main query reads it; its
    # RETURNING rows are what the main query sees (the new holds are not in its snapshot).
    # The first row (k = 0) carries the scope's count, the others the stock held.
    with connection.cursor() as cur:
        cur.execute(
            f"WITH held AS (INSERT INTO {hold} (andon_id, kind, stock_level_id, order_line_id,"
            f" quantity, state, placed_at) SELECT %s, %s, s.id, NULL, s.quantity, %s, %s"
            f" FROM {stock} s WHERE s.product_id = %s AND s.quantity > 0"
            f" RETURNING stock_level_id, quantity),"
            f" scope AS (INSERT INTO {scope} (andon_id, product_id, placed_at, lines,"
            f" materialized_at) SELECT %s, %s, %s, COUNT(*), NULL FROM {line} l"
            f" WHERE l.product_id = %s AND l.fulfilment_status = %s RETURNING lines)"
            f" SELECT 0 AS k, NULL AS w, NULL AS b, lines AS n FROM scope UNION ALL"
            f" SELECT 1, w.code, b.code, SUM(held.quantity) FROM held"
            f" JOIN {stock} s ON s.id = held.stock_level_id{_CODES}"
            f" GROUP BY w.code, b.code ORDER BY k, w, b",
            [
                andon_id,
                HoldKind.STOCK.value,
                HoldState.HELD.value,
                placed_at,
                product_id,
                andon_id,
                product_id,
                placed_at,
                product_id,
                FulfilmentStatus.PACKED.value,
            ],
        )
        (_, _, _, lines), *rows = cur.fetchall()
    held = [(w, b, int(n)) for _, w, b, n in rows]
    return PlacedHolds(sum(n for _, _, n in held), int(lines), held)


def holds_place_missing(*, andon_id: int, product_id: int, at: dt.datetime) -> tuple[int, int]:
    """Hold what the andon does not hold now (stock and packed lines that arrived while the
    product is stopped, or all of it again when a watch reopens the andon: the holds its relist
    released stay in the history and new ones are placed). Returns (stock rows, order lines)
    newly held. Lines that a pending scope holds are counted, not written (holds.scopes).
    Contract: the caller holds the product's row lock."""
    scoped = scope_catch_up(andon_id=andon_id)
    placed = _insert_holds(
        andon_id=andon_id, product_id=product_id, at=at, fresh=False, lines=scoped is None
    )
    return placed.stock_rows, placed.lines if scoped is None else scoped


@dataclass(frozen=True)
class _Placed:
    stock_rows: int
    stock_units: int
    lines: int


def _insert_holds(
    *, andon_id: int, product_id: int, at: dt.datetime, fresh: bool, lines: bool
) -> _Placed:
    """The stock rows with units (and, with `lines`, the packed lines) of the product, held by
    the andon, one row each.
    `fresh`: the andon holds nothing yet, so there is nothing to leave out (no per-row probe
    of what it holds). Otherwise only what it holds now is left out (its finalized holds do
    not count: a reopened andon holds the stock its relist released again)."""
    hold = Hold._meta.db_table
    stock = StockLevel._meta.db_table
    line = OrderLine._meta.db_table
    placed_at: Any = connection.ops.adapt_datetimefield_value(at)
    probe: list[Any] = [] if fresh else [andon_id, HoldState.HELD.value]
    stock_missing = (
        ""
        if fresh
        else f" AND NOT EXISTS (SELECT 1 FROM {hold} h WHERE h.andon_id = %s"
        f" AND h.state = %s AND h.stock_level_id = s.id)"
    )
    line_missing = (
        ""
        if fresh
        else f" AND NOT EXISTS (SELECT 1 FROM {hold} h WHERE h.andon_id = %s"
        f" AND h.state = %s AND h.order_line_id = l.id)"
    )
    with connection.cursor() as cur:
        # RETURNING the few stock rows' units (PostgreSQL, SQLite >= 3.35): the pull answers
        # with them without counting its holds again.
        cur.execute(
            f"INSERT INTO {hold} (andon_id, kind, stock_level_id, order_line_id, quantity,"
            f" state, placed_at) SELECT %s, %s, s.id, NULL, s.quantity, %s, %s FROM {stock} s"
            f" WHERE s.product_id = %s AND s.quantity > 0{stock_missing} RETURNING quantity",
            [andon_id, HoldKind.STOCK.value, HoldState.HELD.value, placed_at, product_id, *probe],
        )
        units = [q for (q,) in cur.fetchall()]
        if not lines:
            return _Placed(stock_rows=len(units), stock_units=sum(units), lines=0)
        cur.execute(
            f"INSERT INTO {hold} (andon_id, kind, stock_level_id, order_line_id, quantity,"
            f" state, placed_at) SELECT %s, %s, NULL, l.id, l.quantity, %s, %s FROM {line} l"
            f" WHERE l.product_id = %s AND l.fulfilment_status = %s{line_missing}",
            [
                andon_id,
                HoldKind.ORDER_LINE.value,
                HoldState.HELD.value,
                placed_at,
                product_id,
                FulfilmentStatus.PACKED.value,
                *probe,
            ],
        )
        placed = cur.rowcount
    return _Placed(stock_rows=len(units), stock_units=sum(units), lines=placed)


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
    back to `placed` to be picked again; every line of the product comes off hold (its holds
    are no longer held).
    Returns the number of holds per final state. The product's pending scopes are
    materialized first: a disposition applies to each held line by its own row.
    """
    holds_materialize(product_ids=[product_id])
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
    # A packed line whose unit is gone goes back to be picked again. Lines come off hold with
    # their holds' states: nothing to write on the lines released.
    OrderLine.objects.filter(
        product_id=product_id,
        holds__finalized_at=at,
        holds__state__in=_REMOVED_STATES,
    ).update(fulfilment_status=FulfilmentStatus.PLACED, status_changed_at=at)
