"""Proactive recovery jobs as tasks of Django's tasks framework (database backend): the API and
the console enqueue a job's run after its commit, any worker (`andon worker`) runs it. A run is
idempotent (recovery.proactive), so a retry, a second run or `andon proactive run JOB` after a
killed worker reaches each customer once."""

from __future__ import annotations

from django_tasks import task

from .proactive import proactive_run


@task()
def proactive_run_task(job_id: int) -> int:
    return proactive_run(job_id=job_id)
