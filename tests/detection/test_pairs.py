"""The re-grouping's evidence as whole matrices (pairs.py) gives the same log-odds as the
per-report reference (`rules.pair_logits` for each report against all the others): on the
labelled sets with the real model, in both kinds of evidence, and on generated products with
missing vectors, empty texts, numbers, concepts and follow-ups; and the agglomeration, which
keeps its mean matrix up to date, merges as the first one that rebuilt it at each merge (the
references: bench/detection_pairs.py, the code they replaced)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pytest

from andon.detection import linkage, pairs, rules
from andon.detection.text import lexical_of
from bench import detection_quality
from bench.detection_pairs import agglomerate_rebuilt, per_report
from bench.labelled import labelled_read, products

T0 = dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC)


def _same(reports: Sequence[rules.Report], tolerance: float = 1e-9) -> None:
    expected, got = per_report(reports), linkage.pair_matrix(reports)
    assert got.shape == expected.shape
    assert np.abs(got - expected).max(initial=0.0) <= tolerance


def test_one_matrix_for_each_pair_feature():
    reports = [
        rules.Report(i, i, 1, T0, lexical_of(t)) for i, t in enumerate(["a b", "c d"], start=1)
    ]
    features, by_vector = pairs.feature_matrices(reports)
    assert len(features) == len(rules.FEATURES)
    # Column by column against the per-report features: a feature added to rules without
    # its matrix here fails by name.
    x, _ = rules.pair_features(reports[0], [reports[1]])
    for k, name in enumerate(rules.FEATURES):
        assert features[k][0, 1] == pytest.approx(x[0, k], abs=1e-12), name


@pytest.mark.parametrize("part", ["dev", "heldout", "sealed", "sealed2", "sealed3"])
def test_the_labelled_sets_give_the_same_log_odds(part, model):
    cs = labelled_read(part)
    vectors = detection_quality.vectors_of(cs)
    for kind in ("embedding", "lexical"):
        # float64 vectors: the reference then computes in float64 too, and the two differ
        # by the order of the sums only.
        vecs = vectors.astype(np.float64) if kind == "embedding" else None
        reports = detection_quality.reports(cs, vecs)
        for sku in products(cs):
            _same([r for r, c in zip(reports, cs, strict=True) if c.sku == sku])


def test_stored_float32_vectors_agree_to_float32_rounding(model):
    cs = labelled_read("dev")
    reports = detection_quality.reports(cs, detection_quality.vectors_of(cs))
    sku = products(cs)[0]
    _same([r for r, c in zip(reports, cs, strict=True) if c.sku == sku], tolerance=1e-4)


TEXTS = [
    "水壶底部漏水 E4",
    "kettle leaks from the base, error E4",
    "the lid does not close",
    "盖子关不上",
    "pages 100-101 missing",
    "again: pages 100 to 101 are missing",
    "where is my parcel? invoice please",
    "",
    "same thing again, it leaks",
    "screen cracked 3 days after delivery",
    "屏幕裂了",
    "ok",
]


@pytest.mark.parametrize("seed", range(6))
def test_generated_products_give_the_same_log_odds(seed):
    g = np.random.default_rng(seed)
    n = int(g.integers(2, 40))
    basis = g.standard_normal((3, 24))
    # Seeds 0-1: every vector; 2-3: some missing (those pairs read n-grams); 4-5: none.
    missing = {0: 0.0, 1: 0.0, 2: 0.3, 3: 0.7, 4: 1.0, 5: 1.0}[seed]
    reports = []
    for i in range(n):
        v = basis[i % 3] + 0.6 * g.standard_normal(24)
        vector = None if g.random() < missing else v / np.linalg.norm(v)
        text = TEXTS[int(g.integers(len(TEXTS)))]
        reports.append(
            rules.Report(
                i + 1,
                int(g.integers(1, 5)),  # customers repeat: same customer, follow-ups
                int(g.integers(1, 3)),
                T0 + dt.timedelta(hours=i),
                lexical_of(text),
                vector,
                bool(text.strip()),
            )
        )
    _same(reports)


def test_two_reports_and_fewer():
    one = [rules.Report(1, 1, 1, T0, lexical_of("kettle leaks"))]
    assert linkage.pair_matrix(one).shape == (1, 1)
    assert linkage.pair_matrix([]).shape == (0, 0)
    _same(one + [rules.Report(2, 2, 1, T0, lexical_of("kettle leaks again"))])


@pytest.mark.parametrize("seed", range(20))
def test_the_agglomeration_merges_as_the_rebuilt_mean_matrix_did(seed):
    g = np.random.default_rng(seed)
    n = int(g.integers(1, 60))
    labels = g.integers(0, max(1, n // 5), n)
    z = np.where(labels[:, None] == labels[None, :], 2.0, -2.0) + g.normal(0, 1.5, (n, n))
    z = (z + z.T) / 2.0
    np.fill_diagonal(z, 0.0)
    fixed = [int(g.integers(0, 3)) if g.random() < 0.2 else None for _ in range(n)]
    for threshold in (0.1, 0.3, 0.6):
        assert linkage.agglomerate(z, fixed, threshold) == agglomerate_rebuilt(z, fixed, threshold)


def test_the_labelled_sets_agglomerate_as_before(model):
    cs = labelled_read("sealed2")
    reports = detection_quality.reports(cs, detection_quality.vectors_of(cs))
    for sku in products(cs):
        z = linkage.pair_matrix([r for r, c in zip(reports, cs, strict=True) if c.sku == sku])
        none: list[int | None] = [None] * len(z)
        assert linkage.agglomerate(z) == agglomerate_rebuilt(z, none, linkage.REGROUP)
