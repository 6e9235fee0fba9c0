from __future__ import annotations

import pytest
from django.test import Client

from ..snapshot import RefusalCheckingClient
from ..web.catalog import load_catalog
from ..world import World


@pytest.fixture
def shop(world: World) -> World:
    """The story's people, plus the book, its stock, customers and orders."""
    load_catalog()
    return world


@pytest.fixture
def agent_console(shop: World) -> Client:
    c = RefusalCheckingClient(headers={"accept-language": "en"})
    assert c.login(username="agent1", password="agent1-pass")
    return c
