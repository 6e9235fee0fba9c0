from django.core.management.base import BaseCommand

from andon.integrations import worker


class Command(BaseCommand):
    help = ("Deliver outbox events to webhook endpoints: relay, sign, POST, retry with "
            "backoff, dead-letter. Run as many as you like on PostgreSQL.")

    def add_arguments(self, parser):
        parser.add_argument("--max-seconds", type=float, default=None,
                            help="Stop after this long (tests, benchmarks).")
        parser.add_argument("--until-idle", action="store_true",
                            help="Stop when nothing is pending.")
        parser.add_argument("--batch", type=int, default=50,
                            help="Deliveries claimed per round.")

    def handle(self, *args, max_seconds, until_idle, batch, **opts):
        self.stdout.write("andon worker: delivering webhooks", ending="\n")
        self.stdout.flush()
        totals = worker.run(max_seconds=max_seconds, until_idle=until_idle, batch=batch)
        self.stdout.write(f"relayed {totals['relayed']} events, {totals['attempts']} attempts")
