from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router
from pydantic import BaseModel, Field

from andon.core.http import AuthenticatedRequest
from andon.holds.rules import Disposition
from andon.holds.selectors import holds_of
from andon.pulls.services import StepResult, work_order_act
from andon.workorders.models import WorkOrder
from andon.workorders.rules import FINDINGS_MAX, REOPEN_REASON_MAX, Action, State
from andon.workorders.selectors import work_order_get, work_orders_list
from andon.workorders.services import Step

from .problems import Problem

router = Router(tags=["work orders"])


class WorkOrderBrief(BaseModel):
    id: int
    department: str
    state: State
    due_at: dt.datetime


class HoldOut(BaseModel):
    id: int
    kind: str
    quantity: int
    state: str
    warehouse: str | None = None
    batch: str | None = None
    order: str | None = None
    line_no: int | None = None


class WorkOrderOut(WorkOrderBrief):
    andon_id: int
    andon_state: str
    sku: str
    reason: str
    instruction: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    resolved_at: dt.datetime | None
    findings: str
    disposition: str
    closed_at: dt.datetime | None
    reopen_count: int
    last_reopen_reason: str
    listing_status: str
    holds: list[HoldOut] = []


class HoldDispositionIn(BaseModel):
    id: int
    disposition: Disposition


class ResolveIn(BaseModel):
    findings: str = Field(min_length=1, max_length=FINDINGS_MAX)
    disposition: Disposition = Field(
        Disposition.RELEASE, description="Default for the andon's holds, as these findings say."
    )
    holds: list[HoldDispositionIn] = Field([], description="Per-hold exceptions.")


class ReopenIn(BaseModel):
    reason: str = Field(min_length=1, max_length=REOPEN_REASON_MAX)


class StepOut(WorkOrderOut):
    andon_closed: bool
    relisted: bool


def work_order_brief(wo: WorkOrder) -> WorkOrderBrief:
    return WorkOrderBrief(
        id=wo.pk, department=wo.department.code, state=State(wo.state), due_at=wo.due_at
    )


def work_order_out(wo: WorkOrder, with_holds: bool = False) -> dict:
    andon = wo.andon
    out = dict(
        work_order_brief(wo).model_dump(),
        andon_id=andon.pk,
        andon_state=andon.state,
        sku=andon.product.sku,
        reason=andon.reason.code,
        instruction=wo.instruction,
        created_at=wo.created_at,
        started_at=wo.started_at,
        resolved_at=wo.resolved_at,
        findings=wo.findings,
        disposition=wo.disposition,
        closed_at=wo.closed_at,
        reopen_count=wo.reopen_count,
        last_reopen_reason=wo.last_reopen_reason,
        listing_status=andon.product.listing_status,
    )
    if with_holds:
        out["holds"] = [
            HoldOut(
                id=h.pk,
                kind=h.kind,
                quantity=h.quantity,
                state=h.state,
                warehouse=h.stock_level.warehouse.code if h.stock_level else None,
                batch=h.stock_level.batch.code if h.stock_level else None,
                order=h.order_line.order.external_id if h.order_line else None,
                line_no=h.order_line.line_no if h.order_line else None,
            )
            for h in holds_of(andon_id=andon.pk)
        ]
    return out


@router.get("/work-orders", response=list[WorkOrderOut])
def work_order_list(
    request: HttpRequest, department: str | None = None, state: State | None = None
):
    """A department's queue, earliest due first."""
    return [
        work_order_out(w)
        for w in work_orders_list(department=department, state=state.value if state else None)
    ]


@router.get("/work-orders/{work_order_id}", response={200: WorkOrderOut, 404: Problem})
def work_order_read(request: HttpRequest, work_order_id: int):
    return work_order_out(_fresh(work_order_id), with_holds=True)


def _act(request: AuthenticatedRequest, work_order_id: int, step: Step) -> dict:
    result: StepResult = work_order_act(actor=request.user, work_order_id=work_order_id, step=step)
    return dict(
        work_order_out(_fresh(result.work_order.pk)),
        andon_closed=result.andon_closed,
        relisted=result.relisted,
    )


def _fresh(work_order_id: int) -> WorkOrder:
    wo = work_order_get(work_order_id=work_order_id)
    # The step may have closed the andon and relisted the product: read them anew.
    wo.andon.refresh_from_db()
    wo.andon.product.refresh_from_db()
    return wo


STEP_RESPONSES = {200: StepOut, 403: Problem, 404: Problem, 409: Problem, 422: Problem}


@router.post("/work-orders/{work_order_id}/start", response=STEP_RESPONSES)
def work_order_start(request: AuthenticatedRequest, work_order_id: int):
    """A member of the work order's department starts working on it."""
    return _act(request, work_order_id, Step(Action.START))


@router.post("/work-orders/{work_order_id}/resolve", response=STEP_RESPONSES)
def work_order_resolve(request: AuthenticatedRequest, work_order_id: int, payload: ResolveIn):
    """Findings, and what to do with the held goods (default and per-hold exceptions)."""
    return _act(
        request,
        work_order_id,
        Step(
            Action.RESOLVE,
            findings=payload.findings,
            disposition=payload.disposition,
            hold_dispositions={h.id: h.disposition for h in payload.holds},
        ),
    )


@router.post("/work-orders/{work_order_id}/confirm", response=STEP_RESPONSES)
def work_order_confirm(request: AuthenticatedRequest, work_order_id: int):
    """The service confirmer closes the work order; the last one relists the product."""
    return _act(request, work_order_id, Step(Action.CONFIRM))


@router.post("/work-orders/{work_order_id}/reopen", response=STEP_RESPONSES)
def work_order_reopen(request: AuthenticatedRequest, work_order_id: int, payload: ReopenIn):
    return _act(request, work_order_id, Step(Action.REOPEN, reason=payload.reason))
