"""`andon serve` as a real process in production mode behind a TLS-ending proxy, on the
suite's database (SQLite or PostgreSQL): waitress by default, gunicorn with `--workers N`."""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

from .processes import ANDON, PRODUCTION, clean_env, free_port

SECURE = {"X-Forwarded-Proto": "https"}


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


def _sign_in(port: int, client: str, password: str) -> int:
    """A sign-in as a browser behind the proxy makes it: CSRF cookie and token, HTTPS origin."""
    headers = {"Host": "andon.example.com", "X-Forwarded-For": client, **SECURE}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", "/accounts/login/", headers=headers)
    page = conn.getresponse()
    html = page.read().decode()
    cookie = re.search(r"csrftoken=([^;]+)", page.headers["Set-Cookie"]).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    body = f"csrfmiddlewaretoken={token}&username=agent1&password={password}"
    conn.request(
        "POST",
        "/accounts/login/",
        body=body,
        headers={
            **headers,
            "Cookie": f"csrftoken={cookie}",
            "Origin": "https://andon.example.com",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    answer = conn.getresponse()
    answer.read()
    conn.close()
    return answer.status


def _database_env() -> dict[str, str]:
    """The suite's own test database on PostgreSQL (migrated already); else a fresh SQLite."""
    if connection.vendor != "postgresql":
        return {}
    s = connection.settings_dict
    url = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    return {"DATABASE_URL": url}


@contextmanager
def _serving(tmp_path: Path, *args: str) -> Iterator[tuple[subprocess.Popen, int]]:
    port = free_port()
    proc = subprocess.Popen(
        [ANDON, "serve", "--port", str(port), *args],
        cwd=tmp_path,
        env=clean_env(**PRODUCTION, **_database_env()),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if _get(port, "/healthz").status == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None, proc.stdout.read().decode()
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.3)
        yield proc, port
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _answers_as_production_behind_a_proxy(port: int) -> None:
    # Many requests, each on its own connection: every one is answered.
    for _ in range(12):
        answer = _get(port, "/accounts/login/", **SECURE)
        assert answer.status == 200
    # HSTS, secure cookies; plain HTTP (no proxy header) is redirected to HTTPS.
    assert "max-age=31536000" in answer.headers["Strict-Transport-Security"]
    assert "Secure" in answer.headers["Set-Cookie"]
    plain = _get(port, "/accounts/login/")
    assert plain.status == 301
    assert plain.headers["Location"] == "https://andon.example.com/accounts/login/"
    # Each process reads the database (a token lookup): a wrong token is refused.
    for _ in range(6):
        assert _get(port, "/api/v1/andons", Authorization="Bearer nope", **SECURE).status == 401


@pytest.mark.django_db(transaction=True)
def test_serve_with_two_workers_starts_two_processes_that_answer(tmp_path):
    with _serving(tmp_path, "--workers", "2", "--threads", "2") as (proc, port):
        deadline = time.monotonic() + 30
        while len(workers := _children(proc.pid)) != 2:
            assert time.monotonic() < deadline, workers
            time.sleep(0.3)
        # The `andon serve` process is gunicorn's master; the two workers are its children.
        assert proc.pid not in workers
        _answers_as_production_behind_a_proxy(port)
        # The login throttle is on in the product, and the two processes count together
        # (attempts are in the database): the 10th wrong password from one client is refused.
        codes = [_sign_in(port, "203.0.113.9", "wrong") for _ in range(10)]
        assert codes == [200] * 9 + [429], codes
        # The client's address is read past the proxy: another client is not locked out.
        assert _sign_in(port, "198.51.100.7", "wrong") == 200
        # A worker that dies is replaced: the master keeps two.
        os.kill(workers[0], signal.SIGKILL)
        deadline = time.monotonic() + 30
        while len(now := _children(proc.pid)) != 2 or workers[0] in now:
            assert time.monotonic() < deadline, now
            time.sleep(0.3)
        assert _get(port, "/healthz").status == 200
    assert proc.returncode == 0, proc.stdout.read().decode()


@pytest.mark.django_db(transaction=True)
def test_the_single_process_serve_also_trusts_the_configured_proxy_header(tmp_path):
    with _serving(tmp_path, "--threads", "4") as (proc, port):
        assert _children(proc.pid) == []  # waitress: threads, no worker processes
        _answers_as_production_behind_a_proxy(port)
