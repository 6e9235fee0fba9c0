"""Reads of service recovery: the catalogue with the reader's guides, a customer's history,
and the cost per period and team for the Monday review."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.utils.translation import gettext as _

from andon.core.errors import NotFound
from andon.membership.models import Membership
from andon.membership.rules import Change
from andon.orders.models import Customer, Order
from andon.people.rules import Roles

from . import rules
from .models import GuideLimit, RecoveryAction, RecoveryGiven


class UnknownAction(NotFound):
    code = "unknown-recovery-action"
    status = 422


@dataclass(frozen=True)
class CatalogueEntry:
    action: RecoveryAction
    guide: Decimal | None  # the reader's usual maximum cost; None: no guide


def action_get(*, code: str) -> RecoveryAction:
    try:
        return RecoveryAction.objects.get(code=code, active=True)
    except RecoveryAction.DoesNotExist:
        raise UnknownAction(
            _("No active recovery action '%(code)s'.") % {"code": code}, field="action"
        ) from None


def guide_limits(*, action_ids: list[int] | None = None) -> dict[int, dict[str, Decimal]]:
    """action id -> role -> max cost."""
    qs = GuideLimit.objects.all()
    if action_ids is not None:
        qs = qs.filter(action_id__in=action_ids)
    out: dict[int, dict[str, Decimal]] = {}
    for limit in qs:
        out.setdefault(limit.action_id, {})[limit.role] = limit.max_cost
    return out


def recovery_catalogue(*, roles: Roles) -> list[CatalogueEntry]:
    """The active catalogue in its configured order, each with the reader's guide."""
    actions = list(RecoveryAction.objects.filter(active=True))
    limits = guide_limits(action_ids=[a.pk for a in actions])
    return [CatalogueEntry(a, rules.guide_for(roles, limits.get(a.pk, {}))) for a in actions]


def recovery_of_customer(customer_id: int, *, limit: int = 200) -> list[RecoveryGiven]:
    """Every recovery a customer was given, newest first (for the customer history screen)."""
    return list(
        RecoveryGiven.objects.filter(customer_id=customer_id)
        .select_related("action", "agent", "contact__product", "contact__reason")
        .order_by("-given_at", "-id")[:limit]
    )


def recovery_of_contact(*, contact_id: int) -> list[RecoveryGiven]:
    return list(
        RecoveryGiven.objects.filter(contact_id=contact_id)
        .select_related("action", "agent")
        .order_by("given_at", "id")
    )


@dataclass(frozen=True)
class CostLine:
    code: str
    label: str
    given: int
    cost: Decimal
    above_guide: int


def recovery_cost(
    *, since: dt.datetime, until: dt.datetime, team_id: int | None = None
) -> list[CostLine]:
    """Recovery given in [since, until), per action: how often, what it cost, how often above
    the guide; optionally for the agents of one team (as they were when they gave it)."""
    qs = RecoveryGiven.objects.filter(given_at__gte=since, given_at__lt=until)
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    grouped = qs.values("action_id").annotate(
        given=Count("id"),
        cost=Sum("cost"),
        above=Count("id", filter=Q(above_guide=True)),
    )
    rows = list(grouped)
    ids = [r["action_id"] for r in rows]
    actions = {a.pk: a for a in RecoveryAction.objects.filter(pk__in=ids)}
    return sorted(
        (
            CostLine(
                actions[r["action_id"]].code,
                actions[r["action_id"]].label,
                r["given"],
                Decimal(r["cost"] or 0).quantize(Decimal("0.01")),
                r["above"],
            )
            for r in rows
        ),
        key=lambda c: -c.cost,
    )


@dataclass(frozen=True)
class RecoveredMembers:
    """Close the loop (issue 13): of the customers given recovery in a period, how many
    enrolled in a membership after it, converted a trial, renewed, and ordered again within
    30 and 90 days of their first recovery in the period."""

    recovered: int
    enrolled: int
    converted: int
    renewed: int
    ordered_30: int
    ordered_90: int


def recovered_members(*, since: dt.datetime, until: dt.datetime) -> RecoveredMembers:
    """One query: each recovered customer's first recovery of the period, then EXISTS per
    outcome (a membership started since, a conversion or renewal of it, an order after)."""
    first = (
        RecoveryGiven.objects.filter(
            customer_id=OuterRef("pk"), given_at__gte=since, given_at__lt=until
        )
        .order_by("given_at")
        .values("given_at")[:1]
    )
    joined = Membership.objects.filter(
        customer_id=OuterRef("pk"), started_at__gte=OuterRef("first")
    )

    def ordered(days: int) -> Exists:
        return Exists(
            Order.objects.filter(
                customer_id=OuterRef("pk"),
                placed_at__gt=OuterRef("first"),
                placed_at__lte=OuterRef("first") + dt.timedelta(days=days),
            )
        )

    figures = (
        Customer.objects.annotate(first=Subquery(first))
        .filter(first__isnull=False)
        .annotate(
            has_enrolled=Exists(joined),
            has_converted=Exists(joined.filter(changes__change=Change.CONVERTED)),
            has_renewed=Exists(joined.filter(changes__change=Change.RENEWED)),
            has_ordered_30=ordered(30),
            has_ordered_90=ordered(90),
        )
        # Aggregates named like the annotations would replace them: hence has_*.
        .aggregate(
            recovered=Count("pk"),
            enrolled=Count("pk", filter=Q(has_enrolled=True)),
            converted=Count("pk", filter=Q(has_converted=True)),
            renewed=Count("pk", filter=Q(has_renewed=True)),
            ordered_30=Count("pk", filter=Q(has_ordered_30=True)),
            ordered_90=Count("pk", filter=Q(has_ordered_90=True)),
        )
    )
    return RecoveredMembers(**figures)
