"""The end of staged relists' watches as a task of Django's tasks framework (database
backend): a scheduler enqueues it (`andon listing tick --enqueue`, every few minutes) and any
worker runs it. Idempotent (catalog.watch), so an overlap or a retry never relists twice."""

from __future__ import annotations

from django_tasks import task

from .watch import watches_end


@task()
def watches_end_task() -> int:
    return watches_end()
