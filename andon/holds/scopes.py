"""Holding packed lines by scope (issue 11): the pull holds "every packed line of the product"
in one row (holds.models.LineScope), and per-line holds are written only when someone needs a
line's own hold.

What is held does not depend on whether a scope is materialized: a pending scope holds every
packed line of its product (derived, never written), a materialized one holds them through
its per-line rows, which the materialization writes for exactly the lines the scope held. The
readers (holds.selectors, and the flywheel's figures) add the pending scopes' packed lines to
the rows and never write. A caller about to name lines by their holds (a resolve form, the API
listing holds with their ids, the plan a confirmer decides on, the relist) first calls the
service `holds_materialize` (re-exported by holds.services), then reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Count,
    Exists,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from andon.catalog.locks import listings_lock
from andon.orders.models import FulfilmentStatus, OrderLine

from .models import Hold, HoldKind, HoldState, LineScope

PENDING = Q(materialized_at__isnull=True)


def scope_place(*, andon_id: int, product_id: int, at: dt.datetime) -> int:
    """Hold every packed line of the product by one scope row, for an andon that holds no line
    yet (the pull that opens it). Returns the packed lines it holds now. One statement: the
    row and its count, from an index-only count on (product, fulfilment_status); nothing per
    line. Contract: the caller holds the product's listing lock."""
    scope = LineScope._meta.db_table
    line = OrderLine._meta.db_table
    placed_at: Any = connection.ops.adapt_datetimefield_value(at)
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {scope} (andon_id, product_id, placed_at, lines, materialized_at)"
            f" SELECT %s, %s, %s, COUNT(*), NULL FROM {line} l"
            f" WHERE l.product_id = %s AND l.fulfilment_status = %s RETURNING lines",
            [andon_id, product_id, placed_at, product_id, FulfilmentStatus.PACKED.value],
        )
        (lines,) = cur.fetchone()
    return int(lines)


def scope_catch_up(*, andon_id: int) -> int | None:
    """The packed lines that arrived since the andon's pending scope last counted them (held by
    the scope already, with no write per line), and the new count recorded. None: the andon
    has no pending scope (its lines are held by per-line rows). Held lines are frozen, so the
    product's packed lines only grow while the scope is pending. Contract: the caller holds
    the product's listing lock."""
    scope = LineScope.objects.filter(PENDING, andon_id=andon_id).first()
    if scope is None:
        return None
    now = _packed(scope.product_id).count()
    if now == scope.lines:
        return 0
    LineScope.objects.filter(pk=scope.pk).update(lines=now)
    return max(0, now - scope.lines)


def holds_materialize(
    *, andon_ids: Iterable[int] | None = None, product_ids: Iterable[int] | None = None
) -> int:
    """Write the per-line holds of the pending scopes of these andons (or of these products'
    andons; of every andon when neither is given) and mark the scopes materialized. One query
    when none is pending; otherwise, in its own transaction (a savepoint inside the caller's),
    three more whatever the number of scopes and lines: the listings' locks, one claim of the
    scopes and one INSERT ... SELECT. Returns the line holds written.

    Under the listing lock no line of the product changes status (every write to lines takes
    it first), so the rows written are exactly the lines the scope held. The claim stamps the
    still-pending scopes with this call's time and the insert reads only the scopes so
    stamped: a second materialization of the same scope writes nothing. The holds keep the
    scope's `placed_at`: they were placed by the pull."""
    scopes = LineScope.objects.filter(PENDING)
    if andon_ids is not None:
        scopes = scopes.filter(andon_id__in=list(andon_ids))
    if product_ids is not None:
        scopes = scopes.filter(product_id__in=list(product_ids))
    pending = dict(scopes.values_list("pk", "product_id"))
    if not pending:
        return 0
    with transaction.atomic():
        listings_lock(product_ids=set(pending.values()))
        now = timezone.now()
        claimed = LineScope.objects.filter(PENDING, pk__in=list(pending))
        if not claimed.update(materialized_at=now):
            return 0  # materialized meanwhile
        return _insert_line_holds(list(pending), now)


def _insert_line_holds(scope_ids: list[int], claimed_at: dt.datetime) -> int:
    hold = Hold._meta.db_table
    line = OrderLine._meta.db_table
    scope = LineScope._meta.db_table
    at: Any = connection.ops.adapt_datetimefield_value(claimed_at)
    marks = ", ".join(["%s"] * len(scope_ids))
    with connection.cursor() as cur:
        # The probe is a safety net: a pending scope's andon holds no line by rows.
        cur.execute(
            f"INSERT INTO {hold} (andon_id, kind, stock_level_id, order_line_id, quantity,"
            f" state, placed_at) SELECT s.andon_id, %s, NULL, l.id, l.quantity, %s, s.placed_at"
            f" FROM {scope} s JOIN {line} l ON l.product_id = s.product_id"
            f" AND l.fulfilment_status = %s WHERE s.id IN ({marks}) AND s.materialized_at = %s"
            f" AND NOT EXISTS (SELECT 1 FROM {hold} h WHERE h.andon_id = s.andon_id"
            f" AND h.state = %s AND h.order_line_id = l.id)",
            [
                HoldKind.ORDER_LINE.value,
                HoldState.HELD.value,
                FulfilmentStatus.PACKED.value,
                *scope_ids,
                at,
                HoldState.HELD.value,
            ],
        )
        return cur.rowcount


def _packed(product_id: Any) -> Any:
    packed = FulfilmentStatus.PACKED
    return OrderLine.objects.filter(product_id=product_id, fulfilment_status=packed)


def pending_lines(*, andon_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per andon with a pending scope: the packed lines it holds now and their units (one
    query; no entry for the andons without one)."""
    if not andon_ids:
        return {}
    packed = _packed(OuterRef("product_id")).order_by().values("product_id")
    rows = (
        LineScope.objects.filter(PENDING, andon_id__in=andon_ids)
        .annotate(
            n=Coalesce(
                Subquery(packed.annotate(n=Count("id")).values("n")[:1]),
                0,
                output_field=IntegerField(),
            ),
            units=Coalesce(
                Subquery(packed.annotate(u=Sum("quantity")).values("u")[:1]),
                0,
                output_field=IntegerField(),
            ),
        )
        .values_list("andon_id", "n", "units")
    )
    return {a: (n, u) for a, n, u in rows if n}


def scope_held_lines() -> Q:
    """On OrderLine: the lines a pending scope holds (packed, of a product with one)."""
    return Q(fulfilment_status=FulfilmentStatus.PACKED) & Q(
        Exists(LineScope.objects.filter(PENDING, product_id=OuterRef("product_id")))
    )


def scope_line_pairs() -> QuerySet[LineScope]:
    """The pending scopes joined to the packed lines each holds now, one row per (scope, line):
    the per-line holds a materialization would write (same andon, placed_at, line and units),
    derived without writing. `line` is the joined order line: aggregate over `line__quantity`,
    `line__unit_price`, `line__batch__...`, group by the scope's `andon__...` or `placed_at`."""
    packed = Q(product__order_lines__fulfilment_status=FulfilmentStatus.PACKED)
    return (
        LineScope.objects.filter(PENDING)
        .annotate(line=FilteredRelation("product__order_lines", condition=packed))
        .filter(line__isnull=False)
    )
