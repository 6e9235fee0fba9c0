"""Shapes shared by several routes."""

from __future__ import annotations

from pydantic import BaseModel

from andon.pulls.rules import Eligibility


class EligibilityOut(BaseModel):
    eligible: bool
    distinct_customers: int
    threshold: int
    window_days: int
    missing: int
    explanation: str


def eligibility_out(decision: Eligibility, reason_label: str) -> EligibilityOut:
    return EligibilityOut(
        eligible=decision.eligible,
        distinct_customers=decision.distinct_customers,
        threshold=decision.threshold,
        window_days=decision.window_days,
        missing=decision.missing,
        explanation=decision.explanation(reason_label),
    )
