"""`andon prune-deliveries --older-than DAYS`: keep the delivery log to a useful size."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from andon.integrations.services import deliveries_prune
from andon.integrations.tasks import wakeups_prune


class Command(BaseCommand):
    help = (
        "Delete old delivered webhook deliveries. Those delivered more than DAYS days ago go, "
        "with their attempts and the finished wake-up tasks; pending and dead-lettered ones "
        "are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=float,
            required=True,
            metavar="DAYS",
            help="Age in days of the deliveries to delete (counted from their delivery).",
        )

    def handle(self, *args, older_than, **opts):
        if older_than < 0:
            raise CommandError("--older-than must be zero or more days")
        deleted = deliveries_prune(older_than=dt.timedelta(days=older_than))
        woken = wakeups_prune()
        self.stdout.write(
            f"deleted {deleted} delivered deliveries older than {older_than:g} "
            f"days and {woken} finished wake-up tasks"
        )
