"""Signals are computed after the business transaction commits, by a worker, never inside
the contact, recovery or pull that caused them (SPEC: "Trust, then verify": nothing slows
the frontline).

The outbox hook below runs inside the caller's transaction but only registers an on-commit
callback (no query). After the commit, the callback notes what the write touched (a
PendingRef per contact or andon) and enqueues the incremental scan, so a contact, a recovery
or a pull makes exactly the queries it made before integrity existed, and a rolled-back
write enqueues nothing. While one scan is still waiting in the queue, later writes only add
their PendingRef rows: the waiting scan takes them all (bursts coalesce into one scan).
Imports, which write no outbox events, note what they touched through `rows_imported`.

The scan runs on its own queue, INTEGRITY_QUEUE, so that a long scan never holds up the
webhook wake-ups of the default queue (`andon worker` runs a thread per queue).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from andon.core.models import OutboxEvent
from andon.core.sql import binding_cursor

from . import scope
from .models import PendingRef

INTEGRITY_QUEUE = "integrity"

# Writes that can change a signal.
WATCHED = ("contact.", "recovery.", "andon.", "review.", "bonus.")


FINISHED_KEEP = dt.timedelta(days=1)


@task(queue_name=INTEGRITY_QUEUE)
def integrity_scan() -> dict[str, int]:
    from .services import scan_pending, scan_runs_prune

    # A scan per burst of writes: its finished task rows and incremental runs carry nothing
    # after a day (failed ones stay, for their traceback). One DELETE each.
    DBTaskResult.objects.filter(
        task_path=integrity_scan.module_path,
        status=TaskResultStatus.SUCCESSFUL,
        finished_at__lt=timezone.now() - FINISHED_KEEP,
    ).delete()
    scan_runs_prune(older_than=FINISHED_KEEP)
    return scan_pending()


def _enqueue_unless_waiting() -> None:
    waiting = DBTaskResult.objects.filter(
        task_path=integrity_scan.module_path, status=TaskResultStatus.READY
    ).exists()
    if not waiting:
        integrity_scan.enqueue()


def _note(refs: list[tuple[str, str]]) -> None:
    rows = sorted({(r, k[:200]) for r, k in refs})
    if connection.vendor == "postgresql" and len(rows) > 100:
        # An import notes a row per customer of its file: two arrays in one statement
        # instead of a model instance per row, in binary (Django's cursor would quote each
        # element into the SQL text: most of a customers import's client time otherwise).
        table = connection.ops.quote_name(PendingRef._meta.db_table)
        with binding_cursor() as cur:
            cur.execute(
                f"INSERT INTO {table} (ref, key) "
                "SELECT r, k FROM unnest(%b::varchar[], %b::varchar[]) "
                "WITH ORDINALITY AS u(r, k, i) ORDER BY i",
                [[r for r, _ in rows], [k for _, k in rows]],
            )
    else:
        PendingRef.objects.bulk_create([PendingRef(ref=r, key=k) for r, k in rows], batch_size=1000)
    _enqueue_unless_waiting()


def changed(refs: Iterable[tuple[str, str]]) -> None:
    """Note what a write touched and ask for a scan, once the write commits (at once when
    no transaction is open)."""
    transaction.on_commit(partial(_note, list(refs)))


def _refs(events: list[OutboxEvent]) -> list[tuple[str, str]]:
    refs = []
    for e in events:
        if not e.event_type.startswith(WATCHED):
            continue
        payload = e.payload if isinstance(e.payload, dict) else {}
        if payload.get("contact_id") is not None:
            refs.append((scope.CONTACT, str(payload["contact_id"])))
        if payload.get("andon_id") is not None:
            refs.append((scope.ANDON, str(payload["andon_id"])))
        if not refs or refs[-1][0] not in (scope.CONTACT, scope.ANDON):
            refs.append((scope.ANY, ""))
    return refs


def outbox_written(events: list[OutboxEvent]) -> None:
    refs = _refs(events)
    if refs:
        changed(refs)


# Which columns of an import's rows name what the rows touch.
_IMPORT_REFS: dict[str, tuple[tuple[str, str], ...]] = {
    "customers": ((scope.CUSTOMER, "external_id"),),
    "orders": ((scope.CUSTOMER, "customer"),),
    "contacts": ((scope.CUSTOMER, "customer"), (scope.AGENT, "agent")),
    "andon-history": ((scope.PRODUCT, "sku"), (scope.AGENT, "agent")),
    "people": ((scope.ANY, ""),),
}


def rows_imported(kind: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """The import's hook (integrations.imports): what an imported file can change."""
    columns = _IMPORT_REFS.get(kind)
    if not columns:
        return
    if len(columns) == 1 and columns[0][1]:
        # One column (customers, orders): its distinct values first, then the pairs.
        ref, col = columns[0]
        refs = {(ref, key) for key in {str(row.get(col, "")) for row in rows}}
    else:
        refs = {(r, str(row.get(c, "")) if c else "") for row in rows for r, c in columns}
    if kind == "andon-history":
        # The evidence contacts' customers and products: the andons' cluster evidence.
        refs |= {
            (scope.CONTACT_EXTERNAL, ext.strip())
            for row in rows
            for ext in re.split(r"[\s,]+", str(row.get("evidence", "")))
            if ext.strip()
        }
    changed(sorted(refs))
