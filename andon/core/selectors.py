from __future__ import annotations

import time

from django.db import connection
from django.db.models import QuerySet

from .models import AuditEntry, OutboxEvent


def audit_of_andon(*, andon_id: int) -> QuerySet[AuditEntry]:
    """An andon's timeline, oldest first."""
    return (
        AuditEntry.objects.filter(andon_id=andon_id)
        .select_related("actor")
        .order_by("occurred_at", "id")
    )


def outbox_safe_horizon(*, wait: float = 0.2) -> int | None:
    """The largest outbox id H such that no event with id <= H can still appear.

    Why this is needed: ids come from a sequence when a row is inserted, not when its
    transaction commits. On PostgreSQL transaction A may take id 10, B id 11, and B commit
    first: a reader that saw 11 and moved its cursor past 10 would lose A's event forever.

    PostgreSQL: a transaction that drew an outbox id holds a RowExclusiveLock on the outbox
    table from before it drew the id (the INSERT takes it at start) until it ends. One
    statement reads the largest visible id M and then, from pg_locks, the transactions that
    hold that lock. Any id below M that is not visible belongs to one of them (ids are drawn
    in order, so it was drawn, under the lock, before M was). Once all of them have ended,
    every id <= M is visible or will never exist. We wait up to `wait` seconds for that; a
    transaction that keeps the lock longer (a long import, a stuck session) makes this return
    None and the caller keeps its last proven horizon. Only writers of the outbox count:
    long transactions elsewhere, or in other databases of the cluster, do not hold it back.

    SQLite: writers are serialised (BEGIN IMMEDIATE), so ids commit in order and the largest
    visible id is safe as it stands.
    """
    table = OutboxEvent._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor != "postgresql":
            cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            return int(cur.fetchone()[0])
        holders = (
            "SELECT virtualtransaction FROM pg_locks WHERE locktype = 'relation'"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            f" AND relation = '{table}'::regclass AND mode = 'RowExclusiveLock'"
            " AND pid <> pg_backend_pid()"
        )
        cur.execute(f"SELECT (SELECT COALESCE(MAX(id), 0) FROM {table}), ARRAY({holders})")
        top, writers = cur.fetchone()
        deadline = time.monotonic() + wait
        while writers:
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.002)
            cur.execute(f"SELECT ARRAY({holders} AND virtualtransaction = ANY(%s))", [writers])
            writers = cur.fetchone()[0]
        return int(top)
