"""Real processes for the integration tests: the example storefront receiver and
`andon worker`, both on 127.0.0.1 and on the test database of this run."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection
from pytest_django.plugin import blocking_manager_key

ROOT = Path(__file__).resolve().parents[2]
ANDON = str(ROOT / ".venv" / "bin" / "andon")
RECEIVER = str(ROOT / "examples" / "storefront" / "receiver.py")


def _seed_rows() -> None:
    """What migrations seed and a transactional test's flush removes: the role groups and
    the relay's place in the outbox."""
    from django.contrib.auth.models import Group

    from andon.core.models import OutboxPlace
    from andon.integrations.selectors import RELAY_PLACE
    from andon.people.rules import GROUP_ROLES

    for role in GROUP_ROLES:
        Group.objects.get_or_create(name=role.value)
    OutboxPlace.objects.get_or_create(consumer=RELAY_PLACE)


def _transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction"))


@pytest.fixture(autouse=True)
def _seeded(request) -> None:
    if _transactional(request.node):
        with request.config.stash[blocking_manager_key].unblock():
            _seed_rows()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    # Leave the database as migrations left it, for whichever test runs next.
    yield
    # Not after the session's last test: its teardown has already dropped the test database.
    if _transactional(item) and nextitem is not None:
        with item.config.stash[blocking_manager_key].unblock():
            _seed_rows()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def subprocess_database_url() -> str:
    """The URL of the database this test run really uses (pytest-django's `test_...`)."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def wait_for(check: Callable[[], object], timeout: float, what: str, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Receiver:
    """The example storefront as a subprocess; `stop()` and `start()` simulate an outage."""

    def __init__(self, data: Path, port: int) -> None:
        self.data, self.port = data, port
        self.url = f"http://127.0.0.1:{port}/webhooks"
        self.secrets: list[str] = []
        self.proc: subprocess.Popen | None = None

    def start(self, *secrets: str) -> Receiver:
        self.secrets = list(secrets) or self.secrets
        args = [sys.executable, RECEIVER, "--port", str(self.port), "--data", str(self.data)]
        for s in self.secrets:
            args += ["--secret", s]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL)
        wait_for(self._healthy, 10, "the receiver to listen")
        return self

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=1):
                return True
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    def received(self) -> list[dict]:
        path = self.data / "received.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line]

    def product(self, sku: str) -> dict:
        url = f"http://127.0.0.1:{self.port}/products/{sku}"
        with urllib.request.urlopen(url, timeout=2) as r:
            return json.loads(r.read())


@pytest.fixture
def receiver(tmp_path) -> Iterator[Receiver]:
    r = Receiver(tmp_path / "storefront", free_port())
    yield r
    r.stop()


class Workers:
    """`andon worker` processes on the test database, with short timeouts and retries."""

    def __init__(self, log_dir: Path) -> None:
        self.procs: list[subprocess.Popen] = []
        self.log_dir = log_dir
        self.env = {
            **os.environ,
            "DATABASE_URL": subprocess_database_url(),
            "ANDON_WEBHOOK_TIMEOUT": "2",
            "ANDON_WEBHOOK_FIRST_RETRY": "0.2",
        }

    def start(self, *args: str) -> subprocess.Popen:
        path = self.log_dir / f"worker-{len(self.procs)}.log"
        proc = subprocess.Popen(
            [ANDON, "worker", *args], env=self.env, stdout=path.open("w"), stderr=subprocess.STDOUT
        )
        self.procs.append(proc)
        # Django's start-up takes a second: wait for the loop, so that latencies are real.
        wait_for(
            lambda: "delivering webhooks" in path.read_text() or proc.poll() is not None,
            20,
            "the worker to start",
        )
        assert proc.poll() is None, path.read_text()
        return proc

    def kill(self, proc: subprocess.Popen) -> None:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)

    def stop_all(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                self.kill(p)


@pytest.fixture
def workers(tmp_path) -> Iterator[Workers]:
    w = Workers(tmp_path)
    yield w
    w.stop_all()
