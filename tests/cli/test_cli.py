"""The `andon` command as an operator uses it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from andon.core.models import ApiToken, hash_token


@pytest.mark.django_db
def test_token_create_prints_a_token_that_is_stored_only_as_a_hash(world):
    out = StringIO()
    call_command("token", "create", "agent1", "--name", "laptop", stdout=out)
    raw = out.getvalue().strip()
    assert raw.startswith("andon_") and len(raw) > 30
    token = ApiToken.objects.get(token_hash=hash_token(raw))
    assert token.user.username == "agent1" and token.name == "laptop"
    assert not ApiToken.objects.filter(token_hash=raw).exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_andon_serve_migrates_and_serves_the_console_and_the_api(tmp_path: Path):
    """A real server process on the embedded default (a fresh SQLite file in its directory)."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    andon = Path(sys.executable).with_name("andon")
    proc = subprocess.Popen(
        [str(andon), "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as r:
                    assert json.load(r) == {"status": "ok"}
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read().decode()
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        with urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=5) as r:
            assert "/api/v1/andons" in json.load(r)["paths"]
        assert (tmp_path / "andon.sqlite3").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
