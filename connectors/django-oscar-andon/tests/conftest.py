"""A real Oscar shop process (runserver) on SQLite, and on PostgreSQL when one answers at
127.0.0.1:5432."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SECRET = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg() -> tuple[str, int] | None:
    """The PostgreSQL server to use: scripts/test.sh's PG_URL, else 127.0.0.1:5432."""
    url = urllib.parse.urlsplit(os.environ.get("PG_URL") or "postgres://postgres@127.0.0.1:5432/")
    host, port = url.hostname or "127.0.0.1", url.port or 5432
    try:
        socket.create_connection((host, port), timeout=1).close()
        return host, port
    except OSError:
        return None


def _admin_sql(host: str, port: int, sql: str) -> None:
    import psycopg

    with psycopg.connect(host=host, port=port, user="postgres", dbname="postgres") as c:
        c.autocommit = True
        c.execute(sql)


class Shop:
    def __init__(self, env: dict[str, str], data: Path) -> None:
        self.env, self.data = env, data
        self.proc: subprocess.Popen | None = None
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def manage(self, *args: str) -> str:
        out = subprocess.run(
            [sys.executable, "-m", "django", *args],
            env=self.env,
            cwd=HERE,
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        )
        return out.stdout

    def start(self) -> None:
        # The server keeps writing to its log after this returns: closed in stop().
        self.log = open(self.data / "server.log", "ab")  # noqa: SIM115
        log = self.log
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "django",
                "runserver",
                f"127.0.0.1:{self.port}",
                "--noreload",
                "--nothreading",
            ],
            env=self.env,
            cwd=HERE,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/basket/", timeout=2)
                return
            except OSError:
                time.sleep(0.2)
        self.stop()  # never leave a half-started server behind
        raise RuntimeError("the shop did not start: " + (self.data / "server.log").read_text())

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None
            self.log.close()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def shop(request, tmp_path_factory):
    data = tmp_path_factory.mktemp(f"shop-{request.param}")
    env = {
        **os.environ,
        "PYTHONPATH": str(HERE),
        "DJANGO_SETTINGS_MODULE": "shop.settings",
        "SHOP_DATA": str(data),
        "ANDON_WEBHOOK_SECRET": SECRET,
    }
    if request.param == "postgresql":
        if (pg := _pg()) is None:
            pytest.skip("no PostgreSQL (PG_URL or 127.0.0.1:5432)")
        name = f"andon_oscar_shop_{os.getpid()}"
        _admin_sql(*pg, f"DROP DATABASE IF EXISTS {name}")
        _admin_sql(*pg, f"CREATE DATABASE {name}")
        env["SHOP_PG_HOST"], env["SHOP_PG_PORT"] = pg[0], str(pg[1])
        env["SHOP_PG_NAME"] = name
    s = Shop(env, data)
    s.secret = SECRET
    s.manage("migrate", "-v0")
    seeded = subprocess.run(
        [sys.executable, "-m", "shop.seed"],
        env=env,
        cwd=HERE,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    s.products = {
        sku: (int(pk), url) for sku, pk, url in (line.split() for line in seeded if line.strip())
    }
    s.start()
    yield s
    s.stop()
    if request.param == "postgresql":
        _admin_sql(*pg, f"DROP DATABASE IF EXISTS {name}")
