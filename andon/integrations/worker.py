"""`andon worker`: the task worker and the delivery loop, in one process.

Its threads (see tasks.py for the why):
- the tasks threads are django_tasks_db's db_worker, one per queue: the default queue's runs
  `relay_and_deliver` (enqueued by every transaction that writes outbox events), which here
  only nudges the loop (never held up behind a slow receiver); the integrity queue's runs
  the integrity scans (never holding up a wake-up);
- the delivery loop relays and delivers (and notes for integrity what the new events touched:
  integrity.tasks.outbox_note; and re-groups the products of new contacts:
  detection.settle.outbox_settle), then sleeps until the next retry falls due, a
  NOTIFY arrives (PostgreSQL: a trigger on the outbox sends it at commit), a task nudges it,
  or POLL_MAX passes (the safety net).
Only the loop posts, so the deliveries in flight per process are at most `--batch`. Claims
are leases, so several worker processes never send one delivery at the same time
(relay.py's contract).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

from django.db import close_old_connections, connection, connections
from django_tasks_db.management.commands.db_worker import Worker as TaskWorker

from andon.detection.settle import outbox_settle
from andon.integrity.tasks import outbox_note

from .relay import deliver_due, next_due_in, relay_pass
from .services import CHANNEL

log = logging.getLogger("andon.integrations.worker")

POLL_MAX = 5.0  # look at the outbox at least this often, whatever woke us or not
TASK_POLL = 0.2  # the tasks thread's polling interval: the latency of a wake-up by task
DRAIN_MAX_SECONDS = 30.0  # one task run hands over to the next one after this long

_nudged = threading.Event()
_loops = 0  # delivery loops running in this process
_loops_lock = threading.Lock()


def nudge() -> bool:
    """Make the delivery loop of this process look at the outbox now; False if none runs."""
    _nudged.set()
    return _loops > 0


def drain(*, batch: int = 50, max_seconds: float = DRAIN_MAX_SECONDS) -> dict[str, int]:
    """Relay and deliver until nothing is due now (or `max_seconds` pass). Never waits for
    a retry: that is the loop's job."""
    totals = {"relayed": 0, "attempts": 0}
    deadline = time.monotonic() + max_seconds
    while time.monotonic() < deadline:
        relayed = relay_pass()
        attempts = deliver_due(limit=batch)
        noted = outbox_note()
        settled = outbox_settle()
        totals["relayed"] += relayed
        totals["attempts"] += attempts
        if not relayed and not attempts and not noted and not settled:
            break
    return totals


class Waiter:
    """Sleeps until a NOTIFY (PostgreSQL), a nudge, a stop, or the timeout."""

    def __init__(self) -> None:
        self.conn = None
        if connection.vendor == "postgresql":
            wrapper = connections.create_connection("default")
            wrapper.ensure_connection()
            wrapper.set_autocommit(True)
            wrapper.connection.execute(f"LISTEN {CHANNEL}")
            self.wrapper, self.conn = wrapper, wrapper.connection

    def wait(self, timeout: float, stop: threading.Event) -> None:
        deadline = time.monotonic() + timeout
        while not stop.is_set() and not _nudged.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                break
            if self.conn is None:
                _nudged.wait(min(left, 0.5))
                continue
            # Short slices so that a nudge or a stop is seen; queued NOTIFYs end the wait.
            if any(True for _ in self.conn.notifies(timeout=min(left, 0.5), stop_after=1)):
                break
        _nudged.clear()

    def close(self) -> None:
        if self.conn is not None:
            self.wrapper.close()


def run(
    *,
    stop: threading.Event | None = None,
    max_seconds: float | None = None,
    until_idle: bool = False,
    batch: int = 50,
) -> dict[str, int]:
    """The delivery loop, until `stop` is set, `max_seconds` pass, or (until_idle) nothing
    is pending."""
    global _loops
    stop = stop or threading.Event()
    deadline = time.monotonic() + max_seconds if max_seconds else None
    totals = {"relayed": 0, "attempts": 0}
    waiter = Waiter()
    with _loops_lock:
        _loops += 1
    try:
        while not stop.is_set() and (deadline is None or time.monotonic() < deadline):
            try:
                relayed = relay_pass()
                attempts = deliver_due(limit=batch)
                noted = outbox_note()
                settled = outbox_settle()
            except Exception:  # a database restart must not end the worker
                log.exception("worker pass failed; retrying")
                close_old_connections()
                stop.wait(1.0)
                continue
            totals["relayed"] += relayed
            totals["attempts"] += attempts
            if relayed or attempts or noted or settled:
                continue
            due = next_due_in()
            if until_idle and due is None:
                break
            timeout = POLL_MAX if due is None else min(due, POLL_MAX)
            if deadline is not None:
                timeout = min(timeout, max(deadline - time.monotonic(), 0))
            waiter.wait(timeout, stop)
    finally:
        with _loops_lock:
            _loops -= 1
        waiter.close()
        connection.close()
    return totals


# One tasks thread per queue: the integrity scans have their own (settings.TASKS), so that
# a long scan never holds up a webhook wake-up on the default queue.
QUEUES = ("default", "integrity")


def task_worker(queue: str = "default") -> TaskWorker:
    """django_tasks_db's worker for one queue, to run in a thread (no signal handlers: the
    process's owner stops it)."""
    worker_id = f"andon-{socket.gethostname()}-{os.getpid()}-{queue}"[:64]
    return TaskWorker(
        queue_names=[queue],
        interval=TASK_POLL,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


def _run_tasks(tasks: TaskWorker) -> None:
    while tasks.running:
        try:
            tasks.run()
        except Exception:  # a database restart must not end the tasks thread
            log.exception("task worker failed; restarting")
            close_old_connections()
            time.sleep(1.0)
    connection.close()


class TaskWorkers:
    """The tasks threads of this process; `running = False` stops them all."""

    def __init__(self, workers: list[TaskWorker]) -> None:
        self.workers = workers

    @property
    def running(self) -> bool:
        return any(w.running for w in self.workers)

    @running.setter
    def running(self, value: bool) -> None:
        for w in self.workers:
            w.running = value


def tasks_start(queues: tuple[str, ...] = QUEUES) -> tuple[list[threading.Thread], TaskWorkers]:
    workers, threads = [], []
    for queue in queues:
        tasks = task_worker(queue)
        thread = threading.Thread(
            target=_run_tasks, args=(tasks,), name=f"andon-tasks-{queue}", daemon=True
        )
        thread.start()
        workers.append(tasks)
        threads.append(thread)
    return threads, TaskWorkers(workers)


def start_in_thread() -> tuple[threading.Thread, threading.Event]:
    """For `andon serve --with-worker`: the tasks thread and the delivery loop, as daemons."""
    stop = threading.Event()
    _, tasks = tasks_start()

    def loop() -> None:
        try:
            run(stop=stop)
        finally:
            tasks.running = False

    thread = threading.Thread(target=loop, name="andon-worker", daemon=True)
    thread.start()
    return thread, stop
