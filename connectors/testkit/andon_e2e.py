"""Real processes for the connectors' end-to-end tests: Andon (`andon serve`, and `andon
worker` on PostgreSQL), an Oscar shop and a django-helpdesk desk, each on its own database.

Both connector test suites import this file (stdlib only, psycopg for PostgreSQL); it runs in
whichever venv imports it and starts each process with the right interpreter: Andon from the
repository's .venv, the shop from connectors/django-oscar-andon/.venv, the desk from
connectors/django-helpdesk-andon/.venv.

Speed: migrating and loading a database is most of a test's set-up, so each database is
built once (a *template*: Andon migrated and loaded with `andon demo --small` and its users'
tokens; the shop migrated and seeded; the desk migrated with its agent and queue) and every
test starts from a copy: a file copy on SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL.
scripts/test-connectors.sh builds them once for both suites (`python andon_e2e.py build DIR`,
ANDON_E2E_TEMPLATES names the JSON it writes); a suite run on its own builds what it needs.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

CONNECTORS = Path(__file__).resolve().parents[1]
ROOT = CONNECTORS.parent
ANDON = ROOT / ".venv" / "bin" / "andon"
OSCAR = CONNECTORS / "django-oscar-andon"
HELPDESK = CONNECTORS / "django-helpdesk-andon"
SHOP_PYTHON = OSCAR / ".venv" / "bin" / "python"
DESK_PYTHON = HELPDESK / ".venv" / "bin" / "python"
USERS = ("integrator", "agent1", "agent2", "vendor1", "warehouse1", "confirmer1")
KINDS = ("sqlite", "postgresql")
# Andon's delivery settings for tests: short timeouts and retries, loopback allowed.
ANDON_TEST_ENV = {
    "ANDON_WEBHOOK_TIMEOUT": "2",
    "ANDON_WEBHOOK_FIRST_RETRY": "0.2",
    "ANDON_WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true",
}
SHOP_SECRET = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg() -> tuple[str, int] | None:
    """The PostgreSQL server to use: scripts/test.sh's PG_URL, else 127.0.0.1:5432."""
    url = urllib.parse.urlsplit(os.environ.get("PG_URL") or "postgres://postgres@127.0.0.1:5432/")
    host, port = url.hostname or "127.0.0.1", url.port or 5432
    try:
        socket.create_connection((host, port), timeout=1).close()
        return host, port
    except OSError:
        return None


def admin_sql(sql: str) -> None:
    import psycopg

    server = pg()
    assert server is not None, "no PostgreSQL"
    with psycopg.connect(host=server[0], port=server[1], user="postgres", dbname="postgres") as c:
        c.autocommit = True
        c.execute(sql)


def pg_clone(template: str, prefix: str) -> str:
    """A new database copied from `template` (which nobody may be connected to)."""
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    for attempt in range(20):
        try:
            admin_sql(f"CREATE DATABASE {name} TEMPLATE {template}")
            return name
        except Exception as e:  # a process of the previous test still leaving the template
            if "being accessed" not in str(e) or attempt == 19:
                raise
            time.sleep(0.25)
    raise AssertionError("unreachable")


def pg_drop(name: str) -> None:
    admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=1).close()
        return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def wait(cond: Callable[[], Any], seconds: float, what: str, every: float = 0.05) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        if got := cond():
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(every)


def _run(argv: list[str], env: dict[str, str], cwd: Path, timeout: float = 600) -> str:
    out = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if out.returncode:
        raise RuntimeError(f"{' '.join(argv[:4])}… failed:\n{out.stdout}\n{out.stderr}")
    return out.stdout


class Procs:
    """The processes of one side, stopped together: none is left behind."""

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
                p.wait()
        self.procs = []


# --- Andon ------------------------------------------------------------------------------


def andon_env() -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTHONPATH")}
    return base | ANDON_TEST_ENV


TOKENS_SCRIPT = """
import json
from django.core.management import call_command
from io import StringIO
call_command("migrate", verbosity=0)
call_command("demo", small=True, stdout=StringIO())
tokens = {}
for user in %r:
    out = StringIO()
    call_command("token", "create", user, stdout=out)
    tokens[user] = out.getvalue().strip()
print(json.dumps(tokens))
"""


def build_andon(kind: str, out: Path) -> dict[str, Any]:
    """Andon migrated, loaded with `andon demo --small`, and a token for each of USERS."""
    env, where = andon_env(), out / f"andon-{kind}"
    where.mkdir(parents=True, exist_ok=True)
    db = str(where / "andon.sqlite3")
    if kind == "postgresql":
        db = f"andon_e2e_tpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        admin_sql(f"CREATE DATABASE {db}")
        env["DATABASE_URL"] = _pg_url(db)
    try:
        stdout = _run([str(ANDON), "shell", "-c", TOKENS_SCRIPT % (USERS,)], env, where)
    except BaseException:
        if kind == "postgresql":
            pg_drop(db)
        raise
    return {"db": db, "tokens": json.loads(stdout.strip().splitlines()[-1])}


def _pg_url(db: str) -> str:
    server = pg()
    assert server is not None
    return f"postgres://postgres@{server[0]}:{server[1]}/{db}"


