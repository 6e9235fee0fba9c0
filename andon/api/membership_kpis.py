"""Member KPIs: enrolments, trial conversion, renewal, churn, member share of orders and GMV,
contacts per 100 orders, and the close-the-loop figures of service recovery, with the
anchors (Prime, Costco) to read them against."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router
from pydantic import BaseModel, Field

from andon.membership import rules
from andon.membership.selectors import (
    member_kpis,
)
from andon.people import rules as people_rules
from andon.people.selectors import actor_require
from andon.recovery.members import recovered_members

from .guard import IsoDate
from .problems import Problem

if TYPE_CHECKING:
    pass

router = Router(tags=["membership"])


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
