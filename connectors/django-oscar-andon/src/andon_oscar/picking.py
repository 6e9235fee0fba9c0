"""Held order lines are not shipped: Andon's holds, mirrored into the shop.

Andon holds a stopped product's order lines that have not left the warehouse. The shop asks
Andon which of its open lines of that SKU are on hold (GET /api/v1/orders/{number}: each
line's `on_hold`), after a `hold.placed` or a listing change (webhook), and after each
listing catch-up; it marks them (AndonHeldLine) and unmarks the ones Andon released. The
warehouse's pick list (`lines_to_pick()`, `manage.py andon_pick_list`) skips marked lines."""

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

log = logging.getLogger("andon_oscar")
# Oscar statuses of lines that have left the warehouse: never picked, never held here.
GONE = {"shipped", "dispatched", "delivered", "complete", "completed", "returned", "cancelled"}


def _open_lines(sku: str):
    Line = get_model("order", "Line")
    return [
        line
        for line in Line.objects.select_related("order").filter(Q(upc=sku) | Q(partner_sku=sku))
        if (line.status or "").strip().lower() not in GONE
    ]


def _andon_order(number: str) -> dict:
    url = f"{settings.ANDON_URL.rstrip('/')}/api/v1/orders/{urllib.parse.quote(number)}"
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {settings.ANDON_TOKEN}"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)


def holds_sync(sku: str) -> tuple[int, int]:
    """Mirror Andon's holds on the shop's open lines of `sku`. Returns (held, released).
    Andon's line numbers are the lines' order in the order, as `andon_push` sends them."""
    if not getattr(settings, "ANDON_URL", "") or not getattr(settings, "ANDON_TOKEN", ""):
        return 0, 0
    held = released = 0
    by_order: dict[int, list] = {}
    for line in _open_lines(sku):
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
                if numbers[line.pk] in on_hold:
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
