"""Rates as people read them: the one rounding and formatting of a rate (a fraction such as the
bad-andon rate) for the console, the Monday review, the exports and the charts. Pure.

- A rate is shown as a percentage rounded half up, never truncated: 2/26 is 7.7 %, not 7.6 %.
- One decimal place by default. Beside a target, as many more places as it takes for the
  shown value to compare with the target as the value itself does: 0.0204 against 0.02 reads
  "2.04 %" (above), never "2.0 % above target 2.0 %"; a rate equal to the target reads equal.
- A target (or any configured threshold) is shown exactly as configured, with at least one
  place: 0.02 is "2.0 %", 0.0125 is "1.25 %".
- No rate (nothing to divide) is "—", never 0 %, which would read as perfect.

The API keeps the values themselves; it may add this text as a display field.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format

PLACES = 1
MAX_PLACES = 4
NO_RATE = "—"
HUNDRED = Decimal(100)


def _percent(rate: Decimal, places: int) -> Decimal:
    return (Decimal(rate) * HUNDRED).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def _sign(d: Decimal) -> int:
    return (d > 0) - (d < 0)


def _places_of(d: Decimal) -> int:
    exponent = d.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def exact_places(value: Decimal) -> int:
    """The places a configured value needs as a percentage to be shown as it is (at least one,
    at most MAX_PLACES): 0.02 -> 1 ("2.0"), 0.0125 -> 2 ("1.25")."""
    places = _places_of((Decimal(value) * HUNDRED).normalize())
    return min(max(PLACES, places), MAX_PLACES)


def places_for(rate: Decimal, *, against: Decimal | None = None) -> int:
    """The fewest places (from one) at which `rate`, rounded, compares with `against` (shown as
    it is) the way `rate` itself does."""
    if against is None:
        return PLACES
    target = Decimal(against) * HUNDRED
    truth = _sign(Decimal(rate) * HUNDRED - target)
    for places in range(PLACES, MAX_PLACES + 1):
        if _sign(_percent(rate, places) - target) == truth:
            return places
    return MAX_PLACES


def rate_percent(rate: Decimal | None, *, against: Decimal | None = None) -> Decimal | None:
    """The percentage as shown (a number: 7.7 for 2/26), for charts and exports."""
    if rate is None:
        return None
    return _percent(rate, places_for(rate, against=against))


def target_percent(target: Decimal) -> Decimal:
    """A configured target as a percentage, exactly."""
    return _percent(target, exact_places(target))


def rate_text(rate: Decimal | None, *, against: Decimal | None = None) -> str:
    """The percentage as text in the reader's number format: "7.7%", or "—" without a rate."""
    shown = rate_percent(rate, against=against)
    if shown is None:
        return NO_RATE
    return _text(shown)


def target_text(target: Decimal) -> str:
    return _text(target_percent(target))


def _text(shown: Decimal) -> str:
    # Already rounded to its places: number_format (which truncates) only localises it.
    return f"{number_format(shown, _places_of(shown))}%"
