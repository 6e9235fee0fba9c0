from __future__ import annotations

import json
import os

import pytest
from django.db import connection
from django.test import Client

from .snapshot import assert_nothing_written, db_state
from .world import World, build_world

# Browser tests: the live server runs Django in a thread next to Playwright's event loop; the
# ORM refuses that unless told it is safe (it is: the browser and the server share no
# connection).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# Slow (`-m "not slow"` leaves them out of the inner loop; make test runs them): besides the
# tests marked `@pytest.mark.slow` by hand, every test of these folders (subprocesses, the
# demo's world, benchmarks), every browser or live-server test and every transactional one.
SLOW_FOLDERS = ("tests/bench/", "tests/demo/", "tests/cli/")
SLOW_FIXTURES = {"browser", "live_server", "transactional_db"}


def pytest_collection_modifyitems(config, items):
    _run_once_what_owns_its_database(config, items)
    for item in items:
        db = item.get_closest_marker("django_db")
        if (
            item.nodeid.startswith(SLOW_FOLDERS)
            or SLOW_FIXTURES & set(getattr(item, "fixturenames", ()))
            or (db is not None and db.kwargs.get("transaction"))
        ):
            item.add_marker(pytest.mark.slow)


DATABASE_FIXTURES = {"db", "transactional_db"}


def _uses_the_database(item) -> bool:
    # pytest-django refuses database access to a test without one of these, so a test that has
    # neither cannot reach the phase's database (its subprocesses run on their own SQLite).
    return item.get_closest_marker("django_db") is not None or bool(
        DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
    )


def _run_once_what_owns_its_database(config, items) -> None:
    """Every database test runs on SQLite and on PostgreSQL; a test that uses no database
    (rules, CLI help, the README's walk-through and the benches on their own SQLite file)
    would only repeat in the PostgreSQL phase what the SQLite phase already ran."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    kept, repeated = [], []
    for item in items:
        (kept if _uses_the_database(item) else repeated).append(item)
    if repeated:
        config.hook.pytest_deselected(items=repeated)
        items[:] = kept


def need(present: bool, what: str) -> None:
    """A tool a test needs (Chromium, curl): missing, the test is skipped on a workstation but
    fails in CI (CI=true), where a skip would hide that a whole kind of test never ran."""
    if present:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is missing, and CI runs every test (CI=true)", pytrace=False)
    pytest.skip(f"{what} is not installed")


def pytest_report_header(config):
    return f"database: {os.environ.get('DATABASE_URL') or 'sqlite (embedded default)'}"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 costs ~0.3 s a user on these 2 cores; the tests are not about hashing strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_login_throttle(settings):
    # Tests sign in hundreds of times, some with wrong passwords on purpose, and Django's test
    # client signs in without a request, which django-axes refuses. The throttle itself is
    # proven on in the product settings, through the real login views (tests/deploy).
    settings.AXES_ENABLED = False


@pytest.fixture
def world(db) -> World:
    return build_world()


class Api:
    """The HTTP API as a client sees it: JSON in, JSON out, one user's bearer token."""

    def __init__(self, client: Client, world: World) -> None:
        self.client = client
        self.world = world

    def call(self, method: str, path: str, as_: str, body=None, raw: str | None = None, **headers):
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        kwargs = {"content_type": "application/json"} if data is not None else {}
        # Problem details come in the client's language (default zh-hans); the tests read
        # English unless a test sends its own Accept-Language.
        headers.setdefault("HTTP_ACCEPT_LANGUAGE", "en")
        if data is not None:
            kwargs["data"] = data
        # Every refused write, in every test, also proves it wrote nothing (tests/snapshot).
        write = method.upper() in ("POST", "PUT", "PATCH", "DELETE")
        before = db_state() if write else None
        r = getattr(self.client, method.lower())(
            f"/api/v1{path}", **kwargs, **self.world.auth(as_), **headers
        )
        if before is not None and 400 <= r.status_code < 500:
            assert_nothing_written(before)
        return r


@pytest.fixture
def api(world, client) -> Api:
    return Api(client, world)


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    from .web.browser import ARGS, CHROMIUM

    need(os.path.exists(CHROMIUM), "Debian's chromium (scripts/lib/browser.sh)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()
