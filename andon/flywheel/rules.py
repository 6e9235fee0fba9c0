"""The flywheel's arithmetic, in words and in code. Pure: no database.

- The wheel has seven elements in three layers (the talk's 用户经营飞轮). Layer 1,
  organisational empowerment: tools (the cord), rules, culture. Layer 2, value realisation:
  strategy and business model, organisation and talent, process re-engineering. Layer 3:
  membership, the accelerator (enrolments, trial conversion, renewal; membership's counting).
- Every figure is a value per period (ISO week or calendar month, in the service's time zone)
  with its trend over the last periods, oldest first, ending with the last complete period:
  the running period is never shown as a drop.
- A share with nothing to divide is None ("—"), never 0 %, which would read as perfect.
- Shares and rates keep four places (as the bad-andon rate does); hours one place; money two.
- The silent-cord alarm: a team's pulls this period against its own trailing baseline,
  conditioned on the contacts it handled. Pulls are Poisson in contacts; given the total
  pulls of this period and the baseline, this period's pulls are binomial with the period's
  share of the contacts (the exact conditional test of two Poisson rates). A small one-sided
  p-value means the cord went silent while complaints held. Fewer contacts lower the
  expectation too, so a drop that follows fewer complaints is not an alarm.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Literal

from andon.reviews.rules import Period, period_label, period_start

__all__ = ["Period", "period_label", "period_start"]

TREND_PERIODS = {Period.WEEK: 12, Period.MONTH: 12}
FOUR = Decimal("0.0001")
ONE = Decimal("0.1")
CENTS = Decimal("0.01")

# A review is on time when given within a week of the pull (the Monday review reads last week).
REVIEW_DUE_DAYS = 7

# The alarm: baseline periods, the significance level, and the fewest pulls the baseline must
# expect this period before a silence can mean anything.
ALARM_BASELINE_PERIODS = 8
ALARM_ALPHA = 0.01
ALARM_MIN_EXPECTED = 4.0


class Layer(StrEnum):
    EMPOWERMENT = "empowerment"
    VALUE = "value"
    MEMBERSHIP = "membership"


class Element(StrEnum):
    TOOLS = "tools"
    RULES = "rules"
    CULTURE = "culture"
    STRATEGY = "strategy"
    TALENT = "talent"
    PROCESS = "process"
    MEMBERSHIP = "membership"


LAYER_OF = {
    Element.TOOLS: Layer.EMPOWERMENT,
    Element.RULES: Layer.EMPOWERMENT,
    Element.CULTURE: Layer.EMPOWERMENT,
    Element.STRATEGY: Layer.VALUE,
    Element.TALENT: Layer.VALUE,
    Element.PROCESS: Layer.VALUE,
    Element.MEMBERSHIP: Layer.MEMBERSHIP,
}

Unit = Literal["count", "share", "hours", "money", "per_1000", "minutes"]
Better = Literal["up", "down", "none"]
Scope = Literal["team", "organisation"]
Number = Decimal | int | None


@dataclass(frozen=True)
class Figure:
    key: str
    unit: Unit
    trend: list[Number]  # one value per period, oldest first
    better: Better = "up"
    target: Decimal | None = None
    scope: Scope = "team"
    # A figure with parts (work orders per department): part -> trend.
    series: dict[str, list[Number]] = field(default_factory=dict)

    @property
    def value(self) -> Number:
        return self.trend[-1] if self.trend else None

    @property
    def status(self) -> Literal["green", "red", "none"]:
        return status(self.value, self.target, self.better)


@dataclass(frozen=True)
class ElementFigures:
    element: Element
    figures: list[Figure]

    @property
    def layer(self) -> Layer:
        return LAYER_OF[self.element]


def status(
    value: Number, target: Decimal | None, better: Better
) -> Literal["green", "red", "none"]:
    """Green when the value meets its target (at or below for "down", at or above for "up")."""
    if value is None or target is None or better == "none":
        return "none"
    ok = Decimal(value) <= target if better == "down" else Decimal(value) >= target
    return "green" if ok else "red"


def periods(today: dt.date, period: str, n: int | None = None) -> list[dt.date]:
    """The starts of the last `n` complete periods before the one containing `today`."""
    n = n or TREND_PERIODS[Period(period)]
    current = period_start(today, period)
    out = []
    start = current
    for _ in range(n):
        start = _previous(start, period)
        out.append(start)
    return out[::-1]


def period_end(start: dt.date, period: str) -> dt.date:
    """The start of the next period (exclusive end)."""
    if period == Period.MONTH:
        return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return start + dt.timedelta(days=7)


def _previous(start: dt.date, period: str) -> dt.date:
    if period == Period.MONTH:
        return (start - dt.timedelta(days=1)).replace(day=1)
    return start - dt.timedelta(days=7)


def share(part: int | None, whole: int | None) -> Decimal | None:
    """part / whole to four places, half up; None when there is nothing to divide."""
    if not whole:
        return None
    return (Decimal(part or 0) / Decimal(whole)).quantize(FOUR, ROUND_HALF_UP)


def repeats(contacts: int | None, customers: int | None) -> int:
    """Repeat contacts of a period: every contact of a customer after their first."""
    return max(0, (contacts or 0) - (customers or 0))


def per_thousand(n: int | None, orders: int | None) -> Decimal | None:
    if not orders:
        return None
    return (Decimal(n or 0) * 1000 / Decimal(orders)).quantize(CENTS, ROUND_HALF_UP)


def per_order(amount: Decimal | None, orders: int | None) -> Decimal | None:
    if not orders:
        return None
    return (Decimal(amount or 0) / Decimal(orders)).quantize(CENTS, ROUND_HALF_UP)


def hours(d: dt.timedelta | float | None) -> Decimal | None:
    """A mean duration in hours, one place. SQLite may hand back microseconds as a number."""
    if d is None:
        return None
    seconds = d.total_seconds() if isinstance(d, dt.timedelta) else float(d) / 1e6
    return (Decimal(str(seconds)) / 3600).quantize(ONE, ROUND_HALF_UP)


def minutes(seconds: float | Decimal | None) -> Decimal | None:
    if seconds is None:
        return None
    return (Decimal(str(seconds)) / 60).quantize(ONE, ROUND_HALF_UP)


def money(amount: Decimal | float | int | None) -> Decimal:
    return Decimal(str(amount or 0)).quantize(CENTS, ROUND_HALF_UP)


# --- the silent-cord alarm -------------------------------------------------------------------


def binom_cdf(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p), summed in log space (exact enough for n in the
    thousands; no SciPy needed for one tail)."""
    if k < 0:
        return 0.0
    if k >= n or p <= 0.0:
        return 1.0
    if p >= 1.0:
        return 0.0
    lp, lq = math.log(p), math.log1p(-p)
    total = 0.0
    for i in range(k + 1):
        log_term = math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1)
        total += math.exp(log_term + i * lp + (n - i) * lq)
    return min(1.0, total)


