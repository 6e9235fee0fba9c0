"""The flywheel (SPEC capability 9): the seven elements as figures with their trends, the
supplier / manufacturer / department scorecards, the silent-cord alarms and the agent's
inbox (the loop closed)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router
from pydantic import BaseModel, Field, StrictInt

from andon.core.errors import Forbidden, InvalidInput
from andon.core.http import AuthenticatedRequest
from andon.flywheel.alarms import TeamSilence, alarms
from andon.flywheel.families import bounds
from andon.flywheel.inbox import inbox_with_unread, unread_count
from andon.flywheel.scorecards import scorecards
from andon.flywheel.selectors import dashboard
from andon.flywheel.services import inbox_mark_read
from andon.people import rules as people_rules
from andon.people.selectors import roles_of, team_id_by_code

from .guard import IsoDate
from .problems import Problem

router = Router(tags=["flywheel"])

SCORECARD_WEEKS = 12

Value = int | Decimal | None


class FigureOut(BaseModel):
    key: str
    unit: str = Field(description="count, share (a fraction), hours, money, per_1000, minutes.")
    value: Value = Field(description="The last complete period's value; null: nothing to count.")
    target: Decimal | None
    status: Literal["green", "red", "none"]
    better: Literal["up", "down", "none"]
    scope: Literal["team", "organisation"] = Field(
        description="organisation: the figure ignores the team filter (orders, detected problems)."
    )
    trend: list[Value] = Field(description="One value per period of `periods`, oldest first.")
    series: dict[str, list[Value]] = Field(
        default_factory=dict, description="Parts of the figure (work orders per department)."
    )


class ElementOut(BaseModel):
    layer: str
    element: str
    figures: list[FigureOut]


class AlarmOut(BaseModel):
    team: str
    period: str
    period_start: dt.date
    pulls: int
    expected_pulls: float
    contacts: int
    baseline_pulls: int
    baseline_contacts: int
    p_value: float | None


class FlywheelOut(BaseModel):
    period: Literal["week", "month"]
    team: str | None
    periods: list[str] = Field(description="The trend's periods, oldest first (complete ones).")
    elements: list[ElementOut]
    alarms: list[AlarmOut]


def _team(code: str | None) -> int | None:
    if not code:
        return None
    team_id = team_id_by_code(code)
    if team_id is None:
        raise InvalidInput(_("No team '%(code)s'.") % {"code": code}, field="team")
    return team_id


def _require_kpis(request: HttpRequest) -> None:
    if not people_rules.may_see_kpis(roles_of(request.user)):
        raise Forbidden(_("Only team leads and admins see the flywheel."))


def alarm_out(s: TeamSilence) -> AlarmOut:
    return AlarmOut(
        team=s.team_code,
        period=s.period_label,
        period_start=s.period_start,
        pulls=s.test.pulls,
        expected_pulls=s.test.expected,
        contacts=s.test.contacts,
        baseline_pulls=s.test.baseline_pulls,
        baseline_contacts=s.test.baseline_contacts,
        p_value=s.test.p_value,
    )


def visible_alarms(request: HttpRequest, found: list[TeamSilence]) -> list[TeamSilence]:
    r = roles_of(request.user)
    return [
        s
        for s in found
        if people_rules.may_see_team_alarm(r, leads_team=s.lead_id == request.user.pk)
    ]


@router.get("/flywheel", response={200: FlywheelOut, 403: Problem, 422: Problem})
def flywheel(
    request: HttpRequest, period: Literal["week", "month"] = "week", team: str | None = None
):
    """Every element of the wheel per week or month, for the organisation or one team (by
    code): each figure's last complete period, its trend and its target where configured."""
    _require_kpis(request)
    team_id = _team(team)
    d = dashboard(period=period, team_id=team_id)
    elements = [
        ElementOut(
            layer=e.layer,
            element=e.element,
            figures=[
                FigureOut(
                    key=f.key,
                    unit=f.unit,
                    value=f.value,
                    target=f.target,
                    status=f.status,
                    better=f.better,
                    scope=f.scope,
                    trend=f.trend,
                    series=f.series,
                )
                for f in e.figures
            ],
        )
        for e in d.elements
    ]
    found = visible_alarms(request, alarms(period=period, team_id=team_id))
    return FlywheelOut(
        period=period,
        team=team or None,
        periods=d.window.labels,
        elements=elements,
        alarms=[alarm_out(s) for s in found],
    )


