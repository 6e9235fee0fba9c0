"""Signals are computed after the business transaction commits, by a worker, never inside
the contact, recovery or pull that caused them (SPEC: "Trust, then verify": nothing slows
the frontline).

The outbox hook below runs inside the caller's transaction but only registers an on-commit
callback (no query): the enqueue happens after the commit, so a contact, a recovery or a pull
makes exactly the queries it made before integrity existed. A rolled-back write enqueues
nothing. While one scan is still waiting in the queue, later writes do not add another: the
waiting scan will see them.
"""

from __future__ import annotations

from django.db import transaction
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from andon.core.models import OutboxEvent

# Writes that can change a signal.
WATCHED = ("contact.", "recovery.", "andon.", "review.", "bonus.")


@task()
def integrity_scan() -> dict[str, int]:
    from .services import scan

    return scan(trigger="task")


def _enqueue_unless_waiting() -> None:
    waiting = DBTaskResult.objects.filter(
        task_path=integrity_scan.module_path, status=TaskResultStatus.READY
    ).exists()
    if not waiting:
        integrity_scan.enqueue()


def outbox_written(events: list[OutboxEvent]) -> None:
    if any(e.event_type.startswith(WATCHED) for e in events):
        # Django runs one callback per registration; the check inside keeps it to one scan.
        transaction.on_commit(_enqueue_unless_waiting)