class Andon(Procs):
    """One Andon: `andon serve` (which delivers webhooks itself on SQLite) and, on
    PostgreSQL, `andon worker`, on a copy of the template."""

    def __init__(self, kind: str, template: dict[str, Any], data: Path) -> None:
        data.mkdir(parents=True, exist_ok=True)
        super().__init__(data, andon_env())
        self.kind, self.tokens, self.url, self.db = kind, dict(template["tokens"]), "", ""
        if kind == "sqlite":
            shutil.copyfile(template["db"], data / "andon.sqlite3")
        else:
            self.db = pg_clone(template["db"], "andon_e2e")
            self.env["DATABASE_URL"] = _pg_url(self.db)

    def run(self, *args: str) -> str:
        return _run([str(ANDON), *args], self.env, self.data).strip()

    def start(self) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.spawn("serve", [str(ANDON), "serve", "--no-migrate", "--port", str(port)], self.data)
        if self.kind == "postgresql":
            self.spawn("worker", [str(ANDON), "worker"], self.data)
        try:
            wait(lambda: answers(f"{self.url}/healthz"), 120, "andon serve")
        except AssertionError:
            self.stop()
            raise

    def call(self, user: str, method: str, path: str, body: dict | None = None) -> Any:
        req = urllib.request.Request(
            f"{self.url}/api/v1{path}",
            data=json.dumps(body or {}).encode() if method == "POST" else None,
            method=method,
            headers={
                "Authorization": f"Bearer {self.tokens.get(user, user)}",
                "Content-Type": "application/json",
                "Idempotency-Key": uuid.uuid4().hex,
            },
        )
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.load(r)

    def close(self) -> None:
        # Killed, not stopped: its database is dropped next, and the worker's graceful stop
        # can wait for its poll (seconds a test).
        for p in self.procs:
            p.kill()
            p.wait()
        self.procs = []
        if self.db:
            pg_drop(self.db)
            self.db = ""


def confirm_work_orders(andon: Andon, work_orders: list[dict]) -> None:
    """The departments of the demo fix (vendor management returns the held copies to the
    vendor, the warehouse releases) and the confirmer confirms: the andon closes."""
    for wo in work_orders:
        who = "vendor1" if wo["department"] == "vendor-management" else "warehouse1"
        disposition = "return-to-vendor" if who == "vendor1" else "release"
        andon.call(who, "POST", f"/work-orders/{wo['id']}/start")
        andon.call(
            who,
            "POST",
            f"/work-orders/{wo['id']}/resolve",
            {"findings": "checked", "disposition": disposition},
        )
    for wo in work_orders:
        andon.call("confirmer1", "POST", f"/work-orders/{wo['id']}/confirm")


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
            wait(lambda: answers(self.url + self.probe), 120, f"the {self.settings} server")
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
    python: Path, home: Path, settings: str, prefix: str, file: str, kind: str, out: Path
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
        SHOP_PYTHON, OSCAR / "tests", "shop.settings", "SHOP_", "shop.sqlite3", kind, out
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
        DESK_PYTHON, HELPDESK / "tests", "desk.settings", "DESK_", "desk.sqlite3", kind, out
    )
    out_ = _run(
        [str(DESK_PYTHON), "-m", "django", "shell", "-c", DESK_SETUP], env, HELPDESK / "tests"
    )
    template["queue"] = int(out_.split()[-1])
    return template


BUILDERS = {"andon": build_andon, "shop": build_shop, "desk": build_desk}


def build(parts: list[str], kinds: list[str], out: Path) -> dict[str, dict[str, Any]]:
    """Every template of `parts` x `kinds`, built side by side: {"andon/sqlite": {...}}."""
    jobs = {f"{p}/{k}": (p, k) for p in parts for k in kinds}
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {key: pool.submit(BUILDERS[p], k, out) for key, (p, k) in jobs.items()}
    built = {key: f.result() for key, f in futures.items() if f.exception() is None}
    for f in futures.values():
        if f.exception() is not None:
            drop(built)  # nothing left behind when one of them failed
            raise f.exception()  # type: ignore[misc]
    return built


def drop(templates: dict[str, dict[str, Any]]) -> None:
    for key, t in templates.items():
        if key.endswith("/postgresql"):
            pg_drop(t["db"])


class Templates:
    """The templates of a test session: ANDON_E2E_TEMPLATES's when the script built them,
    else built here on first use (and dropped by close())."""

    def __init__(self) -> None:
        path = os.environ.get("ANDON_E2E_TEMPLATES")
        self.given: dict[str, dict[str, Any]] = json.loads(Path(path).read_text()) if path else {}
        self.built: dict[str, dict[str, Any]] = {}
        self.dir = Path(tempfile.mkdtemp(prefix="andon-e2e-tpl-"))

    def get(self, part: str, kind: str) -> dict[str, Any]:
        key = f"{part}/{kind}"
        if key not in self.given and key not in self.built:
            self.built |= build([part], [kind], self.dir)
        return self.given.get(key) or self.built[key]

    def close(self) -> None:
        drop(self.built)
        shutil.rmtree(self.dir, ignore_errors=True)


def main(argv: list[str]) -> None:
    """`build DIR [PART...]`: build templates (both kinds when PostgreSQL answers) and print
    their JSON; `drop FILE`: drop the PostgreSQL templates of that JSON."""
    if argv[:1] == ["build"]:
        parts = argv[2:] or ["andon", "shop", "desk"]
        kinds = [k for k in KINDS if k == "sqlite" or pg() is not None]
        print(json.dumps(build(parts, kinds, Path(argv[1]))))
    elif argv[:1] == ["drop"]:
        drop(json.loads(Path(argv[1]).read_text()))
    else:
        raise SystemExit(main.__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