class ScorecardOut(BaseModel):
    key: str = Field(description="Supplier or manufacturer name, or department code.")
    pulls: int
    problems: int
    units_held: int
    gmv_suppressed: Decimal = Field(description="Held units x their price.")
    fix_hours: Decimal | None = Field(
        description="Mean hours pull -> closed (departments: work order created -> resolved)."
    )
    repeats: int = Field(description="Pulls of a product that had been fixed before.")
    sla_met: Decimal | None = Field(None, description="Departments: share resolved in time.")


class ScorecardsOut(BaseModel):
    by: str
    since: dt.date
    until: dt.date
    rows: list[ScorecardOut]


@router.get("/scorecards", response={200: ScorecardsOut, 403: Problem, 422: Problem})
def scorecards_get(
    request: HttpRequest,
    by: Literal["supplier", "manufacturer", "department"] = "supplier",
    since: IsoDate | None = None,
    until: IsoDate | None = None,
):
    """Pulls, problems, units held, GMV suppressed, time to fix and repeat problems per
    supplier, manufacturer (printer) or department, for pulls from `since` to `until`
    (exclusive; by default the last 12 weeks)."""
    _require_kpis(request)
    until = until or timezone.localdate() + dt.timedelta(days=1)
    since = since or until - dt.timedelta(weeks=SCORECARD_WEEKS)
    if since >= until:
        raise InvalidInput(_("“until” must be after “since”."), field="until")
    start, end = bounds(since, until)
    rows = scorecards(by=by, since=start, until=end)
    return ScorecardsOut(
        by=by,
        since=since,
        until=until,
        rows=[ScorecardOut(**r.__dict__) for r in rows],
    )


class AlarmsOut(BaseModel):
    period: Literal["week", "month"]
    alarms: list[AlarmOut]


@router.get("/alarms", response={200: AlarmsOut, 403: Problem, 422: Problem})
def alarms_get(request: HttpRequest, period: Literal["week", "month"] = "week"):
    """Teams whose pulls fell well below their own baseline in the last complete period while
    their contacts held: the team's lead sees their team's, admins every team's."""
    r = roles_of(request.user)
    if not r.has(people_rules.Role.TEAM_LEAD):
        raise Forbidden(_("Silent-cord alarms go to team leads and admins."))
    found = visible_alarms(request, alarms(period=period))
    return AlarmsOut(period=period, alarms=[alarm_out(s) for s in found])


class WorkOrderNews(BaseModel):
    department: str
    state: str
    resolved_at: dt.datetime | None
    findings: str
    disposition: str


class InboxItemOut(BaseModel):
    andon_id: int
    sku: str
    title: str
    pulled_at: dt.datetime
    you_pulled: bool
    you_recorded_evidence: bool
    work_orders: list[WorkOrderNews]
    sold_again_at: dt.datetime | None
    unread: bool


class InboxOut(BaseModel):
    unread: int
    items: list[InboxItemOut]


@router.get("/inbox", response={200: InboxOut})
def inbox_get(request: AuthenticatedRequest):
    """What became of the pulls you made or recorded evidence for: work orders resolved,
    findings, disposition, and when the product sold again."""
    page = inbox_with_unread(user_id=request.user.pk)
    return InboxOut(
        unread=page.unread,
        items=[
            InboxItemOut(
                andon_id=i.andon.pk,
                sku=i.andon.product.sku,
                title=i.andon.product.title,
                pulled_at=i.andon.opened_at,
                you_pulled=i.pulled,
                you_recorded_evidence=i.recorded,
                work_orders=[
                    WorkOrderNews(
                        department=w.department.code,
                        state=w.state,
                        resolved_at=w.resolved_at,
                        findings=w.findings,
                        disposition=w.disposition,
                    )
                    for w in i.work_orders
                ],
                sold_again_at=i.andon.closed_at,
                unread=i.unread,
            )
            for i in page.items
        ],
    )


class ReadIn(BaseModel):
    andon_ids: list[StrictInt] = Field(min_length=1, max_length=500)  # true is not andon 1


class ReadOut(BaseModel):
    unread: int


@router.post("/inbox/read", response={200: ReadOut, 422: Problem})
def inbox_read(request: AuthenticatedRequest, body: ReadIn):
    """Mark the news of these andons read (again is harmless)."""
    inbox_mark_read(user_id=request.user.pk, andon_ids=body.andon_ids)
    return ReadOut(unread=unread_count(user_id=request.user.pk))
