"""The rules of membership, in words and in code. Pure: no database.

- A customer holds at most one live membership (trial, active, past due, or cancelled but
  still running to the end of its paid period); expired is the only terminal state.
- A trial lasts the plan's trial days and converts to paid at its end unless cancelled. A
  paid period is a calendar month or year counted from the paid anchor (so 31 January renews
  on 28/29 February and 31 March, never drifting), in the product's time zone.
- At the end of a paid period an auto-renewing membership renews (the storefront charges on
  the `membership.renewed` event and reports a failed charge as past due); one that does not
  auto-renew expires. Past due keeps the benefits for the plan's grace days, then expires.
- Cancelling stops renewal, never the benefits already paid for: a cancelled member keeps
  them until the end of the period, then the membership expires.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from andon.core.errors import Conflict, InvalidInput


class State(StrEnum):
    TRIAL = "trial"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


# Every state but the terminal one: at most one of these per customer (a DB constraint).
LIVE = (State.TRIAL, State.ACTIVE, State.PAST_DUE, State.CANCELLED)


class Period(StrEnum):
    MONTH = "month"
    YEAR = "year"


class Source(StrEnum):
    RECOVERY = "recovery"
    CONSOLE = "console"
    STOREFRONT = "storefront"
    API = "api"
    CAMPAIGN = "campaign"


class BenefitKind(StrEnum):
    DISCOUNT = "discount_percent"
    FREE_SHIPPING = "free_shipping"
    RETURN_WINDOW = "return_window_days"
    PRIORITY_SERVICE = "priority_service"
    OTHER = "other"


class Change(StrEnum):
    STARTED = "started"
    CONVERTED = "converted"
    RENEWED = "renewed"
    PAST_DUE = "past_due"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


# (from, change) -> to. Starting has no "from": it is decided by `start_state`.
TRANSITIONS: dict[tuple[State, Change], State] = {
    (State.TRIAL, Change.CONVERTED): State.ACTIVE,
    (State.ACTIVE, Change.RENEWED): State.ACTIVE,
    (State.PAST_DUE, Change.RENEWED): State.ACTIVE,
    (State.ACTIVE, Change.PAST_DUE): State.PAST_DUE,
    (State.TRIAL, Change.CANCELLED): State.CANCELLED,
    (State.ACTIVE, Change.CANCELLED): State.CANCELLED,
    (State.PAST_DUE, Change.CANCELLED): State.CANCELLED,
    # A trial the storefront ends without converting (the tick converts or cancels instead).
    (State.TRIAL, Change.EXPIRED): State.EXPIRED,
    (State.ACTIVE, Change.EXPIRED): State.EXPIRED,
    (State.PAST_DUE, Change.EXPIRED): State.EXPIRED,
    (State.CANCELLED, Change.EXPIRED): State.EXPIRED,
}

DISCOUNT_MAX = Decimal("100")
RETURN_WINDOW_MAX = 365
TRIAL_DAYS_MAX = 366
GRACE_DAYS_MAX = 90


class WrongState(Conflict):
    code = "membership-wrong-state"


def transition(state: State, change: Change) -> State:
    """The state after `change`, or a 409 saying which states allow it."""
    after = TRANSITIONS.get((state, change))
    if after is None:
        allowed = sorted(s.value for (s, c) in TRANSITIONS if c == change)
        raise WrongState(
            _("A %(state)s membership cannot be %(change)s (only: %(allowed)s).")
            % {"state": state.value, "change": change.value, "allowed": ", ".join(allowed)},
            field="state",
        )
    return after


def sync_change(
    *, before: State, after: State, ends_before: dt.datetime, ends_after: dt.datetime
) -> Change | None:
    """The change a storefront's own record (PUT) makes to a live membership, named as the
    history names it; None when only dates or the renewal flag moved. A step back (active to
    trial, out of expired) is refused: the storefront's record is applied, not rewound."""
    if after == before:
        if after == State.ACTIVE and ends_after > ends_before:
            return Change.RENEWED
        return None
    change = {
        State.ACTIVE: Change.RENEWED if before == State.PAST_DUE else Change.CONVERTED,
        State.PAST_DUE: Change.PAST_DUE,
        State.CANCELLED: Change.CANCELLED,
        State.EXPIRED: Change.EXPIRED,
    }.get(after)
    if change is None or (before, change) not in TRANSITIONS:
        raise WrongState(
            _("A %(state)s membership cannot become %(after)s.")
            % {"state": before.value, "after": after.value},
            field="state",
        )
    return change


def start_state(*, trial: bool, trial_days: int) -> State:
    if trial and trial_days <= 0:
        raise InvalidInput(_("This plan offers no trial."), field="trial")
    return State.TRIAL if trial else State.ACTIVE


def add_months(at: dt.datetime, months: int) -> dt.datetime:
    """`at` plus whole calendar months in the product's time zone, the day clamped to the
    month's last (31 Jan + 1 month = 28/29 Feb), the wall-clock time kept."""
    local = timezone.localtime(at)
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    naive = local.replace(tzinfo=None, year=year, month=month, day=day)
    return timezone.make_aware(naive, timezone.get_current_timezone())


def period_end(anchor: dt.datetime, period: Period, periods: int) -> dt.datetime:
    """The end of the `periods`-th paid period counted from `anchor` (always from the anchor,
    so that clamped month ends never drift)."""
    return add_months(anchor, periods * (12 if period == Period.YEAR else 1))


