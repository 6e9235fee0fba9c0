"""System errors: contacts or pulls on many unrelated products in minutes, import bursts."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .common import (
    BURST_CONTACTS,
    BURST_PRODUCTS,
    BURST_PULLS,
    Finding,
    Kind,
    Reason,
    SubjectType,
    score_of,
)


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
