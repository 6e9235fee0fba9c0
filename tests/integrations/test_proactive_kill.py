"""A proactive recovery job killed mid-run (kill -9 of the process running it) and run again:
each past buyer is reached once, with one event each. 2,000 buyers keep it within a minute or
two on a loaded machine; tests/recovery/test_proactive.py interrupts a run over 10,000 in
process. ANDON_PROACTIVE_KILL_BUYERS=10000 runs this one at the issue's size (recorded in
bench/RESULTS-containment.md)."""

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

BUYERS = int(os.environ.get("ANDON_PROACTIVE_KILL_BUYERS", "2000"))


def run(job_id: int) -> subprocess.Popen:
    return subprocess.Popen(
        [ANDON, "proactive", "run", str(job_id), "--batch", "100"],
        env={**os.environ, "DATABASE_URL": subprocess_database_url()},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def test_kill_9_mid_run_then_again_reaches_each_customer_once(api, world):
    andon = past_buyers_world(world, buyers=BUYERS)
    r = api.call(
        "POST",
        f"/andons/{andon.pk}/proactive-recovery",
        "confirmer1",
        {"action": "coupon-5", "customers": "all"},
    )
    assert r.status_code == 202, r.content
    job_id = r.json()["job"]["id"]
    eligible = BUYERS - 3  # past_buyers_world: three of them contacted anyway
    proc = run(job_id)
    wait_for(lambda: ProactiveJob.objects.get(pk=job_id).reached >= 300, 300, "the first batches")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    killed_at = ProactiveJob.objects.get(pk=job_id).reached
    assert 300 <= killed_at < eligible, killed_at
    time.sleep(0.2)
    again = run(job_id)
    out, _ = again.communicate(timeout=60 + BUYERS // 10)
    assert again.returncode == 0, out.decode()
    assert ProactiveRecovery.objects.count() == eligible
    assert ProactiveRecovery.objects.values("customer").distinct().count() == eligible
    assert OutboxEvent.objects.filter(event_type="recovery.proactive").count() == eligible
    job = ProactiveJob.objects.get(pk=job_id)
    assert job.reached == eligible and job.finished_at is not None
    # And once more: nothing left.
    last = run(job_id)
    out, _ = last.communicate(timeout=120)
    assert b"0 reached in this run" in out
