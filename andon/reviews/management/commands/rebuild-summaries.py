"""`andon rebuild-summaries`: recount the report summaries from scratch."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from andon.pulls.first_report import stamp_first_reports
from andon.reviews import summaries


class Command(BaseCommand):
    # The tallies are kept current as reviews are written: this is for after restoring a
    # backup or editing reviews by hand.
    help = "Recount the bad-andon rate's daily tallies from every review."

    def add_arguments(self, parser):
        parser.add_argument(
            "--first-reports",
            action="store_true",
            help="Also restamp each andon's first report time from its evidence.",
        )

    def handle(self, *args, first_reports=False, **opts):
        t = time.perf_counter()
        if first_reports:
            n = stamp_first_reports(None)
            self.stdout.write(f"{n} andon(s) restamped with their first report time")
        rows = summaries.rebuild()
        self.stdout.write(
            f"{rows} daily review tally row(s) rebuilt in {time.perf_counter() - t:.1f} s"
        )
