from __future__ import annotations

import os

import pytest
from django.test import Client

from ..world import World
from .catalog import load_catalog

# The live server runs Django in a thread next to Playwright's event loop; the ORM refuses
# that unless told it is safe (it is: the browser and the server share no connection).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def role_groups(request) -> None:
    """The role groups come from a data migration; a transactional test's flush removes them,
    so browser tests after the first would build users without roles."""
    if not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("db")
    from django.contrib.auth.models import Group

    from andon.people.rules import GROUP_ROLES

    for role in GROUP_ROLES:
        Group.objects.get_or_create(name=role.value)


@pytest.fixture
def shop(world: World) -> World:
    """The story's people and configuration, plus the book, its stock, customers and orders."""
    load_catalog()
    return world


@pytest.fixture
def login():
    """A Django test client signed in as one of the world's users (password `<name>-pass`)."""

    def _login(username: str, *, csrf: bool = False, language: str = "en") -> Client:
        c = Client(enforce_csrf_checks=csrf, headers={"accept-language": language})
        assert c.login(username=username, password=f"{username}-pass")
        return c

    return _login


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    from .browser import ARGS, CHROMIUM

    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (scripts/lib/browser.sh)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()
