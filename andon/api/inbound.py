"""Inbound webhooks of hosted helpdesks: Zendesk, Freshdesk and Zammad POST ticket events
here; a ticket that names an order becomes a contact. Authenticated by each vendor's own
signature (or, for Freshdesk, a shared token), never by a bearer token."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Router
from pydantic import BaseModel, Field

from andon.integrations.inbound.services import connection_for, event_receive

from .problems import Problem

router = Router(tags=["inbound helpdesks"])


class InboundOut(BaseModel):
    event_id: str
    ticket: str
    outcome: Literal["recorded", "unchanged", "ignored"] = Field(
        description="recorded: a new contact; unchanged: the ticket was recorded before; "
        "ignored: the ticket names no order."
    )
    contact: int | None
    replayed: bool = Field(description="This event id was received before: nothing written.")


@router.post(
    "/inbound/{vendor}/{connection}",
    auth=None,
    response={200: InboundOut, 400: Problem, 401: Problem, 404: Problem, 422: Problem},
)
def inbound_event(
    request: HttpRequest, vendor: Literal["zendesk", "freshdesk", "zammad"], connection: str
):
    """A helpdesk's ticket created/updated event. Zendesk: `X-Zendesk-Webhook-Signature`
    (base64 HMAC-SHA256 of timestamp + body) and its timestamp; Zammad: `X-Hub-Signature`
    (sha1 HMAC of the body); Freshdesk: the connection's secret in `X-Andon-Token` or as the
    basic-auth password. A bad or missing signature is a 401; a ticket whose order, line or
    reason Andon does not know is a 422 naming the helpdesk's field. A replayed event id
    answers as the first time and writes nothing."""
    conn = connection_for(vendor=vendor, slug=connection)
    received = event_receive(connection=conn, body=request.body, headers=request.headers)
    if received.error is not None:
        raise received.error
    e = received.event
    return InboundOut(
        event_id=e.event_id,
        ticket=e.ticket_id,
        outcome=e.outcome,  # type: ignore[arg-type]
        contact=e.contact_id,
        replayed=received.replayed,
    )
