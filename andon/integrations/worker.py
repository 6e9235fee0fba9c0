"""The worker loop: relay, deliver what is due, then sleep until woken.

PostgreSQL: LISTEN andon_outbox on a dedicated connection; `outbox_emit` sends NOTIFY in the
business transaction, so the worker wakes at commit (a pull's webhook leaves within
milliseconds). SQLite has no notifications: poll every 200 ms. Either way the wait is cut
short when a retry falls due. Several workers may run at once (see relay.py's contract).
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import close_old_connections, connection, connections

from .relay import deliver_due, next_due_in, relay_pass
from .services import CHANNEL

log = logging.getLogger("andon.integrations.worker")

POLL_SQLITE = 0.2
POLL_MAX = 5.0  # even when woken by NOTIFY, look at the outbox at least this often


class Waiter:
    """Sleeps until a NOTIFY (PostgreSQL) or the timeout."""

    def __init__(self) -> None:
        self.conn = None
        if connection.vendor == "postgresql":
            wrapper = connections.create_connection("default")
            wrapper.ensure_connection()
            wrapper.set_autocommit(True)
            wrapper.connection.execute(f"LISTEN {CHANNEL}")
            self.wrapper, self.conn = wrapper, wrapper.connection

    def wait(self, timeout: float, stop: threading.Event) -> None:
        if timeout <= 0:
            return
        if self.conn is None:
            stop.wait(min(timeout, POLL_SQLITE))
            return
        # Several NOTIFYs may be queued: one wake-up serves them all.
        for _ in self.conn.notifies(timeout=timeout, stop_after=1):
            pass

    def close(self) -> None:
        if self.conn is not None:
            self.wrapper.close()


def run(*, stop: threading.Event | None = None, max_seconds: float | None = None,
        until_idle: bool = False, batch: int = 50) -> dict[str, int]:
    """Loop until `stop` is set, `max_seconds` pass, or (until_idle) nothing is pending."""
    stop = stop or threading.Event()
    deadline = time.monotonic() + max_seconds if max_seconds else None
    totals = {"relayed": 0, "attempts": 0}
    waiter = Waiter()
    try:
        while not stop.is_set() and (deadline is None or time.monotonic() < deadline):
            try:
                relayed = relay_pass()
                attempts = deliver_due(limit=batch)
            except Exception:  # a database restart must not end the worker
                log.exception("worker pass failed; retrying")
                close_old_connections()
                stop.wait(1.0)
                continue
            totals["relayed"] += relayed
            totals["attempts"] += attempts
            if relayed or attempts:
                continue
            due = next_due_in()
            if until_idle and due is None:
                break
            timeout = POLL_MAX if due is None else min(due, POLL_MAX)
            if deadline is not None:
                timeout = min(timeout, max(deadline - time.monotonic(), 0))
            waiter.wait(timeout, stop)
    finally:
        waiter.close()
        connection.close()
    return totals


def start_in_thread() -> tuple[threading.Thread, threading.Event]:
    """For `andon serve --with-worker`: the same loop in a daemon thread."""
    stop = threading.Event()
    thread = threading.Thread(target=run, kwargs={"stop": stop}, name="andon-worker",
                              daemon=True)
    thread.start()
    return thread, stop
