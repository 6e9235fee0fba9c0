"""Integrity: pure decisions. Each rule takes numbers the selectors computed in SQL and returns
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
        total += math.exp(
            math.lgamma(n + 1)
            - math.lgamma(i + 1)
            - math.lgamma(n - i + 1)
            + i * math.log(p)
            + (n - i) * math.log1p(-p)
        )
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


# --- customer fraud ---------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerStats:
    customer: str
    orders: int  # delivered orders
    claims: int  # delivered orders the customer contacted us about
    products: int  # distinct products claimed about
    value: float  # recovery value received (CNY)
    rate: float  # shrunk claims per delivered order


@dataclass(frozen=True)
class Population:
    """Centre and spread of one metric over the customers with a delivered order."""

    count: int
    median: float
    mad: float
    floor: float


def fraud_chance(s: CustomerStats, prior_rate: float) -> float:
    """How likely this many claimed orders are by chance for a customer with this many
    delivered orders, at the population's claim rate (Poisson)."""
    return poisson_tail(s.claims, s.orders * prior_rate)


def fraud_candidate(s: CustomerStats, rate: Population) -> bool:
    return (
        s.claims >= FRAUD_MIN_CLAIMS
        and s.products >= FRAUD_MIN_PRODUCTS
        and robust_z(s.rate, rate.median, rate.mad, rate.floor) >= Z_OUTLIER
    )


def customer_fraud(
    s: CustomerStats, rate: Population, value: Population, prior_rate: float, cut: float
) -> Finding | None:
    """Far above the population on both yardsticks: a robust z-score of the claim rate of at
    least 3.5, and more claimed orders than chance explains (Poisson at the population's
    rate, with the false-discovery rate over all customers held at 5 %: `cut` from
    fdr_cut). A heavy buyer's few real problems pass neither; a new customer's one bad
    parcel fails the minimum count."""
    if not fraud_candidate(s, rate):
        return None
    z = robust_z(s.rate, rate.median, rate.mad, rate.floor)
    chance = fraud_chance(s, prior_rate)
    if chance > cut or cut <= 0:
        return None
    value_per_order = s.value / max(s.orders, 1)
    zv = robust_z(value_per_order, value.median, value.mad, value.floor)
    reasons = [
        Reason(
            "fraud.claims",
            {
                "claims": s.claims,
                "orders": s.orders,
                "products": s.products,
                "population": round(prior_rate * 100, 1),
            },
        ),
        Reason("fraud.z", {"z": round(z, 1), "customers": rate.count}),
        Reason("fraud.chance", {"odds": _odds(chance)}),
    ]
    strength = math.log(max(chance, 1e-300)) / math.log(max(cut, 1e-300))
    if s.value > 0 and zv >= Z_OUTLIER:
        reasons.append(
            Reason(
                "fraud.value",
                {
                    "value": round(s.value, 2),
                    "per_order": round(value_per_order, 2),
                    "median": round(value.median, 2),
                },
            )
        )
        strength += 0.5
    return Finding(
        Kind.CUSTOMER_FRAUD,
        SubjectType.CUSTOMER,
        s.customer,
        score_of(strength),
        reasons,
        {
            "delivered_orders": s.orders,
            "claims": s.claims,
            "products": s.products,
            "recovery_value": round(s.value, 2),
            "claims_per_order": round(s.claims / max(s.orders, 1), 3),
            "z": round(z, 2),
            "chance": chance,
        },
    )


def _odds(p: float) -> str:
    """ "1 in 2.3 million" style, as a plain number of tries: 1 in N."""
    n = 1 / max(p, 1e-300)
    if n >= 1e12:
        return f"{n:.1e}"
    return f"{round(n):,}"


# --- account clusters -------------------------------------------------------------------


@dataclass(frozen=True)
class ClusterReport:
    """Accounts that share something (phone, address or device) and reported one product
    within the window."""

    product: str
    customers: tuple[str, ...]
    shared: tuple[str, ...]  # which attributes: "phone", "address", "device"
    new_accounts: int  # registered < CLUSTER_NEW_ACCOUNT hours before their report
    reporters: int  # every distinct reporter of the product in the window
    hours: float  # from the first to the last report of the cluster
    contacts: tuple[int, ...]


