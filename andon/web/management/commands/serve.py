import argparse

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = (
        "Serve the console and the API. One waitress process with threads, or with --workers N "
        "gunicorn with N processes (docs/deployment.md); it migrates first unless told not to, "
        "and on SQLite also delivers webhooks."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--host",
            default="127.0.0.1",
            help="Address to listen on (default 127.0.0.1; 0.0.0.0 for every interface).",
        )
        parser.add_argument(
            "--port", type=int, default=8000, help="Port to listen on (default 8000)."
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=8,
            help="Requests served at the same time by each process (default 8).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="Worker processes (default 1: one waitress process). Above 1, gunicorn serves "
            "with that many processes, each with --threads threads (docs/deployment.md).",
        )
        parser.add_argument(
            "--no-migrate", action="store_true", help="Do not apply pending migrations first."
        )
        parser.add_argument(
            "--with-worker",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="Deliver webhooks from a thread of each process "
            "(default: on for SQLite; run `andon worker` on PostgreSQL).",
        )

    def handle(self, *args, host, port, threads, workers, no_migrate, with_worker, **opts):
        from django.core.wsgi import get_wsgi_application

        if workers < 1 or threads < 1:
            raise CommandError("--workers and --threads must be at least 1.")
        application = get_wsgi_application()

        if not no_migrate:
            call_command("migrate", interactive=False, verbosity=0)
        deliver = with_worker if with_worker is not None else connection.vendor == "sqlite"
        from andon.core.processes import startup_freeze
        from andon.integrations.worker import start_in_thread

        startup_freeze()

        if workers > 1:
            from andon.core.processes import serve_processes

            if deliver:
                self.stdout.write("Webhook worker running in each worker process.")
            self.stdout.write(
                f"Andon on http://{host}:{port}/  (API: /api/v1/docs), {workers} processes"
            )
            self.stdout.flush()
            serve_processes(
                application,
                host=host,
                port=port,
                workers=workers,
                threads=threads,
                in_worker=start_in_thread if deliver else None,
            )
            return

        from waitress import serve

        if deliver:
            start_in_thread()
            self.stdout.write("Webhook worker running in this process.")
        self.stdout.write(f"Andon on http://{host}:{port}/  (API: /api/v1/docs)")
        # Proxy headers reach Django, which trusts them only as configured
        # (ANDON_PROXY_SSL_HEADER, ANDON_PROXY_COUNT): waitress would drop them.
        serve(
            application,
            host=host,
            port=port,
            threads=threads,
            ident="andon",
            clear_untrusted_proxy_headers=False,
        )
