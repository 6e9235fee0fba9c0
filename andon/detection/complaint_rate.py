"""The complaint-rate rule (SPEC capability 6): is a product's rate of distinct complaining
customers per unit delivered significantly above the rest of the catalogue's? A one-sided
Poisson test with a Bonferroni correction over the products tested, and a minimum count and
ratio, so that neither noise on a small product nor a fixed percentage raises an alert.
alerts.py reads the counts and writes the alerts; this decides."""

from __future__ import annotations

import math
from dataclasses import dataclass

MIN_COMPLAINERS = 3
MIN_RATIO = 1.5
ALPHA = 0.01


def poisson_upper_tail(k: int, mu: float) -> float:
    """P(X >= k) for X ~ Poisson(mu), summed in the tail itself so that tiny p-values keep
    their precision."""
    if k <= 0:
        return 1.0
    if mu <= 0:
        return 0.0
    if k <= mu:
        below = sum(math.exp(i * math.log(mu) - mu - math.lgamma(i + 1)) for i in range(k))
        return max(0.0, min(1.0, 1.0 - below))
    total, i = 0.0, k
    term = math.exp(k * math.log(mu) - mu - math.lgamma(k + 1))
    while term > 1e-300 and (total == 0.0 or term > total * 1e-15):
        total += term
        i += 1
        term *= mu / i
    return min(1.0, total)


@dataclass(frozen=True)
class RateTest:
    complainers: int
    units: int
    rate: float
    baseline: float
    expected: float
    p_value: float
    alert: bool


def complaint_rate_test(
    *, complainers: int, units: int, others_complainers: int, others_units: int, tested: int
) -> RateTest:
    """Is this product's complaint rate significantly above the rest of the catalogue's?"""
    if units <= 0 or others_units <= 0:
        return RateTest(complainers, units, 0.0, 0.0, 0.0, 1.0, False)
    # Half a complaint when the others had none: a baseline of zero would make any one
    # complaint infinitely significant.
    baseline = max(others_complainers, 0.5) / others_units
    expected = baseline * units
    p = poisson_upper_tail(complainers, expected)
    rate = complainers / units
    alert = (
        complainers >= MIN_COMPLAINERS
        and rate >= MIN_RATIO * baseline
        and p < ALPHA / max(tested, 1)
    )
    return RateTest(complainers, units, rate, baseline, expected, p, alert)
