"""Held order lines are not shipped: Andon's holds, mirrored into the shop.

Andon holds a stopped product's order lines in the fulfilment states of HELD_STATES, no
others. The shop asks Andon which of its lines of that SKU in those states are on hold (GET
/api/v1/orders/{number}: each line's `on_hold`), after a listing change or one of Andon's
hold events (webhook), after each listing catch-up, and after `andon_push` sent such a line
of a stopped product; it marks them (AndonHeldLine) and unmarks the ones Andon released.
The warehouse's pick list (`lines_to_pick()`, `manage.py andon_pick_list`) skips marked
lines."""

from __future__ import annotations

import json
import logging
import urllib.parse
import urllib.request

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from oscar.core.loading import get_model

from .models import AndonHeldLine
from .services import line_status

log = logging.getLogger("andon_oscar")
# Oscar statuses of lines that have left the warehouse: never picked.
GONE = {"shipped", "dispatched", "delivered", "complete", "completed", "returned", "cancelled"}
# Andon's rule (andon/holds/services.py, _insert_holds and holds_place_missing): an andon
# holds the product's *packed* lines, at the pull and when a line is packed while the
# product is stopped. A placed line is not held: the warehouse picks and packs it, the push
# sends it packed, Andon holds it then, and the shop marks it then.
HELD_STATES = frozenset({"packed"})


def _lines(sku: str):
    """The shop's lines of `sku` that Andon may hold (in HELD_STATES by the shop's mapping,
    ANDON_LINE_STATUS), and those marked held already (to unmark what Andon released)."""
    Line = get_model("order", "Line")
    marked = set(AndonHeldLine.objects.filter(sku=sku).values_list("line_id", flat=True))
    return [
        line
        for line in Line.objects.select_related("order").filter(Q(upc=sku) | Q(partner_sku=sku))
        if line.pk in marked
        or (
            line_status(line.status) in HELD_STATES
            and (line.status or "").strip().lower() not in GONE
        )
    ]


def _andon_order(number: str) -> dict:
    url = f"{settings.ANDON_URL.rstrip('/')}/api/v1/orders/{urllib.parse.quote(number)}"
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {settings.ANDON_TOKEN}"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)


def holds_sync(sku: str) -> tuple[int, int]:
    """Mirror Andon's holds on the shop's lines of `sku`. Returns (held, released).
    Andon's line numbers are the lines' order in the order, as `andon_push` sends them."""
    if not getattr(settings, "ANDON_URL", "") or not getattr(settings, "ANDON_TOKEN", ""):
        return 0, 0
    held = released = 0
    by_order: dict[int, list] = {}
    for line in _lines(sku):
        by_order.setdefault(line.order_id, []).append(line)
    for lines in by_order.values():
        order = lines[0].order
        try:
            andon = _andon_order(order.number)
        except OSError as e:  # not in Andon (not pushed yet) or Andon down: next time
            log.warning("holds of order %s not read: %s", order.number, e)
            continue
        numbers = {
            ln.pk: n for n, ln in enumerate(sorted(order.lines.all(), key=lambda x: x.pk), 1)
        }
        on_hold = {ln["line_no"] for ln in andon["lines"] if ln.get("on_hold")}
        with transaction.atomic():
            for line in lines:
                if numbers[line.pk] in on_hold and line_status(line.status) in HELD_STATES:
                    _, created = AndonHeldLine.objects.get_or_create(
                        line_id=line.pk, defaults={"order_number": order.number, "sku": sku}
                    )
                    held += created
                else:
                    released += AndonHeldLine.objects.filter(line_id=line.pk).delete()[0]
    return held, released


def lines_to_pick():
    """The order lines the warehouse picks: not yet gone, and not held by Andon."""
    Line = get_model("order", "Line")
    held = AndonHeldLine.objects.values_list("line_id", flat=True)
    return (
        Line.objects.exclude(pk__in=held)
        .exclude(status__iregex=r"^\s*(" + "|".join(sorted(GONE)) + r")\s*$")
        .select_related("order")
        .order_by("order__date_placed", "pk")
    )
