from __future__ import annotations

import pytest
from django.test import Client

from ..snapshot import RefusalCheckingClient
from ..world import World
from .catalog import load_catalog


@pytest.fixture
def shop(world: World) -> World:
    """The story's people and configuration, plus the book, its stock, customers and orders."""
    load_catalog()
    return world


@pytest.fixture
def login():
    """A Django test client signed in as one of the world's users (password `<name>-pass`)."""

    def _login(username: str, *, csrf: bool = False, language: str = "en") -> Client:
        c = RefusalCheckingClient(enforce_csrf_checks=csrf, headers={"accept-language": language})
        assert c.login(username=username, password=f"{username}-pass")
        return c

    return _login
