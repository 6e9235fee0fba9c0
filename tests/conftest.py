from __future__ import annotations

import json
import os

import pytest
from django.db import connection
from django.test import Client

from .world import World, build_world

# Browser tests: the live server runs Django in a thread next to Playwright's event loop; the
# ORM refuses that unless told it is safe (it is: the browser and the server share no
# connection).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


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
        return getattr(self.client, method.lower())(
            f"/api/v1{path}", **kwargs, **self.world.auth(as_), **headers
        )


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

    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (scripts/lib/browser.sh)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()
