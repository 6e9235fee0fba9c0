"""Reads of service recovery: the catalogue with the reader's guides, a customer's history,
and the cost per period and team for the Monday review."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from andon.core.errors import NotFound
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
