"""Helpers for tests that run `andon` as a real process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

ANDON = str(Path(sys.executable).with_name("andon"))
# 50+ characters of several kinds: what `check --deploy` wants of a secret key.
SECRET = "k3y-for-tests-only-4f9b2c7d1e8a6f3b5c0d9e2a7f4b1c8d6e3a0f5b"
PRODUCTION = {
    "ANDON_PRODUCTION": "1",
    "ANDON_SECRET_KEY": SECRET,
    "ANDON_ALLOWED_HOSTS": "andon.example.com,127.0.0.1",
    "ANDON_CSRF_TRUSTED_ORIGINS": "https://andon.example.com",
    "ANDON_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    "ANDON_PROXY_COUNT": "1",
}


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without Andon's own variables (and the database), plus `extra`."""
    # tests/conftest.py allows async-unsafe ORM calls for the browser tests; a deployment must not.
    dropped = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANDON_") and k not in dropped}
    env.update(extra)
    return env


def andon(*args: str, env: dict[str, str], cwd: Path, timeout: float = 120):
    return subprocess.run(
        [ANDON, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