@dataclass(frozen=True)
class SilenceTest:
    pulls: int  # this period
    contacts: int  # this period
    baseline_pulls: int
    baseline_contacts: int
    expected: float  # pulls the baseline rate expects for this period's contacts
    p_value: float | None
    alarm: bool

    @property
    def baseline_rate(self) -> Decimal | None:
        """Pulls per 1,000 contacts in the baseline."""
        return per_thousand(self.baseline_pulls, self.baseline_contacts)

    @property
    def rate(self) -> Decimal | None:
        return per_thousand(self.pulls, self.contacts)


def silence_test(
    *,
    pulls: int,
    contacts: int,
    baseline_pulls: Sequence[int],
    baseline_contacts: Sequence[int],
    alpha: float = ALARM_ALPHA,
    min_expected: float = ALARM_MIN_EXPECTED,
) -> SilenceTest:
    """Whether this period's pulls are too few for the contacts handled, against the team's own
    baseline periods (the exact conditional binomial test of two Poisson rates, one-sided)."""
    bp, bc = sum(baseline_pulls), sum(baseline_contacts)
    if bc <= 0 or contacts <= 0 or bp <= 0:
        return SilenceTest(pulls, contacts, bp, bc, 0.0, None, False)
    expected = contacts * bp / bc
    # Conditioned on the total pulls, this period's share is binomial in its share of contacts.
    share_now = contacts / (contacts + bc)
    p_value = binom_cdf(pulls, pulls + bp, share_now)
    alarm = expected >= min_expected and pulls < expected and p_value < alpha
    return SilenceTest(pulls, contacts, bp, bc, round(expected, 2), p_value, alarm)
