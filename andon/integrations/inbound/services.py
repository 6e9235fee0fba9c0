"""Receiving a hosted helpdesk's ticket event: verify, read, record one contact per ticket.

Idempotent twice over: by the vendor's event id (a replayed event answers from the event log
and writes nothing) and by ticket (the contact's external id is the ticket's, so a ticket's
later updates, or a retry the vendor sends under a new id, record nothing more). A ticket
that names no order is logged as ignored and answered 200, so that the vendor does not retry
or disable the webhook over tickets that are not about a product."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from andon.contacts.models import Contact
from andon.core.errors import DomainError, InvalidInput, NotFound
from andon.orders.models import OrderLine
from andon.pulls.watch import contact_intake_watched as contact_intake

from ..models import InboundConnection, InboundEvent, InboundOutcome
from . import rules

log = logging.getLogger("andon.integrations.inbound")


class Unauthenticated(DomainError):
    code = "bad-signature"
    status = 401
    title = _("Not signed by the helpdesk")  # type: ignore[assignment]


class MalformedPayload(DomainError):
    code = "malformed-payload"
    status = 400
    title = _("Not a ticket event")  # type: ignore[assignment]


@dataclass(frozen=True)
class Received:
    event: InboundEvent
    replayed: bool
    error: DomainError | None = None  # set for a rejected event: the answer's problem


def connection_for(*, vendor: str, slug: str) -> InboundConnection:
    found = InboundConnection.objects.filter(vendor=vendor, slug=slug, active=True).first()
    if found is None:
        log.warning("inbound: no active connection %s/%s", vendor, slug)
        raise NotFound(_("No active helpdesk connection “%(slug)s”.") % {"slug": slug})
    return found


def event_receive(
    *,
    connection: InboundConnection,
    body: bytes,
    headers: Mapping[str, str],
    now: dt.datetime | None = None,
) -> Received:
    now = now or timezone.now()
    problem = rules.signature_problem(
        connection.vendor, secret=connection.secret, body=body, headers=headers, now=now
    )
    if problem is not None:
        # Logged, never stored: an unsigned request must not be able to fill a table.
        log.warning("inbound %s refused: %s", connection, problem)
        raise Unauthenticated(problem)
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        log.warning("inbound %s: body is not JSON", connection)
        raise MalformedPayload(_("The body is not valid JSON."), field="body") from None
    try:
        ticket = rules.ticket_of(connection.vendor, payload, headers, body)
    except rules.PayloadProblem as e:
        log.warning("inbound %s: %s", connection, e)
        raise MalformedPayload(str(e), field=e.field) from None
    with transaction.atomic():
        prior = (
            InboundEvent.objects.select_for_update()
            .filter(connection=connection, event_id=ticket.event_id)
            .first()
        )
        if prior is not None and prior.outcome != InboundOutcome.REJECTED:
            return Received(prior, replayed=True)
        try:
            with transaction.atomic():
                outcome, contact = _apply(connection, ticket)
            error = None
        except DomainError as e:
            outcome, contact, error = InboundOutcome.REJECTED, None, e
            log.warning("inbound %s ticket %s rejected: %s", connection, ticket.ticket_id, e)
        except IntegrityError:
            # A concurrent delivery of the same ticket recorded it first.
            outcome, contact, error = (
                InboundOutcome.UNCHANGED,
                _contact_of(connection, ticket),
                None,
            )
        event, _created = InboundEvent.objects.update_or_create(
            connection=connection,
            event_id=ticket.event_id,
            defaults=dict(
                event_type=ticket.event_type[:100],
                ticket_id=ticket.ticket_id,
                received_at=now,
                outcome=outcome,
                contact=contact,
                field=(error.field or "")[:100] if error else "",
                detail=error.detail if error else "",
            ),
        )
    return Received(event, replayed=False, error=error)


def _contact_of(connection: InboundConnection, ticket: rules.Ticket) -> Contact | None:
    return Contact.objects.filter(
        external_id=rules.external_id(connection.pk, ticket.ticket_id)
    ).first()


def _apply(
    connection: InboundConnection, ticket: rules.Ticket
) -> tuple[InboundOutcome, Contact | None]:
    if (existing := _contact_of(connection, ticket)) is not None:
        return InboundOutcome.UNCHANGED, existing
    fmap = rules.FieldMap(
        order_field=connection.order_field,
        line_field=connection.line_field,
        reason_field=connection.reason_field,
        reason_map={str(k): str(v) for k, v in (connection.reason_map or {}).items()},
        default_reason=connection.default_reason,
    )
    try:
        wanted = rules.mapped(ticket, fmap)
    except rules.MappingProblem as e:
        raise InvalidInput(str(e), field=e.field) from None
    if wanted is None:
        return InboundOutcome.IGNORED, None
    line = _line(wanted, connection)
    intake = contact_intake(
        actor=connection.agent,
        customer=line.order.customer.external_id,
        order=wanted.order,
        line_no=line.line_no,
        reason=wanted.reason,
        text=wanted.text,
        channel=connection.channel,
        external_id=rules.external_id(connection.pk, ticket.ticket_id),
    )
    return InboundOutcome.RECORDED, intake.contact


def _line(wanted: rules.Mapped, connection: InboundConnection) -> OrderLine:
    """The order line the ticket names; without a line, the order's only line."""
    lines = OrderLine.objects.select_related("order__customer").filter(
        order__external_id=wanted.order
    )
    if wanted.line_no is not None:
        lines = lines.filter(line_no=wanted.line_no)
    found = list(lines.order_by("line_no")[:2])
    field = connection.order_field
    if not found:
        if wanted.line_no is not None:
            msg = _("Order “%(order)s” has no line %(line)s.") % {
                "order": wanted.order,
                "line": wanted.line_no,
            }
            raise InvalidInput(msg, field=connection.line_field)
        raise InvalidInput(_("No order “%(order)s”.") % {"order": wanted.order}, field=field)
    if len(found) > 1:
        raise InvalidInput(
            _("Order “%(order)s” has several lines: the ticket must name one.")
            % {"order": wanted.order},
            field=connection.line_field or "line",
        )
    return found[0]


