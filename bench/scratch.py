"""A scratch database for a bench run: a fresh PostgreSQL database (dropped first) or a SQLite
file in a temp directory, migrated, with Django set up on it; `scratch_drop` removes it."""

from __future__ import annotations

import os
import tempfile

PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


def scratch_setup(db: str, name: str) -> str:
    """Django on a new database `name` (PostgreSQL) or a temp SQLite file; its URL."""
    if db == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            c.execute(f"CREATE DATABASE {name}")
        url = f"postgres://postgres@127.0.0.1:5432/{name}"
    else:
        url = f"sqlite:///{tempfile.mkdtemp(prefix=f'{name}-')}/bench.sqlite3"
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "andon.config.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return url


def scratch_drop(db: str, name: str) -> None:
    from django.db import connections

    connections.close_all()
    if db == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
