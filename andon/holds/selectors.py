from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.db.models import Count, Exists, F, OuterRef, Q, Sum, Window
from django.db.models.functions import RowNumber

from andon.orders.models import OrderLine

from .models import Hold, HoldKind, HoldState, LineScope
from .scopes import PENDING, pending_lines, scope_held_lines


@dataclass(frozen=True)
class HoldCounts:
    stock_units: int
    order_lines: int


def hold_counts(*, andon_ids: list[int]) -> dict[int, HoldCounts]:
    """Stock units and order lines per andon (its holds, whatever became of them since, and the
    packed lines its pending scope holds), in two grouped queries."""
    rows = (
        Hold.objects.filter(andon_id__in=andon_ids)
        .values("andon_id")
        .annotate(
            units=Sum("quantity", filter=Q(kind=HoldKind.STOCK)),
            lines=Count("id", filter=Q(kind=HoldKind.ORDER_LINE)),
        )
    )
    counts = {r["andon_id"]: HoldCounts(r["units"] or 0, r["lines"]) for r in rows}
    scoped = pending_lines(andon_ids=andon_ids)
    out = {}
    for a in andon_ids:
        c = counts.get(a, HoldCounts(0, 0))
        out[a] = HoldCounts(c.stock_units, c.order_lines + scoped.get(a, (0, 0))[0])
    return out


def holds_of(*, andon_id: int, limit: int = 200) -> list[Hold]:
    """The andon's holds written so far, each with its id (stock first). Writes nothing: the
    lines of a pending scope have no hold yet and are not listed (hold_counts counts them). A
    caller that lists holds for someone to name them materializes first (holds.services)."""
    return list(
        Hold.objects.filter(andon_id=andon_id)
        .select_related("stock_level__warehouse", "stock_level__batch", "order_line__order")
        .order_by("kind", "id")[:limit]
    )


def holds_of_andons(*, andon_ids: list[int], limit: int = 200) -> dict[int, list[Hold]]:
    """`holds_of` for several andons in one query (a queue of cards): the first `limit` holds
    of each, in the same order. Writes nothing, as `holds_of`."""
    ranked = (
        Hold.objects.filter(andon_id__in=andon_ids)
        .select_related("stock_level__warehouse", "stock_level__batch", "order_line__order")
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("andon_id")], order_by=[F("kind"), F("id")])
        )
        .filter(rank__lte=limit)
        .order_by("andon_id", "kind", "id")
    )
    out: dict[int, list[Hold]] = {a: [] for a in andon_ids}
    for h in ranked:
        out[h.andon_id].append(h)
    return out


def hold_ids_of(*, andon_id: int, ids: list[int]) -> set[int]:
    return set(Hold.objects.filter(andon_id=andon_id, id__in=ids).values_list("id", flat=True))


def held_goods_exist(*, andon_id: int) -> bool:
    """Whether the andon still holds anything (stock or packed lines) not yet disposed of: a
    held hold, or a pending scope with a packed line."""
    if Hold.objects.filter(andon_id=andon_id, state=HoldState.HELD).exists():
        return True
    return (
        LineScope.objects.filter(PENDING, andon_id=andon_id)
        .filter(
            Exists(OrderLine.objects.filter(scope_held_lines(), product_id=OuterRef("product_id")))
        )
        .exists()
    )


@dataclass(frozen=True)
class HoldTally:
    """What an andon holds (or held) in one state: stock in units and in batch-in-warehouse
    rows, packed order lines and their units. Rows and units are different numbers: a page
    names each."""

    state: str
    stock_units: int = 0
    stock_rows: int = 0
    order_lines: int = 0
    line_units: int = 0


def hold_tallies(*, andon_ids: list[int]) -> dict[int, list[HoldTally]]:
    """Per andon, its holds per state (still held first), in one grouped query, with the
    packed lines of its pending scope counted as held (a second query)."""
    rows = (
        Hold.objects.filter(andon_id__in=andon_ids)
        .values("andon_id", "state")
        .annotate(
            stock_units=Sum("quantity", filter=Q(kind=HoldKind.STOCK)),
            stock_rows=Count("id", filter=Q(kind=HoldKind.STOCK)),
            order_lines=Count("id", filter=Q(kind=HoldKind.ORDER_LINE)),
            line_units=Sum("quantity", filter=Q(kind=HoldKind.ORDER_LINE)),
        )
        .order_by("andon_id", "state")
    )
    out: dict[int, list[HoldTally]] = {a: [] for a in andon_ids}
    for r in rows:
        out[r["andon_id"]].append(
            HoldTally(
                state=r["state"],
                stock_units=r["stock_units"] or 0,
                stock_rows=r["stock_rows"],
                order_lines=r["order_lines"],
                line_units=r["line_units"] or 0,
            )
        )
    for a, (lines, units) in pending_lines(andon_ids=andon_ids).items():
        held = next((t for t in out[a] if t.state == HoldState.HELD), None)
        if held is not None:
            out[a].remove(held)
        held = held or HoldTally(state=HoldState.HELD)
        out[a].append(
            replace(held, order_lines=held.order_lines + lines, line_units=held.line_units + units)
        )
    for tallies in out.values():
        tallies.sort(key=lambda t: (t.state != HoldState.HELD, t.state))
    return out


def held_stock_ids(*, stock_level_ids: Iterable[int]) -> set[int]:
    """Which of these stock rows an open andon holds now (one query)."""
    ids = set(stock_level_ids)
    if not ids:
        return set()
    return set(
        Hold.objects.filter(stock_level_id__in=ids, state=HoldState.HELD).values_list(
            "stock_level_id", flat=True
        )
    )


def held_line_ids(*, order_line_ids: Iterable[int]) -> set[int]:
    """Which of these order lines an open andon holds now (one query): a held hold on the line,
    or a pending scope on its product while it is packed. Nothing is written on the line when a
    pull holds it."""
    ids = set(order_line_ids)
    if not ids:
        return set()
    by_row = Exists(Hold.objects.filter(order_line_id=OuterRef("pk"), state=HoldState.HELD))
    return set(
        OrderLine.objects.filter(Q(by_row) | scope_held_lines(), id__in=ids).values_list(
            "pk", flat=True
        )
    )