PRUNE_BATCH = 900  # ids per DELETE: below SQLite's smallest limit of bound parameters
RETENTION_DEFAULT = dt.timedelta(days=90)


def inbound_event_retention() -> dt.timedelta:
    """How long the inbound event log is kept: ANDON_INBOUND_EVENT_RETENTION_DAYS (Django
    setting or environment), 90 days by default. Pruning is safe for idempotency: a ticket's
    contact carries the ticket's external id, so a vendor replaying an event older than the
    retention records nothing new (it is logged again as unchanged)."""
    import os

    from django.conf import settings

    raw = getattr(settings, "ANDON_INBOUND_EVENT_RETENTION_DAYS", None)
    if raw is None:
        raw = os.environ.get("ANDON_INBOUND_EVENT_RETENTION_DAYS")
    if raw in (None, ""):
        return RETENTION_DEFAULT
    days = float(raw)
    if days < 0:
        raise ValueError("ANDON_INBOUND_EVENT_RETENTION_DAYS must be zero or more")
    return dt.timedelta(days=days)


def inbound_events_prune(
    *,
    older_than: dt.timedelta | None = None,
    batch: int = PRUNE_BATCH,
    now: dt.datetime | None = None,
) -> int:
    """Delete inbound events received more than `older_than` (default: the retention) ago, in
    batches of `batch` ids, each a short transaction. Returns how many were deleted."""
    cutoff = (now or timezone.now()) - (
        older_than if older_than is not None else inbound_event_retention()
    )
    total = 0
    while True:
        with transaction.atomic():
            ids = list(
                InboundEvent.objects.filter(received_at__lt=cutoff)
                .order_by("id")
                .values_list("id", flat=True)[:batch]
            )
            if not ids:
                return total
            InboundEvent.objects.filter(id__in=ids).delete()
        total += len(ids)
