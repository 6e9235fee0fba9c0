from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from andon.core.models import ApiToken, hash_token

from ..conftest import Api
from ..world import World


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--small", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(db) -> str:
    """The demo with a tiny background; returns what the command printed."""
    return run_demo()


@pytest.fixture
def demo_api(demo, client) -> Api:
    """The HTTP API with a bearer token for each demo user, made as tests/world.py does."""
    tokens = {}
    users = {u.username: u for u in User.objects.all()}
    for name, user in users.items():
        raw = ApiToken.new_raw()
        ApiToken.objects.create(user=user, token_hash=hash_token(raw), prefix=raw[:12])
        tokens[name] = raw
    return Api(client, World(tokens=tokens, users=users))
