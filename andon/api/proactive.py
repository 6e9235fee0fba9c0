"""Proactive recovery on an andon: reach the past buyers of its product who have not called,
in one action, as background work."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Status
from pydantic import BaseModel, Field

from andon.core.http import AuthenticatedRequest
from andon.pulls.blast import past_buyers_since
from andon.pulls.selectors import andon_view
from andon.recovery.proactive import SELECTION_MAX, proactive_start, proactive_summary
from andon.recovery.rules import LINE_MAX
from andon.recovery.tasks import proactive_run_task

from .problems import Problem

router = Router(tags=["service recovery"])


class ProactiveIn(BaseModel):
    action: str = Field(min_length=1, max_length=50, description="A recovery catalogue code.")
    customers: str | list[str] = Field(
        description=f'"all" pending past buyers, or 1 to {SELECTION_MAX} of their external ids.'
    )
    reason: str = Field(
        "",
        max_length=LINE_MAX,
        description="One line; needed only above the acting role's guide (never an approval).",
    )


class ProactiveJobOut(BaseModel):
    id: int
    total: int = Field(description="Customers this job reaches.")
    reached: int
    finished: bool


class ProactiveAccepted(BaseModel):
    job: ProactiveJobOut


class ProactiveOut(BaseModel):
    eligible: int = Field(description="Past buyers who had not contacted us: reached + pending.")
    reached: int
    pending: int
    cost: Decimal = Field(description="The cost of the recovery given so far (CNY).")
    contacted_anyway: int = Field(description="Reached customers who contacted us afterwards.")
    running: bool = Field(description="A job is still under way.")


@router.post(
    "/andons/{andon_id}/proactive-recovery",
    response={202: ProactiveAccepted, 403: Problem, 404: Problem, 422: Problem},
)
def proactive_create(request: AuthenticatedRequest, andon_id: int, payload: ProactiveIn):
    """Give one catalogue action to all pending past buyers of the andon's product (delivered
    in the blast radius's window, no contact about it) or to a selection. 202 with the job: a
    worker runs it in batches; each customer gets at most one proactive recovery per andon,
    however often this is sent. Each emits `recovery.proactive`."""
    andon = andon_view(andon_id=andon_id).andon
    with transaction.atomic():
        job = proactive_start(
            actor=request.user,
            andon_id=andon.pk,
            product=andon.product,
            since=past_buyers_since(andon),
            action=payload.action,
            customers=payload.customers,
            reason=payload.reason,
        )
        transaction.on_commit(lambda: proactive_run_task.enqueue(job.pk))
    return Status(
        202,
        ProactiveAccepted(
            job=ProactiveJobOut(id=job.pk, total=job.total, reached=0, finished=False)
        ),
    )


@router.get("/andons/{andon_id}/proactive-recovery", response={200: ProactiveOut, 404: Problem})
def proactive_read(request: HttpRequest, andon_id: int):
    """Past buyers reached, pending, the cost, and those who contacted us anyway."""
    andon = andon_view(andon_id=andon_id).andon
    s = proactive_summary(
        andon_id=andon.pk, product_id=andon.product_id, since=past_buyers_since(andon)
    )
    return ProactiveOut(**s.__dict__)
