"""How findings turn into the fate of held goods. Pure.

- There is no default disposition: a department that resolves a work order while goods are
  held says what happens to them (one disposition for all, and per hold where different).
- When departments say different things about the same held unit, the more cautious finding
  wins: a unit one department wants scrapped is never sold because another released it.
- A department that resolved while nothing was held said nothing about goods: it neither
  releases nor keeps anything. A held unit nobody said anything about has no plan (None),
  never an implicit "release".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Disposition(StrEnum):
    RELEASE = "release"
    FIX = "fix"
    RETURN_TO_VENDOR = "return-to-vendor"
    SCRAP = "scrap"


SEVERITY = {
    Disposition.RELEASE: 0,
    Disposition.FIX: 1,
    Disposition.RETURN_TO_VENDOR: 2,
    Disposition.SCRAP: 3,
}

# Dispositions after which the unit is gone from our stock.
REMOVES_UNITS = frozenset({Disposition.RETURN_TO_VENDOR, Disposition.SCRAP})


def most_cautious(dispositions: Iterable[Disposition | None]) -> Disposition | None:
    """The most cautious of what was said; None when nothing was."""
    said = [d for d in dispositions if d is not None]
    return max(said, key=SEVERITY.__getitem__) if said else None


@dataclass(frozen=True)
class Finding:
    """What one department's resolution says about an andon's held goods: a disposition for
    all of them (None: it said nothing, or has not resolved yet) and per-hold exceptions."""

    default: Disposition | None
    overrides: Mapping[int, Disposition] = field(default_factory=dict)

    def for_hold(self, hold_id: int) -> Disposition | None:
        return self.overrides.get(hold_id, self.default)


def planned(hold_id: int, findings: Iterable[Finding]) -> Disposition | None:
    """What happens to one held unit: the most cautious of what the departments said."""
    return most_cautious(f.for_hold(hold_id) for f in findings)


def planned_default(findings: Iterable[Finding]) -> Disposition | None:
    """What happens to the held units no department named one by one."""
    return most_cautious(f.default for f in findings)


def overridden(findings: Iterable[Finding]) -> set[int]:
    return {h for f in findings for h in f.overrides}


def final_state(disposition: Disposition) -> str:
    """The hold's state once the disposition is carried out."""
    return {
        Disposition.RELEASE: "released",
        Disposition.FIX: "fixed",
        Disposition.RETURN_TO_VENDOR: "returned_to_vendor",
        Disposition.SCRAP: "scrapped",
    }[disposition]


# Held goods are frozen. While an andon holds stock or a packed order line, nothing but the
# andon's own relist may change what is held: a storefront sync, an import, the admin and
# every service are refused. Writing the same values again is not a change (a sync that
# repeats what it sent is idempotent), and what is not held is free to change.


@dataclass(frozen=True)
class LineFacts:
    """What a hold on an order line keeps: the line's status, units, product and batch."""

    status: str
    quantity: int
    product_id: int
    batch_id: int | None


@dataclass(frozen=True)
class StockFacts:
    """What a hold on stock keeps: the units of one batch in one warehouse."""

    quantity: int
    warehouse_id: int
    batch_id: int


def stock_write_refused(*, held: bool, current: StockFacts, new: StockFacts) -> bool:
    """A held stock row keeps its quantity (and place) until released or disposed of."""
    return held and current != new


def line_write_refused(*, held: bool, current: LineFacts, new: LineFacts) -> bool:
    """A held order line keeps its status, quantity, product and batch until released."""
    return held and current != new
