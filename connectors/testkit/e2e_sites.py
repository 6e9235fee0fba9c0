"""The Django sides of the end-to-end tests (andon_e2e.py): the Oscar shop and the
django-helpdesk desk, each a `runserver` on a copy of its template database, and the
builders of those templates."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from e2e_base import (
    DESK_PYTHON,
    HELPDESK,
    OSCAR,
    SHOP_PYTHON,
    Procs,
    _run,
    admin_sql,
    answers,
    free_port,
    pg,
    pg_clone,
    pg_drop,
    wait,
)

# --- Django sides: the Oscar shop and the django-helpdesk desk --------------------------

# Runs management commands read from stdin (a JSON list of arguments a line), answering each
# with a JSON line {"ok", "out", "err"}; database connections are closed after each command,
# as when each command is its own process.
RUNNER = r"""
import contextlib, io, json, sys, traceback
import django
django.setup()
from django.core.management import call_command
from django.db import connections
answers = sys.stdout
for line in sys.stdin:
    out, err, ok = io.StringIO(), io.StringIO(), True
    try:
        with contextlib.redirect_stdout(out):
            call_command(*json.loads(line), stdout=out, stderr=err)
    except BaseException:
        ok = False
        err.write(traceback.format_exc())
    finally:
        connections.close_all()
    answers.write(json.dumps({"ok": ok, "out": out.getvalue(), "err": err.getvalue()}) + "\n")
    answers.flush()
