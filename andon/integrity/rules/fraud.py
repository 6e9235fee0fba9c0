"""Customer fraud: claims per delivered order far above the population, more than chance."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .common import (
    FRAUD_MIN_CLAIMS,
    FRAUD_MIN_PRODUCTS,
    Z_OUTLIER,
    Finding,
    Kind,
    Population,
    Reason,
    SubjectType,
    poisson_tail,
    robust_z,
    score_of,
)


@dataclass(frozen=True)
class CustomerStats:
    customer: str
    orders: int  # delivered orders
    claims: int  # delivered orders the customer contacted us about
    products: int  # distinct products claimed about
    value: float  # recovery value received (CNY)
    rate: float  # shrunk claims per delivered order


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
