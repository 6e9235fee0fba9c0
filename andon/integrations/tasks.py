"""Waking the deliverer through Django's tasks framework (database backend).

Design, and why:
- Every transaction that writes outbox events also enqueues `relay_and_deliver` (one INSERT
  into the task table, at most once per transaction). The task row commits with the business
  change or not at all, so a rolled-back pull wakes nobody, and a committed one wakes a worker
  even if no worker was listening at the moment of the commit.
- The task framework has no retries and keeps no delivery state: the task only wakes the
  deliverer. In `andon worker` (and `andon serve --with-worker`) it nudges the delivery loop
  of its process and returns at once; run by a bare `db_worker` it drains itself (relay new
  events, claim and POST what is due now). Retry state, leases and the log stay in the
  Delivery table, so a task that dies mid-way loses nothing, and no two claimants ever post
  one delivery at the same time (the claim is a lease, see relay.py).
- Latency: `andon worker` runs the framework's db_worker in a thread polling the task table
  every `worker.TASK_POLL` seconds, so a pull's webhook leaves well within a second on
  SQLite. On PostgreSQL a trigger on the outbox table sends NOTIFY at commit (migration
  0003), which wakes the loop in milliseconds; the task is then the durable back-up signal.
- Retries that fall due later are the delivery loop's job (worker.py): it sleeps until the
  next due attempt, so no task is ever scheduled per retry.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from andon.core.models import OutboxEvent


@task()
def relay_and_deliver() -> dict[str, int]:
    """Wake the delivery loop of this process (`andon worker`, `andon serve`); run by a bare
    `db_worker` without a loop, drain the outbox and the due deliveries here instead."""
    # Imported here: every process registers the outbox hook of this module at start-up
    # (apps.py), and only a worker runs this task (the loop and the relay: a fifth of an
    # `andon import`'s start-up otherwise).
    from . import worker

    if worker.nudge():
        return {"nudged": 1}
    return worker.drain()


def _enqueued_marker() -> None:
    """Does nothing: its presence among the transaction's on-commit callbacks marks that this
    transaction already enqueued a wake-up."""


def _already_enqueued() -> bool:
    """True when an enclosing (or this) atomic block has already enqueued the wake-up; that
    INSERT commits or rolls back together with the current block, so one is enough.

    Read from Django's list of on-commit callbacks, which already follows savepoints: a
    rolled-back savepoint drops the callbacks registered inside it (and its INSERT is gone
    too), so the next write enqueues again."""
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        return False
    open_savepoints = set(conn.savepoint_ids)
    if any(
        func is _enqueued_marker and sids <= open_savepoints
        for sids, func, _robust in conn.run_on_commit
    ):
        return True
    transaction.on_commit(_enqueued_marker)
    return False


def outbox_written(events: list[OutboxEvent]) -> None:
    """The core outbox hook (registered in apps.py): enqueue one wake-up per transaction."""
    if events and not _already_enqueued():
        relay_and_deliver.enqueue()


WAKEUP_KEEP = dt.timedelta(hours=1)


def wakeups_prune(*, older_than: dt.timedelta = WAKEUP_KEEP) -> int:
    """Delete wake-ups that ran successfully: a finished one carries nothing (failed ones
    stay, for their traceback). One DELETE."""
    deleted, _ = DBTaskResult.objects.filter(
        task_path=relay_and_deliver.module_path,
        status=TaskResultStatus.SUCCESSFUL,
        finished_at__lt=timezone.now() - older_than,
    ).delete()
    return deleted


@task()
def prune_inbound_events() -> int:
    """The inbound helpdesk event log down to its retention (enqueue it daily from cron, or
    run `andon prune-inbound`)."""
    from .inbound.services import inbound_events_prune

    return inbound_events_prune()
