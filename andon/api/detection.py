"""Detected problems: clusters per product, corrections (merge, split, move), complaint-rate
alerts and shared causes across products."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status
from pydantic import BaseModel, Field, StrictInt

from andon.catalog.errors import ProductNotFound
from andon.catalog.selectors import product_get
from andon.contacts.selectors import reasons_all
from andon.core.http import AuthenticatedRequest
from andon.detection import causes, corrections, selectors
from andon.detection.selectors import ProblemView

from .problems import Problem

router = Router(tags=["problem detection"])


class ClusterContactOut(BaseModel):
    id: int
    external_id: str | None
    customer: str = Field(description="Customer external id.")
    created_at: dt.datetime


class ClusterOut(BaseModel):
    id: int
    label: str = Field(description="A customer's own words, in the reader's language if any.")
    reasons: dict[str, int] = Field(description="Reason code -> contacts coded with it.")
    distinct_customers: int
    first_at: dt.datetime | None
    last_at: dt.datetime | None
    suggest_pull: bool = Field(
        description="Enough distinct customers reported it within the window of its most "
        "frequent reason code: the cord may be pulled for this problem."
    )
    contacts: list[ClusterContactOut]


class ClustersOut(BaseModel):
    clusters: list[ClusterOut]


class ClustersQuery(BaseModel):
    product: str = Field(min_length=1, max_length=64, description="The product's SKU.")


def _policies() -> dict[str, Any]:
    return {r.code: r for r in reasons_all()}


def cluster_out(view: ProblemView, policies: dict[str, Any]) -> ClusterOut:
    main = policies.get(view.main_reason or "")
    suggest = False
    if main is not None and view.last_at is not None:
        since = timezone.now() - dt.timedelta(days=main.window_days)
        recent = {c.customer_id for c in view.contacts if c.created_at >= since}
        suggest = len(recent) >= main.threshold
    return ClusterOut(
        id=view.problem.pk,
        label=view.problem.label,
        reasons=view.reasons,
        distinct_customers=view.distinct_customers,
        first_at=view.first_at,
        last_at=view.last_at,
        suggest_pull=suggest,
        contacts=[
            ClusterContactOut(
                id=c.pk,
                external_id=c.external_id,
                customer=c.customer.external_id,
                created_at=c.created_at,
            )
            for c in view.contacts
        ],
    )


@router.get("/problem-clusters", response={200: ClustersOut, 404: Problem, 422: Problem})
def clusters_list(request: HttpRequest, query: Query[ClustersQuery]):
    """A product's open problems, the most customers first: what customers report, in their
    own words, however the agents coded it."""
    try:
        product = product_get(sku=query.product)
    except ProductNotFound as e:
        raise ProductNotFound(e.detail, field="product") from None
    policies = _policies()
    views = selectors.problems_of_product(product_id=product.pk)
    return ClustersOut(clusters=[cluster_out(v, policies) for v in views])


class MergeIn(BaseModel):
    into: int = Field(ge=1, description="The problem that absorbs this one (same product).")


class ContactsIn(BaseModel):
    contacts: list[StrictInt] = Field(
        min_length=1, max_length=1000, description="Contact ids (see the cluster's contacts)."
    )


def _one(problem_id: int) -> ClusterOut:
    return cluster_out(selectors.problem_view(problem_id=problem_id), _policies())


ERRORS = {403: Problem, 404: Problem, 409: Problem, 422: Problem}


@router.post("/problem-clusters/{problem_id}/merge", response={200: ClusterOut, **ERRORS})
def cluster_merge(request: AuthenticatedRequest, problem_id: int, payload: MergeIn):
    """Merge this problem into another of the same product (team leads, admins). Its contacts
    move there and stay there; it is kept as "merged into" the other."""
    target = corrections.problem_merge(
        actor=request.user, problem_id=problem_id, into_id=payload.into
    )
    return _one(target.pk)


@router.post("/problem-clusters/{problem_id}/split", response={201: ClusterOut, **ERRORS})
def cluster_split(request: AuthenticatedRequest, problem_id: int, payload: ContactsIn):
    """Take some contacts out of this problem into a new one (team leads, admins)."""
    new = corrections.problem_split(
        actor=request.user, problem_id=problem_id, contact_ids=payload.contacts
    )
    return Status(201, _one(new.pk))


@router.post("/problem-clusters/{problem_id}/move", response={200: ClusterOut, **ERRORS})
def cluster_move(request: AuthenticatedRequest, problem_id: int, payload: ContactsIn):
    """Move contacts of the same product into this problem (team leads, admins)."""
    target = corrections.problem_contacts_move(
        actor=request.user, contact_ids=payload.contacts, problem_id=problem_id
    )
    return _one(target.pk)


class AlertOut(BaseModel):
    id: int
    sku: str
    title: str
    raised_at: dt.datetime
    window_days: int
    complainers: int = Field(description="Distinct complaining customers in the window.")
    units: int = Field(description="Units delivered in the window.")
    rate: float
    baseline: float = Field(description="The rest of the catalogue's rate in the window.")
    p_value: float = Field(description="One-sided Poisson test against the baseline.")
    gmv_at_stake: str = Field(description="The product's monthly GMV.")
    problem: int | None = Field(description="The product's largest open problem.")
    problem_label: str | None
    trend: list[int] = Field(description="Distinct complaining customers per week, 8 weeks.")


class AlertsOut(BaseModel):
    alerts: list[AlertOut]


@router.get("/problem-alerts", response=AlertsOut)
def alerts_list(request: HttpRequest):
    """Open complaint-rate alerts, the most GMV at stake first."""
    return AlertsOut(
        alerts=[
            AlertOut(
                id=r.alert.pk,
                sku=r.alert.product.sku,
                title=r.alert.product.title,
                raised_at=r.alert.raised_at,
                window_days=r.alert.window_days,
                complainers=r.alert.complainers,
                units=r.alert.units,
                rate=r.alert.rate,
                baseline=r.alert.baseline,
                p_value=r.alert.p_value,
                gmv_at_stake=str(r.alert.gmv_at_stake),
                problem=r.alert.problem_id,
                problem_label=r.alert.problem.label if r.alert.problem else None,
                trend=r.trend,
            )
            for r in selectors.alerts_open()
        ]
    )


class CauseProductOut(BaseModel):
    sku: str
    title: str
    batches: list[str]
    complaints: int
    open_andon: bool


class CauseOut(BaseModel):
    kind: str = Field(description="manufacturer, supplier or warehouse")
    value: str
    products: list[CauseProductOut]


class CausesOut(BaseModel):
    causes: list[CauseOut]


class CausesQuery(BaseModel):
    days: int = Field(30, ge=1, le=365, description="Complaints of the last N days.")


@router.get("/shared-causes", response={200: CausesOut, 422: Problem})
def causes_list(request: HttpRequest, query: Query[CausesQuery]):
    """Products with open problems or andons whose complaints came from goods of one
    manufacturer/printer, supplier or warehouse."""
    since = timezone.now() - dt.timedelta(days=query.days)
    return CausesOut(
        causes=[
            CauseOut(
                kind=c.kind,
                value=c.value,
                products=[
                    CauseProductOut(
                        sku=e.product.sku,
                        title=e.product.title,
                        batches=sorted(e.batches),
                        complaints=e.complaints,
                        open_andon=e.open_andons,
                    )
                    for e in c.products
                ],
            )
            for c in causes.shared_causes(since=since)
        ]
    )
