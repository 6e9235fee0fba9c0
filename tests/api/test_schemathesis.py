"""The API fuzzed by schemathesis (`--checks all`) against a live server, on the suite's
database (SQLite, then PostgreSQL): no server error, no status code the OpenAPI does not
document, every answer conforming to its documented schema and content type.

Bounded in examples so that it takes a few minutes on a loaded machine; the issue-8 run that
found the defects it guards against was 60,246 requests."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connection

from andon.api.api import api
from andon.core.models import ApiToken, hash_token

from ..pulls.conftest import seed_product
from ..world import build_world

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
MAX_EXAMPLES = int(os.environ.get("ANDON_FUZZ_EXAMPLES", "8"))


def _phases() -> str:
    """The coverage phase (every boundary and negative value of every parameter, about three
    quarters of the run's time) runs against PostgreSQL: its 64-bit integers, NUL characters
    and long strings are where PostgreSQL refuses what SQLite stores, and it is the production
    database. The SQLite phase fuzzes the same operations with generated data and links."""
    everything = "examples,coverage,fuzzing,stateful"
    default = everything if connection.vendor == "postgresql" else "examples,fuzzing,stateful"
    return os.environ.get("ANDON_FUZZ_PHASES", default)


# Valid by the schema is not valid by the domain: a random reason code, SKU or state is
# refused with the 422 every such operation documents (the schema cannot list what exists).
# So a schema-valid request may be refused with 422 as well as the default statuses; every
# other check keeps its defaults.
CONFIG = """
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429"]
"""


def _admin_token() -> str:
    # An admin reaches every route's code, not only its refusal.
    admin = User.objects.create_user(username="fuzz-admin", password="x", is_staff=True)
    raw = "andon_fuzz-admin-token"
    ApiToken.objects.create(user=admin, token_hash=hash_token(raw), prefix=raw[:12])
    return raw


@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_server_error_and_no_undocumented_answer(live_server, tmp_path):
    world = build_world()
    seed_product(agent=world.users["agent1"])
    token = _admin_token()
    schema = tmp_path / "openapi.json"
    # The document the server serves, taken in-process: no request needed to fetch it.
    document = api.get_openapi_schema()
    schema.write_text(json.dumps(document))
    operations = sum(
        m in {"get", "put", "post", "patch", "delete"}
        for item in document["paths"].values()
        for m in item
    )
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG)
    run = subprocess.run(
        [
            str(SCHEMATHESIS),
            "--config-file",
            str(config),
            "run",
            str(schema),
            "--url",
            live_server.url,
            "--checks",
            "all",
            "--header",
            f"Authorization: Bearer {token}",
            "--phases",
            _phases(),
            "--max-examples",
            str(MAX_EXAMPLES),
            "--request-timeout",
            "60",
            "--workers",
            "1",
            "--seed",
            "8",
            "--generation-database",
            "none",
            "--no-color",
            "--report",
            "junit",
            "--report-junit-path",
            str(tmp_path / "junit.xml"),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=tmp_path,
    )
    report = run.stdout[-20000:] + run.stderr[-5000:]
    assert run.returncode == 0, report
    # A run that reached every operation (a schema it could not load also "passes" nothing).
    assert re.search(rf"Tested:\s+{operations}\b", run.stdout), report
    assert "Server error" not in report and "Undocumented HTTP status code" not in report, report
