"""`andon check --deploy` under the documented production variables, and the refusals."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .processes import PRODUCTION, andon, clean_env

ROOT = Path(__file__).resolve().parents[2]
DEPLOYMENT = ROOT / "docs" / "deployment.md"


def test_check_deploy_is_clean_under_the_documented_production_variables(tmp_path):
    result = andon(
        "check", "--deploy", "--fail-level", "WARNING", env=clean_env(**PRODUCTION), cwd=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_names_what_is_missing_outside_production_mode(tmp_path):
    result = andon("check", "--deploy", "--fail-level", "WARNING", env=clean_env(), cwd=tmp_path)
    assert result.returncode != 0
    for warning in ("W004", "W008", "W009", "W012", "W016"):  # HSTS, redirect, key, cookies
        assert f"security.{warning}" in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ({"ANDON_SECRET_KEY": ""}, "ANDON_SECRET_KEY"),
        ({"ANDON_SECRET_KEY": "andon-embedded-default-not-for-production"}, "ANDON_SECRET_KEY"),
        ({"ANDON_ALLOWED_HOSTS": "*"}, "ANDON_ALLOWED_HOSTS"),
        ({"ANDON_ALLOWED_HOSTS": "andon.example.com,*"}, "ANDON_ALLOWED_HOSTS"),
        ({"ANDON_ALLOWED_HOSTS": ""}, "ANDON_ALLOWED_HOSTS"),
    ],
)
def test_production_mode_refuses_to_start_with_the_embedded_key_or_every_host(
    tmp_path, override, named
):
    env = clean_env(**{**PRODUCTION, **override})
    for command in (("check",), ("serve", "--no-migrate", "--port", "1")):
        result = andon(*command, env=env, cwd=tmp_path)
        assert result.returncode == 2, result.stdout + result.stderr
        assert result.stderr.startswith("andon: ANDON_PRODUCTION is on"), result.stderr
        assert named in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "andon.sqlite3").exists()


def test_every_andon_variable_the_product_reads_is_documented():
    read = set()
    for module in (ROOT / "andon").rglob("*.py"):
        read |= set(re.findall(r"\"(ANDON_[A-Z_]+|DATABASE_URL)\"", module.read_text()))
    documented = set(re.findall(r"^\| `([A-Z_]+)`", DEPLOYMENT.read_text(), re.M))
    assert len(read) > 10
    assert read <= documented, sorted(read - documented)


def test_the_documented_production_example_sets_what_production_needs():
    assert PRODUCTION["ANDON_PRODUCTION"] == "1"
    assert len(PRODUCTION["ANDON_SECRET_KEY"]) >= 50
    assert {"ANDON_ALLOWED_HOSTS", "ANDON_PROXY_SSL_HEADER", "ANDON_PROXY_COUNT"} <= set(PRODUCTION)
