"""Staff misuse: invalid pulls against the team, evidence from the same few customers,
repeated contacts, with bonus concentration as a supporting reason only."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .common import (
    BASELINE_RATE_FLOOR,
    MISUSE_FEW_CUSTOMERS,
    MISUSE_FEW_SHARE,
    MISUSE_MIN_ANDONS,
    MISUSE_MIN_REPEATS,
    MISUSE_MIN_REVIEWED,
    Finding,
    Kind,
    Reason,
    SubjectType,
    binomial_tail,
    chance_cut,
    score_of,
)


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
