from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.errors import HttpError, ValidationError
from pydantic import BaseModel, Field
from pydantic import ValidationError as PydanticValidationError

from andon.core.errors import Forbidden
from andon.core.http import AuthenticatedRequest
from andon.holds.rules import Disposition
from andon.holds.services import holds_materialize
from andon.people import rules as people_rules
from andon.people.rules import Roles
from andon.people.selectors import departments_by_code, roles_of
from andon.pulls.relist import StepResult, work_order_act
from andon.workorders.rules import (
    FINDINGS_MAX,
    RELIST_MAX_UNITS,
    RELIST_WATCH_DAYS_MAX,
    REOPEN_REASON_MAX,
    Action,
    State,
    relist_choice,
)
from andon.workorders.selectors import disposition_plan, work_order_get, work_orders_list
from andon.workorders.services import Step

from .problems import Problem

if TYPE_CHECKING:
    from andon.workorders.models import WorkOrder

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
    dispositions: dict[str, Disposition | None] = Field(
        {},
        description=(
            "What each department's resolution says about this hold, by department code; "
            "null: not resolved yet (or resolved while nothing was held)."
        ),
    )
    plan: Disposition | None = Field(
        None,
        description=(
            "What happens to it at relist: the most cautious of the departments' dispositions; "
            "null while none has decided (or once the hold is released or disposed of)."
        ),
    )


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
    disposition: str = Field(
        description="This department's disposition of the held goods; empty before it resolves, "
        "or when nothing was held when it resolved."
    )
    hold_dispositions: dict[str, Disposition] = Field(
        {}, description="This department's per-hold exceptions, by hold id."
    )
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
    disposition: Disposition | None = Field(
        None,
        description=(
            "What happens to the andon's held goods, as these findings say. Required while "
            "goods are held (422 `disposition-required`): there is no default."
        ),
    )
    holds: list[HoldDispositionIn] = Field(
        [], description="Per-hold exceptions, where a hold's fate differs from `disposition`."
    )


class ReopenIn(BaseModel):
    reason: str = Field(min_length=1, max_length=REOPEN_REASON_MAX)


class StepOut(WorkOrderOut):
    andon_closed: bool
    relisted: bool
    holds_finalized: dict[str, int] = Field(
        {}, description="After a relist: hold rows per final state (released, scrapped...)."
    )
    units_on_hand: int | None = Field(
        None,
        description=(
            "After a relist: the product's stock now. 0 means it is listed but has nothing to "
            "sell (see `units_removed`: the held stock was returned to the vendor or scrapped)."
        ),
    )
    units_removed: int = Field(
        0, description="After a relist: stock units the dispositions returned or scrapped."
    )
    max_units: int | None = Field(
        None, description="After a staged relist: the listing sells at most this many units."
    )
    until: dt.datetime | None = Field(
        None, description="After a staged relist: the watch ends then (full relist if quiet)."
    )


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
        hold_dispositions=wo.hold_dispositions or {},
        closed_at=wo.closed_at,
        reopen_count=wo.reopen_count,
        last_reopen_reason=wo.last_reopen_reason,
        listing_status=andon.product.listing_status,
    )
    if with_holds:
        # The holds are listed with their ids for a resolve to name: the andon's pending scope
        # (holds.scopes) is written out first, by the holds service; the plan only reads.
        holds_materialize(andon_ids=[andon.pk])
        plan = disposition_plan(andon_id=andon.pk, materialized=True)
        codes = [w.department.code for w in plan.work_orders]
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
                dispositions={c: w.disposition for c, w in zip(codes, row.said, strict=True)},
                plan=row.plan,
            )
            for row in plan.rows
            for h in [row.hold]
        ]
    return out


def _readable_departments(r: Roles) -> set[str]:
    """The departments whose work orders the caller reads (people.rules, as in the console)."""
    return {c for c in departments_by_code() if people_rules.may_read_work_orders(r, c)}


def _not_yours() -> Forbidden:
    return Forbidden(
        _("Only the department's members and service confirmers read its work orders."),
        field="department",
    )


