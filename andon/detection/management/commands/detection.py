"""`andon detection rebuild [--product SKU] [--no-regroup]`: recompute the problems from
scratch, with a progress bar, then re-group the last 30 days (unless --no-regroup).
`andon detection regroup [--product SKU]`: re-group the products' recent contacts all at
once, whatever order they arrived in (detection/regroup.py; the worker and imports do it for
products with new contacts, settle.py). `andon detection alerts`: scan complaint rates now
(cron it, e.g. hourly). `andon detection pending`: assign contacts that have no problem yet."""

from __future__ import annotations

import argparse

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from andon.catalog.models import Product
from andon.detection import embedding, regroup, services
from andon.detection.alerts import problem_alerts_scan


class Command(BaseCommand):
    help = "Problems: rebuild, scan complaint-rate alerts, assign pending contacts."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(
            dest="action",
            required=True,
            metavar="ACTION",
            help="rebuild, regroup, alerts or pending.",
        )
        rebuild = sub.add_parser(
            "rebuild",
            help="Recompute every assignment from scratch (corrections by people are kept).",
        )
        rebuild.add_argument("--product", metavar="SKU", help="Only this product.")
        rebuild.add_argument("--no-progress", action="store_true", help="No progress bar.")
        # On by default: the worker and imports keep products re-grouped (settle.py), so a
        # rebuild that stopped at the replay would leave them in the grouping arrival order
        # gave until their next contact. --no-regroup: the replay alone (to compare).
        rebuild.add_argument(
            "--regroup",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="Then re-group the last 30 days (regroup); on unless --no-regroup.",
        )
        again = sub.add_parser(
            "regroup",
            help="Re-group each product's contacts of the last 30 days all at once "
            "(corrections by people are kept).",
        )
        again.add_argument("--product", metavar="SKU", help="Only this product.")
        again.add_argument("--no-progress", action="store_true", help="No progress bar.")
        alerts = sub.add_parser("alerts", help="Scan complaint rates and raise/clear alerts.")
        alerts.add_argument(
            "--window-days", type=int, default=30, help="Complaints and deliveries of N days."
        )
        pending = sub.add_parser("pending", help="Assign contacts that have no problem yet.")
        pending.add_argument("--product", metavar="SKU", help="Only this product.")
        pending.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, action, **opts):
        if action == "alerts":
            if opts["window_days"] < 1:
                raise CommandError("--window-days must be at least 1")
            scan = problem_alerts_scan(window_days=opts["window_days"])
            self.stdout.write(
                f"{scan.tested} products tested: {scan.raised} alerts raised, "
                f"{scan.refreshed} refreshed, {scan.cleared} cleared"
            )
            return
        sku = opts.get("product")
        if sku and not Product.objects.filter(sku=sku).exists():
            raise CommandError(f"no product with SKU {sku!r}")
        if not embedding.warm_up(wait=True):
            self.stderr.write("the sentence model is off or unavailable: lexical evidence only")
        total = services.contacts_to_rebuild(sku=sku) if action == "rebuild" else None
        bar = tqdm(  # type: ignore[call-overload]
            total=total,
            unit="contact",
            desc=action,
            disable=opts["no_progress"],
            file=self.stderr._out,
        )
        if action == "rebuild":
            done = services.problems_rebuild(sku=sku, progress=bar.update)
            bar.close()
            self.stdout.write(
                f"{done.contacts} contacts of {done.products} products in {done.problems} problems"
            )
            if opts["regroup"]:
                self._regroup(sku, opts["no_progress"])
        elif action == "regroup":
            bar.close()
            self._regroup(sku, opts["no_progress"])
        else:
            n = services.contacts_assign_pending(sku=sku, progress=bar.update)
            bar.close()
            self.stdout.write(f"{n} contacts assigned")

    def _regroup(self, sku: str | None, no_progress: bool) -> None:
        bar = tqdm(  # type: ignore[call-overload]
            unit="contact", desc="regroup", disable=no_progress, file=self.stderr._out
        )
        done = regroup.problems_regroup(sku=sku, progress=bar.update)
        bar.close()
        self.stdout.write(
            f"{done.contacts} recent contacts of {done.products} products re-grouped: "
            f"{done.moved} moved"
        )