"""


class Site(Procs):
    """A Django project of the tests (`runserver`), on a copy of its template database."""

    python: Path
    home: Path  # the tests directory holding the project package
    settings = ""
    prefix = ""  # its environment variables: SHOP_ or DESK_
    probe = "/"

    def __init__(self, kind: str, template: dict[str, Any], data: Path, **env: str) -> None:
        data.mkdir(parents=True, exist_ok=True)
        super().__init__(
            data,
            {
                **os.environ,
                "PYTHONPATH": str(self.home),
                "DJANGO_SETTINGS_MODULE": self.settings,
                f"{self.prefix}DATA": str(data),
                **env,
            },
        )
        self.kind, self.template = kind, template
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = ""
        if kind == "sqlite":
            shutil.copyfile(template["db"], data / template["file"])
        else:
            self.db = pg_clone(template["db"], f"{self.prefix.lower()}e2e")
            server = pg()
            assert server is not None
            self.env |= {
                f"{self.prefix}PG_HOST": server[0],
                f"{self.prefix}PG_PORT": str(server[1]),
                f"{self.prefix}PG_NAME": self.db,
            }

    runner: subprocess.Popen | None = None
    runner_env: dict[str, str] = {}

    def manage(self, *args: str) -> str:
        """`manage.py ARGS`' output, run by a process of this site that stays up between
        commands (a new one when the site's environment changed): one Django start-up for
        a test's many commands instead of one each."""
        if self.runner is not None and (
            self.runner.poll() is not None or self.runner_env != self.env
        ):
            self._runner_stop()
        if self.runner is None:
            self.runner_env = dict(self.env)
            with (self.data / "manage.log").open("ab") as log:
                self.runner = subprocess.Popen(
                    [str(self.python), "-c", RUNNER],
                    cwd=self.home,
                    env=self.env,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    text=True,
                )
        assert self.runner.stdin is not None and self.runner.stdout is not None
        self.runner.stdin.write(json.dumps(list(args)) + "\n")
        self.runner.stdin.flush()
        answer = self.runner.stdout.readline()
        if not answer:
            raise RuntimeError(f"manage {args[0]}: the command runner died (see manage.log)")
        got = json.loads(answer)
        if not got["ok"]:
            raise RuntimeError(f"manage {' '.join(args)} failed:\n{got['out']}\n{got['err']}")
        return got["out"]

    def _runner_stop(self) -> None:
        if self.runner is not None:
            if self.runner.stdin is not None:
                self.runner.stdin.close()
            try:
                self.runner.wait(10)
            except subprocess.TimeoutExpired:
                self.runner.kill()
                self.runner.wait()
            if self.runner.stdout is not None:
                self.runner.stdout.close()
            self.runner = None

    def start(self) -> None:
        argv = [str(self.python), "-m", "django", "runserver", f"127.0.0.1:{self.port}"]
        self.spawn(self.prefix.lower() + "server", [*argv, "--noreload"], self.home)
        try:
            wait(
                lambda: answers(self.url + self.probe),
                120,
                f"the {self.settings} server",
            )
        except AssertionError:
            self.stop()
            raise

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, as when the machine dies."""
        for p in self.procs:
            p.send_signal(signal.SIGKILL)
            p.wait()
        self.procs = []

    def close(self) -> None:
        self._runner_stop()
        self.stop()
        if self.db:
            pg_drop(self.db)
            self.db = ""


class Shop(Site):
    python, home, settings, prefix, probe = (
        SHOP_PYTHON,
        OSCAR / "tests",
        "shop.settings",
        "SHOP_",
        "/basket/",
    )

    @property
    def products(self) -> dict[str, tuple[int, str]]:
        return {sku: (pk, url) for sku, (pk, url) in self.template["products"].items()}


class Desk(Site):
    python, home, settings, prefix, probe = (
        DESK_PYTHON,
        HELPDESK / "tests",
        "desk.settings",
        "DESK_",
        "/helpdesk/login/",
    )

    def api(self, method: str, path: str, body: dict | None = None, auth=("agent2", "pw")) -> Any:
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


def _build_site(
    python: Path,
    home: Path,
    settings: str,
    prefix: str,
    file: str,
    kind: str,
    out: Path,
) -> tuple[dict[str, Any], dict[str, str]]:
    where = out / f"{prefix.lower()}{kind}"
    where.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "PYTHONPATH": str(home),
        "DJANGO_SETTINGS_MODULE": settings,
        f"{prefix}DATA": str(where),
    }
    db = str(where / file)
    if kind == "postgresql":
        db = f"{prefix.lower()}tpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        admin_sql(f"CREATE DATABASE {db}")
        server = pg()
        assert server is not None
        env |= {f"{prefix}PG_HOST": server[0], f"{prefix}PG_PORT": str(server[1])}
        env[f"{prefix}PG_NAME"] = db
    try:
        _run([str(python), "-m", "django", "migrate", "-v0"], env, home)
    except BaseException:
        if kind == "postgresql":
            pg_drop(db)
        raise
    return {"db": db, "file": file}, env


def build_shop(kind: str, out: Path) -> dict[str, Any]:
    """The shop migrated and seeded (tests/shop/seed.py: two books, stock, one order)."""
    template, env = _build_site(
        SHOP_PYTHON,
        OSCAR / "tests",
        "shop.settings",
        "SHOP_",
        "shop.sqlite3",
        kind,
        out,
    )
    seeded = _run([str(SHOP_PYTHON), "-m", "shop.seed"], env, OSCAR / "tests")
    template["products"] = {
        sku: (int(pk), url) for sku, pk, url in (ln.split() for ln in seeded.splitlines() if ln)
    }
    return template


DESK_SETUP = """
from django.contrib.auth import get_user_model
from helpdesk.models import Queue
get_user_model().objects.create_superuser("agent2", "agent2@desk.example", "pw")
print(Queue.objects.create(title="Print quality", slug="print").pk)
"""


def build_desk(kind: str, out: Path) -> dict[str, Any]:
    """The desk migrated, with the agent `agent2` (password pw) and the queue `print`."""
    template, env = _build_site(
        DESK_PYTHON,
        HELPDESK / "tests",
        "desk.settings",
        "DESK_",
        "desk.sqlite3",
        kind,
        out,
    )
    out_ = _run(
        [str(DESK_PYTHON), "-m", "django", "shell", "-c", DESK_SETUP],
        env,
        HELPDESK / "tests",
    )
    template["queue"] = int(out_.split()[-1])
    return template
