from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from ninja import Router, Status
from pydantic import BaseModel, Field

from andon.core.http import AuthenticatedRequest
from andon.core.selectors import audit_of_andon
from andon.pulls.blast import PAST_BUYERS_DAYS, BlastRadius, blast_radius
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


class StockHeldOut(BaseModel):
    warehouse: str = Field(description="Warehouse code.")
    batch: str = Field(description="Batch code.")
    units: int


class RelatedProductOut(BaseModel):
    sku: str
    shared: Literal["batch", "manufacturer", "supplier"] = Field(
        description="The closest link to one of this product's batches: the same batch code, "
        "manufacturer (printer) or supplier."
    )


class BlastRadiusOut(BaseModel):
    """What the cord caught, what it could not, and who else is exposed."""

    stock_units: int = Field(description="Stock units the andon held, all warehouses and batches.")
    stock_held: list[StockHeldOut] = Field(description="Those units per warehouse and batch.")
    packed_lines: int = Field(description="Packed order lines the andon held.")
    in_transit_lines: int = Field(
        description="The product's lines already with the carrier: no hold can stop them."
    )
    past_lines: int = Field(
        description=f"Delivered lines of the product since {PAST_BUYERS_DAYS} days before the pull."
    )
    past_buyers: int = Field(description="Distinct customers of those delivered lines.")
    past_days: int = Field(description="The window of past buyers, in days before the pull.")
    gmv_per_day_at_stake: Decimal = Field(
        description="The product's monthly GMV / 30, or its sales in the 30 days before the "
        "pull / 30 when the storefront sends no monthly GMV."
    )
    currency: str
    related_products: list[RelatedProductOut] = Field(
        description="Other products sharing a batch code, manufacturer or supplier with this "
        "product's batches, closest link first (at most 50)."
    )


class AndonDetailOut(AndonOut):
    blast_radius: BlastRadiusOut


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


@router.post(
    "/andons",
    response={200: AndonDetailOut, 201: AndonDetailOut, 403: Problem, 422: Problem},
)
def andon_create(request: AuthenticatedRequest, payload: AndonIn):
    """Pull the cord. 201: a new andon (product suppressed, stock and packed lines held, work
    orders opened). 200: joined the open andon for the same product and reason. Either way
    with its blast radius, read in the pull's transaction. 422 with the eligibility
    explanation when not enough customers reported it yet. Never waits for an approval."""
    result = andon_pull(
        actor=request.user,
        sku=payload.sku,
        reason=payload.reason,
        note=payload.note,
        problem=payload.problem,
    )
    view = AndonView(result.andon, result.work_orders, result.holds, result.evidence)
    assert result.blast is not None  # every pull reads it
    out = AndonDetailOut(
        **andon_out(view, joined=result.joined).model_dump(),
        blast_radius=blast_radius_out(result.blast),
    )
    return Status(200 if result.joined else 201, out)


@router.get("/andons", response=list[AndonOut])
def andon_list(request: HttpRequest, sku: str | None = None, state: str | None = None):
    return [andon_out(v) for v in andons_list(sku=sku, state=state)]


def blast_radius_out(radius: BlastRadius) -> BlastRadiusOut:
    return BlastRadiusOut(
        stock_units=radius.stock_units,
        stock_held=[
            StockHeldOut(warehouse=s.warehouse, batch=s.batch, units=s.units)
            for s in radius.stock_held
        ],
        packed_lines=radius.packed_lines,
        in_transit_lines=radius.in_transit_lines,
        past_lines=radius.past_lines,
        past_buyers=radius.past_buyers,
        past_days=radius.past_days,
        gmv_per_day_at_stake=radius.gmv_per_day_at_stake,
        currency=radius.currency,
        related_products=[
            RelatedProductOut(sku=r.sku, shared=r.shared)  # type: ignore[arg-type]
            for r in radius.related_products
        ],
    )


@router.get("/andons/{andon_id}", response={200: AndonDetailOut, 404: Problem})
def andon_read(request: HttpRequest, andon_id: int):
    """One andon with its blast radius: the stock and packed lines its holds caught, the lines
    already in transit, past buyers of the product, the GMV per day at stake and the products
    sharing its batches' source."""
    view = andon_view(andon_id=andon_id)
    return AndonDetailOut(
        **andon_out(view).model_dump(),
        blast_radius=blast_radius_out(blast_radius(andon=view.andon)),
    )


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
