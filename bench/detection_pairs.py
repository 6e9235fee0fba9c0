"""The re-grouping's pair matrix: one `rules.pair_logits` call per report (before) against
whole matrices (pairs.py), and its agglomeration (the mean matrix rebuilt at each merge,
before, against kept up to date), on 100 and 400 reports of the labelled tuning part read as one
product (real vectors, float32 as stored), CPU and wall time, both back to back in one run.

    PYTHONPATH=$PWD .venv/bin/python -m bench.detection_pairs [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable, Sequence

import numpy as np

from andon.detection import linkage, rules
from bench import detection_quality


def per_report(reports: Sequence[rules.Report]) -> np.ndarray:
    """The pair matrix as linkage.pair_matrix computed it before pairs.py."""
    n = len(reports)
    z = np.zeros((n, n))
    idx = np.arange(n)
    for i in range(n):
        others = np.delete(idx, i)
        z[i, others] = rules.pair_logits(reports[i], [reports[int(j)] for j in others])
    return (z + z.T) / 2.0


def agglomerate_rebuilt(z: np.ndarray, fixed: Sequence[int | None], threshold: float) -> list[int]:
    """linkage.agglomerate as first written: the live groups' mean matrix rebuilt at each
    merge."""
    n = len(z)
    cut = np.log(threshold / (1.0 - threshold))
    sums = np.array(z, dtype=float, copy=True)
    size = np.ones(n)
    alive = np.ones(n, dtype=bool)
    group = np.arange(n)
    keys = np.array([-1 if k is None else int(k) for k in fixed])

    def merge(i: int, j: int) -> None:  # the same step as the product's: what differs is below
        linkage._merge(sums, size, alive, group, i, j)

    first: dict[int, int] = {}
    for i in range(n):
        k = int(keys[i])
        if k >= 0:
            if k in first:
                merge(first[k], i)
            else:
                first[k] = i
    while alive.sum() > 1:
        live = np.flatnonzero(alive)
        mean = sums[np.ix_(live, live)] / np.outer(size[live], size[live])
        np.fill_diagonal(mean, -np.inf)
        k_live = keys[live]
        both = (k_live[:, None] >= 0) & (k_live[None, :] >= 0)
        mean[both & (k_live[:, None] != k_live[None, :])] = -np.inf
        a, b = divmod(int(np.argmax(mean)), len(live))
        if mean[a, b] < cut:
            break
        i, j = int(live[a]), int(live[b])
        merge(i, j)
        if keys[i] < 0:
            keys[i] = keys[j]
    return [int(g) for g in group]


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median CPU and wall seconds of `repeat` runs."""
    cpu, wall = [], []
    for _ in range(repeat):
        c, w = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    return float(np.median(cpu)), float(np.median(wall))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    cs = detection_quality.tuning_read()
    reports = detection_quality.reports(cs, detection_quality.vectors_of(cs))
    print(f"load average {os.getloadavg()[0]:.1f}; median of {args.repeat} runs")
    for n in (100, 400):
        part = reports[:n]
        before = timed(lambda part=part: per_report(part), args.repeat)
        after = timed(lambda part=part: linkage.pair_matrix(part), args.repeat)
        z = linkage.pair_matrix(part)
        none: list[int | None] = [None] * n
        merged_before = timed(
            lambda z=z, none=none: agglomerate_rebuilt(z, none, linkage.REGROUP), args.repeat
        )
        merged_after = timed(lambda z=z: linkage.agglomerate(z), args.repeat)
        print(
            f"n={n}: agglomerate, mean matrix rebuilt {merged_before[0] * 1e3:.1f} ms CPU "
            f"({merged_before[1] * 1e3:.1f} wall), kept up to date {merged_after[0] * 1e3:.1f} ms "
            f"CPU ({merged_after[1] * 1e3:.1f} wall)"
        )
        diff = float(np.abs(per_report(part) - linkage.pair_matrix(part)).max())
        print(
            f"n={n}: per report {before[0] * 1e3:.1f} ms CPU ({before[1] * 1e3:.1f} wall), "
            f"matrices {after[0] * 1e3:.1f} ms CPU ({after[1] * 1e3:.1f} wall), "
            f"x{before[0] / max(after[0], 1e-9):.0f}; max |difference| {diff:.1e} (float32)"
        )


if __name__ == "__main__":
    main()
