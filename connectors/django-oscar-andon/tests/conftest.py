"""A real Oscar shop process (runserver) on SQLite, and on PostgreSQL when one answers at
PG_URL or 127.0.0.1:5432; each shop starts from a copy of a database migrated and seeded
once (connectors/testkit/andon_e2e.py), and so does Andon in test_with_real_andon.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "testkit"))

from andon_e2e import SHOP_SECRET, Shop, Templates, pg

SECRET = SHOP_SECRET


@pytest.fixture(scope="session")
def templates():
    t = Templates()
    yield t
    t.close()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def kind(request) -> str:
    if request.param == "postgresql" and pg() is None:
        pytest.skip("no PostgreSQL (PG_URL or 127.0.0.1:5432)")
    return request.param


def shop_open(kind: str, templates: Templates, data: Path) -> Shop:
    s = Shop(kind, templates.get("shop", kind), data, ANDON_WEBHOOK_SECRET=SECRET)
    s.secret = SECRET
    return s


@pytest.fixture(scope="session")
def shop(kind, templates, tmp_path_factory):
    """One running shop per kind of database, shared by the webhook tests."""
    s = shop_open(kind, templates, tmp_path_factory.mktemp(f"shop-{kind}"))
    try:
        s.start()
        yield s
    finally:
        s.close()
