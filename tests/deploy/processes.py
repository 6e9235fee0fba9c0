"""Helpers for tests that run `andon` as a real process."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

ANDON = str(Path(sys.executable).with_name("andon"))
DEPLOYMENT = Path(__file__).resolve().parents[2] / "docs" / "deployment.md"


def documented_production_env() -> dict[str, str]:
    """The `export ANDON_…=…` lines of the short version in docs/deployment.md, as written;
    the secret key by the command the page gives (a fresh random one each time)."""
    block = DEPLOYMENT.read_text().split("```sh\n", 1)[1].split("```", 1)[0]
    env = {}
    for name, value in re.findall(r"^export (ANDON_[A-Z_]+)=(.*?)(?:\s+#.*)?$", block, re.M):
        if value.startswith('"$('):
            command = value.removeprefix('"$(').removesuffix(')"')
            value = subprocess.run(
                ["bash", "-c", command], capture_output=True, text=True, check=True
            ).stdout.strip()
        env[name] = value
    return env


PRODUCTION = documented_production_env()


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
