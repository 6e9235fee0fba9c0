"""CPU spent on a load by the served process and by the database server's backends (Linux
/proc): unlike wall time, barely moved by other engineers' work on the same cores."""

from __future__ import annotations

import threading
from collections.abc import Callable

CpuProbe = Callable[[], dict[int, float]]


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process so far, all its threads (Linux /proc)."""
    import os

    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_backends(admin_url: str, database: str) -> CpuProbe:
    """CPU seconds of each PostgreSQL backend connected to `database`, by pid (the bench runs
    on the database server's machine, as root or as its owner, so /proc shows them)."""
    import psycopg

    def probe() -> dict[int, float]:
        with psycopg.connect(admin_url, autocommit=True) as c:
            pids = [
                r[0]
                for r in c.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> "
                    "pg_backend_pid()",
                    [database],
                )
            ]
        return {pid: process_cpu(pid) for pid in pids}

    return probe


class DbCpu:
    """The database backends' CPU over a load, sampled every half second: the server closes
    a connection older than CONN_MAX_AGE and opens another, so a backend that appears counts
    from zero and one that leaves keeps its last sample (at most half a second is lost)."""

    def __init__(self, probe: CpuProbe) -> None:
        self.probe = probe
        self.before = probe()
        self.last = dict(self.before)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self.last.update(self.probe())

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        self.last.update(self.probe())
        return sum(cpu - self.before.get(pid, 0.0) for pid, cpu in self.last.items())
