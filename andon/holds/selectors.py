from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Q, Sum, Window
from django.db.models.functions import RowNumber

from .models import Hold, HoldKind, HoldState


@dataclass(frozen=True)
class HoldCounts:
    stock_units: int
    order_lines: int


def hold_counts(*, andon_ids: list[int]) -> dict[int, HoldCounts]:
    """Held stock units and order lines per andon, in one grouped query."""
    rows = (
        Hold.objects.filter(andon_id__in=andon_ids)
        .values("andon_id")
        .annotate(
            units=Sum("quantity", filter=Q(kind=HoldKind.STOCK)),
            lines=Count("id", filter=Q(kind=HoldKind.ORDER_LINE)),
        )
    )
    counts = {r["andon_id"]: HoldCounts(r["units"] or 0, r["lines"]) for r in rows}
    return {a: counts.get(a, HoldCounts(0, 0)) for a in andon_ids}


def holds_of(*, andon_id: int, limit: int = 200) -> list[Hold]:
    return list(
        Hold.objects.filter(andon_id=andon_id)
        .select_related("stock_level__warehouse", "stock_level__batch", "order_line__order")
        .order_by("kind", "id")[:limit]
    )


def holds_of_andons(*, andon_ids: list[int], limit: int = 200) -> dict[int, list[Hold]]:
    """`holds_of` for several andons in one query (a queue of cards): the first `limit` holds
    of each, in the same order."""
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
    """Whether the andon still holds anything (stock or packed lines) not yet disposed of."""
    return Hold.objects.filter(andon_id=andon_id, state=HoldState.HELD).exists()


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
    """Per andon, its holds per state (still held first), in one grouped query."""
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
    """Which of these order lines an open andon holds now (one query). A line's held state is
    its holds' own: nothing is written on the line when a pull holds it."""
    ids = set(order_line_ids)
    if not ids:
        return set()
    return set(
        Hold.objects.filter(order_line_id__in=ids, state=HoldState.HELD).values_list(
            "order_line_id", flat=True
        )
    )
