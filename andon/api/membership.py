"""Membership: the plans, and one customer's membership (read, enrol, renew, mark past due,
cancel, and the storefront's own record by PUT)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status
from pydantic import BaseModel, Field, StrictBool

from andon.core.errors import NotFound
from andon.core.http import AuthenticatedRequest
from andon.membership import rules, sync
from andon.membership import services as membership
from andon.membership.rules import (
    BenefitKind,
    Change,
    Metric,
    MilestoneStatus,
    Period,
    Source,
    State,
)
from andon.membership.selectors import (
    launch_get,
    launch_progress,
    launches_list,
    member_kpis,
    membership_of_customer,
    plans_list,
)
from andon.orders.selectors import customer_find
from andon.people import rules as people_rules
from andon.people.selectors import actor_require
from andon.recovery.members import recovered_members

from .guard import IsoDate, IsoDateTime
from .problems import Problem

if TYPE_CHECKING:
    from andon.membership.models import Launch, Membership, MembershipChange, Plan
    from andon.orders.models import Customer

router = Router(tags=["membership"])


class BenefitOut(BaseModel):
    kind: BenefitKind
    value: Decimal | None = Field(description="Percent for a discount, days for a return window.")
    label_zh: str
    label_en: str


class PlanOut(BaseModel):
    code: str
    name_zh: str
    name_en: str
    price: Decimal = Field(description="CNY per period.")
    period: Period
    trial_days: int
    grace_days: int
    benefits: list[BenefitOut]


class ChangeOut(BaseModel):
    change: Change
    from_state: State | None
    to_state: State
    at: dt.datetime
    ends_at: dt.datetime
    plan: str
    by: str | None


class MembershipOut(BaseModel):
    customer: str
    plan: str
    state: State
    source: Source
    campaign: str
    started_at: dt.datetime
    trial_ends_at: dt.datetime | None
    ends_at: dt.datetime
    auto_renew: bool
    benefits_now: bool = Field(description="Whether the storefront applies the benefits now.")
    history: list[ChangeOut] = Field(description="Every change, oldest first.")


class EnrolSource(StrEnum):
    """Service recovery enrols through the recovery action, not here."""

    CONSOLE = Source.CONSOLE.value
    STOREFRONT = Source.STOREFRONT.value
    API = Source.API.value
    CAMPAIGN = Source.CAMPAIGN.value


class EnrolIn(BaseModel):
    plan: str = Field(min_length=1, max_length=50, description="Plan code.")
    source: EnrolSource = EnrolSource.API
    # Strict: 0/1 or "yes" are refused as the OpenAPI boolean says, not guessed.
    trial: StrictBool = Field(True, description="Start with the plan's trial.")
    campaign: str = Field("", max_length=64)


class SyncIn(BaseModel):
    plan: str = Field(min_length=1, max_length=50, description="Plan code.")
    state: State
    started_at: IsoDateTime
    ends_at: IsoDateTime
    auto_renew: StrictBool = True


def plan_out(p: Plan) -> PlanOut:
    return PlanOut(
        code=p.code,
        name_zh=p.name_zh,
        name_en=p.name_en,
        price=p.price,
        period=Period(p.period),
        trial_days=p.trial_days,
        grace_days=p.grace_days,
        benefits=[
            BenefitOut(
                kind=BenefitKind(b.kind), value=b.value, label_zh=b.label_zh, label_en=b.label_en
            )
            for b in p.benefits.all()
        ],
    )


def change_out(c: MembershipChange) -> ChangeOut:
    return ChangeOut(
        change=Change(c.change),
        from_state=State(c.from_state) if c.from_state else None,
        to_state=State(c.to_state),
        at=c.at,
        ends_at=c.ends_at,
        plan=c.membership.plan.code,
        by=c.actor.get_username() if c.actor else None,
    )


def _customer(external_id: str) -> Customer:
    customer = customer_find(external_id=external_id)
    if customer is None:
        raise NotFound(_("No customer '%(id)s'.") % {"id": external_id}, field="external_id")
    return customer


def _answer(customer: Customer) -> MembershipOut:
    shown = membership_of_customer(customer_id=customer.pk)
    m: Membership | None = shown.current
    if m is None:
        raise NotFound(
            _("Customer %(id)s has never been a member.") % {"id": customer.external_id},
            field="external_id",
        )
    return MembershipOut(
        customer=customer.external_id,
        plan=m.plan.code,
        state=State(m.state),
        source=Source(m.source),
        campaign=m.campaign,
        started_at=m.started_at,
        trial_ends_at=m.trial_ends_at,
        ends_at=m.ends_at,
        auto_renew=m.auto_renew,
        benefits_now=rules.has_benefits(
            state=State(m.state),
            ends_at=m.ends_at,
            grace_days=m.plan.grace_days,
            now=timezone.now(),
        ),
        history=[change_out(c) for c in shown.history],
    )


def _may_read(request: HttpRequest) -> None:
    actor_require(
        request.user,
        people_rules.may_read_membership,
        _("Only service people, integrators and membership managers read memberships."),
    )


@router.get("/membership/plans", response={200: list[PlanOut]})
def membership_plans(request: HttpRequest):
    """The plans on offer with their benefits, in their configured order."""
    return [plan_out(p) for p in plans_list()]


@router.get(
    "/customers/{external_id}/membership",
    response={200: MembershipOut, 403: Problem, 404: Problem},
)
def customer_membership(request: HttpRequest, external_id: str):
    """The customer's live membership (else the latest one) and the history of all of them."""
    _may_read(request)
    return _answer(_customer(external_id))


