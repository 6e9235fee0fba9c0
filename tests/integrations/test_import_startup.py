"""`andon import` of one kind loads what that kind needs (issue 11: start-up under 1 s): the
other kinds' writers, membership's tick and the delivery worker are imported on first use."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from andon.integrations.imports import HANDLERS, handler

NOT_AT_START = [
    "andon.integrations.import_catalogue",
    "andon.integrations.import_contacts",
    "andon.integrations.import_history",
    "andon.integrations.import_memberships",
    "andon.integrations.import_people",
    "andon.integrations.worker",
    "andon.membership.tick",
    "andon.detection.services",
    # Only a progress bar needs it: `--no-progress` (scripts, logs) starts without it.
    "tqdm",
]


def test_the_import_command_starts_without_the_other_kinds_or_the_worker():
    code = (
        "import sys, django; django.setup(); "
        "import importlib; "
        "importlib.import_module('andon.integrations.management.commands.import'); "
        "from andon.integrations.imports import handler; handler('customers'); "
        f"print([m for m in {NOT_AT_START!r} if m in sys.modules])"
    )
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="andon.config.settings")
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]", out.stdout


@pytest.mark.parametrize("kind", list(HANDLERS))
def test_every_kind_has_its_writer(kind):
    assert callable(handler(kind))
