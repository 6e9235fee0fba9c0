"""`andon membership tick`: convert ended trials, renew or expire ended periods, expire past
grace, now (cron it hourly; `--enqueue` hands it to the task worker instead)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from andon.membership.services import membership_tick
from andon.membership.tasks import membership_tick_task


class Command(BaseCommand):
    help = "Membership: run the tick (trials convert, periods renew or expire)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION", help="tick.")
        tick = sub.add_parser("tick", help="Convert, renew and expire what is due now.")
        tick.add_argument("--at", metavar="ISO", help="Act as of this instant (catch-up, tests).")
        tick.add_argument(
            "--enqueue", action="store_true", help="Enqueue it for the task worker instead."
        )

    def handle(self, *args, action, **opts):
        if opts["enqueue"]:
            result = membership_tick_task.enqueue()
            self.stdout.write(f"enqueued {result.id}")
            return
        at = None
        if opts["at"]:
            at = parse_datetime(opts["at"])
            if at is None or at.tzinfo is None:
                raise CommandError("--at needs an ISO 8601 instant with its UTC offset")
        done = membership_tick(now=at)
        summary = ", ".join(f"{v} {k}" for k, v in sorted(done.items())) or "nothing due"
        self.stdout.write(summary)
