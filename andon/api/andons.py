from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Status
from pydantic import BaseModel, Field

from andon.core.http import AuthenticatedRequest
from andon.core.selectors import audit_of_andon
from andon.pulls.rules import NOTE_MAX
from andon.pulls.selectors import AndonView, andon_view, andons_list
from andon.pulls.services import andon_pull

from .problems import Problem
from .work_orders import WorkOrderBrief, work_order_brief

router = Router(tags=["the cord"])


class AndonIn(BaseModel):
    sku: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=50, description="Reason code.")
    note: str = Field(description=f"One line, 1 to {NOTE_MAX} characters.")
    problem: int | None = Field(
        None,
        ge=1,
        description="A detected problem of the product (GET /problem-clusters): eligible when "
        "enough customers reported it however coded; joins that problem's open andon.",
    )


class HoldsOut(BaseModel):
    stock_units: int
    order_lines: int


class AndonOut(BaseModel):
    id: int
    state: str
    sku: str
    reason: str
    note: str
    opened_at: dt.datetime
    opened_by: str
    closed_at: dt.datetime | None
    listing_status: str
    joined: bool = Field(False, description="True when this pull joined an open andon.")
    problem: int | None = Field(None, description="The detected problem it was pulled for.")
    evidence_contacts: int
    work_orders: list[WorkOrderBrief]
    holds: HoldsOut


class TimelineEntry(BaseModel):
    at: dt.datetime
    action: str
    actor: str | None
    subject: str
    data: dict


def andon_out(view: AndonView, joined: bool = False) -> AndonOut:
    a = view.andon
    return AndonOut(
        id=a.pk,
        state=a.state,
        sku=a.product.sku,
        reason=a.reason.code,
        note=a.note,
        opened_at=a.opened_at,
        opened_by=a.opened_by.get_username(),
        closed_at=a.closed_at,
        listing_status=a.product.listing_status,
        joined=joined,
        problem=a.problem_id,
        evidence_contacts=view.evidence,
        work_orders=[work_order_brief(w) for w in view.work_orders],
        holds=HoldsOut(stock_units=view.holds.stock_units, order_lines=view.holds.order_lines),
    )


@router.post("/andons", response={200: AndonOut, 201: AndonOut, 403: Problem, 422: Problem})
def andon_create(request: AuthenticatedRequest, payload: AndonIn):
    """Pull the cord. 201: a new andon (product suppressed, stock and packed lines held, work
    orders opened). 200: joined the open andon for the same product and reason. 422 with the
    eligibility explanation when not enough customers reported it yet. Never waits for an
    approval."""
    result = andon_pull(
        actor=request.user,
        sku=payload.sku,
        reason=payload.reason,
        note=payload.note,
        problem=payload.problem,
    )
    view = AndonView(
        result.andon, result.work_orders, result.holds, result.andon.evidence_links.count()
    )
    return Status(200 if result.joined else 201, andon_out(view, joined=result.joined))


@router.get("/andons", response=list[AndonOut])
def andon_list(request: HttpRequest, sku: str | None = None, state: str | None = None):
    return [andon_out(v) for v in andons_list(sku=sku, state=state)]


@router.get("/andons/{andon_id}", response={200: AndonOut, 404: Problem})
def andon_read(request: HttpRequest, andon_id: int):
    return andon_out(andon_view(andon_id=andon_id))


@router.get("/andons/{andon_id}/timeline", response={200: list[TimelineEntry], 404: Problem})
def andon_timeline(request: HttpRequest, andon_id: int):
    """The andon's history from the audit trail: pull, joins, work order steps, relist."""
    andon_view(andon_id=andon_id)
    entries = audit_of_andon(andon_id=andon_id)
    return [
        TimelineEntry(
            at=e.occurred_at,
            action=e.action,
            actor=e.actor.get_username() if e.actor else None,
            subject=f"{e.subject_type}:{e.subject_id}",
            data=e.data,
        )
        for e in entries
    ]
