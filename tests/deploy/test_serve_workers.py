"""`andon serve --workers 2`: gunicorn really runs two worker processes that answer, in
production mode behind a TLS-ending proxy, on the suite's database (SQLite or PostgreSQL)."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connection

from .processes import ANDON, PRODUCTION, clean_env, free_port


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name is in parentheses and may hold spaces: the ppid follows it.
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _get(port: int, path: str, **headers: str) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", path, headers={"Host": "andon.example.com", **headers})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def _database_env(tmp_path: Path) -> dict[str, str]:
    """The suite's own test database on PostgreSQL (migrated already); else a fresh SQLite."""
    if connection.vendor != "postgresql":
        return {}
    s = connection.settings_dict
    url = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    return {"DATABASE_URL": url}


@pytest.mark.django_db(transaction=True)
def test_serve_with_two_workers_starts_two_processes_that_answer(tmp_path):
    port = free_port()
    env = clean_env(**PRODUCTION, **_database_env(tmp_path))
    proc = subprocess.Popen(
        [ANDON, "serve", "--workers", "2", "--threads", "2", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                assert _get(port, "/healthz").status == 200
                workers = _children(proc.pid)
                if len(workers) == 2:
                    break
            except OSError:
                pass
            assert proc.poll() is None, proc.stdout.read().decode()
            assert time.monotonic() < deadline, "gunicorn did not start two workers"
            time.sleep(0.3)
        # Two worker processes under the master, and the master is the `andon serve` itself.
        assert len(workers) == 2 and proc.pid not in workers
        secure = {"X-Forwarded-Proto": "https"}
        # Many requests, each on its own connection: every one is answered.
        for _ in range(20):
            answer = _get(port, "/accounts/login/", **secure)
            assert answer.status == 200
        # Each process reads the database (a token lookup): a wrong token is refused.
        for _ in range(6):
            refused = _get(port, "/api/v1/andons", Authorization="Bearer nope", **secure)
            assert refused.status == 401
        # Production mode: HSTS, secure cookies, plain HTTP redirected (not the health check).
        assert "max-age=31536000" in answer.headers["Strict-Transport-Security"]
        assert "Secure" in answer.headers["Set-Cookie"]
        plain = _get(port, "/accounts/login/")
        assert plain.status == 301
        assert plain.headers["Location"] == "https://andon.example.com/accounts/login/"
        # A worker that dies is replaced: the master keeps two.
        os.kill(workers[0], signal.SIGKILL)
        deadline = time.monotonic() + 30
        while True:
            now = _children(proc.pid)
            if len(now) == 2 and workers[0] not in now:
                break
            assert time.monotonic() < deadline, now
            time.sleep(0.3)
        assert _get(port, "/healthz").status == 200
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    assert proc.returncode == 0, proc.stdout.read().decode()
