"""Settings for the few statements of a full scan that read every contact, order and pull
at once (PostgreSQL only; a no-op elsewhere): enough memory for their hash tables and sorts
(the default 4 MB spills a million rows to disk), and no JIT compilation (seconds of
compiling for statements whose cost is the rows, not the expressions). Set for the
enclosing transaction only and put back afterwards, so nothing else sees them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

BULK = {"work_mem": "256MB", "jit": "off"}


@contextmanager
def bulk_settings() -> Iterator[None]:
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cur:
        before = {}
        for name, value in BULK.items():
            cur.execute("SELECT current_setting(%s), set_config(%s, %s, true)", [name, name, value])
            before[name] = cur.fetchone()[0]
        # On an error the savepoint's rollback puts them back.
        yield
        for name, value in before.items():
            cur.execute("SELECT set_config(%s, %s, true)", [name, value])
