"""The common parts of the connectors' end-to-end test kit (andon_e2e.py): where things
are, PostgreSQL and SQLite database copies, waiting, processes stopped together."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

CONNECTORS = Path(__file__).resolve().parents[1]
ROOT = CONNECTORS.parent
ANDON = ROOT / ".venv" / "bin" / "andon"
OSCAR = CONNECTORS / "django-oscar-andon"
HELPDESK = CONNECTORS / "django-helpdesk-andon"
SHOP_PYTHON = OSCAR / ".venv" / "bin" / "python"
DESK_PYTHON = HELPDESK / ".venv" / "bin" / "python"
USERS = ("integrator", "agent1", "agent2", "vendor1", "warehouse1", "confirmer1")
KINDS = ("sqlite", "postgresql")
# Andon's delivery settings for tests: short timeouts and retries, loopback allowed.
ANDON_TEST_ENV = {
    "ANDON_WEBHOOK_TIMEOUT": "2",
    "ANDON_WEBHOOK_FIRST_RETRY": "0.2",
    "ANDON_WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true",
}
SHOP_SECRET = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg() -> tuple[str, int] | None:
    """The PostgreSQL server to use: scripts/test.sh's PG_URL, else 127.0.0.1:5432."""
    url = urllib.parse.urlsplit(os.environ.get("PG_URL") or "postgres://postgres@127.0.0.1:5432/")
    host, port = url.hostname or "127.0.0.1", url.port or 5432
    try:
        socket.create_connection((host, port), timeout=1).close()
        return host, port
    except OSError:
        return None


def admin_sql(sql: str) -> None:
    import psycopg

    server = pg()
    assert server is not None, "no PostgreSQL"
    with psycopg.connect(host=server[0], port=server[1], user="postgres", dbname="postgres") as c:
        c.autocommit = True
        c.execute(sql)


def pg_clone(template: str, prefix: str) -> str:
    """A new database copied from `template` (which nobody may be connected to)."""
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    for attempt in range(20):
        try:
            admin_sql(f"CREATE DATABASE {name} TEMPLATE {template}")
            return name
        except Exception as e:  # a process of the previous test still leaving the template
            if "being accessed" not in str(e) or attempt == 19:
                raise
            time.sleep(0.25)
    raise AssertionError("unreachable")


def pg_drop(name: str) -> None:
    admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=1).close()
        return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def wait(cond: Callable[[], Any], seconds: float, what: str, every: float = 0.05) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        if got := cond():
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(every)


def _run(argv: list[str], env: dict[str, str], cwd: Path, timeout: float = 600) -> str:
    out = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if out.returncode:
        raise RuntimeError(f"{' '.join(argv[:4])}… failed:\n{out.stdout}\n{out.stderr}")
    return out.stdout


class Procs:
    """The processes of one side, stopped together: none is left behind."""

    def __init__(self, data: Path, env: dict[str, str]) -> None:
        self.data, self.env = data, env
        self.procs: list[subprocess.Popen] = []

    def spawn(self, name: str, argv: list[str], cwd: Path) -> subprocess.Popen:
        with (self.data / f"{name}.log").open("ab") as log:
            p = subprocess.Popen(argv, cwd=cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.procs.append(p)
        return p

    def stop(self) -> None:
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.procs = []


def pg_url(db: str) -> str:
    server = pg()
    assert server is not None
    return f"postgres://postgres@{server[0]}:{server[1]}/{db}"
