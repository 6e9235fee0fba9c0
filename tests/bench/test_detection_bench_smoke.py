"""The detection benchmarks still run: the quality replay on the labelled set and the speed
bench's world and timing loop at toy sizes. No timing assertions."""

from __future__ import annotations

import random

import pytest

from andon.catalog.models import Product
from andon.detection import embedding
from bench import detection, detection_quality
from bench.labelled import labelled_read, pairwise


def test_the_quality_replay_groups_the_labelled_set_better_than_reason_codes():
    cs = [c for c in labelled_read("dev") if c.sku == "BK-KANJIAN"]
    gold = [c.problem for c in cs]
    groups = [c.sku for c in cs]
    lexical = pairwise(gold, detection_quality.replay(cs, None), groups)
    by_reason = pairwise(gold, [c.reason for c in cs], groups)
    assert lexical.precision > by_reason.precision and lexical.pairs_true > 0


@pytest.mark.django_db
def test_the_speed_bench_builds_its_world_and_times_intake():
    embedding.warm_up(wait=True)
    rng = random.Random(1)
    agent, hot, typical, texts = detection.build_world(200, 5, rng)
    samples = detection.time_intake(agent, [hot, typical], texts, 2, rng)
    assert set(samples) == {"record typical", "record hot", "intake typical", "intake hot"}
    assert all(len(v) == 2 and all(t > 0 for t in v) for v in samples.values())
    # The import's rates with their CPU per row, on a few rows: the world's first settling,
    # without assignment, with assignment settled and not, the model's bounds on one thread
    # and on the import's threads.
    rates = detection.time_import(10, list(Product.objects.order_by("id")), texts, rng)
    assert len(rates) == 6 and all(r > 0 and c >= 0 for r, c in rates.values()), rates
    assert any(k.startswith("with assignment, not settled") for k in rates), rates
    assert detection.statements_of_one_assignment(agent, hot, texts) <= 7