def trial_end(start: dt.datetime, trial_days: int) -> dt.datetime:
    return start + dt.timedelta(days=trial_days)


def due_change(
    *,
    state: State,
    ends_at: dt.datetime,
    auto_renew: bool,
    grace_days: int,
    now: dt.datetime,
) -> Change | None:
    """What the tick does to a membership at `now`, if anything."""
    if state == State.TRIAL and ends_at <= now:
        return Change.CONVERTED
    if state == State.ACTIVE and ends_at <= now:
        return Change.RENEWED if auto_renew else Change.EXPIRED
    if state == State.PAST_DUE and ends_at + dt.timedelta(days=grace_days) <= now:
        return Change.EXPIRED
    if state == State.CANCELLED and ends_at <= now:
        return Change.EXPIRED
    return None


def has_benefits(*, state: State, ends_at: dt.datetime, grace_days: int, now: dt.datetime) -> bool:
    """Whether the storefront should apply the plan's benefits now."""
    if state == State.PAST_DUE:
        return now < ends_at + dt.timedelta(days=grace_days)
    return state in (State.TRIAL, State.ACTIVE, State.CANCELLED) and now < ends_at


def check_benefit(kind: BenefitKind, value: Decimal | None) -> Decimal | None:
    """A benefit's value: a percentage for a discount, days for a return window, none else."""
    if kind == BenefitKind.DISCOUNT:
        if value is None or not Decimal("0") < value <= DISCOUNT_MAX:
            raise InvalidInput(
                _("A discount is a percentage above 0 and at most 100."), field="value"
            )
        return value
    if kind == BenefitKind.RETURN_WINDOW:
        if (
            value is None
            or value != value.to_integral_value()
            or not 0 < value <= RETURN_WINDOW_MAX
        ):
            raise InvalidInput(
                _("A return window is a whole number of days from 1 to %(max)d.")
                % {"max": RETURN_WINDOW_MAX},
                field="value",
            )
        return value
    if value is not None:
        raise InvalidInput(_("This benefit takes no value."), field="value")
    return None


def rate(part: int, whole: int) -> float | None:
    """A share in [0, 1], or None when there is nothing to divide (no trials, no renewals due):
    an empty period is "no data", never 0 % or 100 %."""
    return None if whole == 0 else round(part / whole, 4)


def per_100(count: int, orders: int) -> float | None:
    """`count` per 100 orders, or None with no orders (no data, not 0)."""
    return None if orders == 0 else round(count * 100 / orders, 2)


@dataclass(frozen=True)
class StepTally:
    """What a period's membership changes add up to: trials decided (converted, cancelled or
    ended) and converted, paid periods renewed, and paid memberships that expired (churn)."""

    decided: int = 0
    converted: int = 0
    renewed: int = 0
    churned: int = 0

    @property
    def trial_conversion(self) -> float | None:
        return rate(self.converted, self.decided)

    @property
    def renewals_due(self) -> int:
        return self.renewed + self.churned

    @property
    def renewal_rate(self) -> float | None:
        return rate(self.renewed, self.renewals_due)


TRIAL_DECIDED = (Change.CONVERTED, Change.CANCELLED, Change.EXPIRED)


def tally_steps(steps: Iterable[Mapping[str, Any]]) -> StepTally:
    """Sum grouped change rows (`change`, `from_state`, `n`, `paid`) into a StepTally: the one
    place the member figures' counting lives (the KPIs page and the flywheel both use it)."""
    decided = converted = renewed = churned = 0
    for s in steps:
        if s["from_state"] == State.TRIAL and s["change"] in TRIAL_DECIDED:
            decided += s["n"]
        if s["change"] == Change.CONVERTED:
            converted += s["n"]
        elif s["change"] == Change.RENEWED:
            renewed += s["n"]
        elif s["change"] == Change.EXPIRED:
            churned += s["paid"]
    return StepTally(decided, converted, renewed, churned)


class Metric(StrEnum):
    """What a launch milestone targets; rates are shares in [0, 1]."""

    ENROLMENTS = "enrolments"
    TRIAL_CONVERSION = "trial_conversion"
    RENEWAL_RATE = "renewal_rate"
    MEMBER_GMV_SHARE = "member_gmv_share"


RATE_METRICS = (Metric.TRIAL_CONVERSION, Metric.RENEWAL_RATE, Metric.MEMBER_GMV_SHARE)


class MilestoneStatus(StrEnum):
    MET = "met"  # green: the target is reached (at or before the day)
    MISSED = "missed"  # red: the day has come and the figure is below the target
    BEHIND = "behind"  # before the day, below the target so far
    NO_DATA = "no_data"  # nothing to measure (a rate with nothing to divide)


def milestone_status(*, target: Decimal, measured: Decimal | None, due: bool) -> MilestoneStatus:
    """Green when met, red when the day has come without it; before the day, behind."""
    if measured is None:
        return MilestoneStatus.MISSED if due else MilestoneStatus.NO_DATA
    if measured >= target:
        return MilestoneStatus.MET
    return MilestoneStatus.MISSED if due else MilestoneStatus.BEHIND


def check_target(metric: Metric, target: Decimal) -> Decimal:
    if target < 0 or (metric in RATE_METRICS and target > 1):
        raise InvalidInput(
            _("A target is a count of 0 or more, or a share from 0 to 1."), field="target"
        )
    return target
