"""Webhook endpoints, their secrets and delivery logs; replay. Integrators and admins only."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from pydantic import BaseModel, Field

from andon.core.errors import Forbidden
from andon.core.http import AuthenticatedRequest
from andon.integrations import selectors, services
from andon.integrations.selectors import DeliveryState
from andon.people import rules as people_rules
from andon.people.selectors import roles_of

from .guard import IsoDateTime
from .problems import Problem

if TYPE_CHECKING:
    from andon.integrations.models import Delivery, WebhookEndpoint

router = Router(tags=["webhooks"])


def _require_integrator(request: HttpRequest) -> None:
    if not people_rules.may_load_catalog(roles_of(request.user)):
        raise Forbidden(_("Only integrators and admins manage webhooks."))


class EndpointIn(BaseModel):
    url: str = Field(min_length=8, max_length=500, examples=["https://shop.example/hooks"])
    event_types: list[str] = Field(
        [],
        max_length=50,
        description="Event names or families (`listing.*`); empty: every event.",
    )
    description: str = Field("", max_length=200)


class EndpointPatch(BaseModel):
    url: str | None = Field(None, min_length=8, max_length=500)
    event_types: list[str] | None = Field(None, max_length=50)
    description: str | None = Field(None, max_length=200)
    active: bool | None = None


class EndpointOut(BaseModel):
    id: int
    url: str
    event_types: list[str]
    description: str
    active: bool
    created_at: dt.datetime
    previous_secret_expires_at: dt.datetime | None


class EndpointWithSecret(EndpointOut):
    secret: str | None = Field(
        description=(
            "Standard Webhooks secret (`whsec_...`), shown in this answer only. null in a "
            "replayed answer (`Idempotent-Replayed: true`): secrets are not stored for replays; "
            "rotate the secret if the first answer was lost."
        )
    )


class AttemptOut(BaseModel):
    attempted_at: dt.datetime
    status_code: int | None
    error: str
    duration_ms: int


class DeliveryOut(BaseModel):
    id: int
    event_id: int
    webhook_id: str
    event_type: str
    sku: str
    sequence: int | None
    state: DeliveryState
    attempts: int
    next_attempt_at: dt.datetime | None
    last_status_code: int | None
    last_error: str
    delivered_at: dt.datetime | None
    attempt_log: list[AttemptOut]


class ReplayIn(BaseModel):
    since: IsoDateTime
    until: IsoDateTime


class ReplayOut(BaseModel):
    queued: int


def _out(e: WebhookEndpoint, with_secret: bool = False) -> EndpointOut:
    data = dict(
        id=e.pk,
        url=e.url,
        event_types=e.event_types,
        description=e.description,
        active=e.active,
        created_at=e.created_at,
        previous_secret_expires_at=e.previous_secret_expires_at,
    )
    return EndpointWithSecret(**data, secret=e.secret) if with_secret else EndpointOut(**data)


def _delivery_out(d: Delivery) -> DeliveryOut:
    return DeliveryOut(
        id=d.pk,
        event_id=d.event_id,
        webhook_id=f"msg_{d.event_id}",
        event_type=d.event.event_type,
        sku=d.event.product_sku,
        sequence=d.event.product_sequence,
        state=DeliveryState(d.state),
        attempts=d.attempts,
        next_attempt_at=d.next_attempt_at if d.state == DeliveryState.PENDING else None,
        last_status_code=d.last_status_code,
        last_error=d.last_error,
        delivered_at=d.delivered_at,
        attempt_log=[
            AttemptOut(
                attempted_at=a.attempted_at,
                status_code=a.status_code,
                error=a.error,
                duration_ms=a.duration_ms,
            )
            for a in d.attempt_log.all()
        ],
    )


@router.post("/webhooks", response={201: EndpointWithSecret, 403: Problem, 422: Problem})
def webhook_create(request: AuthenticatedRequest, payload: EndpointIn):
    """Register an endpoint. The answer carries its signing secret, once. The URL must be
    http(s); where ANDON_WEBHOOK_ALLOW_PRIVATE_NETWORKS is off (production), its host must
    resolve to public addresses only (422 naming `url` otherwise). Redirects are not
    followed: a 3xx answer is a failed attempt."""
    _require_integrator(request)
    endpoint = services.endpoint_create(
        url=payload.url,
        event_types=payload.event_types,
        description=payload.description,
        actor=request.user,
    )
    return Status(201, _out(endpoint, with_secret=True))


@router.get("/webhooks", response={200: list[EndpointOut], 403: Problem})
def webhook_list(request: HttpRequest):
    _require_integrator(request)
    return [_out(e) for e in selectors.endpoint_list()]


@router.get("/webhooks/{endpoint_id}", response={200: EndpointOut, 403: Problem, 404: Problem})
def webhook_read(request: HttpRequest, endpoint_id: int):
    _require_integrator(request)
    return _out(selectors.endpoint_get(endpoint_id=endpoint_id))


@router.patch(
    "/webhooks/{endpoint_id}", response={200: EndpointOut, 403: Problem, 404: Problem, 422: Problem}
)
def webhook_update(request: AuthenticatedRequest, endpoint_id: int, payload: EndpointPatch):
    """Change the URL, the filter, or pause (`active: false`) an endpoint."""
    _require_integrator(request)
    endpoint = services.endpoint_update(
        actor=request.user,
        endpoint=selectors.endpoint_get(endpoint_id=endpoint_id),
        **payload.model_dump(exclude_unset=True),
    )
    return _out(endpoint)


@router.post(
    "/webhooks/{endpoint_id}/rotate-secret",
    response={200: EndpointWithSecret, 403: Problem, 404: Problem},
)
def webhook_rotate(request: AuthenticatedRequest, endpoint_id: int):
    """A new secret; the old one also signs for 24 hours (two signatures per message)."""
    _require_integrator(request)
    endpoint = services.endpoint_rotate_secret(
        actor=request.user, endpoint=selectors.endpoint_get(endpoint_id=endpoint_id)
    )
    return _out(endpoint, with_secret=True)


@router.get(
    "/webhooks/{endpoint_id}/deliveries",
    response={200: list[DeliveryOut], 403: Problem, 404: Problem},
)
def webhook_deliveries(
    request: HttpRequest,
    endpoint_id: int,
    state: DeliveryState | None = None,
    before: int | None = None,
    limit: int = 100,
):
    """The delivery log, newest first, with every attempt; page with `before=<id>`."""
    _require_integrator(request)
    selectors.endpoint_get(endpoint_id=endpoint_id)
    rows = selectors.deliveries_of(
        endpoint_id=endpoint_id, state=state, before_id=before, limit=max(1, min(limit, 500))
    )
    return [_delivery_out(d) for d in rows]


@router.post(
    "/webhooks/{endpoint_id}/replay",
    response={200: ReplayOut, 403: Problem, 404: Problem, 422: Problem},
)
def webhook_replay_range(request: AuthenticatedRequest, endpoint_id: int, payload: ReplayIn):
    """Send again every event of [since, until) that the endpoint's filter takes."""
    _require_integrator(request)
    queued = services.deliveries_replay_range(
        actor=request.user,
        endpoint=selectors.endpoint_get(endpoint_id=endpoint_id),
        since=payload.since,
        until=payload.until,
    )
    return ReplayOut(queued=queued)


@router.post(
    "/deliveries/{delivery_id}/replay", response={200: DeliveryOut, 403: Problem, 404: Problem}
)
def delivery_replay(request: AuthenticatedRequest, delivery_id: int):
    """Send one delivery again now (same webhook-id), delivered or dead-lettered alike."""
    _require_integrator(request)
    delivery = services.delivery_replay(
        actor=request.user, delivery=selectors.delivery_get(delivery_id=delivery_id)
    )
    return _delivery_out(selectors.delivery_get(delivery_id=delivery.pk))
