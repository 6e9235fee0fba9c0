"""The summaries' tick as a task of Django's tasks framework (database backend): a scheduler
enqueues it (`andon flywheel-summaries --enqueue`, every few minutes) and any worker runs it.
The tick locks its state row, so two overlapping runs recount one after the other."""

from __future__ import annotations

from django_tasks import task

from .summaries import tick


@task()
def flywheel_summaries_task() -> int:
    return tick()
