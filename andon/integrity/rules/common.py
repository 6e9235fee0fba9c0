"""Integrity rules shared by every signal (the domain rules are in fraud, clusters, staff
and system). Each rule takes numbers the selectors computed in SQL and returns
a Finding (score, reasons with their numbers, evidence) or None. Nothing here blocks anything:
a finding is something for a team lead or an admin to look at, after the fact.

Thresholds are principled rather than fitted to one data set:
- "far above the population" is a modified z-score (Iglewicz & Hoaglin) of at least 3.5,
  with the median and the median absolute deviation (MAD) as centre and spread, so that the
  few actors being looked for cannot move the yardstick they are measured with;
- "more than chance" for counts (claims, invalid pulls, repeated contacts) is a one-sided
  Poisson or binomial tail against the rate of everyone else, below 1 % for the whole
  population tested (Bonferroni);
- every rule has a minimum count, so that one unlucky week is never a signal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext


class Kind(StrEnum):
    CUSTOMER_FRAUD = "customer-fraud"
    ACCOUNT_CLUSTER = "account-cluster"
    STAFF_MISUSE = "staff-misuse"
    SYSTEM_ERROR = "system-error"


class SubjectType(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    ACCOUNT_CLUSTER = "account-cluster"
    ANDON = "andon"
    PRODUCT = "product"


class Status(StrEnum):
    OPEN = "open"
    DISMISSED = "dismissed"
    CONFIRMED = "confirmed"


WORTH_A_LOOK = 0.5  # API contract: a score at or above this means "worth a look"

# Modified z-score cut-off (Iglewicz & Hoaglin): beyond it a value is an outlier.
Z_OUTLIER = 3.5
MAD_TO_SIGMA = 1.4826
# Chance a count must be below to be "more than chance", for the whole population tested:
# each subject's tail probability is compared with P_FAMILY / (subjects tested) (Bonferroni),
# so that a population of 100,000 customers does not produce its expected handful of unlucky
# ones.
P_FAMILY = 0.01

# Customer fraud
FRAUD_MIN_CLAIMS = 3
FRAUD_MIN_PRODUCTS = 3
# Empirical-Bayes shrinkage: a customer's claim rate counts as if they also had this many
# orders at the population's rate, so one order with one claim is not "100 %".
FRAUD_PRIOR_ORDERS = 5

# Account clusters
CLUSTER_MIN_ACCOUNTS = 2
CLUSTER_NEW_ACCOUNT = 14 * 24  # hours between registration and the report: "new"
CLUSTER_WINDOW_HOURS = 72  # reports of one product by one cluster within this many hours

# Staff misuse
MISUSE_MIN_REVIEWED = 5
MISUSE_MIN_ANDONS = 3
MISUSE_FEW_CUSTOMERS = 2  # "the same few customers": at most this many
MISUSE_FEW_SHARE = 0.6  # ... supplying at least this share of the evidence
MISUSE_MIN_REPEATS = 4
BASELINE_RATE_FLOOR = 0.01  # a team with no invalid pull yet is not a rate of 0

# System errors
BURST_MINUTES = 10
BURST_CONTACTS = 10  # no person records 10 contacts in 10 minutes
BURST_PULLS = 4
BURST_PRODUCTS = 5  # ... on at least this many different products


@dataclass(frozen=True)
class Reason:
    """A sentence with its numbers, kept as a code and parameters so that each reader gets it
    in their own language."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": self.params}


@dataclass(frozen=True)
class Finding:
    kind: Kind
    subject_type: SubjectType
    subject: str
    score: float
    reasons: list[Reason]
    evidence: dict[str, Any]


def score_of(strength: float) -> float:
    """Map "how many times the threshold" to 0..1: 0.5 exactly at the threshold, rising towards
    1 with the strength, so that scores of different rules read the same way."""
    if strength <= 0:
        return 0.0
    return round(strength / (strength + 1.0), 3)


def robust_z(value: float, median: float, mad: float, floor: float) -> float:
    """Modified z-score; `floor` keeps a spread of zero (most values equal) from turning the
    smallest difference into an outlier."""
    scale = max(MAD_TO_SIGMA * mad, floor)
    return (value - median) / scale


