"""Service recovery on a contact, and the catalogue with the caller's guides."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from pydantic import BaseModel, Field

from andon.core.errors import Forbidden
from andon.core.http import AuthenticatedRequest
from andon.orders.selectors import customer_find
from andon.people import rules as people_rules
from andon.people.selectors import roles_of
from andon.recovery.rules import COST_MAX, LINE_MAX
from andon.recovery.selectors import recovery_catalogue, recovery_of_customer
from andon.recovery.services import recovery_give

from .problems import Problem

if TYPE_CHECKING:
    from andon.recovery.models import RecoveryGiven

router = Router(tags=["service recovery"])


class RecoveryIn(BaseModel):
    action: str = Field(min_length=1, max_length=50, description="Catalogue code.")
    cost: Decimal | None = Field(
        None,
        ge=0,
        le=COST_MAX,
        decimal_places=2,
        description="CNY; defaults to the catalogue's cost.",
    )
    note: str | None = Field(None, max_length=LINE_MAX)
    reason_above_guide: str = Field(
        "",
        max_length=LINE_MAX,
        description=("One line, needed only above your role's guide. Nobody approves anything."),
    )


class RecoveryOut(BaseModel):
    id: int
    contact_id: int
    customer: str
    action: str
    kind: str
    cost: Decimal
    note: str
    above_guide: bool
    reason_above_guide: str
    agent: str
    given_at: dt.datetime


class CatalogueOut(BaseModel):
    code: str
    kind: str
    label_zh: str
    label_en: str
    default_cost: Decimal | None
    guide: Decimal | None = Field(description="Your usual maximum cost; above it, add a reason.")


def recovery_out(g: RecoveryGiven) -> RecoveryOut:
    return RecoveryOut(
        id=g.pk,
        contact_id=g.contact_id,
        customer=g.customer.external_id,
        action=g.action.code,
        kind=g.action.kind,
        cost=g.cost,
        note=g.note,
        above_guide=g.above_guide,
        reason_above_guide=g.reason_above_guide,
        agent=g.agent.get_username(),
        given_at=g.given_at,
    )


@router.post(
    "/contacts/{contact_id}/recovery",
    response={201: RecoveryOut, 403: Problem, 404: Problem, 422: Problem},
)
def recovery_create(request: AuthenticatedRequest, contact_id: int, payload: RecoveryIn):
    """Give the customer of a contact one recovery action, at once. Above the guide of your
    role, add one line of reason; there is never an approval."""
    given = recovery_give(actor=request.user, contact_id=contact_id, **payload.model_dump())
    return Status(201, recovery_out(given))


@router.get("/recovery/actions", response={200: list[CatalogueOut], 403: Problem})
def recovery_actions(request: HttpRequest):
    """The recovery catalogue with the caller's guides: for the service people who give
    recovery (as on the console's recovery page)."""
    roles = roles_of(request.user)
    if not people_rules.may_give_recovery(roles):
        raise Forbidden(_("Only agents and team leads give service recovery."))
    return [
        CatalogueOut(
            code=e.action.code,
            kind=e.action.kind,
            label_zh=e.action.label_zh,
            label_en=e.action.label_en,
            default_cost=e.action.default_cost,
            guide=e.guide,
        )
        for e in recovery_catalogue(roles=roles)
    ]


@router.get(
    "/customers/{external_id}/recovery",
    response={200: list[RecoveryOut], 403: Problem, 404: Problem},
)
def customer_recovery(request: HttpRequest, external_id: str):
    """A customer's recovery history, newest first: for the service people who see it on the
    customer's page in the console (agents, team leads, admins)."""
    if not people_rules.may_read_recovery(roles_of(request.user)):
        raise Forbidden(_("Only service people read a customer's recovery history."))
    customer = customer_find(external_id=external_id)
    if customer is None:
        return Status(
            404,
            Problem(
                type="urn:andon:problem:not-found",
                title=_("Not found"),
                status=404,
                detail=_("No customer '%(id)s'.") % {"id": external_id},
                code="not-found",
                field="external_id",
            ),
        )
    return [recovery_out(g) for g in recovery_of_customer(customer.pk)]
