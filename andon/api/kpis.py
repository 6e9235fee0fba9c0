"""Manager KPIs: the bad-andon rate and the Monday review (SPEC capability 5 and 9)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router
from pydantic import BaseModel, Field

from andon.core.errors import InvalidInput
from andon.core.rates import rate_text
from andon.people.selectors import roles_of
from andon.reviews import rules
from andon.reviews.monday import monday_review
from andon.reviews.selectors import RateRow, bad_andon_rate, review_policy

from .guard import IsoDate
from .problems import Problem

router = Router(tags=["kpis"])


class RateRowOut(BaseModel):
    team_lead: str | None = Field(description="Username of the team lead at the time of the pull.")
    team: str | None = None
    period: str = Field(description="ISO week (2026-W03) or month (2026-01) of the pulls.")
    period_start: dt.date
    reviewed: int
    invalid: int
    rate: Decimal | None = Field(
        description=(
            "invalid / reviewed, rounded half up to 4 places (0.01 percentage point): the "
            "value the status compares with the target; null when none reviewed."
        )
    )
    rate_display: str = Field(
        description=(
            "The rate as the console shows it: a percentage rounded half up, with the places "
            'it takes to compare with the target as the rate does ("7.7%", "2.04%"); '
            '"—" when none reviewed.'
        )
    )
    status: Literal["green", "red", "none"]


class RateOut(BaseModel):
    target: Decimal
    period: str
    by: str
    rows: list[RateRowOut]


def _row(r: RateRow, by: str, target: Decimal) -> RateRowOut:
    return RateRowOut(
        team_lead=(r.key or None) if by == "team_lead" else None,
        team=(r.key or None) if by == "team" else None,
        period=r.period,
        period_start=r.period_start,
        reviewed=r.reviewed,
        invalid=r.invalid,
        rate=r.rate,
        rate_display=rate_text(r.rate, against=target),
        status=r.status,
    )


def _since(value: dt.date | None) -> dt.datetime | None:
    if value is None:
        return None
    return dt.datetime.combine(value, dt.time(), timezone.get_current_timezone())


def _lead(username: str | None) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username).first()
    if user is None:
        raise InvalidInput(_("No user '%(username)s'.") % {"username": username}, field="team_lead")
    return user


@router.get("/kpis/bad-andon-rate", response={200: RateOut, 403: Problem, 422: Problem})
def kpi_bad_andon_rate(
    request: HttpRequest,
    period: Literal["week", "month"] = "week",
    by: Literal["team_lead", "team", "all"] = "team_lead",
    since: IsoDate | None = None,
    until: IsoDate | None = None,
    team_lead: str | None = None,
):
    """Invalid reviewed pulls / reviewed pulls per team lead (at the time of the pull), team or
    the whole organisation, per week or month of the pull, against the target."""
    rules.require_kpis(roles_of(request.user))
    lead = _lead(team_lead)
    target = review_policy().target_rate
    rows = bad_andon_rate(
        period=period,
        by=by,
        since=_since(since),
        until=_since(until),
        team_lead_id=lead.pk if lead else None,
        target=target,
    )
    return RateOut(target=target, period=period, by=by, rows=[_row(r, by, target) for r in rows])


class RootCauseOut(BaseModel):
    root_cause: str
    invalid: int


class MondayOut(BaseModel):
    week_start: dt.date
    team_lead: str | None
    target: Decimal
    pulls: int
    reviewed: int
    invalid: int
    rate: Decimal | None
    rate_display: str
    status: str
    root_causes: list[RootCauseOut]
    open_actions: int
    recovery_cost: Decimal
    time_to_contain_median_hours: float | None
    time_to_relist_median_hours: float | None
    trend: list[RateRowOut]


@router.get("/kpis/monday-review", response={200: MondayOut, 403: Problem, 422: Problem})
def kpi_monday_review(
    request: HttpRequest, week: IsoDate | None = None, team_lead: str | None = None
):
    """Last week's review (or the week containing `week`), for one team lead or everyone."""
    rules.require_kpis(roles_of(request.user))
    start = week or rules.last_week(timezone.localdate())[0]
    m = monday_review(week_start=start, team_lead=_lead(team_lead))
    return MondayOut(
        week_start=m.week_start,
        team_lead=team_lead or None,
        target=m.target,
        pulls=m.pull_count,
        reviewed=m.reviewed,
        invalid=m.invalid,
        rate=m.rate,
        rate_display=rate_text(m.rate, against=m.target),
        status=m.status,
        root_causes=[RootCauseOut(root_cause=k, invalid=v) for k, v in m.causes.items()],
        open_actions=len(m.open_actions),
        recovery_cost=m.recovery_total,
        time_to_contain_median_hours=m.contain_median_hours,
        time_to_relist_median_hours=m.relist_median_hours,
        trend=[_row(r, "all", m.target) for r in m.trend],
    )
