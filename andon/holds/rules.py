"""How findings turn into the fate of held goods. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Disposition(StrEnum):
    RELEASE = "release"
    FIX = "fix"
    RETURN_TO_VENDOR = "return-to-vendor"
    SCRAP = "scrap"


# When two departments say different things about the same held unit, the more cautious
# finding wins: a unit one department wants scrapped is never sold because another released it.
SEVERITY = {
    Disposition.RELEASE: 0,
    Disposition.FIX: 1,
    Disposition.RETURN_TO_VENDOR: 2,
    Disposition.SCRAP: 3,
}

# Dispositions after which the unit is gone from our stock.
REMOVES_UNITS = frozenset({Disposition.RETURN_TO_VENDOR, Disposition.SCRAP})


def most_cautious(dispositions: Iterable[Disposition]) -> Disposition:
    return max(dispositions, key=SEVERITY.__getitem__, default=Disposition.RELEASE)


def final_state(disposition: Disposition) -> str:
    """The hold's state once the disposition is carried out."""
    return {
        Disposition.RELEASE: "released",
        Disposition.FIX: "fixed",
        Disposition.RETURN_TO_VENDOR: "returned_to_vendor",
        Disposition.SCRAP: "scrapped",
    }[disposition]
