"""What the tests ask about held lines, through the readers the product uses: a line's held
state is derived (a held hold on it, or a pending scope on its product while it is packed), so
a test never reads it from `holds_hold` rows alone (holds.scopes)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from andon.holds.models import Hold
from andon.holds.scopes import holds_materialize
from andon.holds.selectors import held_line_ids
from andon.orders.models import OrderLine


def held_lines(qs: QuerySet[OrderLine] | None = None) -> QuerySet[OrderLine]:
    """The lines (of `qs`) that an open andon holds now, as the API and the refusals see it."""
    qs = qs if qs is not None else OrderLine.objects.all()
    return qs.filter(pk__in=held_line_ids(order_line_ids=qs.values_list("pk", flat=True)))


def line_holds_written(andon: Any = None) -> QuerySet[Hold]:
    """Materialize the pending scopes (of the andon, an Andon or its id, or all), then the held
    line holds: what a disposition and the relist see, one row per line the scope held."""
    andon_id = getattr(andon, "pk", andon)
    holds_materialize(andon_ids=None if andon_id is None else [andon_id])
    holds = Hold.objects.filter(kind="order_line", state="held")
    return holds if andon_id is None else holds.filter(andon_id=andon_id)
