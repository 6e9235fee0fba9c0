"""Signals are computed after the business transaction commits, by a worker, never inside
the contact, recovery or pull that caused them (SPEC: "Trust, then verify": nothing slows
the frontline).

What a write touched is read from the outbox, by the worker, after the write has committed:
`outbox_note`, run by the delivery worker beside the relay, reads the events past
integrity's place in the outbox (core.OutboxPlace "integrity"; up to the safe horizon, so an
event committed late is never skipped), notes a PendingRef per contact or andon they name,
asks for the incremental scan and moves the place, in one transaction. A contact, a recovery
or a pull therefore makes the queries it made before integrity existed and nothing after its
commit (the after-commit note it made before cost the request two more transactions), and a
rolled-back write leaves no event to note. While one scan is still waiting in the queue,
later notes only add their PendingRef rows: the waiting scan takes them all (bursts coalesce
into one scan). Imports and syncs, which write no outbox events, note what they touched
through `changed` after they commit.

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

from andon.core.selectors import outbox_events_past
from andon.core.services import outbox_place_move
from andon.core.sql import binding_cursor

from . import scope
from .models import PendingRef

INTEGRITY_QUEUE = "integrity"

# Writes that can change a signal.
WATCHED = ("contact.", "recovery.", "andon.", "review.", "bonus.")


FINISHED_KEEP = dt.timedelta(days=1)
# Events read from the outbox per transaction of `outbox_note`.
OUTBOX_BATCH = 1000
OUTBOX_PLACE = "integrity"  # integrity's place in the outbox (core.OutboxPlace)


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


def _pending_write(refs: list[tuple[str, str]]) -> None:
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


def _note(refs: list[tuple[str, str]]) -> None:
    _pending_write(refs)
    _enqueue_unless_waiting()


def changed(refs: Iterable[tuple[str, str]]) -> None:
    """Note what a write touched and ask for a scan, once the write commits (at once when
    no transaction is open)."""
    transaction.on_commit(partial(_note, list(refs)))


# An event as `outbox_note` reads it: its id, type, and the contact and andon it names.
EventRefs = tuple[int, str, Any, Any]


def _refs(events: Sequence[EventRefs]) -> list[tuple[str, str]]:
    refs = []
    for _id, event_type, contact_id, andon_id in events:
        if not event_type.startswith(WATCHED):
            continue
        named = False
        if contact_id is not None:
            refs.append((scope.CONTACT, str(contact_id)))
            named = True
        if andon_id is not None:
            refs.append((scope.ANDON, str(andon_id)))
            named = True
        if not named:
            refs.append((scope.ANY, ""))
    return refs


def outbox_note(*, limit: int = OUTBOX_BATCH) -> int:
    """Note what the outbox's events past integrity's place touched and ask for a scan (the
    delivery worker runs this beside the relay). Returns the number of events read."""
    read = outbox_events_past(
        OUTBOX_PLACE,
        fields=("event_type", "payload__contact_id", "payload__andon_id"),
        limit=limit,
    )
    if read is None:
        return 0
    with transaction.atomic():
        if not outbox_place_move(read):  # another worker notes these events
            return 0
        refs = _refs(read.events)
        if refs:
            _note(refs)
    return len(read.events)


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