def binomial_tail(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p)."""
    if k <= 0:
        return 1.0
    if p <= 0:
        return 0.0
    if p >= 1:
        return 1.0
    total = 0.0
    for i in range(k, n + 1):
        term = math.exp(
            math.lgamma(n + 1)
            - math.lgamma(i + 1)
            - math.lgamma(n - i + 1)
            + i * math.log(p)
            + (n - i) * math.log1p(-p)
        )
        total += term
        # Past the mode the terms shrink by a ratio r that itself shrinks, so what is left is
        # below term / (1 - r): once that no longer moves the sum, stop (an agent with 16,000
        # contacts costs a few hundred terms, not 16,000).
        ratio = (n - i) / (i + 1) * p / (1 - p)
        if ratio < 1 and term / (1 - ratio) <= total * 1e-17:
            break
    return min(total, 1.0)


def poisson_tail(k: int, lam: float) -> float:
    """P(X >= k) for X ~ Poisson(lam)."""
    if k <= 0:
        return 1.0
    if lam <= 0:
        return 0.0
    term = math.exp(-lam)
    below = term
    for i in range(1, k):
        term *= lam / i
        below += term
    tail = 1.0 - below
    if tail < 1e-12:
        # 1 - below loses every digit here: sum the first terms of the tail directly.
        term = math.exp(k * math.log(lam) - lam - math.lgamma(k + 1))
        tail = 0.0
        for i in range(k, k + 60):
            tail += term
            term *= lam / (i + 1)
    return max(tail, 0.0)


def chance_cut(tested: int) -> float:
    return P_FAMILY / max(tested, 1)


FDR_Q = 0.05  # the share of false discoveries the fraud signal accepts (precision ~0.95)


def fdr_cut(pvalues: list[float], tested: int, q: float = FDR_Q) -> float:
    """Benjamini-Hochberg: the largest p-value that is still a discovery when `tested`
    subjects were tested (those not in `pvalues` count as p = 1), controlling the expected
    share of false discoveries at q. 0 when nothing is."""
    cut = 0.0
    for i, p in enumerate(sorted(pvalues), start=1):
        if p <= i * q / max(tested, 1):
            cut = p
    return cut


def shrunk_rate(claims: int, orders: int, prior_rate: float) -> float:
    return (claims + FRAUD_PRIOR_ORDERS * prior_rate) / (orders + FRAUD_PRIOR_ORDERS)


@dataclass(frozen=True)
class Population:
    """Centre and spread of one metric over the customers with a delivered order."""

    count: int
    median: float
    mad: float
    floor: float


DECISION_REASON_MAX = 500


def decision_problem(current: str, new: str, reason: str) -> tuple[str, str] | None:
    """(field, message) when a status change cannot be recorded; None when it can. A signal
    is dismissed or confirmed with a reason, and either can be reopened (with a reason too)."""
    if new not in {s.value for s in Status}:
        return "status", gettext("Status must be open, dismissed or confirmed.")
    if new == current:
        return "status", gettext("The signal is already %(status)s.") % {"status": new}
    if not reason.strip():
        return "reason", gettext("Say why, in one line.")
    if len(reason) > DECISION_REASON_MAX:
        return "reason", gettext("At most %(n)s characters.") % {"n": DECISION_REASON_MAX}
    return None


def weighted_median(pairs: list[tuple[float, int]]) -> float:
    """The median of values given as (value, how many): a population summarised by a histogram
    (the SQL groups customers by their counts; this never sees one row per customer)."""
    pairs = sorted((v, w) for v, w in pairs if w > 0)
    total = sum(w for _v, w in pairs)
    if total == 0:
        return 0.0
    lo_idx, hi_idx = (total - 1) // 2, total // 2
    seen, lo, hi = 0, None, None
    for v, w in pairs:
        if lo is None and seen + w > lo_idx:
            lo = v
        if seen + w > hi_idx:
            hi = v
            break
        seen += w
    return ((lo or 0.0) + (hi or 0.0)) / 2


def population_of(pairs: list[tuple[float, int]], floor: float) -> Population:
    med = weighted_median(pairs)
    mad = weighted_median([(abs(v - med), w) for v, w in pairs])
    return Population(count=sum(w for _v, w in pairs), median=med, mad=mad, floor=floor)
