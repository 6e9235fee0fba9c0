"""The membership tick as a task of Django's tasks framework (database backend): enqueue it
from a scheduler (cron `andon membership tick --enqueue`, hourly or daily) and any worker
(`andon worker`, `db_worker`) runs it. The tick is idempotent and concurrent runs skip each
other's locked rows, so an overlap or a retry never renews, converts or expires twice."""

from __future__ import annotations

from django_tasks import task

from .services import membership_tick


@task()
def membership_tick_task() -> dict[str, int]:
    return membership_tick()
