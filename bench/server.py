"""A real served process (`andon serve`, waitress) on 127.0.0.1, and a keep-alive HTTP client.

The server is a subprocess of the bench so that requests cross a socket, WSGI, the middleware
stack and a fresh database connection per request, as they would in production.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    seconds: float

    def json(self) -> dict:
        return json.loads(self.body)


class Client:
    """One persistent HTTP/1.1 connection (one per client thread), like a real integrator."""

    def __init__(self, port: int, token: str | None = None, timeout: float = 60.0) -> None:
        self.port = port
        self.timeout = timeout
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.conn = http.client.HTTPConnection(HOST, port, timeout=timeout)

    def call(self, method: str, path: str, body: dict | None = None) -> Reply:
        headers = dict(self.headers)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if method in {"POST", "PATCH"}:
            # What a careful client sends so that its retries never duplicate (SPEC).
            headers["Idempotency-Key"] = uuid.uuid4().hex
        for attempt in (1, 2):
            start = time.perf_counter()
            try:
                self.conn.request(method, path, body=data, headers=headers)
                resp = self.conn.getresponse()
                payload = resp.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server may close an idle keep-alive connection; reconnect once (the
                # Idempotency-Key makes the resend safe).
                self.conn.close()
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
                if attempt == 2:
                    raise
                continue
            return Reply(resp.status, payload, time.perf_counter() - start)
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.conn.close()


class Server:
    """`python -m andon serve --no-migrate` on a free port of 127.0.0.1, stopped by its pid
    (`settings`: bench.bare adds the bare one-row view, the intake's ceiling)."""

    def __init__(
        self,
        database_url: str,
        workdir: Path,
        threads: int = 8,
        settings: str = "andon.config.settings",
    ) -> None:
        self.port = free_port()
        self.log_path = workdir / "server.log"
        # The repository root on the path, so that a bench settings module (bench.bare) loads:
        # after PYTHONPATH, where `pull_scale.py --code` puts the checkout under test first
        # (before, the served process imported this tree's `andon` whatever --code said).
        root = str(Path(__file__).resolve().parent.parent)
        path = os.pathsep.join(p for p in (os.environ.get("PYTHONPATH", ""), root) if p)
        env = dict(
            os.environ,
            DATABASE_URL=database_url,
            DJANGO_SETTINGS_MODULE=settings,
            PYTHONPATH=path,
        )
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "andon",
                "serve",
                "--host",
                HOST,
                "--port",
                str(self.port),
                "--threads",
                str(threads),
                "--no-migrate",
            ],
            cwd=workdir,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.threads = threads

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()[-2000:]}")
            try:
                c = Client(self.port, timeout=2)
                if c.call("GET", "/healthz").status == 200:
                    c.close()
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server not ready after {timeout}s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()

    def __enter__(self) -> Server:
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextmanager
def served(url: str, *, prefix: str, settings: str = "andon.config.settings") -> Iterator[Server]:
    """A served process on `url`, ready, in a new temp directory named `prefix`…: stopped at
    the end, its directory removed unless the run failed (its server.log tells why)."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    with Server(url, workdir, settings=settings) as server:
        yield server
    shutil.rmtree(workdir, ignore_errors=True)
