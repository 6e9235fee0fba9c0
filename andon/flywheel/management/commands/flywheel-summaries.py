"""`andon flywheel-summaries [--rebuild] [--enqueue]`: keep the dashboard's summaries current
(cron, every few minutes) or recount them from scratch."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from andon.flywheel import summaries


class Command(BaseCommand):
    help = (
        "Recount the flywheel summaries of the days touched since the last run. Touched: "
        "new rows, closes, reviews, actions, resolutions, contacts changed by an import, "
        "merged problems, team changes, and the last two weeks; --rebuild recounts every day "
        "from the base rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="Recount everything.")
        parser.add_argument(
            "--enqueue", action="store_true", help="Enqueue the tick as a task instead."
        )

    def handle(self, *args, rebuild, enqueue, **opts):
        if enqueue:
            from andon.flywheel.tasks import flywheel_summaries_task

            flywheel_summaries_task.enqueue()
            self.stdout.write("flywheel summaries tick enqueued")
            return
        days = summaries.rebuild() if rebuild else summaries.tick()
        self.stdout.write(f"{days} day(s) of flywheel summaries recounted")
