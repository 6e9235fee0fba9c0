"""Membership launch plans: a plan launched for a market or segment, its owners, milestones
(day 30, 60, 90 or any day) with target figures, and tasks; each milestone against the
measured figure."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status
from pydantic import BaseModel, Field

from andon.core.http import AuthenticatedRequest
from andon.membership import services as membership
from andon.membership.rules import (
    Metric,
    MilestoneStatus,
)
from andon.membership.selectors import (
    launch_get,
    launch_progress,
    launches_list,
)
from andon.people import rules as people_rules
from andon.people.selectors import actor_require

from .guard import IsoDate
from .problems import Problem

if TYPE_CHECKING:
    from andon.membership.models import Launch

router = Router(tags=["membership"])


class MilestoneInSchema(BaseModel):
    day: int = Field(ge=1, le=3660, description="Day of the launch (30, 60, 90...).")
    metric: Metric
    target: Decimal = Field(
        ge=0, max_digits=12, decimal_places=4, description="A count, or a share from 0 to 1."
    )
    tasks: str = Field("", max_length=2000, description="One task a line.")


class LaunchIn(BaseModel):
    code: str = Field(min_length=1, max_length=50, pattern=r"^[-a-zA-Z0-9_]+$")
    name_zh: str = Field(min_length=1, max_length=100)
    name_en: str = Field(min_length=1, max_length=100)
    plan: str = Field(min_length=1, max_length=50)
    segment: str = Field("", max_length=100)
    starts_on: IsoDate
    milestones: list[MilestoneInSchema] = Field(min_length=1, max_length=50)


class MilestoneOut(BaseModel):
    day: int
    metric: Metric
    target: Decimal
    tasks: list[str]
    due_at: dt.datetime
    due: bool
    measured: Decimal | None = Field(description="From the start day to the day (or to now).")
    status: MilestoneStatus = Field(description="met (green), missed (red), behind, no_data.")


class LaunchOut(BaseModel):
    code: str
    name_zh: str
    name_en: str
    plan: str
    segment: str
    owners: list[str]
    starts_on: dt.date
    milestones: list[MilestoneOut]


def launch_out(launch: Launch) -> LaunchOut:
    return LaunchOut(
        code=launch.code,
        name_zh=launch.name_zh,
        name_en=launch.name_en,
        plan=launch.plan.code,
        segment=launch.segment,
        owners=sorted(u.get_username() for u in launch.owners.all()),
        starts_on=launch.starts_on,
        milestones=[
            MilestoneOut(
                day=p.milestone.day,
                metric=Metric(p.milestone.metric),
                target=p.milestone.target,
                tasks=[t.strip() for t in p.milestone.tasks.splitlines() if t.strip()],
                due_at=p.due_at,
                due=p.due,
                measured=p.measured,
                status=p.status,
            )
            for p in launch_progress(launch, now=timezone.now())
        ],
    )


def _may_see_launches(request: HttpRequest) -> None:
    actor_require(
        request.user,
        people_rules.may_see_member_kpis,
        _("Only membership managers and team leads see the member figures."),
    )


@router.get("/membership/launches", response={200: list[LaunchOut], 403: Problem})
def membership_launches(request: HttpRequest):
    """Every launch plan, newest start first, each milestone against its measured figure."""
    _may_see_launches(request)
    return [launch_out(launch) for launch in launches_list()]


@router.get("/membership/launches/{code}", response={200: LaunchOut, 403: Problem, 404: Problem})
def membership_launch(request: HttpRequest, code: str):
    _may_see_launches(request)
    return launch_out(launch_get(code=code))


@router.post("/membership/launches", response={201: LaunchOut, 403: Problem, 409: Problem})
def membership_launch_create(request: AuthenticatedRequest, payload: LaunchIn):
    """Plan a launch (membership managers): milestones at day 30, 60, 90 or any day, each with
    a target figure and the owners' tasks."""
    launch = membership.launch_create(
        actor=request.user,
        code=payload.code,
        name_zh=payload.name_zh,
        name_en=payload.name_en,
        plan_code=payload.plan,
        segment=payload.segment,
        starts_on=payload.starts_on,
        milestones=[
            membership.MilestoneIn(m.day, m.metric, m.target, m.tasks) for m in payload.milestones
        ],
    )
    return Status(201, launch_out(launch_get(code=launch.code)))
