"""`andon integrity scan`: a full scan, every integrity signal from all the data, with a
progress bar.
`andon integrity list`: print the open signals (what the Integrity page shows)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from andon.integrity import selectors, services
from andon.integrity.models import KindChoices, StatusChoices


class Command(BaseCommand):
    help = "Integrity signals: run a full scan now, or list the signals found."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="ACTION", help="scan or list."
        )
        scan = sub.add_parser(
            "scan",
            help="Compute every signal from all the data as it is now, rebuilding every tally "
            "(the worker scans incrementally after each contact, recovery, pull, review and "
            "import; run this after loading data straight into the database, or from cron).",
        )
        scan.add_argument("--no-progress", action="store_true", help="No progress bar.")
        lst = sub.add_parser("list", help="Print the current signals, highest score first.")
        lst.add_argument(
            "--kind", choices=[k for k, _ in KindChoices.choices], help="Only this kind."
        )
        lst.add_argument(
            "--status",
            choices=[s for s, _ in StatusChoices.choices],
            default="open",
            help="Only signals in this status (default: open).",
        )
        lst.add_argument(
            "--min-score", type=float, default=0.5, help="Only signals at or above (0..1)."
        )

    def handle(self, *args, action, **opts):
        if action == "scan":
            bar = tqdm(  # type: ignore[call-overload]
                total=len(services.STEPS),
                unit="signal kind",
                desc="integrity scan",
                disable=opts["no_progress"],
                file=self.stderr._out,
            )

            def step(name: str) -> None:
                bar.set_postfix_str(name)
                bar.update(1)

            counts = services.scan(trigger="command", progress=step)
            bar.close()
            self.stdout.write(
                ", ".join(f"{kind}: {n}" for kind, n in counts.items()) + " signals found"
            )
            return
        if not 0 <= opts["min_score"] <= 1:
            raise CommandError("--min-score must be between 0 and 1")
        for s in selectors.signals_filter(
            kind=opts["kind"], status=opts["status"], min_score=opts["min_score"]
        ):
            reasons = " ".join(selectors.reasons_text(s))
            self.stdout.write(
                f"#{s.pk} {s.score:.2f} {s.kind} {s.subject_type}:{s.subject} {reasons}"
            )
