"""Real processes: a django-helpdesk desk (runserver) and Andon (`andon serve` and `andon
worker`, loaded with `andon demo --small`), on SQLite, and on PostgreSQL when one answers at
PG_URL or 127.0.0.1:5432."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
ANDON = ROOT / ".venv" / "bin" / "andon"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg() -> tuple[str, int] | None:
    url = urllib.parse.urlsplit(os.environ.get("PG_URL") or "postgres://postgres@127.0.0.1:5432/")
    host, port = url.hostname or "127.0.0.1", url.port or 5432
    try:
        socket.create_connection((host, port), timeout=1).close()
        return host, port
    except OSError:
        return None


def admin_sql(host: str, port: int, sql: str) -> None:
    import psycopg

    with psycopg.connect(host=host, port=port, user="postgres", dbname="postgres") as c:
        c.autocommit = True
        c.execute(sql)


def answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=1).close()
        return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def wait(cond, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


class Proc:
    """Processes of one side, stopped together; none is left behind."""

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
        self.procs = []


class Desk(Proc):
    def __init__(self, data: Path, env: dict[str, str]) -> None:
        super().__init__(data, env)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def manage(self, *args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "django", *args],
            env=self.env,
            cwd=HERE,
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        ).stdout

    def start(self) -> None:
        self.spawn(
            "desk",
            [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{self.port}", "--noreload"],
            HERE,
        )
        try:
            wait(lambda: answers(self.url + "/helpdesk/login/"), 120, "the desk")
        except AssertionError:
            self.stop()
            raise

    def api(self, method: str, path: str, body: dict | None = None, auth=("agent2", "pw")):
        import base64

        req = urllib.request.Request(
            f"{self.url}/helpdesk/api{path}",
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={
                "Content-Type": "application/json",
                "Authorization": "Basic "
                + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode(),
            },
        )
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.load(r)


class Andon(Proc):
    url = ""

    def run(self, *args: str) -> str:
        return subprocess.run(
            [str(ANDON), *args],
            cwd=self.data,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        ).stdout.strip()

    def call(self, token: str, method: str, path: str, body: dict | None = None):
        req = urllib.request.Request(
            f"{self.url}/api/v1{path}",
            data=json.dumps(body or {}).encode() if method == "POST" else None,
            method=method,
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
                "Idempotency-Key": uuid.uuid4().hex,
            },
        )
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.load(r)


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request, tmp_path):
    """Andon and the desk on one kind of database; both stopped and dropped afterwards."""
    if not ANDON.exists():
        pytest.skip("Andon's .venv is missing (scripts/bootstrap.sh)")
    andon_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTHONPATH")} | {
        "ANDON_WEBHOOK_TIMEOUT": "2",
        "ANDON_WEBHOOK_FIRST_RETRY": "0.2",
        "ANDON_WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true",
    }
    desk_env = {**os.environ, "PYTHONPATH": str(HERE), "DJANGO_SETTINGS_MODULE": "desk.settings"}
    desk_env["DESK_DATA"] = str(tmp_path)
    dbs: list[str] = []
    pg = None
    if request.param == "postgresql":
        if (pg := _pg()) is None:
            pytest.skip("no PostgreSQL (PG_URL or 127.0.0.1:5432)")
        tag = f"{os.getpid()}_{uuid.uuid4().hex[:6]}"
        dbs = [f"andon_hd_e2e_{tag}", f"andon_hd_desk_{tag}"]
        for name in dbs:
            admin_sql(*pg, f"CREATE DATABASE {name}")
        andon_env["DATABASE_URL"] = f"postgres://postgres@{pg[0]}:{pg[1]}/{dbs[0]}"
        desk_env |= {"DESK_PG_HOST": pg[0], "DESK_PG_PORT": str(pg[1]), "DESK_PG_NAME": dbs[1]}
    (tmp_path / "andon").mkdir()
    andon = Andon(tmp_path / "andon", andon_env)
    desk = Desk(tmp_path, desk_env)
    try:
        andon.run("migrate", "-v0")
        andon.run("demo", "--small")
        port = free_port()
        andon.url = f"http://127.0.0.1:{port}"
        andon.spawn("serve", [str(ANDON), "serve", "--no-migrate", "--port", str(port)], andon.data)
        andon.spawn("worker", [str(ANDON), "worker"], andon.data)
        desk.manage("migrate", "-v0")
        wait(lambda: answers(f"{andon.url}/healthz"), 120, "andon serve")
        yield request.param, andon, desk
    finally:
        desk.stop()
        andon.stop()
        for name in dbs:
            admin_sql(*pg, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
