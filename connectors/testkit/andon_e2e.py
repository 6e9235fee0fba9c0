"""Real processes for the connectors' end-to-end tests: Andon (`andon serve`, and `andon
worker` on PostgreSQL), an Oscar shop and a django-helpdesk desk, each on its own database.

Both connector test suites import this file (with e2e_base.py, the common parts, and
e2e_sites.py, the shop and the desk; stdlib only, psycopg for PostgreSQL); it runs in
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
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from e2e_base import (
    ANDON,
    ANDON_TEST_ENV,
    KINDS,
    SHOP_PYTHON,
    SHOP_SECRET,
    USERS,
    Procs,
    _run,
    admin_sql,
    answers,
    free_port,
    pg,
    pg_clone,
    pg_drop,
    pg_url,
    wait,
)
from e2e_sites import Desk, Shop, build_desk, build_shop

__all__ = [
    "ANDON",
    "SHOP_PYTHON",
    "SHOP_SECRET",
    "Andon",
    "Desk",
    "Shop",
    "Templates",
    "confirm_work_orders",
    "pg",
    "wait",
]


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
        env["DATABASE_URL"] = pg_url(db)
    try:
        stdout = _run([str(ANDON), "shell", "-c", TOKENS_SCRIPT % (USERS,)], env, where)
    except BaseException:
        if kind == "postgresql":
            pg_drop(db)
        raise
    return {"db": db, "tokens": json.loads(stdout.strip().splitlines()[-1])}


class Andon(Procs):
    """One Andon: `andon serve` (which delivers webhooks itself on SQLite) and, on
    PostgreSQL, `andon worker`, on a copy of the template."""

    def __init__(self, kind: str, template: dict[str, Any], data: Path) -> None:
        data.mkdir(parents=True, exist_ok=True)
        super().__init__(data, andon_env())
        self.kind, self.tokens, self.url, self.db = (
            kind,
            dict(template["tokens"]),
            "",
            "",
        )
        if kind == "sqlite":
            shutil.copyfile(template["db"], data / "andon.sqlite3")
        else:
            self.db = pg_clone(template["db"], "andon_e2e")
            self.env["DATABASE_URL"] = pg_url(self.db)

    def run(self, *args: str) -> str:
        return _run([str(ANDON), *args], self.env, self.data).strip()

    def start(self) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.spawn(
            "serve",
            [str(ANDON), "serve", "--no-migrate", "--port", str(port)],
            self.data,
        )
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