@router.get("/work-orders", response={200: list[WorkOrderOut], 403: Problem})
def work_order_list(
    request: HttpRequest, department: str | None = None, state: State | None = None
):
    """A department's queue, earliest due first (closed ones: latest closed first). Members
    read their departments' work orders, confirmers and admins every department's; without
    `department`, all the caller reads. 403 for anyone else, or for a department not theirs."""
    roles = roles_of(request.user)
    readable = _readable_departments(roles)
    if not people_rules.may_read_any_work_orders(roles) or (
        department is not None and department not in readable
    ):
        raise _not_yours()
    rows = work_orders_list(
        department=department, state=state.value if state else None, departments=readable
    )
    return [work_order_out(w) for w in rows]


@router.get(
    "/work-orders/{work_order_id}", response={200: WorkOrderOut, 403: Problem, 404: Problem}
)
def work_order_read(request: HttpRequest, work_order_id: int):
    """One work order with its holds and their dispositions: for its department's members,
    confirmers and admins (403 otherwise)."""
    wo = _fresh(work_order_id)
    if not people_rules.may_read_work_orders(roles_of(request.user), wo.department.code):
        raise _not_yours()
    return work_order_out(wo, with_holds=True)


def _act(request: AuthenticatedRequest, work_order_id: int, step: Step) -> dict:
    result: StepResult = work_order_act(actor=request.user, work_order_id=work_order_id, step=step)
    wo = _fresh(result.work_order.pk)
    limit = {}
    if result.limited:
        product = wo.andon.product
        limit = {"max_units": product.listing_max_units, "until": product.listing_until}
    return dict(
        work_order_out(wo),
        andon_closed=result.andon_closed,
        relisted=result.relisted,
        holds_finalized=result.holds_finalized,
        units_on_hand=result.units_on_hand,
        units_removed=result.units_removed,
        **limit,
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
    """Findings, and what happens to the held goods: a `disposition` for all of them (required
    while goods are held; nothing is released by default) and per-hold exceptions."""
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


class ConfirmIn(BaseModel):
    relist: Literal["full", "staged"] = Field(
        "full",
        description="At the last confirmation: relist fully (today's behaviour), or staged: "
        "the listing is `limited` to `max_units` while the fix is watched for `watch_days`; a "
        "complaint on the same problem in that time suppresses it again and reopens the andon; "
        "a quiet watch ends in a full relist on its own.",
    )
    max_units: int | None = Field(
        None, ge=1, le=RELIST_MAX_UNITS, description="Staged only: the cap in units."
    )
    watch_days: int | None = Field(
        None, ge=1, le=RELIST_WATCH_DAYS_MAX, description="Staged only: the watch, in days."
    )


def _confirm_in(request: HttpRequest) -> ConfirmIn:
    """The body is optional (a confirmation without one relists fully, as before): ninja's
    optional bodies refuse an empty one, so it is read here, with the same problems. Only a
    JSON body is read: a form post without fields is no choice, as before."""
    raw = request.body.strip()
    if not raw or not (request.content_type or "").endswith("json"):
        return ConfirmIn.model_validate({})
    try:
        data = json.loads(raw)
    except ValueError:
        raise HttpError(400, "Cannot parse request body") from None
    try:
        return ConfirmIn.model_validate(data)
    except PydanticValidationError as e:
        raise ValidationError(
            [{**err, "loc": ("body", *err["loc"])} for err in e.errors()]
        ) from None


@router.post(
    "/work-orders/{work_order_id}/confirm",
    response=STEP_RESPONSES,
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": ConfirmIn.model_json_schema()}},
        }
    },
)
def work_order_confirm(request: AuthenticatedRequest, work_order_id: int):
    """The service confirmer closes the work order; the last one relists the product (fully,
    or staged: `{"relist": "staged", "max_units": N, "watch_days": D}`) and carries out the
    plan of the held goods (`GET /work-orders/{id}` shows it per hold). 409
    `holds-without-disposition` when goods held after every department resolved have no
    disposition: reopen a work order first."""
    p = _confirm_in(request)
    choice = relist_choice(p.relist, p.max_units, p.watch_days)
    return _act(request, work_order_id, Step(Action.CONFIRM, relist=choice))


@router.post("/work-orders/{work_order_id}/reopen", response=STEP_RESPONSES)
def work_order_reopen(request: AuthenticatedRequest, work_order_id: int, payload: ReopenIn):
    return _act(request, work_order_id, Step(Action.REOPEN, reason=payload.reason))
