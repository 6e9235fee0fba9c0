"""Re-grouping a product's recent reports all at once, whatever order they arrived in. Pure:
no database, no clock, no model.

Online assignment decides each report once, against the problems that exist when it
arrives: a problem's first two or three reports decide alone, and the same reports grouped
in another order give another grouping (bench/RESULTS-detection.md: the tuning part's
pairwise F1 falls from 0.85 in file order to 0.76 with the reports interleaved). Here every
pair of the product's recent reports is weighed with the online decision's own evidence
(`rules.pair_logits`, the same fitted weights), and groups are merged bottom-up by average
linkage (the mean pair log-odds between two groups, as online assignment reads a problem)
for as long as the best pair of groups clears REGROUP. Corrections by people are constraints:
contacts a person put in one problem start as one group, and two groups holding contacts a
person put in different problems never merge.

Quadratic in the reports: meant for a product's window (at most rules.CANDIDATE_REPORTS
reports), off the intake's path (regroup.py).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from . import pairs, rules

# The probability above which two groups merge, chosen on the tuning part with each product
# left out of the fit (`python -m bench.detection_quality tune`, "regroup"): offline the
# evidence of every pair is read, so the line sits higher than online's rules.SAME_PROBLEM.
REGROUP = 0.3


def pair_matrix(reports: Sequence[rules.Report]) -> np.ndarray:
    """Symmetric log-odds that reports i and j are one problem (0 on the diagonal). The
    evidence of a pair is read from each side (the relative and centred terms depend on
    which report is asked about) and averaged. Whole matrices (pairs.py): the same numbers
    as `rules.pair_logits` asked about each report against the others, to rounding."""
    n = len(reports)
    if n < 2:
        return np.zeros((n, n))
    z = pairs.logit_matrix(reports)
    z = (z + z.T) / 2.0
    np.fill_diagonal(z, 0.0)
    return z


def clusters(
    reports: Sequence[rules.Report],
    fixed: Sequence[int | None] | None = None,
    threshold: float | None = None,
) -> list[int]:
    """A group number for each report (the index of one of its members). `fixed`: the
    problem a person put each report in, or None."""
    n = len(reports)
    if n == 0:
        return []
    return agglomerate(pair_matrix(reports), fixed, threshold)


def agglomerate(
    z: np.ndarray, fixed: Sequence[int | None] | None = None, threshold: float | None = None
) -> list[int]:
    """Average-linkage agglomeration of a symmetric log-odds matrix with must-link (the same
    fixed key) and cannot-link (different fixed keys) constraints; the threshold REGROUP
    unless given."""
    n = len(z)
    if n == 0:
        return []
    p = REGROUP if threshold is None else threshold
    cut = math.log(p / (1.0 - p))
    sums = np.array(z, dtype=float, copy=True)
    size = np.ones(n)
    alive = np.ones(n, dtype=bool)
    group = np.arange(n)
    keys = np.array([-1 if k is None else int(k) for k in (fixed or [None] * n)])
    # Must-link: reports a person put in one problem start as one group.
    first: dict[int, int] = {}
    for i in range(n):
        k = int(keys[i])
        if k < 0:
            continue
        if k in first:
            _merge(sums, size, alive, group, first[k], i)
        else:
            first[k] = i
    # The mean log-odds between live groups, -inf where two may not merge (itself, a dead
    # group, a cannot-link): kept up to date row by row instead of rebuilt at each merge
    # (a window of 400 reports merges a few hundred times).
    mean = sums / np.outer(size, size)
    mean[~alive, :] = -np.inf
    mean[:, ~alive] = -np.inf
    np.fill_diagonal(mean, -np.inf)
    mean[(keys[:, None] >= 0) & (keys[None, :] >= 0) & (keys[:, None] != keys[None, :])] = -np.inf
    while True:
        # The first best pair in row-major order, i < j (the matrix is symmetric).
        i, j = divmod(int(np.argmax(mean)), n)
        if not mean[i, j] >= cut:
            break
        _merge(sums, size, alive, group, i, j)
        if keys[i] < 0:
            keys[i] = keys[j]
        row = sums[i] / (size[i] * size)
        row[~alive] = -np.inf
        row[i] = -np.inf
        if keys[i] >= 0:
            row[(keys >= 0) & (keys != keys[i])] = -np.inf
        mean[i, :] = row
        mean[:, i] = row
        mean[j, :] = -np.inf
        mean[:, j] = -np.inf
    return [int(g) for g in group]


def _merge(
    sums: np.ndarray, size: np.ndarray, alive: np.ndarray, group: np.ndarray, i: int, j: int
) -> None:
    """Group j joins group i: the sums of log-odds add up (average linkage's update)."""
    sums[i, :] += sums[j, :]
    sums[:, i] += sums[:, j]
    sums[i, i] = 0.0
    size[i] += size[j]
    alive[j] = False
    group[group == j] = i
