"""Push the shop to Andon's import API: warehouses (Oscar partners), products (by UPC), one
batch per product, stock levels, then customers and orders with their line states.
Incremental by the shop's own change times (`date_updated` of products and stock records,
`date_placed` of orders, kept as a cursor); line states, which change without a change time
in Oscar, by a snapshot of the status last sent per line (AndonSentLine): an order whose
lines' status differs from it is sent again. `--full` resends everything. Andon's import is
idempotent by external ids: resending changes nothing."""

from __future__ import annotations

import datetime as dt
import json
import urllib.request
import uuid

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from oscar.apps.catalogue.models import Product
from oscar.apps.order.models import Line, Order
from oscar.apps.partner.models import Partner, StockRecord

from andon_oscar.models import AndonCursor, AndonSentLine
from andon_oscar.picking import HELD_STATES, holds_sync
from andon_oscar.services import line_status, suppressed_skus

CHUNK = 1000


def _batch() -> str:
    # Oscar knows no batches; Andon holds stock by batch: one batch per product.
    return getattr(settings, "ANDON_BATCH", "oscar")


def _customer_id(order: Order) -> str:
    if order.user_id:
        return f"oscar-{order.user_id}"
    return f"guest-{order.guest_email}"[:64]


def _customer(order: Order) -> dict:
    user = order.user
    name = (user.get_full_name() or user.get_username()) if user else order.guest_email
    email = (user.email if user else order.guest_email) or ""
    return {"external_id": _customer_id(order), "name": name or "-", "email": email}


def _order_rows(order: Order) -> list[dict]:
    lines = sorted(order.lines.all(), key=lambda line: line.pk)
    return [
        {
            "order": order.number,
            "customer": _customer_id(order),
            "placed_at": order.date_placed.isoformat(),
            "channel": "oscar",
            "line_no": n,
            "sku": line.upc or line.partner_sku,
            "quantity": line.quantity,
            "unit_price": str(line.unit_price_incl_tax or 0),
            "warehouse": line.partner.code[:50] if line.partner else None,
            "batch": _batch(),
            "status": line_status(line.status),
        }
        for n, line in enumerate(lines, 1)
    ]


class Command(BaseCommand):
    help = "Send the shop's products and stock to Andon (changes since the last push)."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="resend everything")

    def handle(self, *args, full: bool, **options):
        self.run_id = uuid.uuid4().hex
        cursor, _ = AndonCursor.objects.get_or_create(name="push", defaults={"after": ""})
        since = None if full or not cursor.after else dt.datetime.fromisoformat(cursor.after)
        # The high-water mark is read first: a change made during the push is sent next time.
        mark = max(
            filter(
                None,
                [
                    Product.objects.aggregate(m=Max("date_updated"))["m"],
                    StockRecord.objects.aggregate(m=Max("date_updated"))["m"],
                    Order.objects.aggregate(m=Max("date_placed"))["m"],
                ],
            ),
            default=timezone.now(),
        )
        products = Product.objects.exclude(upc__isnull=True).exclude(upc="")
        records = StockRecord.objects.select_related("product", "partner").exclude(
            product__upc__isnull=True
        )
        if since is not None:
            products = products.filter(date_updated__gt=since)
            records = records.filter(Q(date_updated__gt=since) | Q(product__date_updated__gt=since))
        prices = {
            sr.product_id: sr.price
            for sr in StockRecord.objects.filter(product__in=products).order_by("-pk")
        }
        self._send(
            "warehouses",
            [{"code": p.code[:50], "name": p.name or p.code} for p in Partner.objects.all()],
        )
        product_rows = [
            {"sku": p.upc, "title": p.title or p.upc, "price": str(prices.get(p.pk) or 0)}
            for p in products
        ]
        self._send("products", product_rows)
        self._send("batches", [{"sku": r["sku"], "code": _batch()} for r in product_rows])
        self._send(
            "stock",
            [
                {
                    "sku": sr.product.upc,
                    "warehouse": sr.partner.code[:50],
                    "batch": _batch(),
                    "quantity": max(sr.num_in_stock or 0, 0),
                }
                for sr in records
                if sr.product.upc
            ],
        )
        orders = Order.objects.select_related("user").prefetch_related("lines__partner")
        if since is not None:
            sent = AndonSentLine.objects.filter(line_id=OuterRef("pk")).values("status")[:1]
            changed = (
                Line.objects.annotate(sent=Subquery(sent), now=Coalesce(F("status"), Value("")))
                .filter(Q(sent__isnull=True) | ~Q(sent=F("now")))
                .values("order_id")
            )
            orders = orders.filter(Q(date_placed__gt=since) | Q(pk__in=changed))
        orders = list(orders)
        self._send(
            "customers", list({c["external_id"]: c for c in map(_customer, orders)}.values())
        )
        self._send("orders", [row for o in orders for row in _order_rows(o)])
        self._snapshot(orders)
        cursor.after = mark.isoformat()
        cursor.save()
        self._holds(orders)

    def _holds(self, orders: list[Order]) -> None:
        """A line sent in a state Andon holds, of a product Andon stopped: Andon held it as it
        took the rows (lines packed while the product is stopped are held too); mark it now
        rather than at the next listing change."""
        skus = {
            line.upc or line.partner_sku
            for o in orders
            for line in o.lines.all()
            if line_status(line.status) in HELD_STATES
        }
        held = released = 0
        for sku in sorted(suppressed_skus(sorted(skus))):
            h, r = holds_sync(sku)
            held, released = held + h, released + r
        self.stdout.write(f"order lines: {held} held, {released} released")

    def _snapshot(self, orders: list[Order]) -> None:
        """What Andon now has of these orders' lines (after Andon took them)."""
        lines = [line for o in orders for line in o.lines.all()]
        with transaction.atomic():
            AndonSentLine.objects.filter(line_id__in=[ln.pk for ln in lines]).delete()
            AndonSentLine.objects.bulk_create(
                AndonSentLine(line_id=ln.pk, order_id=ln.order_id, status=ln.status or "")
                for ln in lines
            )

    def _send(self, kind: str, rows: list[dict]) -> None:
        total = {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0}
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            body = json.dumps(chunk).encode()
            req = urllib.request.Request(
                f"{settings.ANDON_URL.rstrip('/')}/api/v1/imports/{kind}",
                data=body,
                method="POST",
                headers={
                    "Authorization": f"Bearer {settings.ANDON_TOKEN}",
                    "Content-Type": "application/json",
                    # One key per run and chunk: a proxy's retry of this request replays the
                    # answer; a later run is judged afresh (Andon's state may have moved).
                    "Idempotency-Key": f"oscar-{self.run_id}-{kind}-{start}",
                },
            )
            try:
                with urllib.request.urlopen(req, timeout=120) as r:
                    out = json.load(r)
            except OSError as e:
                raise CommandError(f"{kind}: Andon did not take the rows ({e})") from e
            for key in ("created", "updated", "unchanged"):
                total[key] += out[key]
            total["rejected"] += len(out["rejected"])
            for rej in out["rejected"]:
                self.stderr.write(
                    f"{kind} row {start + rej['row']}: {rej['field']}: {rej['reason']}"
                )
            done = min(start + CHUNK, len(rows))
            self.stdout.write(f"{kind}: {done}/{len(rows)} [{'#' * (20 * done // len(rows)):<20}]")
        self.stdout.write(
            f"{kind}: {total['created']} created, {total['updated']} updated, "
            f"{total['unchanged']} unchanged, {total['rejected']} rejected"
        )
