"""`andon proactive run JOB`: run (or finish) a proactive recovery job here, with a progress line
per batch; a job a killed worker left half done resumes where it stopped."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from andon.recovery.proactive import BATCH, job_get, run_batch


class Command(BaseCommand):
    help = "Proactive recovery: run or resume a job (each customer reached once)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION", help="run.")
        run = sub.add_parser("run", help="Run or resume a job.")
        run.add_argument("job", type=int, help="The job's id (the API's 202 answer).")
        run.add_argument(
            "--batch", type=int, default=BATCH, help=f"Customers per transaction ({BATCH})."
        )

    def handle(self, *args, action, job, batch, **opts):
        found = job_get(job_id=job)
        if found is None:
            raise CommandError(f"no proactive recovery job {job}")
        done = 0
        while (n := run_batch(job, batch)) is not None:
            done += n
            self.stdout.write(f"{done} reached", ending="\n")
            self.stdout.flush()
        self.stdout.write(f"job {job} finished: {done} reached in this run")