def account_cluster(c: ClusterReport) -> Finding | None:
    """A household sharing an address complains too: it takes new accounts, not only a shared
    address, to look like an organised campaign."""
    n = len(c.customers)
    if n < CLUSTER_MIN_ACCOUNTS or c.new_accounts < CLUSTER_MIN_ACCOUNTS:
        return None
    share = c.new_accounts / n
    reasons = [
        Reason(
            "cluster.shared",
            {
                "accounts": n,
                "shared": list(c.shared),
                "product": c.product,
                "hours": max(1, round(c.hours)),
            },
        ),
        Reason(
            "cluster.new",
            {"new": c.new_accounts, "accounts": n, "days": CLUSTER_NEW_ACCOUNT // 24},
        ),
    ]
    if c.reporters:
        reasons.append(Reason("cluster.reporters", {"accounts": n, "reporters": c.reporters}))
    strength = share * (n / CLUSTER_MIN_ACCOUNTS) * (1 + 0.25 * (len(c.shared) - 1))
    return Finding(
        Kind.ACCOUNT_CLUSTER,
        SubjectType.ACCOUNT_CLUSTER,
        ",".join(c.customers),
        score_of(strength),
        reasons,
        {
            "product": c.product,
            "customers": list(c.customers),
            "shared": list(c.shared),
            "new_accounts": c.new_accounts,
            "reporters_of_product": c.reporters,
            "hours": round(c.hours, 1),
            "contacts": list(c.contacts),
        },
    )


@dataclass(frozen=True)
class AndonEvidence:
    andon_id: int
    product: str
    reporters: int
    new_reporters: int
    sharing: int  # reporters that share a phone, address or device with another reporter
    shared: tuple[str, ...]


def andon_evidence(e: AndonEvidence) -> Finding | None:
    """The pull review's view of one andon: how many of its reporters are new accounts that
    share an address, phone or device ("2 of 3 reporters registered < 48 h ago ...")."""
    suspicious = min(e.new_reporters, e.sharing)
    if suspicious < CLUSTER_MIN_ACCOUNTS:
        return None
    share = suspicious / max(e.reporters, 1)
    return Finding(
        Kind.ACCOUNT_CLUSTER,
        SubjectType.ANDON,
        str(e.andon_id),
        score_of(2 * share),
        [
            Reason(
                "andon.cluster",
                {
                    "suspicious": suspicious,
                    "reporters": e.reporters,
                    "days": CLUSTER_NEW_ACCOUNT // 24,
                    "shared": list(e.shared),
                },
            )
        ],
        {
            "product": e.product,
            "reporters": e.reporters,
            "new_reporters": e.new_reporters,
            "sharing_reporters": e.sharing,
            "shared": list(e.shared),
        },
    )


# --- staff misuse -----------------------------------------------------------------------


@dataclass(frozen=True)
class AgentStats:
    agent: str
    reviewed: int = 0
    invalid: int = 0
    baseline_invalid_rate: float = 0.0  # the rest of the team (everyone, if no team)
    andons: int = 0  # andons the agent opened that have evidence
    top_customers: tuple[tuple[str, int], ...] = ()  # (customer, andons) most frequent first
    evidence_links: int = 0
    top_links: int = 0  # evidence links of the top MISUSE_FEW_CUSTOMERS customers
    contacts: int = 0
    repeats: int = 0  # contacts beyond the first per (customer, product, reason)
    baseline_repeat_rate: float = 0.0
    bonus_share: float = 0.0  # share of the team's bonus this quarter
    team_size: int = 0
    tested: int = 1  # agents tested, for the chance cut


def staff_misuse(s: AgentStats) -> Finding | None:
    reasons: list[Reason] = []
    strength = 0.0
    evidence: dict[str, Any] = {}
    if s.reviewed >= MISUSE_MIN_REVIEWED:
        base = max(s.baseline_invalid_rate, BASELINE_RATE_FLOOR)
        p = binomial_tail(s.invalid, s.reviewed, base)
        if p < chance_cut(s.tested):
            reasons.append(
                Reason(
                    "misuse.invalid",
                    {
                        "invalid": s.invalid,
                        "reviewed": s.reviewed,
                        "rate": round(100 * s.invalid / s.reviewed),
                        "team": round(100 * s.baseline_invalid_rate, 1),
                    },
                )
            )
            strength = max(strength, math.log(max(p, 1e-300)) / math.log(chance_cut(s.tested)))
            evidence |= {"reviewed": s.reviewed, "invalid": s.invalid}
    if (
        s.andons >= MISUSE_MIN_ANDONS
        and s.evidence_links
        and s.top_links / s.evidence_links >= MISUSE_FEW_SHARE
        and s.top_customers
        and s.top_customers[0][1] >= MISUSE_MIN_ANDONS
    ):
        few = [c for c, _n in s.top_customers[:MISUSE_FEW_CUSTOMERS]]
        reasons.append(
            Reason(
                "misuse.few_customers",
                {
                    "share": round(100 * s.top_links / s.evidence_links),
                    "customers": ", ".join(few),
                    "andons": s.andons,
                },
            )
        )
        strength = max(strength, (s.top_links / s.evidence_links) / MISUSE_FEW_SHARE)
        evidence |= {"andons": s.andons, "customers": few}
    if s.repeats >= MISUSE_MIN_REPEATS and s.contacts:
        base = max(s.baseline_repeat_rate, BASELINE_RATE_FLOOR)
        p = binomial_tail(s.repeats, s.contacts, base)
        if p < chance_cut(s.tested):
            reasons.append(
                Reason(
                    "misuse.repeats",
                    {
                        "repeats": s.repeats,
                        "contacts": s.contacts,
                        "rate": round(100 * s.repeats / s.contacts),
                        "others": round(100 * s.baseline_repeat_rate, 1),
                    },
                )
            )
            strength = max(strength, math.log(max(p, 1e-300)) / math.log(chance_cut(s.tested)))
            evidence |= {"contacts": s.contacts, "repeats": s.repeats}
    if not reasons:
        return None
    # Concentration alone is what a top agent looks like: it only adds to another reason.
    if s.team_size > 1 and s.bonus_share >= 2.0 / s.team_size:
        reasons.append(
            Reason(
                "misuse.bonus",
                {"share": round(100 * s.bonus_share), "fair": round(100 / s.team_size)},
            )
        )
        evidence["bonus_share"] = round(s.bonus_share, 3)
    return Finding(
        Kind.STAFF_MISUSE, SubjectType.AGENT, s.agent, score_of(strength), reasons, evidence
    )


# --- system errors ----------------------------------------------------------------------


@dataclass(frozen=True)
class Burst:
    agent: str
    what: str  # "contacts" or "pulls"
    count: int
    products: int
    minutes: float
    imported: int  # contacts in the burst that came by import
    start: str  # ISO time


def bursts_are_unusual(bursting: int, busy: int) -> bool:
    """A burst says "machine" only where people do not burst: when at least half of the
    accounts with that many records burst, the data has no human pacing (a bulk-loaded
    history, a test fixture) and bursts are no evidence against anyone."""
    return bursting == 0 or bursting * 2 < busy


def system_error(b: Burst) -> Finding | None:
    need = BURST_CONTACTS if b.what == "contacts" else BURST_PULLS
    # Pulls are rarer than contacts: four pulls on four different products in minutes is
    # already more than a person does; contacts need five products among ten.
    products_needed = BURST_PRODUCTS if b.what == "contacts" else BURST_PULLS
    if b.count < need:
        return None
    # Many unrelated products, whether recorded or imported: a busy agent (or a sync) on a
    # bad-batch day has many records of one product, which is the line's voice, not an error.
    imported_burst = b.imported >= need
    if b.products < products_needed:
        return None
    code = "system.import" if imported_burst else f"system.{b.what}"
    return Finding(
        Kind.SYSTEM_ERROR,
        SubjectType.AGENT,
        b.agent,
        score_of(min(b.count / need, b.products / products_needed)),
        [
            Reason(
                code,
                {
                    "count": b.count,
                    "products": b.products,
                    "minutes": max(1, math.ceil(b.minutes)),
                },
            )
        ],
        {
            "what": b.what,
            "count": b.count,
            "products": b.products,
            "minutes": round(b.minutes, 1),
            "imported": b.imported,
            "start": b.start,
        },
    )


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
