"""The integrity scan has its own task queue: a long scan never delays the webhook wake-up
of the default queue, since `andon worker` runs one tasks thread per queue."""

from __future__ import annotations

import threading
import time

import pytest
from django.conf import settings
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from andon.integrations import worker
from andon.integrations.tasks import relay_and_deliver
from andon.integrity import services
from andon.integrity.tasks import INTEGRITY_QUEUE, integrity_scan

pytestmark = pytest.mark.django_db(transaction=True)


def _status(result_id: str) -> str:
    return DBTaskResult.objects.get(pk=result_id).status


def _wait(cond, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    return False


def test_the_queues_are_declared_and_the_worker_runs_both():
    assert INTEGRITY_QUEUE in settings.TASKS["default"]["QUEUES"]
    assert set(worker.QUEUES) == set(settings.TASKS["default"]["QUEUES"])
    assert integrity_scan.queue_name == INTEGRITY_QUEUE
    assert relay_and_deliver.queue_name == "default"


def test_a_long_integrity_scan_does_not_delay_a_webhook_wake_up(monkeypatch):
    started, release = threading.Event(), threading.Event()

    def long_scan() -> dict[str, int]:
        started.set()
        release.wait(30)
        return {}

    monkeypatch.setattr(services, "scan_pending", long_scan)
    scan_id = integrity_scan.enqueue().id
    threads, tasks = worker.tasks_start()
    try:
        assert started.wait(15), "the integrity thread never picked up the scan"
        t0 = time.monotonic()
        wake_id = relay_and_deliver.enqueue().id
        assert _wait(lambda: _status(wake_id) == TaskResultStatus.SUCCESSFUL, 10)
        latency = time.monotonic() - t0
        # The scan is still running: the wake-up did not wait for it.
        assert _status(scan_id) == TaskResultStatus.RUNNING
        assert latency < 3 * worker.TASK_POLL + 2
    finally:
        release.set()
        assert _wait(lambda: _status(scan_id) == TaskResultStatus.SUCCESSFUL, 10)
        tasks.running = False
        for t in threads:
            t.join(10)
        # Each thread closes its own connection on the way out.
        assert not any(t.is_alive() for t in threads)
