"""The offline re-grouping (linkage.py, regroup.py): the same grouping whatever the arrival
order, corrections kept together and apart, and on SQLite and PostgreSQL a split that arrival
order made settled again, with the problems' ids kept and emptied problems removed."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.core.management import call_command

from andon.detection import linkage, rules
from andon.detection.models import Assignment, Problem
from andon.detection.text import lexical_of

from ..world import SKU
from .test_problems import MISSING, UNCUT, groups, problem_of

T0 = dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC)


def _partition(reports: list[rules.Report], labels: list[int]) -> set[frozenset[int]]:
    by: dict[int, set[int]] = {}
    for r, g in zip(reports, labels, strict=True):
        by.setdefault(g, set()).add(r.contact_id)
    return {frozenset(s) for s in by.values()}


def test_the_regrouping_is_the_same_whatever_the_order_the_reports_came_in():
    g = np.random.default_rng(11)
    basis = g.standard_normal((4, 32))
    reports = []
    for i in range(24):
        v = basis[i % 4] + 0.45 * g.standard_normal(32)
        # Texts with no words in common: the vectors alone tell the defects apart.
        reports.append(
            rules.Report(
                i + 1,
                i + 1,
                1,
                T0 + dt.timedelta(hours=i),
                lexical_of(f"#{i}"),
                v / np.linalg.norm(v),
            )
        )
    first = _partition(reports, linkage.clusters(reports))
    for seed in range(3):
        order = [int(i) for i in np.random.default_rng(seed).permutation(len(reports))]
        shuffled = [reports[i] for i in order]
        assert _partition(shuffled, linkage.clusters(shuffled)) == first
    assert {frozenset(r.contact_id for r in reports[k::4]) for k in range(4)} == first


def test_corrections_stay_together_and_apart():
    z = np.array(
        [
            [0.0, 5.0, -5.0, -5.0],
            [5.0, 0.0, -5.0, -5.0],
            [-5.0, -5.0, 0.0, 5.0],
            [-5.0, -5.0, 5.0, 0.0],
        ]
    )
    assert sorted(map(sorted, _groups(linkage.agglomerate(z)))) == [[0, 1], [2, 3]]
    # A person put 0 and 2 in one problem, and 1 in another: 0 and 1 may not meet again.
    fixed = [7, 8, 7, None]
    labels = linkage.agglomerate(z, fixed)
    assert labels[0] == labels[2] != labels[1]
    # 3 resembles 2 (+5) and not 0 (-5): the mean is 0, above the line (REGROUP 0.3: -0.85).
    assert labels[3] == labels[2]


def _groups(labels: list[int]) -> list[set[int]]:
    by: dict[int, set[int]] = {}
    for i, g in enumerate(labels):
        by.setdefault(g, set()).add(i)
    return list(by.values())


@pytest.mark.django_db
def test_a_regroup_settles_what_arrival_order_split_and_keeps_corrections(
    api, catalogue, model, capsys
):
    product = catalogue.product(SKU)
    uncut = [catalogue.report(product, t, reason=r) for t, r in UNCUT]
    missing = [catalogue.report(product, t, reason=r) for t, r in MISSING]
    assert groups(uncut + missing) == [{c.pk for c in uncut}, {c.pk for c in missing}]
    uncut_id, missing_id = problem_of(uncut[0]), problem_of(missing[0])
    # As if arrival order had opened a problem of its own for the second uncut report.
    alone = Problem.objects.create(product=product, created_at=uncut[1].created_at, label_en="x")
    Assignment.objects.filter(contact_id=uncut[1].pk).update(problem=alone)
    # And a team lead decided the third uncut report belongs with the missing pages.
    r = api.call(
        "POST", f"/problem-clusters/{missing_id}/move", "lead1", {"contacts": [uncut[2].pk]}
    )
    assert r.status_code == 200, r.content

    call_command("detection", "regroup", "--product", SKU, "--no-progress")

    out = capsys.readouterr().out
    assert "1 moved" in out
    assert groups(uncut + missing) == [
        {uncut[0].pk, uncut[1].pk},
        {uncut[2].pk} | {c.pk for c in missing},
    ]
    assert problem_of(uncut[0]) == uncut_id and problem_of(missing[0]) == missing_id
    assert not Problem.objects.filter(pk=alone.pk).exists()  # emptied, cited by no andon
    a = Assignment.objects.get(contact_id=uncut[1].pk)
    assert a.matched_contact_id == uncut[0].pk and a.method == "embedding"
    assert a.score >= linkage.REGROUP  # the mean evidence that merged it
    assert Assignment.objects.get(contact_id=uncut[2].pk).pinned


@pytest.mark.django_db
def test_a_rebuild_can_regroup_after_it(catalogue, model, capsys):
    product = catalogue.product(SKU)
    contacts = [catalogue.report(product, t, reason=r) for t, r in UNCUT + MISSING]
    before = groups(contacts)

    call_command("detection", "rebuild", "--product", SKU, "--regroup", "--no-progress")

    out = capsys.readouterr().out
    assert "5 contacts of 1 products" in out and "5 recent contacts of 1 products" in out
    assert groups(contacts) == before  # the two defects were apart already: nothing moves
