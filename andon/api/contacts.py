from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status
from pydantic import BaseModel, Field

from andon.catalog.models import Product
from andon.contacts.models import Channel
from andon.contacts.selectors import reasons_active
from andon.contacts.services import TEXT_MAX, contact_record
from andon.core.http import AuthenticatedRequest
from andon.pulls.selectors import eligibility_for

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
    contact = contact_record(actor=request.user, **payload.model_dump())
    product = Product.objects.get(pk=contact.product_id)
    decision = eligibility_for(product=product, reason=contact.reason, now=timezone.now())
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
            departments=[rt.department.code for rt in r.routes.select_related("department")],
        )
        for r in reasons_active()
    ]
