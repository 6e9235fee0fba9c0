"""The rules of pull reviews and the bad-andon rate, in words and in code. Pure: no database.

- Every andon may be reviewed once, as valid or invalid. A policy may sample: then the review
  queue shows only the andons whose id hashes below the sampling rate (deterministic, so the
  same andon is always in or out, and a lead cannot pick the easy ones).
- An invalid pull needs a root cause (person, training, process, money, system) and a
  corrective action: training for the agent, a process change for a department, or a note.
- The bad-andon rate is invalid reviewed pulls / reviewed pulls. It is attributed to the team
  lead of the agent at the moment of the pull, never to whoever leads the team at review time.
  With no reviewed pull in a period there is no rate (not 0 %, which would read as perfect).
- Green when the rate is at or below the target (2 % by default), red above it.
- Reviews never stop the line: nothing here makes a pull wait, and the agent is never charged
  for an invalid pull (SPEC: "Managers answer for wrong pulls", "No bureaucracy").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import statistics
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Literal

from django.utils.translation import gettext as _

from andon.core.errors import Forbidden, InvalidInput
from andon.people.rules import Role, Roles

DEFAULT_TARGET = Decimal("0.02")
NOTE_MAX = 500
DEFAULT_ACTION_DAYS = 14


class Verdict(StrEnum):
    VALID = "valid"
    INVALID = "invalid"


class RootCause(StrEnum):
    """The five causes of the talk: "如果是人的问题…培训…流程…钱的问题…" plus system errors."""

    PERSON = "person"
    TRAINING = "training"
    PROCESS = "process"
    MONEY = "money"
    SYSTEM = "system"


class ActionKind(StrEnum):
    TRAINING = "training"
    PROCESS = "process"
    NOTE = "note"


class Period(StrEnum):
    WEEK = "week"
    MONTH = "month"


def is_sampled(andon_id: int, rate: Decimal | float) -> bool:
    """Whether an andon falls in the review sample: a stable hash of its id below the rate."""
    rate = Decimal(str(rate))
    if rate >= 1:
        return True
    if rate <= 0:
        return False
    digest = hashlib.sha256(f"andon-review-{andon_id}".encode()).digest()
    return Decimal(int.from_bytes(digest[:8], "big")) / Decimal(2**64) < rate


def check_review(verdict: str, root_cause: str, action: str) -> None:
    """An invalid verdict needs a root cause and a corrective action; a valid one needs neither
    (a root cause on a valid pull is refused: it would count in the wrong chart)."""
    if verdict not in Verdict.__members__.values():
        raise InvalidInput(_("The verdict is “valid” or “invalid”."), field="verdict")
    if root_cause and root_cause not in RootCause.__members__.values():
        raise InvalidInput(
            _("The root cause is one of person, training, process, money, system."),
            field="root_cause",
        )
    if verdict == Verdict.VALID:
        if root_cause:
            raise InvalidInput(_("A valid pull has no root cause."), field="root_cause")
        return
    if not root_cause:
        raise InvalidInput(_("An invalid pull needs a root cause."), field="root_cause")
    if not action.strip():
        raise InvalidInput(
            _("An invalid pull needs a corrective action (training, process change or note)."),
            field="action",
        )
    if len(action) > NOTE_MAX:
        raise InvalidInput(
            _("The corrective action is at most %(max)d characters.") % {"max": NOTE_MAX},
            field="action",
        )


def action_kind_for(root_cause: str) -> ActionKind:
    """The corrective action that usually answers a root cause: training answers person and
    training causes, a process change answers process and system; money gets a note."""
    if root_cause in (RootCause.PERSON, RootCause.TRAINING):
        return ActionKind.TRAINING
    if root_cause in (RootCause.PROCESS, RootCause.SYSTEM):
        return ActionKind.PROCESS
    return ActionKind.NOTE


def may_review(r: Roles, *, user_id: int, lead_ids: Iterable[int | None]) -> bool:
    """Team leads review their own team's pulls (the lead at pull time or the team's lead
    now); admins review any."""
    if Role.ADMIN in r.roles:
        return True
    return r.has(Role.TEAM_LEAD) and user_id in set(lead_ids)


def may_see_kpis(r: Roles) -> bool:
    """Managers (team leads and admins) see the bad-andon rate and the Monday review."""
    return r.has(Role.TEAM_LEAD)


def require_kpis(r: Roles) -> None:
    if not may_see_kpis(r):
        raise Forbidden(_("Only team leads and admins see reviews and the bad-andon rate."))


def require_review(r: Roles, *, user_id: int, lead_ids: Iterable[int | None]) -> None:
    if not may_review(r, user_id=user_id, lead_ids=lead_ids):
        raise Forbidden(_("Only the team lead of the agent's team (or an admin) reviews a pull."))


def bad_andon_rate(reviewed: int, invalid: int) -> Decimal | None:
    """invalid / reviewed, to four places; None when nothing was reviewed."""
    if reviewed <= 0:
        return None
    if invalid < 0 or invalid > reviewed:
        raise ValueError("invalid pulls must be between 0 and the reviewed pulls")
    return (Decimal(invalid) / Decimal(reviewed)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


RateStatus = Literal["green", "red", "none"]


def status(rate: Decimal | None, target: Decimal) -> RateStatus:
    """ "green" at or below the target, "red" above, "none" without reviews."""
    if rate is None:
        return "none"
    return "green" if rate <= target else "red"


def period_start(day: dt.date, period: str) -> dt.date:
    """The Monday of the week, or the first of the month, containing `day`."""
    if period == Period.MONTH:
        return day.replace(day=1)
    return day - dt.timedelta(days=day.weekday())


def period_label(start: dt.date, period: str) -> str:
    if period == Period.MONTH:
        return f"{start:%Y-%m}"
    iso = start.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def last_week(today: dt.date) -> tuple[dt.date, dt.date]:
    """The Monday review looks at the last full week: Monday to the next Monday (exclusive)."""
    this_monday = period_start(today, Period.WEEK)
    return this_monday - dt.timedelta(days=7), this_monday


def median_hours(durations: Iterable[dt.timedelta]) -> float | None:
    hours = [d.total_seconds() / 3600 for d in durations]
    return round(statistics.median(hours), 1) if hours else None
