"""`andon flywheel-alarms [--period week|month]`: run the silent-cord check (cron, weekly)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from andon.flywheel.services import alarms_raise


class Command(BaseCommand):
    help = (
        "Write the silent-cord alarms of the last complete week or month. Every team's pulls "
        "are tested against its own baseline; each new alarm is written once with its outbox "
        "event flywheel.alarm, so running it again is safe."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--period",
            choices=["week", "month"],
            default="week",
            help="Test the last complete week (default) or month.",
        )

    def handle(self, *args, period, **opts):
        written = alarms_raise(period=period)
        self.stdout.write(f"{len(written)} new silent-cord alarm(s) for the last {period}")
