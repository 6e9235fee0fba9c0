from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status
from pydantic import BaseModel, Field

from andon.contacts.selectors import Channel, reasons_active
from andon.contacts.services import TEXT_MAX
from andon.core.http import AuthenticatedRequest
from andon.detection.selectors import suggestion_for
from andon.pulls.selectors import eligibility_and_members, eligibility_for
from andon.pulls.watch import contact_intake_watched as contact_intake

from .idempotency import rolls_back_on_failure
from .problems import Problem
from .schemas import EligibilityOut, eligibility_out

router = Router(tags=["service desk"])


class ContactIn(BaseModel):
    customer: str = Field(min_length=1, max_length=64, description="Customer external id.")
    order: str = Field(min_length=1, max_length=64, description="Order external id.")
    line_no: int = Field(ge=1, le=10_000)
    reason: str = Field(min_length=1, max_length=50, description="Reason code.")
    text: str = Field("", max_length=TEXT_MAX, description="What the customer said, any language.")
    channel: Channel = Channel.PHONE
    handling_seconds: int | None = Field(None, ge=0, le=86_400)


class SuggestionOut(BaseModel):
    sentence: str = Field(description="What the agent reads, in the request's language.")
    other_customers: int
    reasons: list[str] = Field(description="Reason codes of the problem's contacts.")
    pull_reason: str
    eligible: bool
    missing: int


class ContactProblemOut(BaseModel):
    id: int
    label: str
    method: str = Field(description="embedding, lexical or reason: what decided it.")
    score: float
    matched_contact: int | None = Field(description="The closest earlier report, if any.")
    similarity: float
    suggestion: SuggestionOut | None = Field(
        description="Set when other customers reported the same problem: the cord's offer."
    )


class ContactOut(BaseModel):
    id: int
    created_at: dt.datetime
    customer: str
    order: str
    line_no: int
    sku: str
    reason: str
    text: str
    channel: str
    agent: str
    eligibility: EligibilityOut = Field(
        description="Whether the product may now be pulled for this reason, and why (not)."
    )
    problem: ContactProblemOut | None = Field(
        None, description="The detected problem this contact was assigned to (null if none)."
    )


class ReasonOut(BaseModel):
    code: str
    label_zh: str
    label_en: str
    threshold: int
    window_days: int
    safety_critical: bool
    departments: list[str]


@router.post("/contacts", response={201: ContactOut, 403: Problem, 422: Problem})
def contact_create(request: AuthenticatedRequest, payload: ContactIn):
    """Record a customer's report on an order line. Always recorded; the answer tells whether
    the product may now be pulled for that reason."""
    # With an Idempotency-Key, no savepoint of the watch's (two statements): the claim's
    # transaction rolls back whatever fails. Without one, the intake's block is the
    # transaction itself (no savepoint either) unless something encloses it.
    intake = contact_intake(
        actor=request.user,
        savepoint=not rolls_back_on_failure(request),
        **payload.model_dump(),
    )
    contact = intake.contact
    product = contact.product
    now = timezone.now()
    problem_out = None
    if (a := intake.assignment) is not None:
        problem = a.problem
        # One statement for the answer: the eligibility and the problem's members.
        decision, members = eligibility_and_members(
            product=product, reason=contact.reason, now=now, problem=problem
        )
        s = suggestion_for(contact=contact, now=now, assignment=a, members=members)
        problem_out = ContactProblemOut(
            id=problem.pk,
            label=problem.label,
            method=a.method,
            score=round(a.score, 4),
            matched_contact=a.matched_contact_id,
            similarity=round(a.similarity, 4),
            suggestion=SuggestionOut(
                sentence=s.sentence(),
                other_customers=s.others,
                reasons=s.reason_codes,
                pull_reason=s.pull_reason,
                eligible=s.eligible,
                missing=s.missing,
            )
            if s
            else None,
        )
    else:
        decision = eligibility_for(product=product, reason=contact.reason, now=now)
    return Status(
        201,
        ContactOut(
            id=contact.pk,
            created_at=contact.created_at,
            customer=payload.customer,
            order=payload.order,
            line_no=payload.line_no,
            sku=product.sku,
            reason=payload.reason,
            text=contact.text,
            channel=contact.channel,
            agent=request.user.get_username(),
            eligibility=eligibility_out(decision, contact.reason.label),
            problem=problem_out,
        ),
    )


@router.get("/reasons", response=list[ReasonOut])
def reasons_list(request: HttpRequest):
    return [
        ReasonOut(
            code=r.code,
            label_zh=r.label_zh,
            label_en=r.label_en,
            threshold=r.threshold,
            window_days=r.window_days,
            safety_critical=r.safety_critical,
            departments=[rt.department.code for rt in r.routes.all()],
        )
        for r in reasons_active(with_routes=True)
    ]
