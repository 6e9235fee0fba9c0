"""`andon listing tick`: relist fully the limited listings whose watch ended quietly (cron it
every few minutes; `--enqueue` hands it to the task worker instead)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from andon.catalog.tasks import watches_end_task
from andon.catalog.watch import watches_end


class Command(BaseCommand):
    help = "Listings: end the watches of staged relists that stayed quiet (full relist)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION", help="tick.")
        tick = sub.add_parser("tick", help="Relist fully the listings whose watch ended.")
        tick.add_argument("--at", metavar="ISO", help="Act as of this instant (catch-up, tests).")
        tick.add_argument(
            "--enqueue", action="store_true", help="Enqueue it for the task worker instead."
        )

    def handle(self, *args, action, **opts):
        if opts["enqueue"]:
            result = watches_end_task.enqueue()
            self.stdout.write(f"enqueued {result.id}")
            return
        at = None
        if opts["at"]:
            at = parse_datetime(opts["at"])
            if at is None or at.tzinfo is None:
                raise CommandError("--at needs an ISO 8601 instant with its UTC offset")
        self.stdout.write(f"{watches_end(now=at)} relisted after a quiet watch")
