"""A tool a test needs (Chromium, curl) that is missing skips the test on a workstation and
fails it in CI, where a skip would hide a kind of test that never ran."""

from __future__ import annotations

import pytest

from ..conftest import need


def test_a_missing_tool_skips_on_a_workstation(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        need(False, "curl")


def test_a_missing_tool_fails_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="curl is missing"):
        need(False, "curl")


def test_a_present_tool_runs_the_test(monkeypatch):
    monkeypatch.setenv("CI", "true")
    need(True, "curl")