@router.post(
    "/customers/{external_id}/membership",
    response={201: MembershipOut, 403: Problem, 404: Problem, 409: Problem},
)
def customer_membership_enrol(request: AuthenticatedRequest, external_id: str, payload: EnrolIn):
    """Enrol the customer in a plan, as a trial or paid from now. A customer who already has a
    live membership is a 409 naming it."""
    customer = _customer(external_id)
    membership.membership_enrol(
        actor=request.user,
        customer=customer,
        plan_code=payload.plan,
        source=Source(payload.source.value),
        trial=payload.trial,
        campaign=payload.campaign,
    )
    return Status(201, _answer(customer))


@router.put(
    "/customers/{external_id}/membership",
    response={200: MembershipOut, 403: Problem, 404: Problem, 409: Problem},
)
def customer_membership_sync(request: AuthenticatedRequest, external_id: str, payload: SyncIn):
    """The storefront's own record of this member, applied as it says: creates the live
    membership or moves it forward, with history and events; the same record again changes
    nothing (PUT is idempotent)."""
    customer = _customer(external_id)
    sync.membership_sync(
        actor=request.user,
        customer=customer,
        plan_code=payload.plan,
        state=payload.state,
        started_at=payload.started_at,
        ends_at=payload.ends_at,
        auto_renew=payload.auto_renew,
    )
    return _answer(customer)


def _change(request: AuthenticatedRequest, external_id: str, change: Change) -> MembershipOut:
    customer = _customer(external_id)
    membership.membership_change(actor=request.user, customer=customer, change=change)
    return _answer(customer)


_CHANGE_RESPONSES = {200: MembershipOut, 403: Problem, 404: Problem, 409: Problem}


@router.post("/customers/{external_id}/membership/cancel", response=_CHANGE_RESPONSES)
def customer_membership_cancel(request: AuthenticatedRequest, external_id: str):
    """Stop renewal: the benefits stay until the end of the period paid for, then the
    membership expires. Cancelling again answers the same."""
    return _change(request, external_id, Change.CANCELLED)


@router.post("/customers/{external_id}/membership/renew", response=_CHANGE_RESPONSES)
def customer_membership_renew(request: AuthenticatedRequest, external_id: str):
    """A payment for the next period arrived: one more period (also out of past due). Send an
    Idempotency-Key: a retry must not renew twice."""
    return _change(request, external_id, Change.RENEWED)


@router.post("/customers/{external_id}/membership/past-due", response=_CHANGE_RESPONSES)
def customer_membership_past_due(request: AuthenticatedRequest, external_id: str):
    """A renewal charge failed: benefits stay for the plan's grace days, then it expires."""
    return _change(request, external_id, Change.PAST_DUE)


class TrendOut(BaseModel):
    month: dt.date
    enrolments: int
    converted: int
    renewed: int
    expired: int


class ControlOut(BaseModel):
    customers: int = Field(
        description="Customers who complained of the same thing (the same reason on the same "
        "product as a recovery of the period) in the period and were given no recovery."
    )
    enrolled: int = Field(description="Of them, enrolled in a membership after the contact.")
    converted: int
    renewed: int
    ordered_30: int = Field(description="Ordered again within 30 days of the contact.")
    ordered_90: int


