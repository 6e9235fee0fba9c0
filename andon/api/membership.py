"""Membership: the plans, and one customer's membership (read, enrol, renew, mark past due,
cancel, and the storefront's own record by PUT)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

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
    Period,
    Source,
    State,
)
from andon.membership.selectors import (
    membership_of_customer,
    plans_list,
)
from andon.orders.selectors import customer_find
from andon.people import rules as people_rules
from andon.people.selectors import actor_require

from .guard import IsoDateTime
from .problems import Problem

if TYPE_CHECKING:
    from andon.membership.models import Membership, MembershipChange, Plan
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
