"""Reads of membership: plans with their benefits, a customer's membership with its history,
and the member figures (enrolments, trial conversion, renewal, churn)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from andon.core.errors import NotFound

from . import rules
from .models import Benefit, Membership, MembershipChange, Plan


class UnknownPlan(NotFound):
    code = "unknown-plan"
    status = 422


def plans_list(*, active_only: bool = True) -> list[Plan]:
    """Plans in their configured order, each with its benefits (two queries in all)."""
    qs = Plan.objects.prefetch_related(
        Prefetch("benefits", queryset=Benefit.objects.order_by("position", "id"))
    )
    if active_only:
        qs = qs.filter(active=True)
    return list(qs)


def plan_get(*, code: str) -> Plan:
    plan = Plan.objects.filter(code=code).first()
    if plan is None:
        raise UnknownPlan(_("No membership plan '%(code)s'.") % {"code": code}, field="plan")
    return plan


def plan_for_recovery_action(action_code: str, *, day: dt.date) -> Plan | None:
    """The plan a service recovery action enrols in, if one is configured and on sale on
    `day`: recovery is never refused because a plan ran out, it stays a recovery line."""
    return (
        Plan.objects.filter(recovery_action=action_code, active=True)
        .exclude(available_from__gt=day)
        .exclude(available_until__lt=day)
        .first()
    )


def live_membership(*, customer_id: int) -> Membership | None:
    return (
        Membership.objects.select_related("plan")
        .filter(customer_id=customer_id, state__in=[s.value for s in rules.LIVE])
        .first()
    )


@dataclass(frozen=True)
class CustomerMembership:
    current: Membership | None  # the live one, else the latest ended one
    history: list[MembershipChange]  # every change of every membership, oldest first


def membership_of_customer(*, customer_id: int) -> CustomerMembership:
    """What the customer page and the API show: the current membership and all history."""
    mine = Membership.objects.select_related("plan", "customer").filter(customer_id=customer_id)
    current = (
        mine.filter(state__in=[s.value for s in rules.LIVE]).first()
        or mine.order_by("-started_at", "-id").first()
    )
    history = list(
        MembershipChange.objects.filter(membership__customer_id=customer_id)
        .select_related("membership__plan", "actor")
        .order_by("at", "id")
    )
    return CustomerMembership(current, history)
