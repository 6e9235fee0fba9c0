"""Read Andon's listing feed from the stored cursor and apply every listing change: what the
shop missed while it was down, or a webhook that never arrived. Run it at start-up and from
cron (every minute is cheap: an empty page is one request)."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from andon_oscar.models import AndonCursor, AndonHeldLine, AndonListing
from andon_oscar.picking import holds_sync
from andon_oscar.services import LISTING_EVENTS, cap_of, listing_apply


class Command(BaseCommand):
    help = "Apply Andon's listing changes the shop has not seen (the listing feed)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500)

    def handle(self, *args, limit: int, **options):
        cursor, _ = AndonCursor.objects.get_or_create(name="listing-events")
        applied = seen = 0
        changed: set[str] = set()
        while True:
            query = urllib.parse.urlencode({"after": cursor.after, "limit": limit})
            req = urllib.request.Request(
                f"{settings.ANDON_URL.rstrip('/')}/api/v1/listing-events?{query}",
                headers={"Authorization": f"Bearer {settings.ANDON_TOKEN}"},
            )
            with urllib.request.urlopen(req, timeout=30) as r:
                page = json.load(r)
            for e in page["events"]:
                seen += 1
                if e["event_type"] in LISTING_EVENTS:
                    cap = None
                    if e["listing_status"] == "limited":
                        at = parse_datetime(e.get("occurred_at") or "") or timezone.now()
                        cap = cap_of(e, at)  # a feed without the cap keeps it stopped
                    ok = listing_apply(
                        sku=e["sku"],
                        suppressed=e["listing_status"] == "suppressed"
                        or (e["listing_status"] == "limited" and cap is None),
                        sequence=e["sequence"],
                        cap=cap,
                    )
                    applied += ok
                    if ok:
                        changed.add(e["sku"])
            # Saved after the page is applied: a crash re-reads the page, which is harmless.
            cursor.after = page["next"]
            cursor.save()
            if not page["events"]:
                break
        # Andon's holds came with those listing changes; and lines still marked held of a
        # product on sale again were not released by its relist's webhook (the shop failed
        # to read Andon then): read them again.
        on_sale = AndonListing.objects.filter(suppressed=False).values_list("sku", flat=True)
        changed |= set(AndonHeldLine.objects.filter(sku__in=on_sale).values_list("sku", flat=True))
        held = released = 0
        for sku in sorted(changed):
            h, r = holds_sync(sku)
            held, released = held + h, released + r
        self.stdout.write(
            f"{seen} events read, {applied} applied; order lines: {held} held, {released} released"
        )
