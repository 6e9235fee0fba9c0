from django.core.management.base import BaseCommand

from andon.integrations import worker


class Command(BaseCommand):
    help = (
        "Run background work: webhook delivery and Django tasks. Delivery relays the outbox, "
        "signs, POSTs, retries with backoff and dead-letters; tasks run on the database "
        "backend. Run as many as you like on PostgreSQL."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--max-seconds",
            type=float,
            default=None,
            help="Stop after this long (tests, benchmarks).",
        )
        parser.add_argument(
            "--until-idle", action="store_true", help="Stop when no delivery is pending."
        )
        parser.add_argument("--batch", type=int, default=50, help="Deliveries claimed per round.")
        parser.add_argument(
            "--no-tasks",
            action="store_true",
            help="Only the delivery loop; run tasks elsewhere (db_worker).",
        )

    def handle(self, *args, max_seconds, until_idle, batch, no_tasks, **opts):
        tasks = None if no_tasks else worker.tasks_start()[1]
        self.stdout.write("andon worker: running tasks and delivering webhooks", ending="\n")
        self.stdout.flush()
        try:
            totals = worker.run(max_seconds=max_seconds, until_idle=until_idle, batch=batch)
        finally:
            if tasks is not None:
                tasks.running = False
        self.stdout.write(f"relayed {totals['relayed']} events, {totals['attempts']} attempts")
