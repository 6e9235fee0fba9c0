"""Real processes, side by side: the django-helpdesk desk of tests/desk (runserver, this
venv), Andon (`andon serve`, and `andon worker` on PostgreSQL) and the Oscar shop of
connectors/django-oscar-andon/tests/shop (runserver, the Oscar connector's venv), on SQLite,
and on PostgreSQL when one answers at PG_URL or 127.0.0.1:5432. Each starts from a copy of
a database built once (connectors/testkit/andon_e2e.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "testkit"))

from andon_e2e import (
    ANDON,
    SHOP_PYTHON,
    Andon,
    Desk,
    Shop,
    Templates,
    pg,
    wait,
)

__all__ = ["wait"]


@pytest.fixture(scope="session")
def templates():
    t = Templates()
    yield t
    t.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def kind(request) -> str:
    if not ANDON.exists():
        pytest.skip("Andon's .venv is missing (scripts/bootstrap.sh)")
    if request.param == "postgresql" and pg() is None:
        pytest.skip("no PostgreSQL (PG_URL or 127.0.0.1:5432)")
    return request.param


@pytest.fixture
def world(kind, templates, tmp_path):
    """Andon (started), the desk and the shop (on their databases, not started: the test
    gives them Andon's address and secrets first); all stopped and dropped afterwards."""
    if not SHOP_PYTHON.exists():
        pytest.skip("the Oscar connector's venv is missing (scripts/test-connectors.sh)")
    sides: list = []
    try:
        andon = Andon(kind, templates.get("andon", kind), tmp_path / "andon")
        sides.append(andon)
        desk = Desk(kind, templates.get("desk", kind), tmp_path / "desk")
        sides.append(desk)
        shop = Shop(kind, templates.get("shop", kind), tmp_path / "shop")
        sides.append(shop)
        andon.start()
        yield kind, andon, desk, shop
    finally:  # also when a side did not start: no process or database left behind
        for side in reversed(sides):
            side.close()
