"""The integrations benchmark still runs: a pull, an outbox commit and the bare POST, each
received by the example storefront through a real `andon serve` and `andon worker`.

No timing assertions (speed is recorded in bench/RESULTS-integrations.md): only that every
path produced samples, nothing was lost, and the report has its percentiles.
"""

from __future__ import annotations

import pytest

from bench.integrations import PATHS, Preset, measure_latency, render
from tests.integrations.conftest import subprocess_database_url


@pytest.mark.django_db(transaction=True)
def test_quick_integrations_bench_receives_every_event_of_every_path(tmp_path):
    preset = Preset(pulls=2, warmup=1, gap=0.0, rows=0)

    latency = measure_latency(url=subprocess_database_url(), workdir=tmp_path, preset=preset)

    assert {p: len(latency.samples[p]) for p in PATHS} == dict.fromkeys(PATHS, 2)
    assert latency.lost == dict.fromkeys(PATHS, 0)
    assert len(latency.answered) == 2 and all(s > 0 for s in latency.answered)
    assert "| p95 |" in render(latency, {}, 0)
