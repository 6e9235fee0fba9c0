"""A proactive recovery job killed mid-run (kill -9 of the process running it) and run again:
each past buyer is reached once, with one event each. 2,000 buyers keep it within a minute or
two on a loaded machine; tests/recovery/test_proactive.py interrupts a run over 10,000."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from andon.core.models import OutboxEvent
from andon.recovery.models import ProactiveJob, ProactiveRecovery

from ..recovery.proactive_world import past_buyers_world
from .conftest import ANDON, subprocess_database_url, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def run(job_id: int) -> subprocess.Popen:
    return subprocess.Popen(
        [ANDON, "proactive", "run", str(job_id), "--batch", "100"],
        env={**os.environ, "DATABASE_URL": subprocess_database_url()},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def test_kill_9_mid_run_then_again_reaches_each_customer_once(api, world):
    andon = past_buyers_world(world, buyers=2_000)
    r = api.call(
        "POST",
        f"/andons/{andon.pk}/proactive-recovery",
        "confirmer1",
        {"action": "coupon-5", "customers": "all"},
    )
    assert r.status_code == 202, r.content
    job_id = r.json()["job"]["id"]
    proc = run(job_id)
    wait_for(lambda: ProactiveJob.objects.get(pk=job_id).reached >= 300, 300, "the first batches")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    killed_at = ProactiveJob.objects.get(pk=job_id).reached
    assert 300 <= killed_at < 1_997, killed_at
    time.sleep(0.2)
    again = run(job_id)
    out, _ = again.communicate(timeout=300)
    assert again.returncode == 0, out.decode()
    assert ProactiveRecovery.objects.count() == 1_997
    assert ProactiveRecovery.objects.values("customer").distinct().count() == 1_997
    assert OutboxEvent.objects.filter(event_type="recovery.proactive").count() == 1_997
    job = ProactiveJob.objects.get(pk=job_id)
    assert job.reached == 1_997 and job.finished_at is not None
    # And once more: nothing left.
    last = run(job_id)
    out, _ = last.communicate(timeout=120)
    assert b"0 reached in this run" in out