class RecoveredOut(BaseModel):
    recovered: int = Field(description="Customers given service recovery in the period.")
    enrolled: int = Field(description="Of them, enrolled in a membership after it.")
    converted: int
    renewed: int
    ordered_30: int = Field(description="Ordered again within 30 days of the recovery.")
    ordered_90: int
    control: ControlOut = Field(description="The same complaint, no recovery: the comparison.")


class AnchorOut(BaseModel):
    trial_conversion: float = Field(description="Prime: 73% of trials convert.")
    renewal_rate: float = Field(description="Prime: 91% renew after year 1.")
    costco_renewal_rate: float = Field(description="Costco: 92.9% renew (US/Canada, 2024).")


class MemberKpisOut(BaseModel):
    period: Literal["week", "month"]
    since: dt.datetime
    until: dt.datetime
    enrolments: int
    enrolments_by_source: dict[str, int]
    trials_decided: int
    trial_conversion: float | None = Field(description="converted / decided; null: none decided.")
    renewals_due: int
    renewal_rate: float | None = Field(description="renewed / (renewed + lapsed); null: none due.")
    paid_at_start: int
    churned: int
    churn: float | None
    orders: int
    member_orders: int
    gmv: Decimal
    member_gmv: Decimal
    member_order_share: float | None
    member_gmv_share: float | None
    contacts: int
    member_contacts: int = Field(description="Contacts made by customers while members.")
    member_contacts_per_100: float | None = Field(
        description="Members' contacts per 100 member orders; null: no member orders."
    )
    other_contacts_per_100: float | None = Field(
        description="Non-members' contacts per 100 non-member orders; null: no such orders."
    )
    recovered: RecoveredOut
    anchors: AnchorOut
    trend: list[TrendOut] = Field(description="The last six months, oldest first.")


# What the talk holds up (shown beside the figures, never as targets).
ANCHORS = AnchorOut(trial_conversion=0.73, renewal_rate=0.91, costco_renewal_rate=0.929)


def _bounds(period: str, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The week (Monday on) or month holding `day`, in the product's time zone."""
    tz = timezone.get_current_timezone()
    start = day - dt.timedelta(days=day.weekday()) if period == "week" else day.replace(day=1)
    since = dt.datetime.combine(start, dt.time(), tz)
    until = (
        dt.datetime.combine(start + dt.timedelta(days=7), dt.time(), tz)
        if period == "week"
        else rules.add_months(since, 1)
    )
    return since, until


@router.get("/kpis/membership", response={200: MemberKpisOut, 403: Problem})
def membership_kpis(
    request: HttpRequest, period: Literal["week", "month"] = "month", date: IsoDate | None = None
):
    """Member figures of the week or month holding `date` (default today), in the product's
    time zone, with the close-the-loop figure for customers given service recovery."""
    actor_require(
        request.user,
        people_rules.may_see_member_kpis,
        _("Only membership managers and team leads see the member figures."),
    )
    since, until = _bounds(period, date or timezone.localdate())
    k = member_kpis(since=since, until=until)
    loop = recovered_members(since=since, until=until)
    return MemberKpisOut(
        period=period,
        since=since,
        until=until,
        enrolments=k.enrolments,
        enrolments_by_source=k.enrolments_by_source,
        trials_decided=k.trials_decided,
        trial_conversion=k.trial_conversion,
        renewals_due=k.renewals_due,
        renewal_rate=k.renewal_rate,
        paid_at_start=k.paid_at_start,
        churned=k.churned,
        churn=k.churn,
        orders=k.orders,
        member_orders=k.member_orders,
        gmv=k.gmv,
        member_gmv=k.member_gmv,
        member_order_share=k.member_order_share,
        member_gmv_share=k.member_gmv_share,
        contacts=k.contacts,
        member_contacts=k.member_contacts,
        member_contacts_per_100=k.member_contacts_per_100,
        other_contacts_per_100=k.other_contacts_per_100,
        recovered=RecoveredOut(
            recovered=loop.recovered.customers,
            enrolled=loop.recovered.enrolled,
            converted=loop.recovered.converted,
            renewed=loop.recovered.renewed,
            ordered_30=loop.recovered.ordered_30,
            ordered_90=loop.recovered.ordered_90,
            control=ControlOut(**vars(loop.control)),
        ),
        anchors=ANCHORS,
        trend=[TrendOut(**vars(p)) for p in k.trend],
    )


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
